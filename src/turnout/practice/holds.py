"""Holds: standing still in first position for a while ("hold first position for a minute, five times").

A frame belongs to a hold when the pose is reliable, both knees are straight (relative to the baseline), the
feet are turned out (first position, not parallel) and the last ``window_s`` seconds are still. A hold is
reported once it has lasted ``min_duration_s``; it ends when that fails for longer than ``max_gap_s``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import numpy as np

from turnout.measure.measures import SIDES
from turnout.practice.baseline import REL_FLEXION, drift
from turnout.practice.flags import Flag, worst_severity
from turnout.practice.reps import Worst, signed_worst
from turnout.settings import HoldSettings

_KEYS: Final = (
    "left_foot_turnout_deg",
    "right_foot_turnout_deg",
    "total_foot_turnout_deg",
    REL_FLEXION["left"],
    REL_FLEXION["right"],
    "weight_shift_m",
    "pelvis_level_m",
    "torso_lean_deg",
)


#: Knee and turnout levels are judged on the median of this last stretch (frame noise out, little lag).
LEVEL_WINDOW_S: Final = 0.3


def _finite(a: np.ndarray) -> np.ndarray:
    return a[np.isfinite(a)]


def _stat(a: np.ndarray, fn: Any) -> float:
    f = _finite(a)
    return float(fn(f)) if f.size else math.nan


@dataclass(frozen=True, slots=True)
class HoldSummary:
    index: int
    t_start_s: float
    t_end_s: float
    n_frames: int
    left_foot_turnout_mean_deg: float
    right_foot_turnout_mean_deg: float
    total_foot_turnout_mean_deg: float
    #: the most turned-out (most forced) moment per foot
    left_foot_turnout_worst_deg: float
    right_foot_turnout_worst_deg: float
    #: stability: SD of total foot turnout, of sideways weight shift, of knee flexion
    turnout_sd_deg: float
    sway_sd_m: float
    flexion_sd_deg: float
    pelvis_level_worst_m: float
    torso_lean_worst_deg: float
    #: the same against the first second of the hold (what the flags judge)
    pelvis_level_change_m: float
    torso_lean_change_deg: float
    flags: tuple[Flag, ...] = field(default=())

    @property
    def duration_s(self) -> float:
        return self.t_end_s - self.t_start_s

    def foot_turnout_mean_deg(self, side: str) -> float:
        return float(getattr(self, f"{side}_foot_turnout_mean_deg"))

    @property
    def worst_severity(self) -> str | None:
        return worst_severity(self.flags)

    def with_flags(self, flags: tuple[Flag, ...]) -> HoldSummary:
        return replace(self, flags=flags)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "flags"}
        d = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}
        d["duration_s"] = self.duration_s
        d["flags"] = [f.to_dict() for f in self.flags]
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HoldSummary:
        kwargs: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name == "flags":
                kwargs[name] = tuple(Flag.from_dict(f) for f in data.get("flags", ()))
            elif name in ("index", "n_frames"):
                kwargs[name] = int(data.get(name, 0))
            else:
                value = data.get(name)
                kwargs[name] = math.nan if value is None else float(value)
        return cls(**kwargs)


def summarize_hold(
    index: int, t: np.ndarray, cols: Mapping[str, np.ndarray], worst: Worst | None = None
) -> HoldSummary:
    """Summary of a hold's frames; 'worst' tilts are robust (see :class:`turnout.practice.reps.Worst`)."""
    worst = worst or Worst()
    total = cols["total_foot_turnout_deg"]
    flex = np.concatenate([cols[REL_FLEXION[s]] for s in SIDES])
    pelvis, torso = cols["pelvis_level_m"], np.abs(cols["torso_lean_deg"])
    start = t <= t[0] + 1.0
    return HoldSummary(
        index=index,
        t_start_s=float(t[0]),
        t_end_s=float(t[-1]),
        n_frames=int(t.size),
        left_foot_turnout_mean_deg=_stat(cols["left_foot_turnout_deg"], np.mean),
        right_foot_turnout_mean_deg=_stat(cols["right_foot_turnout_deg"], np.mean),
        total_foot_turnout_mean_deg=_stat(total, np.mean),
        left_foot_turnout_worst_deg=_stat(cols["left_foot_turnout_deg"], np.max),
        right_foot_turnout_worst_deg=_stat(cols["right_foot_turnout_deg"], np.max),
        turnout_sd_deg=_stat(total, np.std),
        sway_sd_m=_stat(cols["weight_shift_m"], np.std),
        flexion_sd_deg=_stat(flex, np.std),
        pelvis_level_worst_m=signed_worst(worst, t, pelvis),
        torso_lean_worst_deg=worst(t, torso),
        pelvis_level_change_m=signed_worst(worst, t, pelvis - _stat(pelvis[start], np.median)),
        torso_lean_change_deg=worst(t, torso - _stat(torso[start], np.median)),
    )


