"""The real pose model on real footage (../shared/media), through the same pipeline as `turnout analyze`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import media_file
from turnout.pose.estimator import PoseEstimator
from turnout.pose.landmarks import (
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
)  # fmt: skip
from turnout.pose.track import load_track

pytestmark = pytest.mark.e2e

FEET = [LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX]
KNEES = [LEFT_KNEE, RIGHT_KNEE]
HIPS = [LEFT_HIP, RIGHT_HIP]


@pytest.fixture(scope="module")
def plie(analysed):  # type: ignore[no-untyped-def]
    return analysed("commons/ballet_plie.mp4")


def _anatomy_holds(image: np.ndarray) -> np.ndarray:
    """Per frame: both heels and foot_index points below both knees, knees below both hips (image y down)."""
    y = image[:, :, 1]
    feet_below_knees = y[:, FEET].min(axis=1) > y[:, KNEES].max(axis=1)
    knees_below_hips = y[:, KNEES].min(axis=1) > y[:, HIPS].max(axis=1)
    return np.asarray(feet_below_knees & knees_below_hips)


def test_plie_title_card_has_no_person(plie) -> None:  # type: ignore[no-untyped-def]
    assert plie.frames == 175 or plie.frames == 174
    assert not plie.track.detected[:30].any()


def test_plie_person_found_from_frame_35(plie) -> None:  # type: ignore[no-untyped-def]
    rate = plie.track.detected[35:].mean()
    assert rate >= 0.95, f"person on {rate:.1%} of frames from 35 on"


def test_plie_landmarks_are_anatomically_ordered(plie) -> None:  # type: ignore[no-untyped-def]
    detected = plie.track.detected
    ok = _anatomy_holds(plie.track.image[detected])
    assert ok.all(), f"frames breaking the order: {np.flatnonzero(detected)[~ok].tolist()}"


def test_plie_outputs_round_trip(plie) -> None:  # type: ignore[no-untyped-def]
    back = load_track(plie.track_path)
    np.testing.assert_array_equal(back.world, plie.track.world)
    assert back.fps == pytest.approx(25.0) and (back.width, back.height) == (960, 540)
    assert len(back.model_sha256) == 64
    lines = plie.csv_path.read_text().splitlines()
    assert len(lines) == plie.frames + 1 and lines[0].startswith("frame,timestamp_ms,people")


def test_simple_step_same_pipeline(analysed) -> None:  # type: ignore[no-untyped-def]
    result = analysed("commons/simple_step.mp4")
    track = result.track
    assert result.frames == 96 and (track.width, track.height) == (1280, 720)
    assert track.detected.mean() >= 0.95
    # stepping in place lifts one knee at a time, so check each leg's own chain: hip above knee above foot
    y = track.image[track.detected][:, :, 1]
    for hip, knee, heel, toe in ((LEFT_HIP, LEFT_KNEE, LEFT_HEEL, LEFT_FOOT_INDEX),
                                 (RIGHT_HIP, RIGHT_KNEE, RIGHT_HEEL, RIGHT_FOOT_INDEX)):  # fmt: skip
        ok = (y[:, hip] < y[:, knee]) & (y[:, knee] < np.minimum(y[:, heel], y[:, toe]))
        assert ok.all(), f"leg chain out of order on {int((~ok).sum())} frames"


def test_a_frame_prepared_on_another_thread_gives_the_same_pose(model_path: Path) -> None:
    """``turnout analyze`` converts frames for the model on the decoding thread (``prefetch(prepare=...)``):
    the landmarks are exactly those of converting on the model's thread."""
    from turnout.capture.sources import VideoFileSource, prefetch

    clip = media_file("commons/ballet_plie.mp4")
    with PoseEstimator(model_path, people_check_s=None) as a, PoseEstimator(model_path, people_check_s=None) as b:
        with VideoFileSource(clip) as src:
            frames = [f for f in prefetch(iter(src), prepare=a.prepare) if 40 <= f.index < 70]
        assert all(f.prepared is not None for f in frames)
        for f in frames:
            pa = a.process(f.bgr, f.timestamp_ms, f.index, prepared=f.prepared)
            pb = b.process(f.bgr, f.timestamp_ms, f.index)
            assert pa.detected and pb.detected
            np.testing.assert_array_equal(pa.world, pb.world)
            np.testing.assert_array_equal(pa.image, pb.image)


def test_the_direct_call_gives_the_public_apis_landmarks(model_path: Path) -> None:
    """``PoseEstimator`` calls MediaPipe's C function on its own thread (``DirectDetector``, no executor hop):
    over the plié clip (title card and dancer), every frame's people count and landmarks, visibility and
    presence included, equal those of ``PoseLandmarker.detect_for_video``."""
    from turnout.capture.sources import VideoFileSource

    clip = media_file("commons/ballet_plie.mp4")
    with (
        PoseEstimator(model_path, people_check_s=None) as direct,
        PoseEstimator(model_path, people_check_s=None) as public,
    ):
        assert direct._direct is not None, "the installed MediaPipe no longer matches DirectDetector"
        public._direct = None  # the public API: detect_for_video, then to_pose_frame
        found = 0
        with VideoFileSource(clip) as src:
            for f in src:
                if f.index >= 90:
                    break
                pa, pb = direct.process(f.bgr, f.timestamp_ms, f.index), public.process(f.bgr, f.timestamp_ms, f.index)
                assert (pa.detected, pa.people) == (pb.detected, pb.people)
                if pa.detected:
                    found += 1
                    np.testing.assert_array_equal(pa.world, pb.world)
                    np.testing.assert_array_equal(pa.image, pb.image)
        assert found >= 50  # the dancer is in view from frame 35


def test_without_the_expected_internals_the_public_api_is_used() -> None:
    from turnout.pose.estimator import DirectDetector

    class Other:  # a landmarker of another MediaPipe version: no ctypes library behind an executor
        _lib = object()

    assert DirectDetector.of(Other()) is None


def test_closing_while_another_thread_runs_the_model(model_path: Path) -> None:
    """close() on one thread waits for a model call in flight on another (MediaPipe's executor used to
    serialise them); the caller then gets a clear error, not a crash."""
    import threading

    from turnout.capture.sources import VideoFileSource

    with VideoFileSource(media_file("commons/ballet_plie.mp4")) as src:
        frames = [f.bgr for f in src if 40 <= f.index < 44]
    est = PoseEstimator(model_path, people_check_s=None)
    calls: list[str] = []

    def run() -> None:
        try:
            for i in range(10_000):
                est.process(frames[i % len(frames)], 40 * i, i)
                calls.append("ok")
        except RuntimeError as exc:
            calls.append(str(exc))

    worker = threading.Thread(target=run)
    worker.start()
    while len(calls) < 3:
        threading.Event().wait(0.005)
    est.close()
    worker.join(10)
    assert not worker.is_alive()
    assert calls[-1] == "PoseEstimator is closed" and calls.count("ok") >= 3
