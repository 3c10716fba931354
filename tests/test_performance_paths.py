"""The fast paths of issue 7 do the same work as the plain ones: the pipelined stream, the background clip
encoder, the display image scaled once, the result published without waiting for the timer, the latency ring.
(Speed itself is measured by ``scripts/bench.py``, never asserted here.)"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

from app_fakes import FakeEngine, make_result, plie_seq, synthetic_pose
from conftest import media_file
from turnout.capture.sources import Frame
from turnout.pose.estimator import PoseFrame
from turnout.session.pipeline import Pipeline
from turnout.storage.clips import FrameRing
from turnout.testing.synth import DancerParams, plie_sequence


class _Replay:
    """A pose "model" replaying a synthetic plié; records the threads it ran on."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.seq = _SEQ
        self.fail_at = fail_at
        self.threads: set[int] = set()

    def process(self, bgr: np.ndarray, timestamp_ms: int, index: int = 0) -> PoseFrame:
        self.threads.add(threading.get_ident())
        if index == self.fail_at:
            raise RuntimeError("model failed")
        return synthetic_pose(self.seq, index % len(self.seq.phase), index, timestamp_ms)


_SEQ = plie_sequence(25.0, stand_s=2.6, descend_s=1.5, bottom_s=0.3, ascend_s=1.5, end_stand_s=1.0,
                     params=DancerParams(forced_deg=(14.0, 2.0)))  # fmt: skip


def _frames(n: int) -> list[Frame]:
    rng = np.random.default_rng(3)
    return [Frame(i, i * 40, rng.integers(0, 255, (36, 64, 3), dtype=np.uint8)) for i in range(n)]


def _summary(results: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (r.index, r.timestamp_ms, r.reliable, r.phase, r.reps,
         None if r.measurement is None else tuple(np.nan_to_num(list(r.measurement.as_row().values()), nan=-1.0)),
         tuple(type(e).__name__ for e in r.events))
        for r in results
    ]  # fmt: skip


def test_run_gives_the_same_results_as_one_frame_at_a_time() -> None:
    frames = _frames(2 * len(_SEQ.phase))
    one_by_one = Pipeline(_Replay())
    serial = [one_by_one.process(f) for f in frames]
    model = _Replay()
    streamed = list(Pipeline(model).run(iter(frames)))
    assert _summary(streamed) == _summary(serial)
    assert any(r.reps for r in streamed)  # the stream really went through reps
    assert threading.get_ident() not in model.threads  # the model ran ahead on the worker thread


def test_run_raises_a_model_error_and_stops_early_on_close() -> None:
    with pytest.raises(RuntimeError, match="model failed"):
        list(Pipeline(_Replay(fail_at=5)).run(iter(_frames(20))))
    stream = Pipeline(_Replay()).run(iter(_frames(200)))
    assert next(stream).index == 0
    stream.close()  # the worker thread ends: nothing named turnout-pose is left running
    assert not any(t.name == "turnout-pose" and t.is_alive() for t in threading.enumerate())


def _encoders() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "turnout-clip-encoder" and t.is_alive()}


def test_background_clip_ring_holds_the_same_frames_as_the_foreground_one() -> None:
    before = _encoders()
    frames = [np.full((90, 160, 3), 10 * (i % 20), np.uint8) for i in range(50)]
    fore, back = FrameRing(seconds=1.0), FrameRing(seconds=1.0, background=True)
    for i, f in enumerate(frames):
        fore.push(i / 30, f)
        back.push(i / 30, f)
    got, want = back.window(0.0, 5.0), fore.window(0.0, 5.0)
    assert [f.t_s for f in got] == [f.t_s for f in want] and len(got) == 31  # one second kept
    assert [f.jpeg for f in got] == [f.jpeg for f in want]
    assert _encoders() - before  # encoding ran on a thread of its own
    back.close()
    assert not _encoders() - before  # which close() ended
    back.push(2.0, frames[0])  # a later frame starts another
    assert [f.t_s for f in back.window(1.9, 2.1)] == [2.0]
    back.close()


def test_display_image_is_scaled_and_mirrored_once() -> None:
    from turnout.app.live_view import display_image

    bgr = np.zeros((90, 160, 3), np.uint8)
    bgr[:, :80] = (0, 0, 255)  # red on the camera's left
    image, pixels = display_image(bgr, (320, 180), mirrored=True)
    assert (image.width(), image.height()) == (320, 180) and pixels.shape == (180, 320, 4)
    assert image.pixelColor(300, 90).red() > 200 and image.pixelColor(20, 90).red() < 50  # flipped
    image, _ = display_image(bgr, (320, 180), mirrored=False)
    assert image.pixelColor(20, 90).red() > 200


@pytest.mark.gui
def test_a_result_is_painted_without_the_timer_and_its_latency_recorded(qtbot: Any) -> None:
    from turnout.app.controller import LiveController
    from turnout.app.live_view import VideoWidget
    from turnout.session.engine import SourceSpec

    controller = LiveController(FakeEngine(media_file("commons/ballet_plie.mp4")), interval_ms=60_000)
    video = VideoWidget()
    qtbot.addWidget(video)
    video.show()
    controller.frame_ready.connect(video.set_result)
    controller.start(SourceSpec(camera=0))
    try:
        # The timer would first fire after a minute: results arrive through the processing thread's signal.
        # (The fake's first frames have no capture time: only later ones have a latency.)
        qtbot.waitUntil(lambda: len(video.latencies_ms) >= 5, timeout=10_000)
    finally:
        controller.stop()
    assert len(video.paint_ms) == video.frames_painted
    assert all(0 < ms < 10_000 for ms in video.latencies_ms)
    assert video.first_painted_at is not None


@pytest.mark.gui
def test_latency_is_recorded_once_per_result(qtbot: Any) -> None:
    from turnout.app.live_view import VideoWidget

    video = VideoWidget()
    qtbot.addWidget(video)
    video.resize(480, 270)
    video.show()
    r = make_result(np.zeros((90, 160, 3), np.uint8), 20, plie_seq())
    video.set_result(r)
    video.grab()
    video.grab()  # a second paint of the same result is not a new frame
    assert video.frames_painted == 1 and len(video.latencies_ms) == 1
    video.set_result(make_result(np.zeros((90, 160, 3), np.uint8), 21, plie_seq()))
    video.grab()
    assert video.frames_painted == 2


def test_the_batch_keeps_input_order_and_one_line_errors(tmp_path: Path, model_path: Path) -> None:
    from turnout.errors import TurnoutError
    from turnout.session.analysis import analyze_batch
    from turnout.storage.store import Store

    clip = media_file("commons/simple_step.mp4")
    db = tmp_path / "s.sqlite3"
    Store.open(db).close()
    missing = tmp_path / "missing.mp4"
    out = list(analyze_batch([missing, clip, clip], model_path, db_path=db, workers=2))
    assert [p for p, _ in out] == [str(missing), str(clip), str(clip)]
    assert isinstance(out[0][1], TurnoutError) and "no such file" in str(out[0][1])
    results = [r for _, r in out[1:]]
    assert all(not isinstance(r, Exception) and r.frames == 96 for r in results)
    with Store.open(db) as store:  # both workers stored their session in the one database
        assert sorted(s.n_frames for s in store.list_sessions()) == [96, 96]
