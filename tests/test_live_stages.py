"""Live processing in two stages (``LiveRunner(..., then=...)``): the pose model on the newest frame on one thread,
everything after it on another, on every detected frame in order. Nothing is lost or reordered between the stages,
and a video gives the same per-frame rows, landmarks and reps as one frame at a time. (Its speed is measured by
``scripts/bench.py``, never asserted here.)"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import media_file
from turnout.capture import cores
from turnout.capture.live import AHEAD, STAGES_ENV, Captured, LiveRunner
from turnout.capture.sources import Frame, FrameSource, SourceInfo, VideoFileSource
from turnout.session.engine import SourceSpec, first_stage, second_stage
from turnout.session.pipeline import FrameResult
from turnout.session.processor import RealEngine, RealProcessor
from turnout.settings import Settings
from turnout.storage.store import Store


class Numbers(FrameSource):
    """``n`` tiny frames, one every ``period_s`` (a camera: ``kind="camera"``), or endless (``n=None``)."""

    def __init__(self, n: int | None, kind: str = "video", period_s: float = 0.0) -> None:
        self.n, self.period_s = n, period_s
        self.info = SourceInfo("numbers", kind, 30.0, 4, 4)

    def __iter__(self):  # type: ignore[no-untyped-def]
        i = 0
        while self.n is None or i < self.n:
            if self.period_s:
                time.sleep(self.period_s)
            yield Frame(i, i * 33, np.zeros((4, 4, 3), np.uint8))
            i += 1


class Stages:
    """A first stage and a second, each recording what it did and on which thread."""

    def __init__(self, first_s: float = 0.0, then_s: float = 0.0, fail_at: int | None = None) -> None:
        self.first_s, self.then_s, self.fail_at = first_s, then_s, fail_at
        self.detected: list[int] = []
        self.completed: list[int] = []
        self.threads: dict[str, set[int]] = {"first": set(), "then": set()}
        #: the most first-stage outputs not yet completed at any moment
        self.most_ahead = 0
        self._lock = threading.Lock()

    def first(self, captured: Captured) -> int:
        self.threads["first"].add(threading.get_ident())
        if self.first_s:
            time.sleep(self.first_s)
        with self._lock:
            self.detected.append(captured.frame.index)
            self.most_ahead = max(self.most_ahead, len(self.detected) - len(self.completed))
        return captured.frame.index

    def then(self, index: int) -> int:
        self.threads["then"].add(threading.get_ident())
        if index == self.fail_at:
            raise RuntimeError("the rest failed")
        if self.then_s:
            time.sleep(self.then_s)
        with self._lock:
            self.completed.append(index)
        return index


def test_every_frame_of_a_file_goes_through_both_stages_in_order_on_two_threads() -> None:
    s = Stages(then_s=0.002)
    published: list[int] = []
    runner = LiveRunner(lambda: Numbers(60), s.first, then=s.then, on_result=published.append, drop=False)
    runner.start()
    assert runner.wait(20)
    assert s.detected == s.completed == published == list(range(60))
    st = runner.stats()
    assert (st.captured, st.processed, st.dropped, st.finished) == (60, 60, 0, True)
    assert runner.latest() == 59
    assert len(s.threads["first"]) == len(s.threads["then"]) == 1
    assert s.threads["first"] != s.threads["then"]
    assert not (s.threads["first"] | s.threads["then"]) & {threading.get_ident()}


def test_a_camera_drops_only_before_the_model_and_the_model_takes_the_newest_frame() -> None:
    # the rest is slower than the frames come: the first stage waits for room, the camera's frames are replaced
    s = Stages(first_s=0.003, then_s=0.02)
    runner = LiveRunner(lambda: Numbers(150, kind="camera", period_s=0.002), s.first, then=s.then)
    runner.start()
    assert runner.wait(30)
    st = runner.stats()
    assert st.dropped > 50
    assert st.captured == 150 and st.processed + st.dropped == 150
    assert s.completed == s.detected  # every detected frame completed, in order: nothing lost after the model
    assert s.detected == sorted(s.detected) and s.detected[-1] == 149  # the newest frame is processed last
    assert s.most_ahead <= AHEAD + 1  # one waiting, one being completed: the model never runs far ahead


def test_stop_completes_what_the_model_has_done() -> None:
    s = Stages(then_s=0.03)
    runner = LiveRunner(lambda: Numbers(None, kind="camera", period_s=0.005), s.first, then=s.then)
    runner.start()
    deadline = time.monotonic() + 10
    while len(s.completed) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runner.stop(timeout=5.0)
    assert s.completed == s.detected and len(s.completed) >= 5
    assert runner.stats().processed == len(s.completed)


@pytest.mark.parametrize("where", ["first", "then"])
def test_a_failing_stage_stops_the_run_and_says_why(where: str) -> None:
    s = Stages(fail_at=7 if where == "then" else None)

    def first(captured: Captured) -> int:
        if where == "first" and captured.frame.index == 7:
            raise RuntimeError("the model failed")
        return s.first(captured)

    runner = LiveRunner(lambda: Numbers(100), first, then=s.then, drop=False)
    runner.start()
    assert runner.wait(10)
    assert isinstance(runner.error, RuntimeError)
    assert runner.stats().finished and runner.stats().status.startswith("stopped: the ")
    assert s.completed == list(range(7))  # what was detected before the failure is completed, in order


def test_a_processor_that_is_not_staged_runs_whole_in_the_second_stage() -> None:
    class Whole:
        def __init__(self) -> None:
            self.threads: set[int] = set()

        def process(self, captured: Captured) -> Any:
            self.threads.add(threading.get_ident())
            return captured.frame.index * 2

        def set_recording(self, on: bool) -> None: ...

        def request_baseline(self) -> None: ...

        def close(self) -> None: ...

    whole = Whole()
    runner = LiveRunner(
        lambda: Numbers(20), lambda c: first_stage(whole, c), then=lambda x: second_stage(whole, x), drop=False
    )
    runner.start()
    assert runner.wait(10)
    assert runner.latest() == 38 and runner.stats().processed == 20
    assert len(whole.threads) == 1  # its state is touched by one thread only


def test_frames_are_prepared_for_the_model_on_the_capture_thread_after_their_capture_time() -> None:
    where: set[str] = set()

    def prepare(frame: Frame) -> Frame:
        where.add(threading.current_thread().name)
        return Frame(frame.index, frame.timestamp_ms, frame.bgr, prepared=("rgb", time.monotonic()))

    seen: list[tuple[Any, float]] = []
    runner = LiveRunner(
        lambda: Numbers(10), lambda c: seen.append((c.frame.prepared, c.captured_at)), then=lambda x: x, drop=False,
        prepare=prepare,
    )  # fmt: skip
    runner.start()
    assert runner.wait(10)
    assert where == {"turnout-capture"} and len(seen) == 10
    assert all(p[0] == "rgb" and at <= p[1] for p, at in seen)  # the conversion counts in the latency


@pytest.mark.parametrize(("stages", "on"), [("2", "model"), ("2-split", "others")])
def test_the_second_stage_runs_beside_the_model_on_its_core(
    stages: str, on: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs Linux and two CPUs")
    monkeypatch.setenv(STAGES_ENV, stages)
    with cores.reserving() as plan:
        assert plan is not None
        where: list[set[int]] = []
        runner = LiveRunner(
            lambda: Numbers(5), lambda c: c, then=lambda x: where.append(os.sched_getaffinity(0)), drop=False
        )
        runner.start()
        assert runner.wait(10)
    assert len(where) == 5 and all(w == set(getattr(plan, on)) for w in where)


def test_one_thread_runs_both_stages_on_the_processing_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STAGES_ENV, "1")
    s = Stages()
    runner = LiveRunner(lambda: Numbers(20), s.first, then=s.then, drop=False)
    runner.start()
    assert runner.wait(10)
    assert s.completed == list(range(20)) and s.threads["first"] == s.threads["then"]


# -- the real model: two stages give what one frame at a time gives --------------------------------------------------


def _estimator(model_path: Path) -> Any:
    from turnout.pose.estimator import PoseEstimator

    # the second look answered a fixed number of frames later: the same frames give the same counts
    return PoseEstimator(model_path, people_background=True, people_answer_after=5)


def _summary(r: FrameResult) -> str:
    """Everything a frame's result says but its picture and clock times, as text (floats exactly; nan equals nan)."""
    row = r.measurement.as_row() if r.measurement is not None else {}
    return repr((
        r.index, r.timestamp_ms, r.reliable, r.phase, r.reps, r.sets, r.hold_s, r.guidance, r.baseline_ready,
        r.hip_turnout_deg, r.pose.people, sorted(row.items()), r.events, sorted(r.feet_picture.items()),
        sorted(r.feet_range.items()), r.active_flags,
    ))  # fmt: skip


