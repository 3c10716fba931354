"""One plié, summarised: its phases and times, depth, turnout, alignment, tempo and asymmetry.

The frames of a rep (rows of measurements with the baseline applied, see
:func:`turnout.practice.baseline.apply_baseline`) are collected in :class:`RepFrames`; :func:`summarize`
turns them into a :class:`RepSummary`. The same function summarises a rep in progress (for live cues).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final

import numpy as np

from turnout.measure.measures import MODE_COLUMN, SIDES, Mode, mode_of
from turnout.practice.baseline import HEEL_LIFT, REL_FLEXION
from turnout.practice.flags import Flag, worst_severity
from turnout.practice.picture import FOOT_TWICE_DEG, KNEE_MEDIAN_ERR_DEG
from turnout.settings import FlagSettings, Settings

#: Row keys a rep keeps per frame.
KEYS: Final = (
    *REL_FLEXION.values(),
    *HEEL_LIFT.values(),
    *(f"{s}_{n}" for s in SIDES for n in ("foot_turnout_deg", "knee_turnout_deg", "forced_turnout_deg")),
    *(f"{s}_knee_over_toe_offset_m" for s in SIDES),
    "pelvis_level_m",
    "torso_lean_deg",
    "weight_shift_m",
    MODE_COLUMN,
)

#: A knee's reading is "inside" only when every camera of the prior reads it inside by more than this (degrees): the
#: knee verdict's median error on the studio (``picture.KNEE_MEDIAN_ERR_DEG``; docs/thresholds.md).
KNEE_RANGE_MARGIN_DEG: Final = KNEE_MEDIAN_ERR_DEG
#: A knee reading's range wider than this (degrees) is said as a range, not one number; degrees are said rounded to
#: :data:`ROUND_DEG` (as the self-check says them, ``turnout.practice.selfcheck``).
WIDE_RANGE_DEG: Final = 10.0
ROUND_DEG: Final = 5


def _round5(x: float) -> int:
    return int(ROUND_DEG * round(x / ROUND_DEG))


def _nan(x: float | None) -> float:
    return math.nan if x is None else float(x)


def _json_num(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x


@dataclass(frozen=True, slots=True)
class SideRepStats:
    """One leg during one rep. Angles in degrees, lengths in metres; ``nan`` where not measured."""

    max_flexion_deg: float = math.nan
    foot_turnout_mean_deg: float = math.nan
    #: at the start of the descent (her standing turnout)
    foot_turnout_start_deg: float = math.nan
    #: bottom minus start: positive when the feet open (roll in) on the way down
    foot_turnout_change_deg: float = math.nan
    knee_turnout_bottom_deg: float = math.nan
    forced_turnout_bottom_deg: float = math.nan
    #: worst (largest) knee offset inside the line of the foot
    knee_over_toe_worst_m: float = math.nan
    #: highest heel above its standing height
    heel_lift_max_m: float = math.nan
    #: from the picture (turnout.practice.picture): the leg's shortening at the bottom (legs); the knee's and the
    #: foot's directions (degrees out from facing the camera, nominal camera); the knee against its foot
    #: (negative: the knee points inside its foot) and that difference's range over the camera prior
    leg_shortening: float = math.nan
    knee_direction_deg: float = math.nan
    foot_direction_deg: float = math.nan
    knee_vs_foot_deg: float = math.nan
    knee_vs_foot_low_deg: float = math.nan
    knee_vs_foot_high_deg: float = math.nan
    #: the planted foot read at the bottom minus read standing (picture.knee_verdict): beyond picture.FOOT_TWICE_DEG
    #: the pose model's points were not on the foot, which is then not read (no degrees, no "inside")
    foot_twice_deg: float = math.nan


@dataclass(frozen=True, slots=True)
class RepSummary:
    index: int
    #: "demi" or "grand"
    kind: str
    t_start_s: float
    t_bottom_start_s: float
    t_bottom_end_s: float
    t_end_s: float
    #: deepest knee flexion relative to standing, mean of both knees
    depth_deg: float
    left: SideRepStats
    right: SideRepStats
    #: left hip height minus right, signed, at its worst
    pelvis_level_worst_m: float = math.nan
    torso_lean_worst_deg: float = math.nan
    #: the same against their values at the start of the rep (what the flags judge: MediaPipe reads a
    #: standing torso as leaning by several degrees, so only the change during the rep is trusted)
    pelvis_level_change_m: float = math.nan
    torso_lean_change_deg: float = math.nan
    weight_shift_worst_m: float = math.nan
    n_frames: int = 0
    flags: tuple[Flag, ...] = field(default=())
    #: share of the rep's measured frames that were floor-calibrated (nan: not known, an older session)
    floor_calibrated_fraction: float = math.nan
    #: the middle of the bottom (the deepest hips), and the hips' drop there in legs (her standing hip-to-toe
    #: height in the picture): what the rep was found on
    t_bottom_s: float = math.nan
    hip_drop: float = math.nan
    #: a knee pointing further inside its foot than this is "inside" (flags.knees_inside_toes.warn when it was found)
    knee_inside_limit_deg: float = math.nan
    #: and, for "inside", the least-inside end of the reading's range (every camera of the prior) inside by more than
    #: this (:data:`KNEE_RANGE_MARGIN_DEG` when it was found; nan for a rep judged before 2026-12: not required)
    knee_inside_margin_deg: float = math.nan

    def knees(self) -> dict[str, str | None]:
        """Per leg "over" (the knee travels over or outside its foot) or "inside", None where not measured.
        "inside": the nominal reading more than :attr:`knee_inside_limit_deg` inside its foot and, where
        :attr:`knee_inside_margin_deg` is set, the least-inside end of its range inside by more than that margin (a
        reading that only some cameras of the prior put inside is not certain enough to say so). A knee with a range
        but no reading (its forward travel hidden: it went mostly sideways, ``picture.SHANK_P95``), or read against a
        foot whose points are not a foot's (:meth:`foot_read`), is "over" when even the most inward end of its range
        is not inside by the limit, else not measured: never "inside"."""
        out: dict[str, str | None] = {}
        for s in SIDES:
            st = self.side(s)
            rel = st.knee_vs_foot_deg
            limit = self.knee_inside_limit_deg if math.isfinite(self.knee_inside_limit_deg) else 6.0
            margin = self.knee_inside_margin_deg
            sure = not math.isfinite(margin) or st.knee_vs_foot_high_deg < -margin  # (nan: no range, not sure)
            if not math.isfinite(rel) or not self.foot_read(s):
                low = st.knee_vs_foot_low_deg
                out[s] = "over" if math.isfinite(low) and low >= -limit else None
                continue
            out[s] = "inside" if rel < -limit and sure else "over"
        return out

    def foot_read(self, side: str) -> bool:
        """Whether the knee's foot was read as a foot: its points where the pose model puts them on a visible foot
        (``picture.foot_points_fit``; ``foot_direction_deg`` is then set). Where they are not (trousers over the
        heel, a sock the colour of the floor), the knee against that foot is still read through the same points, but
        its error was never measured end to end (the studio's feet all fit), so no "inside" and no flag comes from it
        (a rendered man in leggings, camera 0.6 m up and 2.3 m away: parallel feet, a knee read 23 degrees inside).
        Reps judged before 2026-12 (no :attr:`knee_inside_margin_deg`) kept no such record: read."""
        return not math.isfinite(self.knee_inside_margin_deg) or math.isfinite(self.side(side).foot_direction_deg)

    def knee_words(self, side: str) -> str:
        """The knee against its foot in a dancer's words: "left knee inside your foot", "left knee over your foot"
        (the verdict; :meth:`knee_inside_words` gives the degrees)."""
        verdict = self.knees().get(side)
        if verdict is None:
            return f"{side} knee not measured" + (" (its foot was hidden)" if self.foot_hidden(side) else "")
        return f"{side} knee {'inside' if verdict == 'inside' else 'over'} your foot"

    def foot_hidden(self, side: str) -> bool:
        """The planted foot read standing and at the bottom further apart than a visible foot reads
        (``picture.FOOT_TWICE_DEG``): the pose model's points were on something over the foot (trousers to the
        floor), so the foot was not read, in degrees or against its knee."""
        return abs(self.side(side).foot_twice_deg) > FOOT_TWICE_DEG

    def knee_inside_words(self, side: str) -> str:
        """How far a knee points inside its foot, in a dancer's words with the precision the reading has: "left
        knee about 25 degrees inside your foot" (the nominal reading rounded to :data:`ROUND_DEG`); where the
        reading's range over the camera prior is wider than :data:`WIDE_RANGE_DEG`, that range ("left knee 10 to 30
        degrees inside your foot", or "more than 10 degrees" when its far end is not known)."""
        st = self.side(side)
        n = -st.knee_vs_foot_deg
        if not math.isfinite(n):
            return f"{side} knee not measured"
        lo, hi = -st.knee_vs_foot_high_deg, -st.knee_vs_foot_low_deg
        if math.isfinite(lo) and not math.isfinite(hi):
            return f"{side} knee more than {max(_round5(lo), ROUND_DEG)} degrees inside your foot"
        if math.isfinite(lo) and math.isfinite(hi) and hi - lo > WIDE_RANGE_DEG:
            a, b = max(_round5(lo), 0), max(_round5(hi), ROUND_DEG)
            if a > 0 and b > a:
                return f"{side} knee {a} to {b} degrees inside your foot"
            return f"{side} knee up to {b} degrees inside your foot"
        return f"{side} knee about {max(_round5(n), ROUND_DEG)} degrees inside your foot"

    @property
    def mode(self) -> Mode | None:
        """Which mode measured the rep (most of its frames); None when not known."""
        return mode_of(self.floor_calibrated_fraction)

    def side(self, side: str) -> SideRepStats:
        if side == "left":
            return self.left
        if side == "right":
            return self.right
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")

    @property
    def descent_s(self) -> float:
        return self.t_bottom_start_s - self.t_start_s

    @property
    def bottom_s(self) -> float:
        return self.t_bottom_end_s - self.t_bottom_start_s

    @property
    def ascent_s(self) -> float:
        return self.t_end_s - self.t_bottom_end_s

    @property
    def duration_s(self) -> float:
        return self.t_end_s - self.t_start_s

    @property
    def descent_deg_per_s(self) -> float:
        return self.depth_deg / self.descent_s if self.descent_s > 0 else math.nan

    @property
    def ascent_deg_per_s(self) -> float:
        return self.depth_deg / self.ascent_s if self.ascent_s > 0 else math.nan

    def asymmetry(self) -> dict[str, float]:
        """Left minus right of the per-side numbers that should match."""
        return {
            "flexion_deg": self.left.max_flexion_deg - self.right.max_flexion_deg,
            "foot_turnout_deg": self.left.foot_turnout_mean_deg - self.right.foot_turnout_mean_deg,
            "knee_turnout_deg": self.left.knee_turnout_bottom_deg - self.right.knee_turnout_bottom_deg,
        }

    @property
    def worst_severity(self) -> str | None:
        return worst_severity(self.flags)

    def with_flags(self, flags: tuple[Flag, ...]) -> RepSummary:
        return replace(self, flags=flags)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: fields, derived timings and asymmetry; ``nan`` as ``None``."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k not in ("left", "right", "flags")}
        d["left"] = asdict(self.left)
        d["right"] = asdict(self.right)
        d["flags"] = [f.to_dict() for f in self.flags]
        for name in (
            "descent_s",
            "bottom_s",
            "ascent_s",
            "duration_s",
            "descent_deg_per_s",
            "ascent_deg_per_s",
        ):
            d[name] = getattr(self, name)
        d["asymmetry"] = self.asymmetry()
        d["mode"] = None if self.mode is None else str(self.mode)
        return _clean(d)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RepSummary:
        sides = {s: SideRepStats(**{k: _nan(data[s].get(k)) for k in SideRepStats.__dataclass_fields__}) for s in SIDES}
        kwargs: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name in ("left", "right"):
                kwargs[name] = sides[name]
            elif name == "flags":
                kwargs[name] = tuple(Flag.from_dict(f) for f in data.get("flags", ()))
            elif name in ("index", "n_frames"):
                kwargs[name] = int(data.get(name, 0))
            elif name == "kind":
                kwargs[name] = str(data[name])
            else:
                kwargs[name] = _nan(data.get(name))
        return cls(**kwargs)


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return _json_num(obj)


