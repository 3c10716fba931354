"""Floor-calibrated measurements against synthetic dancers seen through a known camera with a sheet on the floor."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from turnout.floor.floormode import HEEL_ABOVE_TOE_M, FloorCamera, measure_frame_on_floor
from turnout.floor.reference import FloorCalibration
from turnout.measure.geometry import measure_frame
from turnout.measure.measures import Mode
from turnout.testing import synth

A4 = (0.210, 0.297)
#: the pose model's heel landmark, as real MediaPipe places it: on the back of the heel, above the floor
REAL_HEEL: dict[str, Any] = {"heel_landmark_height_m": HEEL_ABOVE_TOE_M}


def _camera(p: synth.DancerParams) -> tuple[np.ndarray, np.ndarray, float]:
    """The synthetic camera of ``make_dancer`` (axes rows, centre, focal length in px), in the floor frame."""
    axes = synth.camera_axes(p.pitch_deg)
    centre = np.array([0.0, 0.0, 0.8]) - p.camera_distance_m * axes[2]
    focal = p.image_size[0] / 2 / math.tan(math.radians(p.hfov_deg) / 2)
    return axes, centre, focal


def _project(p: synth.DancerParams, pts: np.ndarray) -> np.ndarray:
    axes, centre, focal = _camera(p)
    cam = (pts - centre) @ axes.T
    w, h = p.image_size
    return np.c_[w / 2 + focal * cam[:, 0] / cam[:, 2], h / 2 + focal * cam[:, 1] / cam[:, 2]]


def _sheet(p: synth.DancerParams, ahead_m: float = 0.6, rot_deg: float = 0.0) -> FloorCalibration:
    """An A4 sheet on the floor ``ahead_m`` in front of her feet, long edge toward the camera."""
    w, length = A4
    local = np.array([[-w / 2, -length / 2], [w / 2, -length / 2], [w / 2, length / 2], [-w / 2, length / 2]])
    c, s = math.cos(math.radians(rot_deg)), math.sin(math.radians(rot_deg))
    local = local @ np.array([[c, -s], [s, c]]).T
    # floor frame of synth: _L (her left), _F (forward, toward the camera), _U (up); the floor is _U . x = 0
    centre = (ahead_m + length / 2) * synth._F
    pts = np.array([centre + a * synth._L + b * synth._F for a, b in local])
    return FloorCalibration.from_corners(_project(p, pts), w, length, p.image_size, reference="A4")


def _bad_depth(world: np.ndarray, sigma_m: float, seed: int) -> np.ndarray:
    """Monocular depth gone wrong: independent errors of ``sigma_m`` on every landmark's z (toward/away from
    the camera) only; x and y, which follow the picture, stay right."""
    out = world.copy()
    out[:, 2] += np.random.default_rng(seed).normal(0.0, sigma_m, len(out))
    return out


@pytest.mark.parametrize("yaw", [0.0, 20.0, -25.0])
@pytest.mark.parametrize("pitch", [-8.0, 0.0, 8.0])
def test_floor_mode_is_exact_without_noise(yaw: float, pitch: float) -> None:
    p = synth.DancerParams(
        hip_turnout_deg=(55.0, 48.0), forced_deg=(20.0, 5.0), flexion_deg=(50.0, 45.0), yaw_deg=yaw,
        pitch_deg=pitch, camera_distance_m=3.0, **REAL_HEEL,
    )  # fmt: skip
    f = synth.make_dancer(p)
    cal = _sheet(p)
    cam = FloorCamera.from_calibration(cal, focal_px=_camera(p)[2])
    m = measure_frame_on_floor(f.world, f.image, f.visibility, cal, cam)
    assert m.mode is Mode.FLOOR
    for side in ("left", "right"):
        got, truth = m.side(side), f.truth.side(side)
        # toes from the homography, heels from the camera at the heel landmark's height: exact; knees also use
        # heights from the 3D floor fit
        assert got.foot_turnout_deg == pytest.approx(truth.foot_turnout_deg, abs=0.5), side
        assert got.knee_turnout_deg == pytest.approx(truth.knee_turnout_deg, abs=1.5), side
        assert got.forced_turnout_deg == pytest.approx(truth.forced_turnout_deg, abs=1.5), side
        assert got.knee_over_toe_offset_m == pytest.approx(truth.knee_over_toe_offset_m, abs=0.01), side
    assert m.total_foot_turnout_deg == pytest.approx(f.truth.total_foot_turnout_deg, abs=0.1)


def test_total_turnout_on_the_floor_does_not_depend_on_monocular_depth() -> None:
    """With 4 cm of depth error per landmark the 3D total turnout is far off; on the floor it is not: it uses
    only heel and toe pixels. (Per-foot values also use her yaw, and knees the world segment lengths, so
    those do inherit some depth error: see docs/measurements.md.)"""
    p = synth.DancerParams(hip_turnout_deg=(60.0, 60.0), forced_deg=(15.0, 15.0), flexion_deg=(55.0, 55.0), **REAL_HEEL)
    f = synth.make_dancer(p)
    cal = _sheet(p)  # focal length estimated from the sheet, not given
    err3d, err_floor = [], []
    for seed in range(20):
        world = _bad_depth(f.world, 0.04, seed)
        truth = f.truth.total_foot_turnout_deg
        err3d.append(abs(measure_frame(world, f.image, f.visibility).total_foot_turnout_deg - truth))
        err_floor.append(abs(measure_frame_on_floor(world, f.image, f.visibility, cal).total_foot_turnout_deg - truth))
    assert np.median(err3d) > 8.0
    assert np.max(err_floor) < 1.0


def test_unmeasurable_stays_unmeasurable() -> None:
    p = synth.DancerParams(flexion_deg=(0.0, 0.0), **REAL_HEEL)  # straight knees: no knee direction
    f = synth.make_dancer(p)
    m = measure_frame_on_floor(f.world, f.image, f.visibility, _sheet(p))
    assert math.isnan(m.left.knee_turnout_deg) and math.isnan(m.left.forced_turnout_deg)
    assert math.isfinite(m.left.foot_turnout_deg)


@pytest.mark.parametrize("pitch", [0.0, -10.0])
def test_heels_are_taken_at_the_heel_landmarks_height(pitch: float) -> None:
    """The pose model's heel landmark is about 4 cm above the floor. Taken on the floor, its ray meets the floor
    further from the camera, stretching each foot away from the camera and reading turned-out feet as more
    parallel: first position (90 degrees in all) from 2.5 m reads under 80. Taken at its height: exact."""
    from turnout.floor.reference import angle_between_deg

    p = synth.DancerParams(hip_turnout_deg=(45.0, 45.0), camera_distance_m=2.5, pitch_deg=pitch, **REAL_HEEL)
    f, cal = synth.make_dancer(p), _sheet(p)
    m = measure_frame_on_floor(f.world, f.image, f.visibility, cal, FloorCamera.from_calibration(cal, _camera(p)[2]))
    assert m.total_foot_turnout_deg == pytest.approx(90.0, abs=0.5)
    px = f.image[:, :2] * np.array(cal.image_size)
    heels, toes = cal.image_to_floor(px[[29, 30]]), cal.image_to_floor(px[[31, 32]])
    assert angle_between_deg(toes[0] - heels[0], toes[1] - heels[1]) < 80.0