def total_turnout(row: Mapping[str, float]) -> float:
    total = float(row.get("total_foot_turnout_deg", math.nan))
    if math.isfinite(total):
        return total
    return float(row.get("left_foot_turnout_deg", math.nan)) + float(row.get("right_foot_turnout_deg", math.nan))


class HoldDetector:
    """Streaming hold detection. :meth:`update` returns ``("started", t_start)``, a :class:`HoldSummary` (the
    hold ended) or ``None``."""

    def __init__(self, settings: HoldSettings, worst: Worst | None = None) -> None:
        self.settings = settings
        self._worst = worst or Worst()
        self._window: deque[tuple[float, float, float, float]] = deque()
        self._t: list[float] = []
        self._rows: list[tuple[float, ...]] = []
        self._last_good: float | None = None
        self._started = False
        self.count = 0

    @property
    def active(self) -> bool:
        return self._started

    def _still(self, t_s: float, row: Mapping[str, float]) -> bool:
        """Straight knees and first position (medians of the last 0.3 s), no drift over ``window_s``."""
        s = self.settings
        sample = (t_s, *(float(row.get(REL_FLEXION[side], math.nan)) for side in SIDES), total_turnout(row))
        if not all(math.isfinite(v) for v in sample):
            return False
        self._window.append(sample)  # type: ignore[arg-type]
        while self._window and t_s - self._window[0][0] > s.window_s:
            self._window.popleft()
        w = np.array(self._window)
        recent = w[w[:, 0] >= t_s - LEVEL_WINDOW_S]  # levels from the last moment, drift from the window
        flex, total = np.median(recent[:, 1:3], axis=0), float(np.median(recent[:, 3]))
        if not (np.all(np.abs(flex) <= s.max_flexion_deg) and total >= s.min_total_turnout_deg):
            return False
        return bool(
            drift(w[:, 1]) <= s.max_flexion_drift_deg
            and drift(w[:, 2]) <= s.max_flexion_drift_deg
            and drift(w[:, 3]) <= s.max_turnout_drift_deg
        )

    def update(self, t_s: float, row: Mapping[str, float], reliable: bool) -> tuple[str, float] | HoldSummary | None:
        if reliable and self._still(t_s, row):
            self._t.append(t_s)
            self._rows.append(tuple(float(row.get(k, math.nan)) for k in _KEYS))
            self._last_good = t_s
            if not self._started and t_s - self._t[0] >= self.settings.min_duration_s:
                self._started = True
                return ("started", self._t[0])
            return None
        if self._last_good is not None and t_s - self._last_good <= self.settings.max_gap_s:
            return None
        return self.close()

    def close(self, before_t: float | None = None) -> HoldSummary | None:
        """End the current hold now (a rep started, or the stream ended), keeping only frames before
        ``before_t`` (where a rep's descent began). A hold that was reported started is always reported
        ended, even if the trimming leaves it a little under ``min_duration_s``."""
        summary = None
        if before_t is not None:
            keep = sum(1 for t in self._t if t < before_t)
            self._t, self._rows = self._t[:keep], self._rows[:keep]
        if self._started and self._t:
            self.count += 1
            data = np.array(self._rows, dtype=np.float64).reshape(-1, len(_KEYS))
            cols = {k: data[:, i] for i, k in enumerate(_KEYS)}
            summary = summarize_hold(self.count, np.array(self._t), cols, self._worst)
        self._t, self._rows = [], []
        self._window.clear()
        self._last_good = None
        self._started = False
        return summary
