"""Geometry on real footage through the real model: parallel feet read clearly less turnout than first position."""

from __future__ import annotations

import numpy as np
import pytest

from turnout.measure.geometry import measure_series

pytestmark = pytest.mark.e2e


def _total_turnout(result) -> np.ndarray:  # type: ignore[no-untyped-def]
    t = result.track
    d = t.detected
    s = measure_series(t.world[d], t.image[d][:, :, :3], t.image[d][:, :, 3])
    return np.asarray(s["total_foot_turnout_deg"])


def test_parallel_feet_read_less_turnout_than_first_position(analysed) -> None:  # type: ignore[no-untyped-def]
    first = _total_turnout(analysed("commons/ballet_plie.mp4"))
    parallel = _total_turnout(analysed("commons/simple_step.mp4"))
    first_med, parallel_med = float(np.nanmedian(first)), float(np.nanmedian(parallel))
    print(f"total foot turnout, uncalibrated 3D: first position {first_med:.1f}, parallel {parallel_med:.1f}")
    # measured: about 45 vs 20 degrees; the pictures show about 90+ vs about 0-20 (depth squeezes rotation)
    assert first_med - parallel_med > 15.0
    assert np.isfinite(first).mean() > 0.95


def test_real_measurements_are_in_range(analysed) -> None:  # type: ignore[no-untyped-def]
    t = analysed("commons/ballet_plie.mp4").track
    d = t.detected
    s = measure_series(t.world[d], t.image[d][:, :, :3], t.image[d][:, :, 3])
    for side in ("left", "right"):
        flex = np.asarray(s[f"{side}_knee_flexion_deg"])
        assert np.nanmin(flex) >= 0.0 and np.nanmax(flex) <= 180.0
        foot = np.asarray(s[f"{side}_foot_turnout_deg"])
        assert np.all(np.abs(foot[np.isfinite(foot)]) <= 180.0)
    # the demi-plié (deepest near frame 118) bends the knees well beyond standing
    flex = np.asarray(s["left_knee_flexion_deg"])
    frames = t.frame_index[d]
    deep = flex[(frames >= 110) & (frames <= 125)]
    stand = flex[(frames >= 45) & (frames <= 90)]
    assert np.nanmedian(deep) > np.nanmedian(stand) + 20.0
