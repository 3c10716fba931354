"""One frame's picture measurements (``measure_image``, what the live pipeline calls every frame) are the series
code's (``measure_image_series``) exactly: every value to the bit and every reason, on synthetic dancers, damaged
landmarks (nan, infinite, invisible, coincident, huge) and a real clip through the real model."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from turnout.measure.image import image_measurement, measure_image, measure_image_series, to_pixels
from turnout.measure.measures import ImageMeasurement
from turnout.testing.synth import DancerParams, plie_sequence

SIZE = (1280, 720)


def _series(px: np.ndarray, size: tuple[int, int]) -> ImageMeasurement:
    values, reasons = measure_image_series(px, size)
    return image_measurement({n: float(v[0]) for n, v in values.items()}, {n: str(r[0]) for n, r in reasons.items()})


def _same(x: float, y: float) -> bool:
    """Equal to the bit (the sign of a zero too), or both nan."""
    return (x == y and math.copysign(1, x) == math.copysign(1, y)) or (math.isnan(x) and math.isnan(y))


def _differences(px: np.ndarray, size: tuple[int, int] = SIZE) -> list[str]:
    a, b = measure_image(px, size), _series(px, size)
    out = []
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "reasons":
            if list(x.items()) != list(y.items()):
                out.append(f"reasons {dict(x)} != {dict(y)}")
        elif not _same(x, y):
            out.append(f"{f.name}: {x!r} != {y!r}")
    return out


def _synthetic_frames() -> list[np.ndarray]:
    frames = []
    for params in (DancerParams(), DancerParams(forced_deg=(14.0, 2.0)), DancerParams(yaw_deg=40.0)):
        seq = plie_sequence(25.0, stand_s=0.5, descend_s=1.0, bottom_s=0.2, ascend_s=1.0, end_stand_s=0.3,
                            params=params)  # fmt: skip
        for i in range(len(seq.phase)):
            image = np.ones((33, 5))
            image[:, :3] = seq.image[i]
            image[:, 3] = seq.visibility[i]
            frames.append(to_pixels(image, SIZE))
    return frames


def test_one_frame_is_the_series_on_synthetic_dancers() -> None:
    frames = _synthetic_frames()
    assert len(frames) > 100
    for px in frames:
        assert _differences(px) == []


def test_one_frame_is_the_series_on_damaged_landmarks() -> None:
    rng = np.random.default_rng(7)
    frames = _synthetic_frames()
    with np.errstate(all="raise"):  # the one-frame path warns no more than the series code (which warns never)
        for k in range(3000):
            px = frames[k % len(frames)].copy()
            kind = k % 7
            idx = rng.integers(0, 33, size=int(rng.integers(1, 8)))
            if kind == 0:
                px[idx, int(rng.integers(0, 3))] = np.nan
            elif kind == 1:
                px[idx, int(rng.integers(0, 3))] = rng.choice([np.inf, -np.inf])
            elif kind == 2:
                px[idx, 3] = rng.choice([0.0, 0.49, 0.5, np.nan, np.inf, -np.inf])
            elif kind == 3:
                px[idx, :2] = px[idx[0], :2]
            elif kind == 4:
                px[:, :2] *= rng.uniform(0.0, 0.02)
            elif kind == 5:
                px[idx, :3] = rng.normal(0, 2000, size=(len(idx), 3))
            else:
                px[:, :2] = px[:, :2][:, ::-1]  # nonsense geometry: back, side, no torso
            assert _differences(px) == [], k


def test_one_frame_is_the_series_side_on() -> None:
    rng = np.random.default_rng(3)
    for k, px in enumerate(_synthetic_frames()):
        px = px.copy()
        px[:, 0] = SIZE[0] / 2 + (px[:, 0] - SIZE[0] / 2) * 0.1  # squeezed sideways: side-on
        if k % 2:
            px[rng.integers(0, 33, size=3), 3] = 0.0  # a few points unseen
        if k % 5 == 0:
            px[[0, 7, 8, 29, 30, 31, 32], 3] = 0.0  # no nose, ears, heels or toes: her facing cannot be told
        assert measure_image(px, SIZE).facing_code == 3.0
        assert _differences(px) == [], k


@pytest.mark.e2e
def test_one_frame_is_the_series_on_a_real_clip(analysed) -> None:  # type: ignore[no-untyped-def]
    track = analysed("commons/ballet_plie.mp4").track
    size = (track.width, track.height)
    for i in np.flatnonzero(track.detected):
        assert _differences(to_pixels(track.image[i], size), size) == [], i
