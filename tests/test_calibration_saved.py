"""The floor calibration kept across sessions: saved atomically, loaded, reused while the camera has not moved,
dropped (with the file) when it has; a damaged file is one line of warning and is ignored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from turnout.floor.motion import CameraMotionCheck
from turnout.floor.reference import FloorCalibration
from turnout.floor.state import CAMERA_MOVED, RESTORE_TRIES, UNCONFIRMED, FloorCalibrated, FloorState
from turnout.session.floor_memory import (
    FILE_NAME,
    FloorMemory,
    FloorNotice,
    SavedFloor,
    default_path,
    forget,
    load,
    save,
    when_text,
)
from turnout.testing.render_floor import Scene, random_scene, render, with_camera

T0 = datetime(2026, 11, 20, 18, 5, tzinfo=UTC)


@cache
def _scene() -> tuple[Scene, np.ndarray, FloorCalibration]:
    """A rendered floor with an A4 sheet (its exact corners give the calibration) and one frame of it."""
    scene = random_scene(np.random.default_rng(11), (960, 540), reference="A4")
    r = render(scene)
    assert r.corners_px is not None
    cal = FloorCalibration.from_corners(r.corners_px, 0.21, 0.297, (960, 540), reference="A4", corner_sigma_px=0.2)
    return scene, r.image, cal


def _frame(noise_seed: int, **camera: float) -> np.ndarray:
    """Another frame of the scene (fresh sensor noise), the camera changed by ``camera``."""
    return render(with_camera(_scene()[0], noise_seed=noise_seed, **camera)).image


def _saved(source: str = "camera 0") -> SavedFloor:
    _, img, cal = _scene()
    return SavedFloor(cal, CameraMotionCheck(img).to_dict(), source, T0)


def test_default_path_is_in_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURNOUT_DATA_DIR", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / FILE_NAME
    assert default_path(tmp_path) == tmp_path / FILE_NAME


def test_save_and_load_round_trip_atomically(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / FILE_NAME
    assert load(path) is None  # nothing saved yet
    saved = _saved()
    save(path, saved)
    save(path, saved)  # over an existing file
    assert sorted(p.name for p in path.parent.iterdir()) == [FILE_NAME]  # no temporary file left behind
    data = json.loads(path.read_text())
    assert data["format"] == "turnout-floor-calibration" and data["source"] == "camera 0"
    assert path.stat().st_size < 200_000  # a small file: the view is a half-size grey PNG
    back = load(path)
    assert back is not None and back.source == "camera 0" and back.saved_at == T0
    np.testing.assert_allclose(back.calibration.homography, saved.calibration.homography)
    assert back.calibration.reference == "A4" and back.calibration.image_size == (960, 540)
    assert back.motion == saved.motion
    forget(path)
    forget(path)  # twice is fine
    assert load(path) is None


@pytest.mark.parametrize(
    "content",
    [
        "not json at all {",
        '{"format": "turnout-floor-calibration", "version": 1}',
        '{"format": "something else"}',
        '{"format": "turnout-floor-calibration", "version": 99, "saved_at": "x"}',
        "[1, 2, 3]",
        b"\xff\xfe\x00garbage",
    ],
)
def test_a_damaged_file_is_one_line_and_ignored(tmp_path: Path, content: str | bytes) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ValueError) as info:
        load(path)
    assert "\n" not in str(info.value) and "ignored" in str(info.value)
    state = FloorState(background=False)
    notice = FloorMemory(path, "camera 0").restore(state)
    assert isinstance(notice, FloorNotice) and notice.warning and "\n" not in notice.message
    assert not state.restoring and state.calibration is None


def test_a_saved_file_with_a_broken_view_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    data = _saved().to_dict()
    data["motion"]["reference_png"] = "bm90IGEgcGljdHVyZQ=="  # base64 of "not a picture"
    path.write_text(json.dumps(data))
    state = FloorState(background=False)
    notice = FloorMemory(path, "camera 0").restore(state)
    assert notice is not None and notice.warning and "damaged" in notice.message
    assert not state.restoring


def _restoring(path: Path) -> tuple[FloorState, FloorMemory]:
    """Camera 0's calibration saved at ``path``, and a floor state asked to take it up again."""
    save(path, _saved())
    state = FloorState(background=False)
    memory = FloorMemory(path, "camera 0")
    memory.restore(state)
    return state, memory


