"""A session's floor calibration: found on rendered frames, used for measurements, dropped when the camera moves."""

from __future__ import annotations

import math

import numpy as np
import pytest

from test_floormode import _sheet
from turnout.floor.state import (
    CAMERA_MOVED,
    CHECK_EVERY_S,
    NOT_FOUND_YET,
    FloorCalibrated,
    FloorState,
    sheet_instructions,
)
from turnout.measure.measures import Mode
from turnout.pose.estimator import PoseFrame
from turnout.session.pipeline import Pipeline
from turnout.testing import synth
from turnout.testing.render_floor import random_scene, render


def _found_scene() -> tuple[object, np.ndarray]:
    """A rendered scene whose A4 sheet the detector finds (the first of a fixed sequence of seeds)."""
    from turnout.floor.sheet import find_sheet

    rng = np.random.default_rng(7)
    for _ in range(10):
        scene = random_scene(rng, (960, 540), reference="A4")
        img = render(scene).image
        if find_sheet(img, "A4") is not None:
            return scene, img
    raise AssertionError("no rendered A4 sheet found in 10 scenes")


def test_search_then_found() -> None:
    _, img = _found_scene()
    state = FloorState(background=False)
    state.search("A4")
    assert "A4 sheet" in state.guidance()[0]
    events = state.update(img, 0.0)
    assert len(events) == 1 and isinstance(events[0], FloorCalibrated) and events[0].calibration is not None
    assert state.calibration is not None and state.guidance() == ()
    assert state.camera is not None


class _Motion:
    """Stands in for CameraMotionCheck (tested on its own): answers from a script."""

    def __init__(self, answers: list[bool | None]) -> None:
        self.answers = answers
        self.calls = 0

    def check(self, frame: np.ndarray) -> object:
        self.calls += 1

        class R:
            moved = self.answers.pop(0)

        return R()


def test_camera_moved_drops_the_calibration_and_says_so() -> None:
    p = synth.DancerParams()
    state = FloorState(background=False)
    state.set(_sheet(p))
    motion = _Motion([False, None, True])
    state._motion = motion
    frame = np.zeros((720, 1280, 3), np.uint8)
    assert state.update(frame, 0.0) == []  # checked: not moved
    assert state.update(frame, 0.5) == []  # not due yet
    assert state.update(frame, CHECK_EVERY_S) == []  # cannot tell: keep the calibration
    assert state.calibration is not None and motion.calls == 2
    events = state.update(frame, 2 * CHECK_EVERY_S)
    assert [e.calibration for e in events] == [None] and events[0].reason == CAMERA_MOVED
    assert state.calibration is None and state.guidance() == (CAMERA_MOVED,)
    assert state.measure(np.zeros((33, 3)), np.zeros((33, 3)), None) is None


def test_unknown_reference_is_one_line() -> None:
    with pytest.raises(ValueError, match="unknown floor reference 'napkin'"):
        FloorState().search("napkin")


def test_picture_size_change_drops_the_calibration() -> None:
    p = synth.DancerParams()
    state = FloorState(background=False)
    state.set(_sheet(p))
    events = state.update(np.zeros((540, 960, 3), np.uint8), 0.0)  # calibrated at 1280x720
    assert events[0].calibration is None and state.calibration is None


def test_background_search_answers_on_a_later_frame() -> None:
    _, img = _found_scene()
    state = FloorState(background=True)
    state.search("A4")
    assert state.update(img, 0.0) == []  # the search runs on a helper thread
    assert state._job is not None
    state._job.join(10)
    events = state.update(img, 0.04)
    assert events and events[0].calibration is not None


class _Replay:
    def __init__(self, pose: PoseFrame) -> None:
        self.pose = pose

    def process(self, bgr: np.ndarray, timestamp_ms: int, index: int = 0) -> PoseFrame:
        return PoseFrame(index, timestamp_ms, self.pose.image, self.pose.world, 1)


def test_pipeline_measures_on_the_calibrated_floor() -> None:
    p = synth.DancerParams(
        hip_turnout_deg=(50.0, 50.0), forced_deg=(25.0, 25.0), flexion_deg=(50.0, 50.0), heel_landmark_height_m=0.04
    )
    f = synth.make_dancer(p)
    image = np.c_[f.image, f.visibility, np.ones(33)]
    pose = PoseFrame(0, 0, image, f.world, 1)
    floor = FloorState(background=False)
    pipe = Pipeline(_Replay(pose), smooth=False, floor=floor)
    before = pipe.process_pose(pose, None)
    assert before.measurement is not None and before.measurement.mode is Mode.UNCALIBRATED_3D
    floor.set(_sheet(p))
    after = pipe.process_pose(PoseFrame(1, 40, image, f.world, 1), None)
    assert after.measurement is not None and after.measurement.mode is Mode.FLOOR
    assert after.measurement.total_foot_turnout_deg == pytest.approx(f.truth.total_foot_turnout_deg, abs=0.5)
    assert math.isfinite(after.measurement.left.forced_turnout_deg)


