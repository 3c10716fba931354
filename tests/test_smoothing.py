"""One Euro filter: pass-through, lag on a step, noise reduction, resets on missing data."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from turnout.measure.geometry import measure_series
from turnout.pose.smoothing import IMAGE, WORLD, OneEuroFilter, OneEuroParams
from turnout.testing.synth import plie_sequence

DT = 1000.0 / 30


# ---- instruments: the filter run over a series, and its lag -----------------------------------------


def smooth_series(x: npt.ArrayLike, t_ms: npt.ArrayLike, params: OneEuroParams = WORLD) -> np.ndarray:
    """Run a fresh filter over a recorded (T, ...) series with timestamps (T,) in milliseconds."""
    arr = np.asarray(x, dtype=float)
    times = np.asarray(t_ms, dtype=float)
    if arr.ndim < 1 or times.shape != arr.shape[:1]:
        raise ValueError(f"need x of shape (T, ...) and t_ms of shape (T,), got {arr.shape} and {times.shape}")
    filt = OneEuroFilter(params, arr.shape[1:])
    return np.stack([filt(frame, t) for frame, t in zip(arr, times, strict=True)]) if len(arr) else arr.copy()


def step_response_ms(params: OneEuroParams, step: float, fps: float = 30.0, fraction: float = 0.9) -> float:
    """Time after a step of size ``step`` until the output covers ``fraction`` of it (the filter's lag)."""
    filt = OneEuroFilter(params, (1, 3))
    dt = 1000.0 / fps
    for k in range(int(fps)):  # one still second
        filt(np.zeros((1, 3)), k * dt)
    t0 = int(fps) * dt
    for k in range(int(5 * fps)):
        out = filt(np.array([[step, 0.0, 0.0]]), t0 + k * dt)
        if out[0, 0] >= fraction * step:
            return k * dt
    return math.inf


def test_constant_input_passes_unchanged() -> None:
    f = OneEuroFilter()
    x = np.random.default_rng(0).normal(size=(33, 3))
    for k in range(10):
        np.testing.assert_allclose(f(x, k * DT), x)


def test_first_order_lag_matches_theory_without_beta() -> None:
    # beta = 0: a plain exponential filter, alpha = 1 / (1 + tau / dt) with tau = 1 / (2 pi fc).
    params = OneEuroParams(min_cutoff_hz=1.0, beta=0.0)
    alpha = 1.0 / (1.0 + (1.0 / (2 * math.pi)) / (DT / 1000))
    frames = math.ceil(math.log(0.1) / math.log(1 - alpha)) - 1  # first frame k with 1-(1-a)^(k+1) >= 0.9
    assert step_response_ms(params, 1.0) == pytest.approx(frames * DT)


@pytest.mark.parametrize(("step_m", "max_ms"), [(0.01, 200.0), (0.05, 100.0), (0.10, 50.0)])
def test_world_preset_step_lag(step_m: float, max_ms: float) -> None:
    lag = step_response_ms(WORLD, step_m)
    assert lag <= max_ms
    # and the speed term matters: without it the same step takes far longer
    assert step_response_ms(OneEuroParams(WORLD.min_cutoff_hz, 0.0), step_m) > lag


def test_image_preset_matches_world_preset_at_image_scale() -> None:
    for world_step in (0.01, 0.05, 0.1):
        assert step_response_ms(IMAGE, world_step / 3) == pytest.approx(step_response_ms(WORLD, world_step))


def test_stationary_noise_is_reduced() -> None:
    rng = np.random.default_rng(1)
    noise = rng.normal(0.0, 0.005, size=(300, 33, 3))
    out = smooth_series(noise, np.arange(300) * DT, WORLD)
    ratio = out[30:].std() / noise[30:].std()
    assert ratio < 0.5


def test_nan_resets_the_element_and_restarts_from_the_next_value() -> None:
    f = OneEuroFilter(WORLD, (2, 3))
    f(np.zeros((2, 3)), 0.0)
    f(np.zeros((2, 3)), DT)
    x = np.ones((2, 3))
    x[0] = np.nan
    out = f(x, 2 * DT)
    assert np.all(np.isnan(out[0]))
    assert np.all((out[1] > 0) & (out[1] < 1))  # smoothed, not jumped
    out = f(np.full((2, 3), 5.0), 3 * DT)
    np.testing.assert_allclose(out[0], 5.0)  # restarted: passes through
    assert np.all(out[1] < 5.0)


def test_gap_or_backwards_time_resets_everything() -> None:
    f = OneEuroFilter(WORLD, (1, 3))
    f(np.zeros((1, 3)), 0.0)
    np.testing.assert_allclose(f(np.ones((1, 3)), WORLD.max_gap_ms + 1), 1.0)
    f(np.zeros((1, 3)), 1000.0)
    np.testing.assert_allclose(f(np.ones((1, 3)), 900.0), 1.0)
    np.testing.assert_allclose(f(np.full((1, 3), 2.0), 900.0), 2.0)  # same time again: reset


def test_inf_is_treated_as_missing() -> None:
    f = OneEuroFilter(WORLD, (1, 3))
    f(np.zeros((1, 3)), 0.0)
    assert np.all(np.isnan(f(np.full((1, 3), np.inf), DT)))


def test_bad_arguments_raise_readable_errors() -> None:
    with pytest.raises(ValueError, match="shape"):
        OneEuroFilter(WORLD, (33, 3))(np.zeros((32, 3)), 0.0)
    with pytest.raises(ValueError, match="min_cutoff_hz"):
        OneEuroParams(min_cutoff_hz=0.0)
    with pytest.raises(ValueError, match="beta"):
        OneEuroParams(beta=-1.0)
    with pytest.raises(ValueError, match="t_ms"):
        smooth_series(np.zeros((3, 33, 3)), np.zeros(2))


def test_series_equals_frame_by_frame() -> None:
    rng = np.random.default_rng(2)
    x, t = rng.normal(size=(20, 33, 3)), np.arange(20) * DT
    f = OneEuroFilter(WORLD)
    np.testing.assert_allclose(smooth_series(x, t, WORLD), np.stack([f(a, b) for a, b in zip(x, t, strict=True)]))


def test_smoothed_noisy_plie_measures_closer_to_truth() -> None:
    seq = plie_sequence(30.0, noise_m=0.005, seed=3)
    raw = measure_series(seq.world)["left_knee_flexion_deg"]
    smooth = measure_series(smooth_series(seq.world, seq.timestamps_ms))["left_knee_flexion_deg"]
    raw_err = np.abs(raw - seq.flexion_deg)
    smooth_err = np.abs(smooth - seq.flexion_deg)
    assert np.median(smooth_err) < 0.8 * np.median(raw_err)
    # lag: the smoothed bottom of the plié is within 3 degrees and 150 ms of the true one
    assert abs(smooth.max() - seq.flexion_deg.max()) < 3.0
    assert abs(int(np.argmax(smooth)) - int(np.argmax(seq.flexion_deg))) * DT <= 150.0
