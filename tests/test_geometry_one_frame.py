"""One frame's 3D measurements (``measure_frame`` with the picture's points and visibility, what the live pipeline
calls every frame) are the series code's (``measure_series(...).frame(0)``) exactly: every value to the bit and every
reason, on synthetic dancers, damaged landmarks (nan, infinite, far, invisible, coincident, collapsed, upside down)
and a real clip through the real model."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from turnout.measure.geometry import _dot_order, measure_frame, measure_series
from turnout.testing.synth import DancerParams, plie_sequence


def _same(x: float, y: float) -> bool:
    return (x == y and math.copysign(1, x) == math.copysign(1, y)) or (math.isnan(x) and math.isnan(y))


def _differences(a: Any, b: Any, where: str = "") -> list[str]:
    out = []
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name in ("left", "right"):
            out += _differences(x, y, f"{f.name}.")
        elif f.name == "reasons":
            if list(x.items()) != list(y.items()):
                out.append(f"{where}reasons {dict(x)} != {dict(y)}")
        elif f.name in ("mode", "image"):
            if x != y:
                out.append(f"{where}{f.name}")
        elif not _same(x, y):
            out.append(f"{where}{f.name}: {x!r} != {y!r}")
    return out


def _check(world: np.ndarray, image: np.ndarray, vis: np.ndarray) -> list[str]:
    with np.errstate(all="raise"):  # the one-frame path warns no more than the series code (which warns never)
        one = measure_frame(world, image, vis)
    return _differences(one, measure_series(world, image, vis).frame(0))


def _synthetic() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    frames = []
    for params in (DancerParams(), DancerParams(forced_deg=(14.0, 2.0), heel_lift_m=(0.03, 0.0)),
                   DancerParams(yaw_deg=40.0, flexion_deg=(5.0, 0.0))):  # fmt: skip
        seq = plie_sequence(25.0, stand_s=0.5, descend_s=1.0, bottom_s=0.2, ascend_s=1.0, end_stand_s=0.3,
                            params=params, noise_m=0.004, seed=3)  # fmt: skip
        for i in range(len(seq.phase)):
            frames.append((seq.world[i].astype(np.float64), seq.image[i].astype(np.float64),
                           seq.visibility[i].astype(np.float64)))  # fmt: skip
    return frames


def test_the_dot_products_order_is_known_here() -> None:
    assert _dot_order() is not None  # else every frame goes through the series code (still right, slower)


def test_one_frame_is_the_series_on_synthetic_dancers() -> None:
    frames = _synthetic()
    assert len(frames) > 100
    for w, im, v in frames:
        assert _check(w, im, v) == []


def test_one_frame_is_the_series_on_damaged_landmarks() -> None:
    rng = np.random.default_rng(9)
    frames = _synthetic()
    for k in range(3000):
        w, im, v = (a.copy() for a in frames[k % len(frames)])
        kind = k % 8
        idx = rng.integers(0, 33, size=int(rng.integers(1, 6)))
        if kind == 0:
            w[idx, int(rng.integers(0, 3))] = np.nan
        elif kind == 1:
            w[idx, int(rng.integers(0, 3))] = rng.choice([np.inf, -np.inf, 20.0, -15.0])
        elif kind == 2:
            v[idx] = rng.choice([0.0, 0.49, 0.5, np.nan])
        elif kind == 3:
            w[idx] = w[idx[0]]  # coincident points: zero lengths
        elif kind == 4:
            w *= rng.uniform(0.0, 0.02)  # collapsed
        elif kind == 5:
            im[idx, int(rng.integers(0, 2))] = rng.choice([np.nan, np.inf, 0.0, 5.0])
        elif kind == 6:
            w[idx] = rng.normal(0, 0.5, size=(len(idx), 3))
        else:
            w[:, 1] = -w[:, 1]  # upside down
        assert _check(w, im, v) == [], k


@pytest.mark.e2e
def test_one_frame_is_the_series_on_a_real_clip(analysed) -> None:  # type: ignore[no-untyped-def]
    track = analysed("commons/ballet_plie.mp4").track
    for i in np.flatnonzero(track.detected):
        assert _check(track.world[i], track.image[i][:, :3], track.image[i][:, 3]) == [], i
