"""Hypothesis properties of the geometry: invariances, symmetry, ranges, and fuzzing with bad landmarks."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from turnout.measure.geometry import SeriesMeasurement, measure_frame, measure_series
from turnout.measure.measures import geometry_names
from turnout.pose import landmarks as lm
from turnout.testing.synth import DancerParams, SyntheticFrame, make_dancer

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: MediaPipe's left/right landmark pairs (face, arms, legs).
MIRROR_PAIRS = ((1, 4), (2, 5), (3, 6), (7, 8), (9, 10), *((i, i + 1) for i in range(11, 33, 2)))


@st.composite
def dancers(draw: st.DrawFn) -> SyntheticFrame:
    """Dancers over the held-out ranges: hip turnout 25-70, forced up to 30, flexion 0-75, yaw, pitch."""
    hip = draw(st.floats(25, 70))
    flex = draw(st.floats(0, 75))
    return make_dancer(
        DancerParams(
            hip_turnout_deg=(hip, draw(st.floats(max(25, hip - 5), min(70, hip + 5)))),
            forced_deg=(draw(st.floats(-10, 30)), draw(st.floats(-10, 30))),
            flexion_deg=(flex, draw(st.floats(max(0, flex - 5), min(75, flex + 5)))),
            heel_gap_m=draw(st.floats(0.0, 0.04)),
            hip_width_m=draw(st.floats(0.16, 0.26)),
            foot_length_m=draw(st.floats(0.18, 0.26)),
            yaw_deg=draw(st.floats(-25, 25)),
            pitch_deg=draw(st.floats(-10, 10)),
        )
    )


def _rotation(axis: np.ndarray, angle_deg: float) -> np.ndarray:
    k = axis / np.linalg.norm(axis)
    x = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    a = math.radians(angle_deg)
    return np.eye(3) + math.sin(a) * x + (1 - math.cos(a)) * x @ x


def _rows_close(a: dict[str, float], b: dict[str, float], deg: float, metres: float) -> None:
    for name in geometry_names():
        if math.isnan(a[name]) or math.isnan(b[name]):
            assert math.isnan(a[name]) and math.isnan(b[name]), name
            continue
        tol = metres if name.endswith("_m") else deg
        assert abs(a[name] - b[name]) <= tol, (name, a[name], b[name])


@SETTINGS
@given(dancers())
def test_noise_free_dancers_meet_the_held_out_targets(d: SyntheticFrame) -> None:
    got, want = measure_frame(d.world, d.image, d.visibility), d.truth
    for side in ("left", "right"):
        g, w = got.side(side), want.side(side)
        assert abs(g.foot_turnout_deg - w.foot_turnout_deg) <= 1.5
        assert abs(g.knee_flexion_deg - w.knee_flexion_deg) <= 1.5
        if w.knee_flexion_deg >= 25:
            assert abs(g.knee_turnout_deg - w.knee_turnout_deg) <= 1.5
            if abs(w.forced_turnout_deg) >= 3:
                assert np.sign(g.forced_turnout_deg) == np.sign(w.forced_turnout_deg)


@SETTINGS
@given(dancers(), st.floats(-180, 180))
def test_invariant_to_the_dancers_yaw(d: SyntheticFrame, yaw: float) -> None:
    turned = d.world @ _rotation(d.up_world, yaw).T
    _rows_close(measure_frame(d.world).as_row(), measure_frame(turned).as_row(), 1e-6, 1e-8)


@SETTINGS
@given(dancers(), st.floats(0.5, 2.0))
def test_angles_invariant_to_scale_and_lengths_scale(d: SyntheticFrame, scale: float) -> None:
    base, scaled = measure_frame(d.world).as_row(), measure_frame(d.world * scale).as_row()
    for name in geometry_names():
        want = base[name] * scale if name.endswith("_m") else base[name]
        assert math.isclose(scaled[name], want, abs_tol=1e-6) or (math.isnan(want) and math.isnan(scaled[name]))


def _mirror(points: np.ndarray) -> np.ndarray:
    out = points.copy()
    out[..., 0] *= -1
    for a, b in MIRROR_PAIRS:
        out[[a, b]] = out[[b, a]]
    return out


@SETTINGS
@given(dancers())
def test_mirror_symmetry_swaps_left_and_right(d: SyntheticFrame) -> None:
    m, mm = measure_frame(d.world), measure_frame(_mirror(d.world))
    for name in ("knee_flexion_deg", "foot_turnout_deg", "knee_turnout_deg", "knee_over_toe_offset_m"):
        a, b = getattr(m.left, name), getattr(mm.right, name)
        assert (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-6, name
        a, b = getattr(m.right, name), getattr(mm.left, name)
        assert (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-6, name
    assert abs(m.pelvis_level_m + mm.pelvis_level_m) <= 1e-9
    assert abs(m.weight_shift_m + mm.weight_shift_m) <= 1e-9
    assert abs(m.torso_lean_deg - mm.torso_lean_deg) <= 1e-6


def _check_ranges_and_reasons(s: SeriesMeasurement) -> None:
    for name in geometry_names():
        values, reasons = s[name], s.reasons[name]
        assert values.dtype == np.float64
        assert np.all(np.isfinite(values) == (reasons == "")), name
        assert all(isinstance(r, str) for r in reasons)
        finite = values[np.isfinite(values)]
        if name.endswith("knee_flexion_deg") or name == "torso_lean_deg":
            assert np.all((finite >= 0) & (finite <= 180)), name
        elif name.endswith("turnout_deg") and name != "total_foot_turnout_deg":
            assert np.all((finite >= -180) & (finite <= 180)), name
        elif name == "total_foot_turnout_deg":
            assert np.all(np.abs(finite) <= 360)


coords = st.floats(-2.0, 2.0, allow_nan=False, width=64)
nasty = st.one_of(
    coords,
    st.sampled_from([math.nan, math.inf, -math.inf, 1e300, -1e300, 0.0, 1e-300]),
)


@settings(max_examples=300, deadline=None)
@given(
    arrays(np.float64, (3, 33, 3), elements=nasty),
    st.one_of(st.none(), arrays(np.float64, (3, 33), elements=st.floats(0, 1) | st.just(math.nan))),
)
def test_fuzz_never_raises_and_every_nan_has_a_reason(world: np.ndarray, vis: np.ndarray | None) -> None:
    _check_ranges_and_reasons(measure_series(world, None, vis))


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, (2, 33, 3), elements=coords), arrays(np.float64, (2, 33, 3), elements=coords))
def test_random_landmarks_stay_in_range(world: np.ndarray, image: np.ndarray) -> None:
    _check_ranges_and_reasons(measure_series(world, image))


@settings(max_examples=40, deadline=None)
@given(dancers(), st.sampled_from(["equal", "zero_thigh", "zero_foot", "invisible", "hips_equal", "nan_leg"]))
def test_degenerate_landmarks_give_nan_with_reasons(d: SyntheticFrame, case: str) -> None:
    world, vis = d.world.copy(), d.visibility.copy()
    if case == "equal":
        world[:] = world[0]
    elif case == "zero_thigh":
        world[lm.LEFT_KNEE] = world[lm.LEFT_HIP]
    elif case == "zero_foot":
        world[lm.LEFT_FOOT_INDEX] = world[lm.LEFT_HEEL]
    elif case == "invisible":
        vis[:] = 0.0
    elif case == "hips_equal":
        world[lm.RIGHT_HIP] = world[lm.LEFT_HIP]
    else:
        world[lm.LEFT_ANKLE] = np.nan
    m = measure_frame(world, None, vis)
    assert math.isnan(m.left.knee_turnout_deg) or case in ("zero_foot",)
    for side in (m.left, m.right):
        for name in ("knee_flexion_deg", "foot_turnout_deg", "knee_turnout_deg", "forced_turnout_deg"):
            value = getattr(side, name)
            assert math.isnan(value) == (name in side.reasons), (case, name)
    if case == "zero_foot":
        assert "no length" in m.left.reasons["foot_turnout_deg"]
    if case == "invisible":
        assert all("not visible" in r for r in m.left.reasons.values())