def _run(clip: Path, model_path: Path, db: Path, staged: bool) -> tuple[list[FrameResult], Store]:
    proc = RealProcessor(SourceSpec(path=clip), model_path, Settings(), db, estimator=_estimator(model_path))
    proc.set_recording(True)
    results: list[FrameResult] = []
    if staged:
        runner: LiveRunner[FrameResult] = LiveRunner(
            lambda: VideoFileSource(clip), proc.detect, then=proc.complete, on_result=results.append, drop=False,
            reconnect=False, prepare=RealEngine.prepare_frame,  # converted for the model on the capture thread
        )  # fmt: skip
        runner.start()
        assert runner.wait(300) and runner.error is None
    else:
        with VideoFileSource(clip) as src:
            results = [proc.process(Captured(f, time.monotonic())) for f in src]
    proc.close()
    return results, Store.open(db)


def test_a_video_through_two_stages_gives_the_same_rows_landmarks_and_reps_as_one_frame_at_a_time(
    model_path: Path, tmp_path: Path
) -> None:
    clip = media_file("commons/ballet_plie.mp4")
    serial, a = _run(clip, model_path, tmp_path / "serial.sqlite3", staged=False)
    staged, b = _run(clip, model_path, tmp_path / "staged.sqlite3", staged=True)
    with a, b:
        assert [r.index for r in staged] == [r.index for r in serial] == list(range(len(serial)))
        assert [_summary(r) for r in staged] == [_summary(r) for r in serial]
        for x, y in zip(staged, serial, strict=True):
            for u, v in ((x.pose.image, y.pose.image), (x.pose.world, y.pose.world)):
                if u is None or v is None:
                    assert u is None and v is None, x.index
                else:
                    assert np.array_equal(u, v, equal_nan=True), x.index
        sa, sb = a.list_sessions()[0].id, b.list_sessions()[0].id
        fa, fb = a.frames(sa), b.frames(sb)
        assert len(fa.idx) == len(serial) and np.array_equal(fa.idx, fb.idx)
        assert np.array_equal(fa.reliable, fb.reliable) and np.array_equal(fa.t_s, fb.t_s)
        assert fa.values.keys() == fb.values.keys()
        for name in fa.values:
            assert np.array_equal(fa.values[name], fb.values[name], equal_nan=True), name
        pa, pb = a.poses(sa), b.poses(sb)
        assert pa is not None and pb is not None
        assert np.array_equal(pa.image, pb.image, equal_nan=True) and np.array_equal(pa.world, pb.world, equal_nan=True)
        reps_a = json.dumps([r.rep.to_dict() for r in a.reps(sa)], sort_keys=True)
        reps_b = json.dumps([r.rep.to_dict() for r in b.reps(sb)], sort_keys=True)
        assert reps_a == reps_b and a.reps(sa), "the clip's pliés are counted, the same in both"
