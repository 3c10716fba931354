"""The standing baseline: what she looks like standing, that the measurements of a plié are taken against.

Since issue 16 the tracker's baseline is her rolling standing reference in the picture (hip-to-toe height and
each leg's length in pixels, ``turnout.practice.tracker``) together with the medians of the 3D measurements over
the frames it came from (MediaPipe's world landmarks read straight standing knees as 13-22 degrees of flexion,
so knee flexion and heel height are still reported relative to standing). :class:`BaselineDetector` (about 2 s
of standing still) is the older, explicit way of finding one; nothing waits for it any more.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

import numpy as np

from turnout.measure.measures import SIDES
from turnout.settings import BaselineSettings

#: Row keys this module adds: knee flexion relative to the baseline, and heel lift above the standing heel.
REL_FLEXION: Final = {side: f"{side}_knee_flexion_rel_deg" for side in SIDES}
HEEL_LIFT: Final = {side: f"{side}_heel_lift_m" for side in SIDES}

_FLEX: Final = tuple(f"{s}_knee_flexion_deg" for s in SIDES)
_TURN: Final = tuple(f"{s}_foot_turnout_deg" for s in SIDES)
_HEEL: Final = tuple(f"{s}_heel_height_m" for s in SIDES)
_RISE: Final = tuple(f"{s}_heel_rise_m" for s in SIDES)


@dataclass(frozen=True, slots=True)
class Baseline:
    """Medians over a still window. ``nan`` where a measurement was never available in the window."""

    left_knee_flexion_deg: float
    right_knee_flexion_deg: float
    left_foot_turnout_deg: float
    right_foot_turnout_deg: float
    left_heel_height_m: float
    right_heel_height_m: float
    t_start_s: float = math.nan
    t_end_s: float = math.nan
    n_frames: int = 0
    #: "auto" (first stillness), "explicit" (started by the dancer) or "stored" (from an earlier run)
    method: str = "auto"
    #: standing heel rise (the heel above its toe in the picture, see turnout.measure.geometry); nan in older baselines
    left_heel_rise_m: float = math.nan
    right_heel_rise_m: float = math.nan

    #: the rolling standing reference in the picture (turnout.practice.tracker): her hip-to-toe height and each
    #: leg's hip-to-ankle length, in pixels; nan in older baselines
    hip_height_px: float = math.nan
    left_leg_px: float = math.nan
    right_leg_px: float = math.nan

    def __post_init__(self) -> None:
        if not any(math.isfinite(self.knee_flexion_deg(s)) for s in SIDES) and not math.isfinite(self.hip_height_px):
            raise ValueError("Baseline: a standing reference needs her knee flexion or her hip height in the picture")

    def knee_flexion_deg(self, side: str) -> float:
        return float(getattr(self, f"{side}_knee_flexion_deg"))

    def foot_turnout_deg(self, side: str) -> float:
        return float(getattr(self, f"{side}_foot_turnout_deg"))

    def heel_height_m(self, side: str) -> float:
        return float(getattr(self, f"{side}_heel_height_m"))

    def heel_rise_m(self, side: str) -> float:
        return float(getattr(self, f"{side}_heel_rise_m"))

    def to_dict(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Baseline:
        """Inverse of :meth:`to_dict`; unknown keys are ignored, ``None`` reads as ``nan``."""
        kwargs: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name in data:
                value = data[name]
                kwargs[name] = math.nan if value is None else value
        return cls(**kwargs)


def apply_baseline(row: Mapping[str, float], baseline: Baseline | None) -> dict[str, float]:
    """``row`` plus relative knee flexion and heel lift per side (``nan`` without a baseline).

    Heel lift is the heel's rise in the picture above its standing rise where the baseline has one (the image
    point is steady where MediaPipe's 3D heel height is not); else the 3D heel height above standing."""
    out = dict(row)
    for side in SIDES:
        flex = float(row.get(f"{side}_knee_flexion_deg", math.nan))
        if baseline is None:
            out[REL_FLEXION[side]] = math.nan
            out[HEEL_LIFT[side]] = math.nan
        else:
            out[REL_FLEXION[side]] = flex - baseline.knee_flexion_deg(side)
            if math.isfinite(baseline.heel_rise_m(side)):
                out[HEEL_LIFT[side]] = float(row.get(f"{side}_heel_rise_m", math.nan)) - baseline.heel_rise_m(side)
            else:
                out[HEEL_LIFT[side]] = float(row.get(f"{side}_heel_height_m", math.nan)) - baseline.heel_height_m(side)
    return out


def apply_baseline_series(series: Mapping[str, np.ndarray], baseline: Baseline) -> dict[str, np.ndarray]:
    """Vectorised :func:`apply_baseline` over ``(T,)`` arrays."""
    out = {k: np.asarray(v, dtype=np.float64) for k, v in series.items()}
    for side in SIDES:
        out[REL_FLEXION[side]] = out[f"{side}_knee_flexion_deg"] - baseline.knee_flexion_deg(side)
        if math.isfinite(baseline.heel_rise_m(side)) and f"{side}_heel_rise_m" in out:
            out[HEEL_LIFT[side]] = out[f"{side}_heel_rise_m"] - baseline.heel_rise_m(side)
        else:
            out[HEEL_LIFT[side]] = out[f"{side}_heel_height_m"] - baseline.heel_height_m(side)
    return out


