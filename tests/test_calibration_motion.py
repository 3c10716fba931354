"""Camera-moved detection on rendered scenes."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from turnout.calibration import CameraMotionCheck, camera_moved
from turnout.calibration.render import random_scene, render, with_camera


@pytest.fixture(scope="module", params=[0, 1], ids=["1280x720", "960x540"])
def scene_and_check(request: pytest.FixtureRequest) -> tuple:
    size = ((1280, 720), (960, 540))[request.param]
    scene = random_scene(np.random.default_rng(40 + request.param), size, "A4")
    scene = with_camera(scene, noise_seed=0)
    return scene, CameraMotionCheck(render(scene).image)


def test_same_view_with_new_noise_and_a_moving_blob_is_not_moved(scene_and_check: tuple) -> None:
    scene, check = scene_and_check
    for k, x in enumerate((0.3, 0.5, 0.7)):
        frame = render(with_camera(scene, noise_seed=k + 1)).image
        w, h = scene.camera.width, scene.camera.height
        cv2.ellipse(frame, (int(x * w), int(0.6 * h)), (w // 20, h // 4), 0, 0, 360, (70, 60, 140), -1)
        result = check.check(frame)
        assert result.moved is False, result
        assert result.shift_px < 0.5


def test_shifted_view_is_moved(scene_and_check: tuple) -> None:
    scene, check = scene_and_check
    frame = render(with_camera(scene, noise_seed=5)).image
    shifted = cv2.warpAffine(
        frame, np.float32([[1, 0, 3], [0, 1, -2]]), frame.shape[1::-1], borderMode=cv2.BORDER_REFLECT
    )
    result = check.check(shifted)
    assert result.moved is True
    assert result.shift_px == pytest.approx(np.hypot(3, 2), rel=0.3)
    assert "recalibrate" in result.message


def test_changed_pitch_is_moved(scene_and_check: tuple) -> None:
    scene, check = scene_and_check
    result = check.check(render(with_camera(scene, pitch_deg=scene.camera.pitch_deg + 1.0)).image)
    assert result.moved is True
    assert result.shift_px > 5


def test_round_trip_through_json_keeps_working(scene_and_check: tuple) -> None:
    scene, check = scene_and_check
    back = CameraMotionCheck.from_dict(json.loads(json.dumps(check.to_dict())))
    same = render(with_camera(scene, noise_seed=2)).image
    assert back.check(same).moved == check.check(same).moved
    assert abs(back.check(same).shift_px - check.check(same).shift_px) < 0.3
    assert back.check(render(with_camera(scene, yaw_deg=scene.camera.yaw_deg + 1.0)).image).moved is True


def test_bad_inputs() -> None:
    frame = np.zeros((720, 1280, 3), np.uint8)
    with pytest.raises(ValueError, match="recalibrate"):
        camera_moved(frame, np.zeros((540, 960, 3), np.uint8))
    with pytest.raises(ValueError, match="positive"):
        CameraMotionCheck(frame, tolerance_px=0)
    assert camera_moved(frame, frame).moved is None  # nothing to see: cannot tell
