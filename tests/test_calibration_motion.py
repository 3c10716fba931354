"""Camera-moved detection on rendered scenes, including a plain low-texture room (smooth marley floor, dim light,
strong sensor noise, JPEG) where a dancer and her shadow move in front of a still camera."""

from __future__ import annotations

import json
from dataclasses import replace

import cv2
import numpy as np
import pytest

from turnout.floor import CameraMotionCheck, camera_moved
from turnout.testing.render_floor import Scene, random_scene, render, with_camera

SCENES = {
    "1280x720": lambda: random_scene(np.random.default_rng(40), (1280, 720), "A4"),
    "960x540": lambda: random_scene(np.random.default_rng(41), (960, 540), "A4"),
    "960x540-plain-jpeg": lambda: replace(
        random_scene(np.random.default_rng(508), (960, 540), "A4"),
        floor_kind="marley",
        jpeg_quality=75,
        shadow=True,
        noise=4.0,
        light=0.6,
    ),
}


@pytest.fixture(scope="module", params=sorted(SCENES))
def scene_and_check(request: pytest.FixtureRequest) -> tuple[Scene, CameraMotionCheck]:
    scene = with_camera(SCENES[request.param](), noise_seed=0)
    return scene, CameraMotionCheck(render(scene).image)


def _dancer(frame: np.ndarray, x: float) -> np.ndarray:
    """A dancer-sized dark blob at x (fraction of the width), standing where the sheet's far end is."""
    h, w = frame.shape[:2]
    cv2.ellipse(frame, (int(x * w), int(0.55 * h)), (w // 16, h // 4), 0, 0, 360, (60, 50, 120), -1)
    return frame


def test_still_camera_with_noise_a_moving_dancer_and_her_shadow_is_not_moved(
    scene_and_check: tuple[Scene, CameraMotionCheck],
) -> None:
    scene, check = scene_and_check
    before = check.reference.copy()
    for k, x in enumerate((0.3, 0.5, 0.7)):
        moved_shadow = replace(scene, shadow=True, shadow_shift_m=(0.25 * (k - 1), 0.15 * k))
        frame = _dancer(render(with_camera(moved_shadow, noise_seed=k + 1)).image, x)
        result = check.check(frame)
        assert result.moved is False, result
        assert result.shift_px < check.tolerance_px
        assert "still holds" in result.message
    assert np.array_equal(check.reference, before)  # checking frames never alters the calibration frame


@pytest.mark.parametrize("shift", [(2, 1), (-3, 0), (0, 2)])
def test_view_shifted_by_two_or_three_pixels_is_moved(
    scene_and_check: tuple[Scene, CameraMotionCheck], shift: tuple[int, int]
) -> None:
    scene, check = scene_and_check
    frame = render(with_camera(scene, noise_seed=5)).image
    m = np.array([[1, 0, shift[0]], [0, 1, shift[1]]], np.float32)
    result = check.check(cv2.warpAffine(frame, m, frame.shape[1::-1], borderMode=cv2.BORDER_REFLECT))
    assert result.moved is True, result
    assert result.shift_px == pytest.approx(np.hypot(*shift), abs=0.6)
    assert "recalibrate" in result.message


def test_pitch_changed_by_one_degree_is_moved_even_with_a_dancer(
    scene_and_check: tuple[Scene, CameraMotionCheck],
) -> None:
    scene, check = scene_and_check
    frame = render(with_camera(scene, noise_seed=6, pitch_deg=scene.camera.pitch_deg + 1.0)).image
    result = check.check(_dancer(frame, 0.5))
    assert result.moved is True, result
    assert result.shift_px > 5


def test_round_trip_through_json_keeps_working(scene_and_check: tuple[Scene, CameraMotionCheck]) -> None:
    scene, check = scene_and_check
    back = CameraMotionCheck.from_dict(json.loads(json.dumps(check.to_dict())))
    same = render(with_camera(scene, noise_seed=2)).image
    assert back.check(same).moved is False
    assert abs(back.check(same).shift_px - check.check(same).shift_px) < 0.3
    assert back.check(render(with_camera(scene, yaw_deg=scene.camera.yaw_deg + 1.0)).image).moved is True


def test_a_large_jump_of_the_view_is_moved() -> None:
    scene = with_camera(SCENES["960x540"](), noise_seed=0)
    check = CameraMotionCheck(render(scene).image)
    result = check.check(render(with_camera(scene, pitch_deg=scene.camera.pitch_deg + 6.0)).image)
    assert result.moved is True, result
    assert result.shift_px > 40


def test_bad_inputs() -> None:
    frame = np.zeros((720, 1280, 3), np.uint8)
    with pytest.raises(ValueError, match="recalibrate"):
        camera_moved(frame, np.zeros((540, 960, 3), np.uint8))
    with pytest.raises(ValueError, match="positive"):
        CameraMotionCheck(frame, tolerance_px=0)
    with pytest.raises(ValueError, match="too small"):
        CameraMotionCheck(np.zeros((100, 160, 3), np.uint8))
    result = camera_moved(frame, frame)
    assert result.moved is None and "cannot tell" in result.message  # nothing to see