class RepFrames:
    """The frames of one rep, appended as they come; the columns of :data:`KEYS`."""

    def __init__(self) -> None:
        self.t: list[float] = []
        self._rows: list[tuple[float, ...]] = []

    def __len__(self) -> int:
        return len(self.t)

    def append(self, t_s: float, row: Mapping[str, float]) -> None:
        self.t.append(t_s)
        self._rows.append(tuple(float(row.get(k, math.nan)) for k in KEYS))

    def arrays(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        data = np.array(self._rows, dtype=np.float64).reshape(-1, len(KEYS))
        return np.array(self.t, dtype=np.float64), {k: data[:, i] for i, k in enumerate(KEYS)}


def robust_worst(values: np.ndarray, percentile: float, min_frames: int) -> float:
    """A worst value that needs ``min_frames`` frames and ``100 - percentile`` % of frames to reach it."""
    a = np.sort(values[np.isfinite(values)])
    n = a.size
    if n < min_frames:
        return math.nan
    pos = (n - 1) * percentile / 100.0  # linear interpolation, as numpy.percentile's default
    lo = int(pos)
    pct = float(a[lo] + (a[min(lo + 1, n - 1)] - a[lo]) * (pos - lo))
    return min(pct, float(a[n - min_frames]))


def moving_median(t: np.ndarray, values: np.ndarray, window_s: float) -> np.ndarray:
    """Centred running median over about ``window_s`` (an odd number of frames, edges shortened)."""
    if t.size < 3 or window_s <= 0:
        return values
    dt = float(np.median(np.diff(t)))
    k = max(1, round(window_s / dt)) if dt > 0 else 1
    k += 1 - k % 2
    if k < 3:
        return values
    padded = np.pad(np.asarray(values, dtype=np.float64), k // 2, constant_values=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-nan windows give nan, as they should
        return np.asarray(np.nanmedian(np.lib.stride_tricks.sliding_window_view(padded, k), axis=1))


@dataclass(frozen=True, slots=True)
class Worst:
    """How the worst of a rep or hold is taken: a running median over ``smooth_s`` removes frame noise, then
    :func:`robust_worst` ignores glitches shorter than ``min_frames`` frames or ``100 - percentile`` %."""

    percentile: float = 95.0
    min_frames: int = 3
    smooth_s: float = 0.2

    @classmethod
    def from_settings(cls, flags: FlagSettings) -> Worst:
        return cls(flags.worst_percentile, flags.min_frames, flags.smooth_s)

    def __call__(self, t: np.ndarray, values: np.ndarray) -> float:
        return robust_worst(moving_median(t, values, self.smooth_s), self.percentile, self.min_frames)


def signed_worst(worst: Worst, t: np.ndarray, values: np.ndarray) -> float:
    """The worst magnitude of ``values``, with the sign of their median."""
    magnitude, med = worst(t, np.abs(values)), _median(values)
    return math.copysign(magnitude, med) if math.isfinite(med) else magnitude


def _median(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else math.nan


def _max(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.max(finite)) if finite.size else math.nan


def _mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.mean(finite)) if finite.size else math.nan


def flexion_of(cols: Mapping[str, np.ndarray]) -> np.ndarray:
    """The plié's knee flexion per frame: mean of both knees relative to standing."""
    return np.asarray((cols[REL_FLEXION["left"]] + cols[REL_FLEXION["right"]]) / 2.0)


def bottom_mask(flexion: np.ndarray, band_fraction: float) -> np.ndarray:
    """Frames near the deepest point: within ``band_fraction`` of the peak (at least 2 degrees)."""
    finite = np.where(np.isfinite(flexion), flexion, -np.inf)
    peak = float(np.max(finite)) if finite.size else math.nan
    return np.asarray(finite >= peak - max(band_fraction * peak, 2.0))


def _smooth(x: np.ndarray, width: int = 5) -> np.ndarray:
    kernel = np.ones(min(width, max(x.size, 1)))
    return np.asarray(np.convolve(x, kernel, "same") / np.convolve(np.ones_like(x), kernel, "same"))


def standing_onset(gates: np.ndarray, end_deg: float) -> tuple[int, float]:
    """Where a descent began, and the level that counts as standing again.

    ``gates``: the smaller knee's relative flexion over recent frames, oldest first, ending with the frame that
    crossed the start threshold. Standing is the median of the frames below ``end_deg``, give or take three
    robust SDs (at least 1.5 degrees); the descent began at the last (smoothed) frame still at that level.
    """
    standing = gates[gates < end_deg]
    if standing.size >= 3:
        level = float(np.median(standing))
        tol = max(1.5, 3.0 * 1.4826 * float(np.median(np.abs(standing - level))))
    else:
        level, tol = end_deg, 0.0
    smooth = _smooth(gates)
    below = np.flatnonzero(smooth[:-1] <= level + tol)
    return (int(below[-1]) if below.size else 0), min(level + tol, end_deg)


def summarize(index: int, t: np.ndarray, cols: Mapping[str, np.ndarray], settings: Settings) -> RepSummary:
    """The summary of a rep (or the rep so far) from its frames; no flags."""
    rs, fs = settings.reps, settings.flags
    flex = flexion_of(cols)
    bottom = bottom_mask(flex, rs.bottom_band_fraction)
    idx = np.flatnonzero(bottom)
    if idx.size == 0:  # no 3D flexion measured: the whole rep
        idx = np.arange(t.size)
    start = t <= t[0] + rs.edge_s
    worst = Worst.from_settings(fs)

    def side_stats(side: str) -> SideRepStats:
        foot = cols[f"{side}_foot_turnout_deg"]
        foot_start = _median(foot[start])
        return SideRepStats(
            max_flexion_deg=_max(cols[REL_FLEXION[side]]),
            foot_turnout_mean_deg=_mean(foot),
            foot_turnout_start_deg=foot_start,
            foot_turnout_change_deg=_median(foot[bottom]) - foot_start,
            knee_turnout_bottom_deg=_median(cols[f"{side}_knee_turnout_deg"][bottom]),
            forced_turnout_bottom_deg=_median(cols[f"{side}_forced_turnout_deg"][bottom]),
            knee_over_toe_worst_m=worst(t, cols[f"{side}_knee_over_toe_offset_m"]),
            heel_lift_max_m=worst(t, cols[HEEL_LIFT[side]]),
        )

    depth = _max(flex)
    depth = depth if math.isfinite(depth) else 0.0
    pelvis, torso = cols["pelvis_level_m"], np.abs(cols["torso_lean_deg"])
    return RepSummary(
        index=index,
        kind="demi",  # the tracker decides the kind from the hip drop
        t_start_s=float(t[0]),
        t_bottom_start_s=float(t[idx[0]]),
        t_bottom_end_s=float(t[idx[-1]]),
        t_end_s=float(t[-1]),
        depth_deg=depth,
        left=side_stats("left"),
        right=side_stats("right"),
        pelvis_level_worst_m=signed_worst(worst, t, pelvis),
        torso_lean_worst_deg=worst(t, torso),
        pelvis_level_change_m=signed_worst(worst, t, pelvis - _median(pelvis[start])),
        torso_lean_change_deg=worst(t, torso - _median(torso[start])),
        weight_shift_worst_m=worst(t, np.abs(cols["weight_shift_m"])),
        n_frames=int(t.size),
        floor_calibrated_fraction=_mean(cols[MODE_COLUMN]),
    )