def _nanmedian(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else math.nan


def drift(values: np.ndarray, blocks: int = 4) -> float:
    """How far a signal wandered over a window: the range of the medians of its ``blocks`` consecutive parts.

    Frame-to-frame pose noise averages out in the medians; a real movement does not. ``nan`` if a part has
    no finite value."""
    parts = np.array_split(np.asarray(values, dtype=np.float64), min(blocks, max(len(values), 1)))
    medians = [_nanmedian(p) for p in parts]
    return float(max(medians) - min(medians)) if all(math.isfinite(m) for m in medians) else math.nan


@dataclass(frozen=True, slots=True)
class StillnessCheck:
    """Why a window is (not) a baseline. ``reason`` is empty when it is."""

    ok: bool
    reason: str = ""


def check_window(samples: np.ndarray, settings: BaselineSettings) -> StillnessCheck:
    """``samples``: (n, 8) columns left/right flexion, left/right turnout, left/right heel height, left/right
    heel rise (only the first four are checked)."""
    if samples.shape[0] < settings.min_frames:
        return StillnessCheck(False, f"only {samples.shape[0]} reliable frames (need {settings.min_frames})")
    for col, side in enumerate(SIDES):
        flex = samples[:, col]
        if not np.all(np.isfinite(flex)):
            return StillnessCheck(False, f"{side} knee not measurable")
        if _nanmedian(flex) > settings.max_raw_flexion_deg:
            return StillnessCheck(False, f"{side} knee bent {_nanmedian(flex):.0f} deg: stand straight")
        if drift(flex) > settings.max_flexion_drift_deg:
            return StillnessCheck(False, f"{side} knee moving ({drift(flex):.1f} deg)")
        turn = drift(samples[:, 2 + col])
        if math.isfinite(turn) and turn > settings.max_turnout_drift_deg:
            return StillnessCheck(False, f"{side} foot moving ({turn:.1f} deg)")
    return StillnessCheck(True)


def baseline_from_samples(samples: np.ndarray, t_start_s: float, t_end_s: float, method: str = "auto") -> Baseline:
    """Medians of a still window (see :func:`check_window` for the column order)."""
    m = [_nanmedian(samples[:, c]) for c in range(samples.shape[1])] + [math.nan] * (8 - samples.shape[1])
    return Baseline(
        m[0],
        m[1],
        m[2],
        m[3],
        m[4],
        m[5],
        t_start_s=t_start_s,
        t_end_s=t_end_s,
        n_frames=samples.shape[0],
        method=method,
        left_heel_rise_m=m[6],
        right_heel_rise_m=m[7],
    )


def sample_of(row: Mapping[str, float]) -> tuple[float, ...]:
    """The eight baseline columns of one measurement row."""
    return tuple(float(row.get(k, math.nan)) for k in (*_FLEX, *_TURN, *_HEEL, *_RISE))


class BaselineDetector:
    """Finds the baseline in a stream of frames: the first window of ``duration_s`` reliable, still frames.

    In automatic mode it looks from the first frame; otherwise only after :meth:`start` (the dancer pressed
    "stand still"), giving up after ``explicit_timeout_s``. Any unreliable frame restarts the window.
    """

    def __init__(self, settings: BaselineSettings) -> None:
        self.settings = settings
        self._window: deque[tuple[float, tuple[float, ...]]] = deque()
        self._active = settings.auto
        self._explicit_since: float | None = None
        self.last_reason = ""

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        """Start an explicit capture with the next frame."""
        self._window.clear()
        self._active = True
        self._explicit_since = math.nan  # set by the next frame

    def stop(self) -> None:
        self._window.clear()
        self._active = False
        self._explicit_since = None

    def update(self, t_s: float, row: Mapping[str, float], reliable: bool) -> Baseline | str | None:
        """Feed one frame. Returns a :class:`Baseline` when found, a reason (``str``) when an explicit capture
        timed out, else ``None``."""
        if not self._active:
            return None
        if self._explicit_since is not None and math.isnan(self._explicit_since):
            self._explicit_since = t_s
        sample = sample_of(row)
        if not reliable or not (math.isfinite(sample[0]) and math.isfinite(sample[1])):
            self._window.clear()
            self.last_reason = "pose not reliable"
        else:
            self._window.append((t_s, sample))
            while self._window and t_s - self._window[0][0] > self.settings.duration_s:
                self._window.popleft()
            found = self._try(t_s)
            if found is not None:
                self.stop()
                return found
        if self._explicit_since is not None and t_s - self._explicit_since > self.settings.explicit_timeout_s:
            reason = f"no still standing found in {self.settings.explicit_timeout_s:g} s ({self.last_reason})"
            self.stop()
            return reason
        return None

    def _try(self, t_s: float) -> Baseline | None:
        t0 = self._window[0][0]
        # A window counts once it spans the duration to within one frame period.
        period = (t_s - t0) / max(len(self._window) - 1, 1)
        if t_s - t0 + period < self.settings.duration_s:
            self.last_reason = "not still for long enough yet"
            return None
        samples = np.array([s for _, s in self._window], dtype=np.float64)
        check = check_window(samples, self.settings)
        if not check.ok:
            self.last_reason = check.reason
            return None
        method = "explicit" if self._explicit_since is not None else "auto"
        return baseline_from_samples(samples, t0, t_s, method)
