"""Holds: standing still in first position for a while ("hold first position for a minute, five times").

The tracker (``turnout.practice.tracker``) finds them in the picture: she faces the camera, her hips at standing
height, no relevé, both legs at their standing length (knees straight), both toes and ankles within
``holds.still`` legs of where the hold began, feet turned out; reported once it has lasted ``min_duration_s``.
A tendu (a foot sliding away) ends it. This module summarises one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import numpy as np

from turnout.measure.measures import SIDES
from turnout.practice.baseline import REL_FLEXION
from turnout.practice.flags import Flag, worst_severity
from turnout.practice.reps import Worst, signed_worst

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
    #: each foot's direction on the floor from the picture (degrees out from facing the camera; camera model
    #: from her standing, turnout.practice.picture); nan where not measured
    left_foot_direction_deg: float = math.nan
    right_foot_direction_deg: float = math.nan

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
                value = data.get(name, None)
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
