"""Camera-moved detection on rendered scenes, including a plain low-texture room (smooth marley floor, dim light,
strong sensor noise, JPEG) where a dancer and her shadow move in front of a still camera; a still camera filmed
through a video codec while a dancer goes down in a plié; and the studio's rendered sheet scenes."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

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


def _plie(frame: np.ndarray, drop: int) -> np.ndarray:
    """A dark dancer-like figure in the middle (head and torso, her leotard's folds moving with her), lowered by
    ``drop`` px: in a demi-plie her head and torso go down together, a rigid shift of a part of the view."""
    h, w = frame.shape[:2]
    cx, top = w // 2, int(0.12 * h) + drop
    figure = np.zeros((h, w), np.uint8)
    cv2.circle(figure, (cx, top + h // 20), h // 20, 255, -1)
    cv2.ellipse(figure, (cx, top + h // 4), (w // 22, h // 7), 0, 0, 360, 255, -1)
    yy, xx = np.mgrid[0:h, 0:w]
    folds = 40 + 6 * np.sin((yy - drop) / 3.0) * np.cos(xx / 5.0)
    out = frame.copy()
    inside = figure > 0
    out[inside] = np.clip(folds[inside, None] * np.array([1.0, 0.9, 1.3]), 0, 255).astype(np.uint8)
    return out


def _through_codec(frames: list[np.ndarray], folder: Path) -> list[np.ndarray]:
    """The frames written as an mp4v video (as the studio writes its clips) and read back."""
    path = folder / "clip.mp4"
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 15, (w, h))
    for f in frames:
        writer.write(f)
    writer.release()
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        out.append(f)
    cap.release()
    assert len(out) == len(frames)
    return out


def _moved_view(frame: np.ndarray, shift: tuple[float, float] = (0, 0), turn_deg: float = 0.0) -> np.ndarray:
    h, w = frame.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), turn_deg, 1.0)
    m[:, 2] += np.asarray(shift, np.float64)
    return cv2.warpAffine(frame, m, (w, h), borderMode=cv2.BORDER_REFLECT)


def test_a_still_camera_through_a_video_codec_is_not_moved_by_a_plie(tmp_path: Path) -> None:
    """The studio's bug: its flat wall leaves the codec nothing to code, so the calibration frame's noise reads
    tiny, while the still tiled floor differs from frame to frame by 10-25 times that (the codec codes its
    texture with the sensor noise). Those floor tiles were dropped as changed, the dancer's head and torso going
    down together were left, and the camera read as moved. Every frame must read still (not "cannot tell":
    the floor must still be seen), and the same frames moved by 2 px or turned by 1 degree must read moved."""
    scene = replace(random_scene(np.random.default_rng(41), (960, 540), "A4"), floor_kind="tiles", noise=4.0,
                    light=1.4, jpeg_quality=0)  # fmt: skip
    drops = [0, 2, 4, 7, 10, 12, 14] + [14] * 17
    frames = _through_codec([_plie(render(with_camera(scene, noise_seed=k)).image, d) for k, d in enumerate(drops)],
                            tmp_path)  # fmt: skip
    check = CameraMotionCheck(frames[0])
    for k, frame in enumerate(frames):
        result = check.check(frame)
        assert result.moved is False, (k, result)
        assert result.shift_px < 0.5 * check.tolerance_px, (k, result)
    for k in (3, 12, 23):
        shifted = check.check(_moved_view(frames[k], (2, 1)))
        assert shifted.moved is True, (k, shifted)
        assert shifted.shift_px == pytest.approx(math.hypot(2, 1), abs=0.3)
        assert check.check(_moved_view(frames[k], turn_deg=1.0)).moved is True, k


#: The scene that read moved (a4_first60_yaw, also rendered for tests/test_analyze_floor.py) and the small one made for
#: the tests: rendering the other four sheet scenes on a clean clone costs CI minutes; all six were checked once
#: (a4_first45, a4_forced25, a4_parallel, letter_second45: still on every third frame, moved views caught; the
#: commit that fixed the check gives the table)
STUDIO_SHEET_SCENES = ("a4_first60_yaw", "tiny_a4")


@pytest.mark.slow
@pytest.mark.parametrize("name", STUDIO_SHEET_SCENES)
def test_the_studio_sheet_scenes_never_read_moved_and_a_moved_camera_is_caught(name: str) -> None:
    """The studio's rendered sheet scenes (a still camera, a dancer doing demi-plies; rendered on first use and
    cached under build/studio/): compared with their first frame, every third frame reads still (a4_first60_yaw
    read moved from 1.7 s on, her head and torso going down; the others mostly could not tell), and a view moved
    by 2 px or turned by 1 degree reads moved."""
    from turnout.testing.studio import cached, load_catalogue

    cap = cv2.VideoCapture(str(cached(load_catalogue()[name]).video))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    cap.release()
    check = CameraMotionCheck(frames[0])
    for k in range(1, len(frames), 3):
        result = check.check(frames[k])
        assert result.moved is False, (k, result)
    for k in range(5, len(frames), 15):
        shifted = check.check(_moved_view(frames[k], (2, -1)))
        assert shifted.moved is True and shifted.shift_px == pytest.approx(math.hypot(2, 1), abs=0.4), (k, shifted)
        assert check.check(_moved_view(frames[k], turn_deg=1.0)).moved is True, k