def _run(state: FloorState, frames: list[np.ndarray], t0: float = 0.0) -> list[FloorCalibrated]:
    events: list[FloorCalibrated] = []
    for k, frame in enumerate(frames):
        events += state.update(frame, t0 + 0.5 * k)
    return events


def test_calibrate_save_and_reuse_while_the_camera_has_not_moved(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    _, img, cal = _scene()
    # Session 1: corners clicked; the calibration is saved with the view.
    state = FloorState(background=False)
    memory = FloorMemory(path, "camera 0", clock=lambda: T0)
    assert memory.restore(state) is None and not state.restoring  # nothing saved yet
    state.set(cal, img, reason="corners clicked")
    events = state.update(img, 0.0)
    assert [(e.kind, e.reason) for e in events] == [("set", "corners clicked")]
    assert memory.follow(state, events) == []
    assert load(path) is not None
    # Session 2, same view: uncalibrated until a frame confirms the camera is still; then reused.
    state2 = FloorState(background=False)
    memory2 = FloorMemory(path, "camera 0")
    assert memory2.restore(state2) is None
    assert state2.restoring and memory2.restoring is not None and state2.calibration is None
    events = state2.update(_frame(5), 10.0)
    assert [e.kind for e in events] == ["restored"], events
    assert events[0].reason == f"Using your floor calibration from {when_text(T0)}"
    assert state2.calibration is not None and not state2.restoring
    np.testing.assert_allclose(state2.calibration.homography, cal.homography)
    memory2.follow(state2, events)
    kept = load(path)
    assert kept is not None and kept.saved_at == T0  # kept, date unchanged
    assert memory2.restoring is None


def test_a_moved_camera_drops_the_saved_calibration_and_its_file(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    state, memory = _restoring(path)
    moved = _frame(6, pitch_deg=_scene()[0].camera.pitch_deg + 1.5)  # the camera tipped: the view shifted
    events = state.update(moved, 0.0)
    assert [(e.kind, e.calibration, e.reason) for e in events] == [("moved", None, CAMERA_MOVED)]
    assert state.calibration is None and not state.restoring
    memory.follow(state, events)
    assert not path.exists()


def test_another_camera_or_picture_size_does_not_take_it_up(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    save(path, _saved("camera 0"))
    state = FloorState(background=False)
    assert FloorMemory(path, "camera 1").restore(state) is None
    assert not state.restoring and path.exists()  # camera 0's calibration stays for camera 0
    memory = FloorMemory(path, "camera 0")
    memory.restore(state)
    events = state.update(np.zeros((720, 1280, 3), np.uint8), 0.0)
    assert [e.kind for e in events] == ["resized"] and state.calibration is None
    memory.follow(state, events)
    assert not path.exists()


def test_a_view_that_cannot_tell_gives_up_but_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    state, memory = _restoring(path)
    dark = np.full((540, 960, 3), 3, np.uint8)  # lens covered: no texture
    events = _run(state, [dark] * (RESTORE_TRIES + 2))
    assert [(e.kind, e.reason) for e in events] == [("unconfirmed", UNCONFIRMED)]
    assert state.calibration is None and not state.restoring
    memory.follow(state, events)
    assert path.exists()  # the camera may well be where it was: try again next time


def test_searching_or_clearing_cancels_a_pending_restore(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    save(path, _saved())
    state = FloorState(background=False)
    FloorMemory(path, "camera 0").restore(state)
    state.search("A4")
    assert not state.restoring
    FloorMemory(path, "camera 0").restore(state)
    state.clear(reason="cleared by her")
    events = state.update(_frame(7), 0.0)
    assert [e.kind for e in events] == ["cleared"] and state.calibration is None


def test_writing_failure_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    _, img, cal = _scene()
    state = FloorState(background=False)
    state.set(cal, img, reason="clicked")
    memory = FloorMemory(blocker / FILE_NAME, "camera 0")
    notices = memory.follow(state, state.update(img, 0.0))
    assert len(notices) == 1 and notices[0].warning and "\n" not in notices[0].message
    assert notices[0].message.startswith("Could not save the floor calibration")


def test_when_text_in_local_time() -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    local = now.astimezone()
    assert when_text(now, now) == f"today at {local:%H:%M}"
    assert when_text(now - timedelta(days=1), now).startswith("yesterday at ")
    assert when_text(now - timedelta(days=3), now).endswith(f" at {local:%H:%M}")
    old = now - timedelta(days=40)
    assert when_text(old, now) == f"{old.astimezone().day} {old.astimezone():%b %Y}"
