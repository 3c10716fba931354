"""The tracker's rolling standing reference keeps its window's columns sorted as frames come and go, and reads its
quantiles and medians off them: the same values, to the bit, as numpy's over arrays rebuilt from the window (what it
did before, every frame)."""

from __future__ import annotations

import math

import numpy as np

from turnout.practice.plie import _frame
from turnout.practice.tracker import (
    FLAT_GAP_QUANTILE,
    NOISE_SIGMAS,
    _Reference,
    sorted_median,
    sorted_quantile,
)
from turnout.settings import Settings


def _bits(x: float, y: float) -> bool:
    return (x == y and math.copysign(1, x) == math.copysign(1, y)) or (math.isnan(x) and math.isnan(y))


def test_sorted_quantile_and_median_are_numpys() -> None:
    rng = np.random.default_rng(5)
    for it in range(4000):
        n = int(rng.integers(1, 400))
        kind = it % 3
        if kind == 0:
            a = rng.normal(300, 20, n)
        elif kind == 1:
            a = rng.integers(-5, 5, n).astype(np.float64) * 0.5  # many ties
        else:
            a = rng.uniform(-1e6, 1e6, n)
        s = sorted(a.tolist())
        for q in (0.0, 0.1, 0.5, 0.9, 1.0, float(rng.uniform())):
            assert _bits(sorted_quantile(s, q), float(np.quantile(a, q))), (n, q)
        assert _bits(sorted_median(s), float(np.median(a))), n


def _brute(ref: _Reference) -> dict[str, object]:
    """What the reference worked out before: numpy over arrays rebuilt from its window."""
    w, toes = list(ref._w), list(ref._toes)
    rs = ref.rs
    out: dict[str, object] = {}
    flat = [x for x in w if x[6]]
    if len(flat) < 3 or flat[-1][0] - flat[0][0] < rs.reference_min_s:
        out["value"] = (math.nan, (math.nan, math.nan))
    else:

        def quant(col: int) -> float:
            a = np.array([x[col] for x in flat], dtype=np.float64)
            a = a[np.isfinite(a)]
            return float(np.quantile(a, rs.reference_quantile)) if a.size >= 3 else math.nan

        out["value"] = (quant(1), (quant(2), quant(3)))
    for k in range(2):
        gaps = np.array([x[4 + k] for x in w], dtype=np.float64)
        gaps = gaps[np.isfinite(gaps)]
        out[f"gap{k}"] = float(np.quantile(gaps, FLAT_GAP_QUANTILE)) if gaps.size >= 3 else math.nan
        pts = np.array(toes, dtype=np.float64).reshape(-1, 4)[:, 2 * k : 2 * k + 2]
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        out[f"toe{k}"] = None if len(pts) < 3 else tuple(float(v) for v in np.median(pts, axis=0))
    h = np.array([x[1] for x in w], dtype=np.float64)
    y = np.array([x[7] for x in w], dtype=np.float64)
    h, y = h[np.isfinite(h)], y[np.isfinite(y)]
    out["hips"] = (math.nan, math.nan) if h.size < 3 or y.size < 3 else (float(np.median(h)), float(np.median(y)))
    ref_h = out["value"][0]  # type: ignore[index]
    if math.isfinite(ref_h) and ref_h > 0:  # her standing: the flat frames within a rep's end level of it
        lo, hi = ref_h * (1.0 - rs.end_drop), ref_h * (1.0 + rs.end_drop)
        rows = np.array([x[7] for x in flat if lo < x[1] < hi and math.isfinite(x[7])], dtype=np.float64)
        if rows.size >= 3:
            out["hips"] = (ref_h, float(np.median(rows)))
    if not math.isfinite(ref_h) or ref_h <= 0:
        out["noise"] = math.nan
    else:
        fh = np.array([x[1] for x in w if x[6]], dtype=np.float64)
        drops = 1.0 - fh[np.isfinite(fh)] / ref_h
        drops = drops[drops < rs.end_drop]
        if drops.size < 3:
            out["noise"] = math.nan
        else:
            mid = float(np.median(drops))
            sigma = 1.4826 * float(np.median(np.abs(drops - mid)))
            out["noise"] = min(max(mid + NOISE_SIGMAS * sigma, 0.0), rs.end_drop)
    return out


def _now(ref: _Reference) -> dict[str, object]:
    return {
        "value": ref.value(), "gap0": ref._flat_gap(0), "gap1": ref._flat_gap(1), "toe0": ref._toe_place(0),
        "toe1": ref._toe_place(1), "hips": ref._hips_place(), "noise": ref.noise(ref.value()[0]),
    }  # fmt: skip


def _same(a: object, b: object) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return _bits(a, b)
    return a == b


def test_the_sorted_window_gives_what_arrays_rebuilt_each_frame_gave() -> None:
    rng = np.random.default_rng(11)
    ref = _Reference(Settings())
    t = 0.0
    for i in range(1500):
        t += float(rng.choice([1 / 30, 1 / 15, 0.5, 3.0], p=[0.8, 0.15, 0.04, 0.01]))
        if i == 700:
            ref.clear()
        dip = 40.0 * math.sin(i / 25.0) ** 2 if (i // 100) % 2 else 0.0
        row = {
            "hip_height_px": 400.0 - dip + rng.normal(0, 1.5), "hip_y_px": -60.0 + dip + rng.normal(0, 1.5),
            "left_leg_px": 380.0 - dip / 2 + rng.normal(0, 2), "right_leg_px": 381.0 - dip / 2 + rng.normal(0, 2),
            "left_toe_x_px": 40.0 + rng.normal(0, 2), "left_toe_y_px": 340.0 + rng.normal(0, 1),
            "right_toe_x_px": -40.0 + rng.normal(0, 2), "right_toe_y_px": 338.0 + rng.normal(0, 1),
            "left_ankle_y_px": 320.0 - (30.0 if i % 170 < 20 else 0.0) + rng.normal(0, 1),
            "right_ankle_y_px": 318.0 + rng.normal(0, 1),
            "shoulder_x_px": 0.0, "shoulder_y_px": -300.0, "hip_x_px": 0.0,
        }  # fmt: skip
        for key in list(row):  # unseen points: nan
            if rng.uniform() < 0.03:
                row[key] = math.nan
        fr = _frame(t, row, True)
        fr.releve = bool(rng.uniform() < 0.05)
        r, _ = ref.value()
        ref.releve(fr, r)
        ref.planted(fr, r)
        ref.add(fr)
        now, brute = _now(ref), _brute(ref)
        assert all(_same(now[k], brute[k]) for k in brute), (i, now, brute)
    assert math.isfinite(ref.value()[0]) and math.isfinite(ref.noise(ref.value()[0]))
