"""Exact hand-built cases, visibility gating and accuracy on synthetic dancers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from turnout.measure.geometry import (
    IMAGE_MARGIN,
    KNEE_DIRECTION_MIN_FLEXION_DEG,
    VISIBILITY_MIN,
    measure_frame,
    measure_series,
)
from turnout.measure.measures import FrameMeasurement, geometry_names
from turnout.pose import landmarks as lm
from turnout.testing.synth import DancerParams, add_world_noise, make_dancer, random_params

# Hand-built stances in MediaPipe's world axes: x image right (the dancer's left), y down, z away from the
# camera. The dancer faces the camera, so forward is -z and up is -y; the floor is y = FLOOR.
FLOOR = 0.87
#: Measurements with a 3D truth; heel rise is a picture quantity (the heel above its toe as seen), tested by
#: how much it changes when a heel lifts (test_heel_rise_*).
COMPARED = [n for n in geometry_names() if not n.endswith("heel_rise_m")]


def _dir(turn_deg: float, sign: float) -> np.ndarray:
    """Horizontal unit vector turned ``turn_deg`` outward from forward (-z); sign +1 left, -1 right."""
    t = math.radians(turn_deg)
    return np.array([sign * math.sin(t), 0.0, -math.cos(t)])


def stance(
    foot_deg: tuple[float, float] = (60.0, 60.0),
    knee_deg: tuple[float, float] = (40.0, 40.0),
    bulge_m: tuple[float, float] = (0.15, 0.15),
) -> np.ndarray:
    """Hips 0.2 m apart, each ankle straight under its hip, the knee bulging ``bulge_m`` at ``knee_deg``."""
    pts = np.zeros((lm.NUM_LANDMARKS, 3))
    for k, side in enumerate(("left", "right")):
        sign = 1.0 if side == "left" else -1.0
        hip_i, knee_i, ankle_i, heel_i, toe_i = lm.LEG[side]
        hip = np.array([sign * 0.1, 0.0, 0.0])
        ankle = hip + np.array([0.0, 0.8, 0.0])
        foot = _dir(foot_deg[k], sign)
        pts[hip_i], pts[ankle_i] = hip, ankle
        pts[knee_i] = hip + np.array([0.0, 0.4, 0.0]) + bulge_m[k] * _dir(knee_deg[k], sign)
        pts[heel_i] = np.array([ankle[0], FLOOR, 0.0]) - 0.05 * foot
        pts[toe_i] = pts[heel_i] + 0.22 * foot
    pts[lm.LEFT_SHOULDER], pts[lm.RIGHT_SHOULDER] = [0.17, -0.5, 0.0], [-0.17, -0.5, 0.0]
    return pts


def test_hand_built_plie_is_exact() -> None:
    m = measure_frame(stance(foot_deg=(60.0, 75.0), knee_deg=(40.0, 50.0), bulge_m=(0.15, 0.1)))
    assert m.left.foot_turnout_deg == pytest.approx(60.0, abs=1e-6)
    assert m.right.foot_turnout_deg == pytest.approx(75.0, abs=1e-6)
    assert m.left.knee_turnout_deg == pytest.approx(40.0, abs=1e-6)
    assert m.right.knee_turnout_deg == pytest.approx(50.0, abs=1e-6)
    assert m.left.forced_turnout_deg == pytest.approx(20.0, abs=1e-6)
    assert m.right.forced_turnout_deg == pytest.approx(25.0, abs=1e-6)
    assert m.left.knee_flexion_deg == pytest.approx(2 * math.degrees(math.atan(0.15 / 0.4)), abs=1e-6)
    assert m.right.knee_flexion_deg == pytest.approx(2 * math.degrees(math.atan(0.1 / 0.4)), abs=1e-6)
    # Knee floor point vs. the foot line through the ankle's floor point: offset = bulge * sin(foot - knee).
    assert m.left.knee_over_toe_offset_m == pytest.approx(0.15 * math.sin(math.radians(20)), abs=1e-6)
    assert m.right.knee_over_toe_offset_m == pytest.approx(0.1 * math.sin(math.radians(25)), abs=1e-6)
    assert m.total_foot_turnout_deg == pytest.approx(135.0, abs=1e-6)
    assert m.left.heel_height_m == pytest.approx(0.0, abs=1e-9)
    assert m.pelvis_level_m == pytest.approx(0.0, abs=1e-9)
    assert m.torso_lean_deg == pytest.approx(0.0, abs=1e-6)
    assert m.weight_shift_m == pytest.approx(0.0, abs=1e-9)
    no_picture = {"heel_rise_m": "no image landmarks: heel rise needs the picture"}
    assert m.left.reasons == no_picture and m.right.reasons == no_picture and m.reasons == {}


def test_perfect_first_position_straight_legs() -> None:
    m = measure_frame(stance(foot_deg=(90.0, 90.0), bulge_m=(0.0, 0.0)))
    assert m.left.foot_turnout_deg == pytest.approx(90.0, abs=1e-6)
    assert m.total_foot_turnout_deg == pytest.approx(180.0, abs=1e-6)
    assert m.left.knee_flexion_deg == pytest.approx(0.0, abs=1e-6)
    assert math.isnan(m.left.knee_turnout_deg) and math.isnan(m.left.forced_turnout_deg)
    assert "too straight" in m.left.reasons["knee_turnout_deg"]
    assert "too straight" in m.right.reasons["forced_turnout_deg"]


@pytest.mark.parametrize("inside_cm", [-4.0, 0.0, 2.5, 6.0])
def test_knee_inside_the_foot_line_by_x_cm(inside_cm: float) -> None:
    pts = stance(foot_deg=(55.0, 55.0), knee_deg=(55.0, 55.0))
    for sign, knee in ((1.0, lm.LEFT_KNEE), (-1.0, lm.RIGHT_KNEE)):
        # Inward = toward less turnout = the foot direction turned toward forward by 90 degrees.
        inward = _dir(55.0 - 90.0, sign)
        pts[knee] += inside_cm / 100 * inward
    m = measure_frame(pts)
    assert m.left.knee_over_toe_offset_m == pytest.approx(inside_cm / 100, abs=1e-6)
    assert m.right.knee_over_toe_offset_m == pytest.approx(inside_cm / 100, abs=1e-6)
    assert (m.left.forced_turnout_deg > 0) == (inside_cm > 0) or inside_cm == 0


def test_heel_height_of_a_lifted_heel() -> None:
    pts = stance(foot_deg=(45.0, 45.0))
    pts[lm.LEFT_HEEL, 1] -= 0.04  # 4 cm up (y points down); the toes stay on the floor
    m = measure_frame(pts)
    assert m.left.heel_height_m == pytest.approx(0.04, abs=1e-6)
    assert m.right.heel_height_m == pytest.approx(0.0, abs=1e-6)


def test_body_measurements_hand_built() -> None:
    pts = stance()
    pts[lm.LEFT_HIP, 1] -= 0.02  # left hip 2 cm higher
    lean = math.radians(12.0)
    for i in (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        pts[i, 1:] = [-0.5 * math.cos(lean) - 0.01, -0.5 * math.sin(lean)]  # leaning forward (-z)
    m = measure_frame(pts)
    assert m.pelvis_level_m == pytest.approx(0.02, abs=1e-6)
    assert m.torso_lean_deg == pytest.approx(12.0, abs=0.2)  # mid-hip moved 1 cm up with the left hip
    shifted = stance()
    for i in (lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        shifted[i, 0] += 0.03  # toward the dancer's left
    # The knees stay, so the legs leave their vertical planes and pull up a little off the feet's floor.
    assert measure_frame(shifted).weight_shift_m == pytest.approx(0.03, abs=2e-3)
    straight = stance(bulge_m=(0.0, 0.0))
    for i in (lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        straight[i, 0] -= 0.025  # toward the dancer's right
    for i in (lm.LEFT_KNEE, lm.RIGHT_KNEE):
        straight[i, 0] -= 0.0125  # legs stay straight lines: the feet decide up (the faded prior barely pulls)
    assert measure_frame(straight).weight_shift_m == pytest.approx(-0.025, abs=2e-4)


@pytest.mark.parametrize(
    "params",
    [
        DancerParams(flexion_deg=(50.0, 50.0), yaw_deg=20.0, pitch_deg=10.0),
        DancerParams(hip_turnout_deg=(60, 50), forced_deg=(30, -10), flexion_deg=(70, 55), yaw_deg=-25),
        DancerParams(hip_turnout_deg=(25, 30), forced_deg=(3, -3), flexion_deg=(26, 35), pitch_deg=-10),
        DancerParams(hip_turnout_deg=(70, 70), forced_deg=(20, 20), flexion_deg=(40, 40), pitch_deg=7),
    ],
)
def test_synthetic_dancers_noise_free(params: DancerParams) -> None:
    d = make_dancer(params)
    got, want = measure_frame(d.world, d.image, d.visibility).as_row(), d.truth.as_row()
    for name in COMPARED:
        tol = 1e-3 if name.endswith("_m") else 0.2
        assert got[name] == pytest.approx(want[name], abs=tol), name


def _random_batch(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    frames = [make_dancer(random_params(rng)) for _ in range(n)]
    truth = {k: np.array([f.truth.as_row()[k] for f in frames]) for k in geometry_names()}
    return np.stack([f.world for f in frames]), np.stack([f.image for f in frames]), truth


def test_accuracy_targets_noise_free() -> None:
    world, image, truth = _random_batch(400, seed=11)
    got = measure_series(world, image)
    for side in ("left", "right"):
        bent = truth[f"{side}_knee_flexion_deg"] >= 25.0
        for name, rows in (("foot_turnout_deg", slice(None)), ("knee_flexion_deg", slice(None))):
            err = np.abs(got[f"{side}_{name}"] - truth[f"{side}_{name}"])[rows]
            assert np.all(err <= 1.5), (name, np.nanmax(err))
        err = np.abs(got[f"{side}_knee_turnout_deg"] - truth[f"{side}_knee_turnout_deg"])[bent]
        assert np.all(err <= 1.5)
        forced_t, forced_g = truth[f"{side}_forced_turnout_deg"], got[f"{side}_forced_turnout_deg"]
        scored = bent & (np.abs(forced_t) >= 3.0)
        assert scored.sum() > 50
        assert np.all(np.sign(forced_g[scored]) == np.sign(forced_t[scored]))


def test_accuracy_targets_with_5mm_noise() -> None:
    world, image, truth = _random_batch(400, seed=12)
    noisy = add_world_noise(world, 0.005, np.random.default_rng(0))
    got = measure_series(noisy, image)
    for name in ("foot_turnout_deg", "knee_turnout_deg", "knee_flexion_deg"):
        errs = []
        for side in ("left", "right"):
            keep = truth[f"{side}_knee_flexion_deg"] >= (25.0 if name == "knee_turnout_deg" else -1.0)
            errs.append(np.abs(got[f"{side}_{name}"] - truth[f"{side}_{name}"])[keep])
        assert np.median(np.concatenate(errs)) <= 3.0, name


def test_visibility_gates_with_readable_reasons() -> None:
    d = make_dancer(DancerParams(flexion_deg=(45.0, 45.0)))
    vis = d.visibility.copy()
    vis[lm.LEFT_FOOT_INDEX] = 0.2
    m = measure_frame(d.world, d.image, vis)
    assert math.isnan(m.left.foot_turnout_deg) and math.isnan(m.total_foot_turnout_deg)
    assert m.left.reasons["foot_turnout_deg"].startswith("feet not visible")
    assert f"{VISIBILITY_MIN:g}" in m.left.reasons["foot_turnout_deg"]
    assert "left toes" in m.reasons["total_foot_turnout_deg"]
    assert math.isfinite(m.left.knee_turnout_deg) and math.isfinite(m.right.foot_turnout_deg)
    assert m.right.foot_turnout_deg == pytest.approx(45.0, abs=0.2)


def test_landmark_outside_the_picture_is_not_used() -> None:
    d = make_dancer(DancerParams(flexion_deg=(45.0, 45.0)))
    image = d.image.copy()
    image[lm.RIGHT_KNEE, 1] = 1.3
    m = measure_frame(d.world, image, d.visibility, image_margin=IMAGE_MARGIN)
    assert "outside the picture" in m.right.reasons["knee_flexion_deg"]
    assert math.isnan(m.right.knee_turnout_deg) and math.isfinite(m.left.knee_turnout_deg)
    # off by default: MediaPipe's visibility is the gate
    assert math.isfinite(measure_frame(d.world, image, d.visibility).right.knee_turnout_deg)


def test_knee_direction_cutoff() -> None:
    lo, hi = KNEE_DIRECTION_MIN_FLEXION_DEG - 1, KNEE_DIRECTION_MIN_FLEXION_DEG + 1
    below, above = make_dancer(DancerParams(flexion_deg=(lo, lo))), make_dancer(DancerParams(flexion_deg=(hi, hi)))
    assert math.isnan(measure_frame(below.world).left.knee_turnout_deg)
    assert measure_frame(above.world).left.knee_turnout_deg == pytest.approx(45.0, abs=0.1)


def test_series_matches_frames_and_reasons_are_complete() -> None:
    world, image, _ = _random_batch(20, seed=3)
    world[5, lm.LEFT_HEEL] = np.nan
    series = measure_series(world, image)
    assert set(series) == set(geometry_names()) and len(series) == len(geometry_names())
    for t in (0, 5, 19):
        frame = measure_frame(world[t], image[t])
        assert isinstance(frame, FrameMeasurement)
        np.testing.assert_allclose(
            [frame.as_row()[n] for n in geometry_names()], [series[n][t] for n in geometry_names()]
        )
    for name in geometry_names():
        assert np.all((series.reasons[name] == "") == np.isfinite(series[name]))
    assert "left heel missing" in series.reasons["left_foot_turnout_deg"][5]


def test_wrong_shapes_raise_readable_errors() -> None:
    with pytest.raises(ValueError, match="shape"):
        measure_frame(np.zeros((32, 3)))
    with pytest.raises(ValueError, match="frames"):
        measure_series(np.zeros((4, 33, 3)), visibility=np.ones((3, 33)))
    with pytest.raises(ValueError, match="one frame"):
        measure_frame(np.zeros((2, 33, 3)))


def test_heel_rise_changes_by_the_heel_lift_through_a_plie() -> None:
    """300 synthetic dancers (turnout, forcing, yaw, camera pitch at random), knees bent 0-75 degrees and heels
    lifted 0-6 cm: the heel rise minus the same dancer's standing, flat-footed rise is the lift, within
    8 mm at worst and 1 mm at the median (the scale is hip-to-ankle height, which stays upright in a plié;
    with the shank instead, deep pliés with knees towards the camera read up to 4 cm of false lift)."""
    rng = np.random.default_rng(0)
    errors = []
    for _ in range(300):
        base: dict[str, Any] = {"hip_turnout_deg": tuple(rng.uniform(20, 70, 2)),
                                "forced_deg": tuple(rng.uniform(-10, 25, 2)), "yaw_deg": rng.uniform(-25, 25),
                                "pitch_deg": rng.uniform(-10, 10)}  # fmt: skip
        a, b = (float(x) for x in rng.choice([0.0, 0.01, 0.02, 0.04, 0.06], 2))
        lift = (a, b)
        standing = make_dancer(DancerParams(**base))
        plie = make_dancer(DancerParams(**base, flexion_deg=tuple(rng.uniform(0, 75, 2)), heel_lift_m=lift))
        before = measure_frame(standing.world, standing.image, standing.visibility)
        during = measure_frame(plie.world, plie.image, plie.visibility)
        for k, side in enumerate(("left", "right")):
            errors.append(during.side(side).heel_rise_m - before.side(side).heel_rise_m - lift[k])
    err = np.abs(np.array(errors))
    assert np.all(np.isfinite(err))
    assert float(np.max(err)) <= 0.010 and float(np.median(err)) <= 0.001


def test_heel_rise_ignores_3d_depth_noise() -> None:
    """The heel rise reads the picture: 4 cm of noise on MediaPipe's depth (what flips the 3D heel height by
    several centimetres on real footage) moves it by millimetres, where the 3D heel height moves by centimetres."""
    d = make_dancer(DancerParams(flexion_deg=(50.0, 50.0)))
    rng = np.random.default_rng(3)
    clean = measure_frame(d.world, d.image, d.visibility)
    rise, height = [], []
    for _ in range(50):
        noisy = d.world.copy()
        noisy[:, 2] += rng.normal(0, 0.04, 33)  # depth only (MediaPipe's z is the weak axis)
        m = measure_frame(noisy, d.image, d.visibility)
        rise.append(m.left.heel_rise_m - clean.left.heel_rise_m)
        height.append(m.left.heel_height_m - clean.left.heel_height_m)
    assert np.percentile(np.abs(rise), 95) < 0.005
    assert np.percentile(np.abs(height), 95) > 2 * np.percentile(np.abs(rise), 95)
