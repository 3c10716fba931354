"""The synthetic dancer generator: its truth must hold in the landmarks it produces."""

from __future__ import annotations

import math

import numpy as np
import pytest

from turnout.pose import landmarks as lm
from turnout.testing.synth import DancerParams, add_world_noise, make_dancer, plie_sequence, random_params


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    return math.degrees(math.atan2(np.linalg.norm(np.cross(a, b)), float(a @ b)))


PARAMS = [
    DancerParams(),
    DancerParams(hip_turnout_deg=(30, 60), forced_deg=(25, -5), flexion_deg=(60, 45), yaw_deg=-22, pitch_deg=9),
    DancerParams(hip_turnout_deg=(70, 70), forced_deg=(20, 20), flexion_deg=(75, 75), yaw_deg=25, pitch_deg=-10),
]


@pytest.mark.parametrize("p", PARAMS)
def test_bones_feet_and_planes_are_as_built(p: DancerParams) -> None:
    d = make_dancer(p)
    w, up = d.world, d.up_world
    assert np.linalg.norm(up) == pytest.approx(1.0)
    assert _angle(up, np.array([0.0, -1.0, 0.0])) == pytest.approx(abs(p.pitch_deg), abs=1e-9)
    np.testing.assert_allclose((w[lm.LEFT_HIP] + w[lm.RIGHT_HIP]) / 2, 0.0, atol=1e-12)  # origin at mid-hip
    floor = w[[lm.LEFT_HEEL, lm.RIGHT_HEEL, lm.LEFT_FOOT_INDEX, lm.RIGHT_FOOT_INDEX]] @ up
    np.testing.assert_allclose(floor, floor[0], atol=1e-12)  # heels and toes on one floor
    for k, side in enumerate(("left", "right")):
        hip, knee, ankle, heel, toe = (w[i] for i in lm.LEG[side])
        assert np.linalg.norm(knee - hip) == pytest.approx(p.thigh_m)
        assert np.linalg.norm(ankle - knee) == pytest.approx(p.shank_m)
        assert np.linalg.norm(toe - heel) == pytest.approx(p.foot_length_m)
        assert (ankle - heel) @ up == pytest.approx(p.ankle_height_m)
        assert _angle(knee - hip, ankle - knee) == pytest.approx(p.flexion_deg[k], abs=1e-6)
        # The leg bends in a vertical plane: hip, knee, ankle and the vertical are coplanar.
        assert np.cross(knee - hip, ankle - hip) @ up == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("p", PARAMS)
def test_turnout_angles_seen_from_above(p: DancerParams) -> None:
    d = make_dancer(p)
    up = d.up_world
    left = d.world[lm.LEFT_HIP] - d.world[lm.RIGHT_HIP]
    left = left - (left @ up) * up
    left /= np.linalg.norm(left)
    forward = np.cross(left, up)
    for k, side in enumerate(("left", "right")):
        sign = 1.0 if side == "left" else -1.0
        _, _, _, heel, toe = (d.world[i] for i in lm.LEG[side])
        foot = toe - heel
        got = math.degrees(math.atan2(sign * foot @ left, foot @ forward))
        assert got == pytest.approx(p.hip_turnout_deg[k] + p.forced_deg[k], abs=1e-9)
        assert d.truth.side(side).foot_turnout_deg == pytest.approx(got)


def test_camera_convention_and_projection() -> None:
    d = make_dancer(DancerParams(yaw_deg=0.0, pitch_deg=0.0))
    # The dancer faces the camera: her left is image right (+x), her head is up (-y), she faces -z.
    assert d.world[lm.LEFT_HIP, 0] > d.world[lm.RIGHT_HIP, 0]
    assert d.image[lm.LEFT_HIP, 0] > d.image[lm.RIGHT_HIP, 0]
    assert d.world[lm.NOSE, 1] < d.world[lm.LEFT_HIP, 1] < d.world[lm.LEFT_ANKLE, 1]
    assert d.image[lm.NOSE, 1] < d.image[lm.LEFT_HIP, 1] < d.image[lm.LEFT_ANKLE, 1]
    assert d.world[lm.LEFT_FOOT_INDEX, 2] < d.world[lm.LEFT_HEEL, 2]  # toes toward the camera
    for p in (DancerParams(pitch_deg=10, yaw_deg=25), DancerParams(pitch_deg=-10, yaw_deg=-25)):
        img = make_dancer(p).image
        assert np.all((img[:, :2] > 0.02) & (img[:, :2] < 0.98))  # whole body in the picture
    assert d.visibility.shape == (33,) and np.all(d.visibility > 0.5)


def test_heel_lift_pivots_about_the_toes() -> None:
    d = make_dancer(DancerParams(heel_lift_m=(0.05, 0.0)))
    up = d.up_world
    h = d.world @ up
    assert h[lm.LEFT_HEEL] - h[lm.RIGHT_HEEL] == pytest.approx(0.05)
    assert h[lm.LEFT_FOOT_INDEX] == pytest.approx(h[lm.RIGHT_HEEL])
    assert d.truth.left.heel_height_m == pytest.approx(0.05)
    with pytest.raises(ValueError, match="heel lift"):
        make_dancer(DancerParams(heel_lift_m=(0.5, 0.0)))


def test_knee_over_toe_truth_sign() -> None:
    forced = make_dancer(DancerParams(forced_deg=(20.0, 20.0), flexion_deg=(50.0, 50.0))).truth
    aligned = make_dancer(DancerParams(flexion_deg=(50.0, 50.0))).truth
    assert forced.left.knee_over_toe_offset_m > 0.02  # knee falls inside the over-turned foot
    assert aligned.left.knee_over_toe_offset_m == pytest.approx(0.0, abs=1e-12)


def test_plie_sequence_timing_and_shape() -> None:
    seq = plie_sequence(30.0, max_flexion_deg=60.0, repetitions=2)
    n = round(30 * (1.0 + 1.5 + 0.3 + 1.5 + 1.0)) * 2
    assert seq.world.shape == (n, 33, 3) and seq.image.shape == (n, 33, 3) and seq.visibility.shape == (n, 33)
    assert len(seq.truths) == len(seq.phase) == n
    assert np.all(np.diff(seq.timestamps_ms) == pytest.approx(1000 / 30))
    assert seq.flexion_deg[0] == 0.0 and seq.flexion_deg.max() == pytest.approx(60.0)
    assert seq.phase[:30] == ("stand",) * 30 and seq.phase.count("bottom") == 2 * 9
    descend = seq.flexion_deg[[i for i, ph in enumerate(seq.phase) if ph == "descend"][:45]]
    assert np.all(np.diff(descend) > 0)
    assert seq.truths[60].left.knee_flexion_deg == pytest.approx(seq.flexion_deg[60])


def test_random_params_in_range_and_noise() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        p = random_params(rng)
        assert all(25 <= h <= 70 for h in p.hip_turnout_deg) and all(0 <= f <= 75 for f in p.flexion_deg)
        assert abs(p.yaw_deg) <= 25 and abs(p.pitch_deg) <= 10
        make_dancer(p)
    w = make_dancer().world
    noisy = add_world_noise(w, 0.005, np.random.default_rng(1))
    assert np.std(noisy - w) == pytest.approx(0.005, rel=0.2)