def test_calibration_is_saved_with_the_session(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from turnout.floor.reference import FloorCalibration
    from turnout.storage.store import SessionInfo, SessionRecorder, Store

    cal = _sheet(synth.DancerParams())
    with Store.open(tmp_path / "s.db") as store:
        sid = store.create_session(SessionInfo(source="camera 0"))
        rec = SessionRecorder(store, sid)
        rec.event(FloorCalibrated(1.0, cal, "found"))
        rec.close()
        saved = store.get_session(sid).calibration
        assert saved is not None
        back = FloorCalibration.from_dict(saved)
        np.testing.assert_allclose(back.homography, cal.homography)
        sid2 = store.create_session(SessionInfo(source="camera 0"))
        rec = SessionRecorder(store, sid2)
        rec.event(FloorCalibrated(1.0, cal, "found"))
        rec.event(FloorCalibrated(2.0, None, CAMERA_MOVED))
        rec.close()
        assert store.get_session(sid2).calibration is None


def test_set_and_clear_with_a_reason_are_reported_on_the_next_frame() -> None:
    cal = _sheet(synth.DancerParams())
    state = FloorState(background=False)
    state.clear(reason="nothing to clear")  # not calibrated: no event
    state.set(cal, reason="corners clicked")
    frame = np.zeros((720, 1280, 3), np.uint8)
    events = state.update(frame, 1.0)
    assert [(e.kind, e.reason, e.calibration is cal) for e in events] == [("set", "corners clicked", True)]
    assert state.update(frame, 1.04) == []
    state.moved = True
    state.clear(reason="cleared")
    assert state.guidance() == ()  # clearing also stops asking for the sheet
    events = state.update(frame, 1.08)
    assert [(e.kind, e.calibration) for e in events] == [("cleared", None)]
    state.search("A4")
    state.cancel_search()
    assert state.searching is None and state.guidance() == ()


def _clicked_scene(reference: str = "A4") -> tuple[np.ndarray, np.ndarray]:
    """A rendered floor with the reference (960x540) and its exact corners."""
    for seed in range(20):
        scene = random_scene(np.random.default_rng([3, seed]), (960, 540), reference=reference)
        r = render(scene)
        corners = r.corners_px
        if corners is not None and np.all((corners > 5) & (corners < np.array([955, 535]))):
            return r.image, corners
    raise AssertionError("no rendered scene with the reference fully in view")


@pytest.mark.parametrize("reference", ["A4", "A4-pair", "yoga-mat"])
def test_clicked_corners_are_refined_and_calibrate(reference: str) -> None:
    from turnout.floor.reference import REFERENCES
    from turnout.floor.state import calibrate_from_clicks

    img, corners = _clicked_scene(reference)
    clicks = corners + np.random.default_rng(1).normal(0, 2.0, corners.shape)  # a careful hand: 2 px
    cal = calibrate_from_clicks(img, clicks[::-1], *REFERENCES[reference], reference=reference)
    assert cal.reference == reference and cal.image_size == (960, 540)
    # the corners found are the true ones (whatever the click order), closer than the clicks were
    err = np.abs(np.sort(cal.corners_px, axis=0) - np.sort(corners, axis=0)).max()
    assert err < (0.6 if reference != "yoga-mat" else 2.5 * 2.0), err
    median, p95 = cal.expected_turnout_error_deg()
    assert 0 < median < p95 < 30


@pytest.mark.parametrize(
    ("clicks", "message"),
    [
        ("same", "same spot"),
        ("bowtie", "do not go round a rectangle"),
        ("random", "do not fit an A4 sheet"),
        ("outside", "outside the picture"),
        ("three", "click the 4 corners"),
    ],
)
def test_bad_clicks_are_one_clear_line(clicks: str, message: str) -> None:
    from turnout.floor.state import calibrate_from_clicks

    img, c = _clicked_scene("A4")
    points = {
        "same": np.array([c[0], c[0] + 1, c[2], c[3]]),
        "bowtie": c[[0, 2, 1, 3]],
        "random": np.array([[100.0, 80.0], [700.0, 120.0], [820.0, 500.0], [60.0, 300.0]]),
        "outside": np.array([c[0], c[1], c[2], [-40.0, 20.0]]),
        "three": c[:3],
    }[clicks]
    with pytest.raises(ValueError, match=message) as info:
        calibrate_from_clicks(img, points, 0.21, 0.297, reference="A4")
    assert "\n" not in str(info.value)


def test_a_long_search_says_what_else_to_try() -> None:
    """No sheet after 20 s of looking: the guidance adds what to check, and that corners can be clicked."""
    state = FloorState(background=False, finder=lambda bgr, ref: None)
    state.search("letter")
    blank = np.zeros((64, 64, 3), np.uint8)
    for i in range(40):  # 19.5 s at 2 frames a second
        state.update(blank, 100.0 + i * 0.5)
    assert state.guidance() == (sheet_instructions("letter"),)
    state.update(blank, 120.0)
    assert state.guidance() == (sheet_instructions("letter"), NOT_FOUND_YET)
    state.search("A4")  # a new search starts its clock again
    state.update(blank, 121.0)
    assert state.guidance() == (sheet_instructions("A4"),)
