"""Pliés from the picture: a dip of the hips below her standing height, followed from its start to its end.

:class:`PlieDetector` follows one episode at a time (the frames' drops come from the tracker's rolling standing
reference, frozen during a plié), finds its start, phases and end, decides whether it is a plié or why not (depth,
duration, relevé, each leg's status, feet that moved, facing), and summarises it with its knees against its feet
(``turnout.practice.picture``). :class:`turnout.practice.tracker.PracticeTracker` feeds it and coordinates it with
the reference and the holds (docs/thresholds.md, "Pliés").
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np

from turnout.measure.image import FRONT
from turnout.measure.measures import SIDES
from turnout.practice.baseline import Baseline, apply_baseline
from turnout.practice.hip import HipTurnout
from turnout.practice.judge import rep_flags
from turnout.practice.picture import (
    LEGS_OVERLAP,
    MEDIAPIPE,
    KneeVerdict,
    facing_deg,
    front_foot,
    knee_verdict,
    lens_span_px,
)
from turnout.practice.reps import KNEE_RANGE_MARGIN_DEG, RepFrames, RepSummary, summarize
from turnout.settings import Settings

#: Facing codes whose pliés are counted (``turnout.measure.image``): front, three-quarter and side-on (her hips and
#: floor line are read from any side but behind); her knees are judged from the front only (``FRONT``).
FACING_OK: Final = (1.0, 2.0, 3.0)
#: Longest look back for where a descent began.
ONSET_LOOKBACK_S: Final = 3.0
#: A knee's standing offset lies within this many robust standard deviations (its noise band).
KNEE_SIGMAS: Final = 3.0
#: Longest wait, once the hips are back above a rep's end level, for them to settle within her standing noise band.
SETTLE_S: Final = 1.0
#: A knee out of its standing band at a rep's end is still on its way back when it is nearer its place than this long
#: before (a few frames at 15-30 fps: longer than one frame's jitter, shorter than the last straightening).
KNEE_RETURN_S: Final = 0.2
#: A knee's bend shows in the picture when at a plié's bottom it is this many of its noise bands (``KNEE_SIGMAS``)
#: past its standing bend: a turned-out knee bends across the camera's view and reads 28-96 degrees past its standing
#: on the studio's pliés, against bands of 1.0-2.4; a parallel knee bends toward the camera and reads -2 to 0. Any
#: multiple from 3 to 10 splits them alike (rep ends unchanged).
KNEE_BEND_SHOWS: Final = 5.0
#: The least noise band of a knee's picture bend (degrees): a still knee's bend reads within a degree or two.
BEND_BAND_MIN_DEG: Final = 1.0
#: Hips this long within the bottom band of their deepest are at the bottom (a held low plié), before they rise.
BOTTOM_STILL_S: Final = 0.5
#: Her silhouette reaching this far outward from her ankles (legs, both legs' mean; ``turnout.pose.people.hem_reach``,
#: the rows' ``{side}_hem_reach_legs``): trousers hang over her heels, and the pose model's heel point lies on the
#: cloth, which reads the feet badly (the studio's flared trousers: median 18.6 degrees off, the range holding the
#: truth on 45 % of frames, a correct second position flagged). Standing, 103 studio recordings without such
#: trousers read 0.033-0.061, simple_step 0.064; the eight flared renders 0.084-0.131, the real teacher in flared
#: trousers 0.096-0.106 (``scripts/hem_study.py``; docs/measurements.md). Her feet are then not read in degrees and
#: her knees are not judged "inside" (``RepSummary.foot_read``).
HEM_LEGS: Final = 0.075


def hem_hides_feet(frames: Sequence[_Frame]) -> bool:
    """Whether trousers hide her heels over ``frames`` (her standing): the median of her legs' mean hem reach
    where it was measured is :data:`HEM_LEGS` or more; False where it was not measured."""
    reach = [(_f(f.row, "left_hem_reach_legs") + _f(f.row, "right_hem_reach_legs")) / 2 for f in frames if f.ok]
    reach = [r for r in reach if math.isfinite(r)]
    return bool(reach) and float(np.median(reach)) >= HEM_LEGS


#: A plié's bottom (its time) is the middle of the frames around its deepest where the hips are down this fraction of
#: the depth or more: the lowest fifth of the dip. Still at the bottom, the pose model's hip point keeps sinking a
#: little (real ballet_plie: 0.072 to 0.089 legs over its 0.5 s plateau, picture frames 114-127), so the deepest
#: frame and the frames within ``reps.bottom_band`` of it sit at the plateau's end: the bottom read 0.16 s after the
#: label, 0.38 s slowed to half speed. A level relative to the depth spans the whole dwell, whatever the depth, and
#: is crossed where the hips still move, both sides alike (docs/thresholds.md, "A plié").
BOTTOM_LEVEL: Final = 0.8
#: The standing picture of each leg before a plié: the frames of the last half second before it (the floor line).
STANDING_S: Final = 0.5
#: The standing feet and shanks for the knee's direction against its foot: medians over up to this long before
#: the plié (a foot's direction hangs on a few pixels of its picture: 1 px of the ankle is about 4 degrees).
FEET_S: Final = 3.0


@dataclass(frozen=True, slots=True)
class RepStarted:
    t_s: float
    index: int
    #: when the descent began (before the start threshold was crossed)
    t_start_s: float


@dataclass(frozen=True, slots=True)
class RepPhase:
    t_s: float
    index: int
    #: "descent", "bottom" or "ascent"
    phase: str


@dataclass(frozen=True, slots=True)
class RepEnded:
    t_s: float
    rep: RepSummary


@dataclass(frozen=True, slots=True)
class RepDiscarded:
    t_s: float
    index: int
    reason: str


PlieEvent = RepStarted | RepPhase | RepEnded | RepDiscarded


def _f(row: Mapping[str, float], key: str) -> float:
    return float(row.get(key, math.nan))


def row_span_px(row: Mapping[str, float]) -> float:
    """The picture's long side of a row (``picture.lens_span_px`` of its ``frame_width_px`` and ``frame_height_px``):
    what the camera model's field of view spans."""
    return lens_span_px(_f(row, "frame_width_px"), _f(row, "frame_height_px"))


@dataclass(slots=True)
class _Frame:
    """One frame as the detectors see it."""

    t: float
    row: dict[str, float]
    ok: bool
    h: float = math.nan
    hip_y: float = math.nan
    floor_y: float = math.nan
    leg: tuple[float, float] = (math.nan, math.nan)
    gap: tuple[float, float] = (math.nan, math.nan)
    merged: bool = False
    releve: bool = False
    #: the standing reference and the legs' standing lengths in force for this frame
    ref: float = math.nan
    leg_ref: tuple[float, float] = (math.nan, math.nan)
    drop: float = math.nan
    #: her standing noise band in force (legs): a drop within it is standing (the tracker's reference)
    band: float = math.nan

    def point(self, side: str, name: str) -> tuple[float, float]:
        return (_f(self.row, f"{side}_{name}_x_px"), _f(self.row, f"{side}_{name}_y_px"))

    @property
    def facing(self) -> float:
        return _f(self.row, "facing_code")


def _frame(t_s: float, row: Mapping[str, float], ok: bool) -> _Frame:
    fr = _Frame(t_s, dict(row), ok)
    fr.h = _f(row, "hip_height_px")
    fr.hip_y = _f(row, "hip_y_px")
    fr.floor_y = _f(row, "floor_y_px")
    fr.leg = (_f(row, "left_leg_px"), _f(row, "right_leg_px"))
    fr.gap = tuple(_f(row, f"{s}_toe_y_px") - _f(row, f"{s}_ankle_y_px") for s in SIDES)  # type: ignore[assignment]
    return fr


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _median(values: Iterable[float]) -> float:
    a = np.array([v for v in values if math.isfinite(v)], dtype=np.float64)
    return float(np.median(a)) if a.size else math.nan


def _facing(frames: Sequence[_Frame]) -> float:
    """Her facing over ``frames`` (:func:`turnout.practice.picture.facing_deg` of the medians of her face's and
    shoulders' turn): the feet's and knees' directions are taken against it."""
    return facing_deg(
        _median(_f(f.row, "face_yaw_deg") for f in frames), _median(_f(f.row, "shoulders_yaw_deg") for f in frames)
    )


def _bands(standing: Sequence[_Frame], column: str, scale: float, least: float) -> dict[str, tuple[float, float]]:
    """Each knee's standing value of ``{side}_{column}`` (divided by ``scale``: the median over ``standing``) and its
    noise band (:data:`KNEE_SIGMAS` robust standard deviations, at least ``least``); a knee seen on fewer than 5 of
    them is left out."""
    out = {}
    for side in SIDES:
        seen = noise_band(np.array([_f(f.row, f"{side}_{column}") for f in standing]) / scale)
        if seen is not None:
            out[side] = (seen[0], max(seen[1], least))
    return out


def noise_band(values: np.ndarray) -> tuple[float, float] | None:
    """The median of ``values`` and their noise band, :data:`KNEE_SIGMAS` robust standard deviations (1.4826 median
    absolute deviations); ``None`` with fewer than 5 finite values."""
    still = values[np.isfinite(values)]
    if still.size < 5:
        return None
    mid = float(np.median(still))
    return mid, KNEE_SIGMAS * 1.4826 * float(np.median(np.abs(still - mid)))


def _knee_bands(standing: Sequence[_Frame], ref: float, least: float) -> dict[str, tuple[float, float]]:
    """Each knee's standing place (the median of its sideways offset from its ankle in the picture, legs) and its
    noise band, at least ``least`` (the hips' band) (:func:`_bands`)."""
    return _bands(standing, "knee_side_px", ref, least)


def _drops(frames: Sequence[_Frame]) -> np.ndarray:
    """Each frame's hip drop (legs); a frame whose drop is not known reads a leg above standing: not down."""
    return np.array([f.drop if math.isfinite(f.drop) else -1.0 for f in frames])


def _dwell_middle(drops: np.ndarray, deepest: int, level: float) -> int:
    """The middle of the run of frames around ``deepest`` whose drop is ``level`` or more (a frame whose drop is not
    known ends the run)."""
    lo = hi = deepest
    while lo > 0 and drops[lo - 1] >= level:
        lo -= 1
    while hi < len(drops) - 1 and drops[hi + 1] >= level:
        hi += 1
    return int(round((lo + hi) / 2))


def onset_index(frames: Sequence[_Frame], drops: np.ndarray, s0: int, band: float, ref: float) -> int:
    """Where a plié began, before frame ``s0`` (where the hips pass the rep's end level): the last frame within her
    standing noise ``band`` (legs; ``ref``: her standing reference, px), of the hips and of each knee. The hips' drop
    grows as the square of the bend, so a knee travelling sideways over its foot (its offset from its ankle in the
    picture) leaves its standing place first; a knee counts when it is out of its own band at ``s0`` (its band: three
    robust standard deviations of its standing offset, at least the hips' band), back to where it left its place, and
    never into a relevé (hips above the band, or heels up). A hold that a plié ends ends here too
    (``turnout.practice.tracker``)."""
    onset = s0
    while onset > 0 and drops[onset] > band:
        onset -= 1
    # her standing: hips within the band either way (above it is a relevé), flat feet, distinct feet
    standing = [f for f in frames[: onset + 1] if abs(f.drop) <= band and not (f.releve or f.merged)]
    for side, (mid, knee_band) in _knee_bands(standing, ref, band).items():
        side_px = np.array([_f(f.row, f"{side}_knee_side_px") for f in frames]) / ref
        away = np.abs(side_px - mid) > knee_band  # nan (not seen) is not away
        k = s0
        while k > 0 and away[k] and frames[k - 1].drop >= -band and not frames[k - 1].releve:
            k -= 1
        if k < s0:
            onset = min(onset, k)
    return onset


def _bend_bands(standing: Sequence[_Frame], least: float) -> dict[str, tuple[float, float]]:
    """Each knee's standing bend in the picture (``{side}_knee_bend_img_deg``, degrees) and its noise band, at least
    ``least`` degrees (:func:`_bands`)."""
    return _bands(standing, "knee_bend_img_deg", 1.0, least)


def _median_point(frames: Sequence[_Frame], side: str, name: str) -> tuple[float, float]:
    pts = [f.point(side, name) for f in frames]
    return (_median(p[0] for p in pts), _median(p[1] for p in pts))


@dataclass(slots=True)
class _Episode:
    """A dip of the hips below standing, being followed."""

    frames: list[_Frame]
    ref: float
    leg_ref: tuple[float, float]
    floor_y: float
    #: her standing noise band, frozen with the reference (legs)
    band: float = 0.0
    rising: bool = False
    phase: str = "descent"
    last_ok: float = math.nan
    #: the first frame back above the rep's end level; from then on, the hips settle back to standing
    crossed: int | None = None
    #: the first frame since ``crossed`` with the hips back within her standing noise band
    home: int | None = None
    #: each knee's standing place and noise band before the plié (:func:`_knee_bands`)
    knees: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: each knee's standing bend in the picture and its noise band before the plié (:func:`_bend_bands`)
    bends: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: whether both knees' bends showed in the picture (:data:`KNEE_BEND_SHOWS`), decided once the hips crossed back
    bends_show: bool | None = None


class PlieDetector:
    """Pliés, one episode at a time, from frames whose drop the tracker has set (see :meth:`drop`)."""

    def __init__(self, settings: Settings, history: deque[_Frame]) -> None:
        self.settings = settings
        #: the tracker's recent frames (read only here)
        self._history = history
        self._ep: _Episode | None = None
        self._last_rep_end = -math.inf
        #: where the last counted plié ended (its frames are not standing for the next)
        self._prev_rep_end = -math.inf
        self._rearm = False
        #: set when a dip starts: where a hold in progress ends (where the hips began to go down)
        self.hold_ends_at: float | None = None
        self.baseline: Baseline | None = None
        self.hip: HipTurnout | None = None
        self.reps: list[RepSummary] = []
        #: (left, right) knee direction (degrees out from facing the camera) at the bottom of each demi-plié
        self.hip_samples: list[tuple[float, float]] = []

    @property
    def episode(self) -> _Episode | None:
        """The dip being followed, if any."""
        return self._ep

    def restart(self) -> None:
        """A stream that starts again from an earlier time: nothing before it holds back the next plié."""
        self._last_rep_end = -math.inf
        self._rearm = False

    def finish(self, t_end: float, baseline: Baseline | None, hip: HipTurnout | None) -> list[PlieEvent]:
        """End of the stream: a rep still going down or at its bottom is discarded, one already back above its
        start level is judged."""
        self.baseline, self.hip = baseline, hip
        if self._ep is None:
            return []
        if self._ep.crossed is not None:
            return self._conclude(t_end, self._ep.crossed, self._settled(self._ep))
        if self._ep.rising:
            return self._conclude(t_end, len(self._ep.frames))
        return [self._discard(t_end, "the recording ended mid-rep")]

    def drop(self, fr: _Frame) -> float:
        """The hips' drop in legs; during a plié against the frozen reference and floor line."""
        if self._ep is not None and math.isfinite(self._ep.floor_y):
            return 1.0 - (self._ep.floor_y - fr.hip_y) / self._ep.ref
        return 1.0 - fr.h / fr.ref if math.isfinite(fr.ref) else math.nan

    def update(self, fr: _Frame, baseline: Baseline | None, hip: HipTurnout | None) -> list[PlieEvent]:
        """One frame (its drop against the reference in force, :meth:`drop`); ``baseline`` and ``hip`` are the
        tracker's, for the rep's summary and flags."""
        self.baseline, self.hip = baseline, hip
        rs = self.settings.reps
        ep = self._ep
        if not fr.ok or not math.isfinite(fr.drop):
            if ep is not None and fr.t - ep.last_ok > rs.max_gap_s:
                if ep.crossed is not None:  # already back up: it ends where it settled before the gap
                    return self._conclude(fr.t, ep.crossed, self._settled(ep))
                return [self._discard(fr.t, f"pose lost for more than {rs.max_gap_s:g} s")]
            return []
        if ep is None:
            if self._rearm:  # after a discarded dip: back to standing before the next
                self._rearm = fr.drop >= rs.end_drop
                return []
            if fr.drop < rs.start_drop:
                return []
            return self._start(fr)
        ep.frames.append(fr)
        ep.last_ok = fr.t
        depth = max(f.drop for f in ep.frames if math.isfinite(f.drop))
        level = max(0.2 * depth, rs.end_drop)
        if ep.crossed is None and fr.drop < level:
            ep.crossed = len(ep.frames) - 1
        if ep.crossed is not None:
            return self._settle(fr, level)
        ep.rising = fr.drop < rs.start_drop
        if fr.t - ep.frames[0].t > rs.max_duration_s:
            return [self._discard(fr.t, f"bent for more than {rs.max_duration_s:g} s: not a plié")]
        return self._phase_events(fr, depth)

    def _phase_events(self, fr: _Frame, depth: float) -> list[PlieEvent]:
        ep = self._ep
        assert ep is not None
        index = len(self.reps) + 1
        band = self.settings.reps.bottom_band
        if (
            ep.phase == "descent"
            and depth >= self.settings.reps.min_drop
            and (fr.drop < depth - band or self._settled_low(ep, depth, band, fr.t))
        ):
            ep.phase = "bottom"
            return [RepPhase(fr.t, index, "bottom")]
        if ep.phase == "bottom" and fr.drop < depth - 2 * band - 0.1 * depth:
            ep.phase = "ascent"
            return [RepPhase(fr.t, index, "ascent")]
        return []

    @staticmethod
    def _settled_low(ep: _Episode, depth: float, band: float, t_s: float) -> bool:
        """Her hips have stayed within ``band`` of their deepest for :data:`BOTTOM_STILL_S` up to ``t_s``: she holds
        the bottom (a held low plié), though they have not begun to rise."""
        span = list(itertools.takewhile(lambda f: f.t >= t_s - BOTTOM_STILL_S, reversed(ep.frames)))
        recent = [f.drop for f in span if math.isfinite(f.drop)]
        return bool(recent) and span[0].t - span[-1].t >= BOTTOM_STILL_S * 0.9 and min(recent) >= depth - band

    def _start(self, fr: _Frame) -> list[PlieEvent]:
        """A dip begins: freeze the reference and the floor line (from the standing frames before it), and look
        back to where the descent began."""
        back: list[_Frame] = []
        for old in reversed(self._history):
            if old.t >= fr.t:  # (a replayed frame: the history already holds what came after it)
                continue
            if not old.ok or old.t <= self._last_rep_end or fr.t - old.t > ONSET_LOOKBACK_S:
                break
            back.append(old)
        back.reverse()
        standing = [f for f in back if math.isfinite(f.drop) and f.drop < self.settings.reps.end_drop]
        recent = [f for f in standing if f.t >= (standing[-1].t - STANDING_S if standing else -math.inf)]
        floor_y = _median(f.floor_y for f in recent) if recent else math.nan
        band = fr.band if math.isfinite(fr.band) else self.settings.reps.end_drop / 2
        self._ep = _Episode([*back, fr], fr.ref, fr.leg_ref, floor_y, band, last_ok=fr.t)
        for f in self._ep.frames:
            f.drop = self.drop(f)
        still = [f for f in back if abs(f.drop) <= band and not (f.releve or f.merged)]
        self._ep.knees = _knee_bands(still, fr.ref, band)
        self._ep.bends = _bend_bands(still, BEND_BAND_MIN_DEG)
        # a hold ends where the plié began: its onset as the rep will take it (:meth:`_onset`, hips or knees leaving
        # their standing noise), so that the hold's end and the rep's start agree
        drops = _drops(self._ep.frames)
        k = self._onset(self._ep.frames, drops, len(drops) - 1)
        self.hold_ends_at = self._ep.frames[k].t if drops[k] <= band else fr.t  # no standing frame: where it is
        index = len(self.reps) + 1
        return [RepStarted(fr.t, index, self._ep.frames[0].t), RepPhase(fr.t, index, "descent")]

    def _discard(self, t_s: float, reason: str) -> RepDiscarded:
        self._ep = None
        self._rearm = True
        self._last_rep_end = t_s
        return RepDiscarded(t_s, len(self.reps) + 1, reason)

    def _settle(self, fr: _Frame, level: float) -> list[PlieEvent]:
        """Back above the rep's end level: the rep ends at the first frame whose hips, and each knee's sideways
        place over its foot, are back within her standing noise bands (the mirror of its onset, :meth:`_onset`: the
        hips' drop goes as the square of the bend, so the knees are still straightening when the hips are back).
        When the knees are not back :data:`SETTLE_S` after the hips, or she goes down again or stays a little bent
        for :data:`SETTLE_S`, it ends where her hips settled (:meth:`_settled`)."""
        ep = self._ep
        assert ep is not None and ep.crossed is not None
        now = len(ep.frames) - 1
        if fr.drop < level and self._knees_straight(ep, fr):
            return self._conclude(fr.t, ep.crossed, now)
        if fr.drop <= ep.band:
            if ep.home is None:
                ep.home = now
            if self._knees_home(ep, fr):
                return self._conclude(fr.t, ep.crossed, now)
            if fr.t - ep.frames[ep.home].t > SETTLE_S:
                return self._conclude(fr.t, ep.crossed, ep.home)
            return []
        if fr.drop >= level or fr.t - ep.frames[ep.crossed].t > SETTLE_S + (0.0 if ep.home is None else SETTLE_S):
            return self._conclude(fr.t, ep.crossed, ep.home if ep.home is not None else self._settled(ep))
        return []

    @staticmethod
    def _knees_straight(ep: _Episode, fr: _Frame) -> bool:
        """Both knees as straight in ``fr`` as she stood (their picture bend within its standing band), where the
        picture shows their bend: each bent more than :data:`KNEE_BEND_SHOWS` bands past its standing before the hips
        crossed back (a turned-out knee bends across the camera's view; a parallel knee, toward the camera, hardly
        shows its bend, and the hips decide). The plié is the knees' bend: her hips may still creep up as she pulls up
        with straight legs (on the real ballet_plie the last 9 px over 0.4 s, which a teacher does not count)."""
        if len(ep.bends) < 2:
            return False
        if ep.bends_show is None:
            assert ep.crossed is not None
            seen = ep.frames[: ep.crossed + 1]
            bend = {side: [_f(f.row, f"{side}_knee_bend_img_deg") for f in seen] for side in ep.bends}
            ep.bends_show = all(
                max((b for b in bend[side] if math.isfinite(b)), default=-math.inf) - mid >= KNEE_BEND_SHOWS * band
                for side, (mid, band) in ep.bends.items()
            )
        return ep.bends_show and all(
            _f(fr.row, f"{side}_knee_bend_img_deg") <= mid + band for side, (mid, band) in ep.bends.items()
        )

    @staticmethod
    def _knees_home(ep: _Episode, fr: _Frame) -> bool:
        """Each knee seen in ``fr`` is back within its standing band (:attr:`_Episode.knees`), or no longer on its
        way back: no nearer its standing place than :data:`KNEE_RETURN_S` before (she settled with a knee a little
        elsewhere: on the real ballet_plie her right knee stood 3 px further out after the plié than before)."""
        prev = next((f for f in reversed(ep.frames) if f.t <= fr.t - KNEE_RETURN_S), None)
        for side, (mid, band) in ep.knees.items():
            v = _f(fr.row, f"{side}_knee_side_px") / ep.ref
            if not (math.isfinite(v) and abs(v - mid) > band):
                continue
            p = _f(prev.row, f"{side}_knee_side_px") / ep.ref if prev is not None else math.nan
            if math.isfinite(p) and abs(v - mid) < abs(p - mid):
                return False  # still travelling back to its place
        return True

    @staticmethod
    def _settled(ep: _Episode) -> int:
        """Where the hips settled after the rep's end level: the first frame since then within the noise band of
        the least drop they reached."""
        assert ep.crossed is not None
        tail = [(k, f.drop) for k, f in enumerate(ep.frames) if k >= ep.crossed and math.isfinite(f.drop)]
        if not tail:
            return ep.crossed
        least = min(d for _, d in tail)
        return next(k for k, d in tail if d <= least + ep.band)

    def _onset(self, frames: list[_Frame], drops: np.ndarray, s0: int) -> int:
        """Where the plié began, before frame ``s0``: :func:`onset_index` with her frozen reference and band."""
        ep = self._ep
        assert ep is not None
        return onset_index(frames, drops, s0, ep.band, ep.ref)

    def _conclude(self, t_s: float, end: int, settled: int | None = None) -> list[PlieEvent]:
        """The dip is over (frame ``end`` is back above its end level; frame ``settled``, if given, is where her
        hips are back at standing): a plié, or why not. Whether it is a plié is decided on the frames before
        ``end``, between where the hips pass the end level on the way down and on the way up; the rep's start is
        its onset, the last frame before that within her standing noise band, and its end the ``settled`` frame
        (else the last frame before ``end``)."""
        ep = self._ep
        assert ep is not None
        rs = self.settings.reps
        frames = ep.frames[: max(end, 1)]
        drops = _drops(frames)
        depth = float(drops.max())
        low = np.flatnonzero(drops >= depth - rs.bottom_band)
        b = int(round((low[0] + low[-1]) / 2))
        level = max(0.2 * depth, rs.end_drop)
        s0 = b
        while s0 > 0 and drops[s0 - 1] >= level:
            s0 -= 1
        why = self._why_not(frames, s0, b, depth)
        if why:
            return [self._discard(t_s, why)]
        onset = self._onset(frames, drops, s0)
        last = settled if settled is not None else len(frames) - 1
        seg = ep.frames[onset : max(last, b) + 1]
        index = len(self.reps) + 1
        mid = _dwell_middle(drops, b, BOTTOM_LEVEL * depth)
        rep = self._summarize(index, seg, b - onset, depth, low - onset, frames[s0].t, mid - onset)
        self._ep = None
        self._last_rep_end = self._prev_rep_end = t_s
        rep = rep.with_flags(rep_flags(rep, self.settings, self.hip))
        self.reps.append(rep)
        if rep.kind == "demi":
            self.hip_samples.append((rep.left.knee_direction_deg, rep.right.knee_direction_deg))
        events: list[PlieEvent] = []
        if ep.phase != "ascent":
            events.append(RepPhase(t_s, index, "ascent"))
        events.append(RepEnded(t_s, rep))
        return events

    def _leg_status(self, frames: list[_Frame], b: int, depth: float, k: int) -> str:
        rs = self.settings.reps
        near = frames[max(0, b - 1) : b + 2]
        if any(f.merged or self._merged(f) for f in near):
            return "unreliable"
        ep = self._ep
        assert ep is not None
        length = _median(f.leg[k] for f in near)
        if not (math.isfinite(length) and math.isfinite(ep.leg_ref[k]) and ep.leg_ref[k] > 0):
            return "unreliable"
        shortening = (ep.leg_ref[k] - length) / ep.ref  # in legs
        if shortening >= rs.leg_agrees * depth:
            return "agrees"
        if shortening < rs.leg_straight * depth:
            return "straight"
        return "weak"

    def _merged(self, fr: _Frame) -> bool:
        """Both feet's points on one shoe (crossed legs): MediaPipe's labels of that leg are not to be trusted."""
        if not math.isfinite(fr.ref):
            return False
        d = min(_dist(fr.point("left", n), fr.point("right", n)) for n in ("toe", "ankle"))
        fr.merged = bool(d < self.settings.reps.feet_merged * fr.ref)
        return fr.merged

    def _why_not(self, frames: list[_Frame], s0: int, b: int, depth: float) -> str:
        rs = self.settings.reps
        ep = self._ep
        assert ep is not None
        why = []
        if depth < rs.min_drop:
            why.append(f"shallow: hips {depth:.0%} of a leg down (a plié needs {rs.min_drop:.0%})")
        duration = frames[-1].t - frames[s0].t
        if duration < rs.min_duration_s:
            why.append(f"too quick: {duration:.2f} s (a plié needs {rs.min_duration_s:g} s)")
        if depth < rs.grand_min_drop and any(f.releve for f in frames[max(0, b - 1) : b + 2]):
            why.append("heels up at the bottom: a relevé, not a plié")
        legs = [self._leg_status(frames, b, depth, k) for k in range(2)]
        if legs == ["unreliable", "unreliable"]:
            pass  # both feet's points on one shoe: neither leg can support or veto; the hips and still feet decide
        elif "agrees" not in legs:
            why.append(f"no leg bends with the hips (left {legs[0]}, right {legs[1]})")
        elif "straight" in legs:
            why.append(f"one leg straight while the other bends (left {legs[0]}, right {legs[1]}): a step")
        pre = frames[max(0, s0 - 1)]
        for side in SIDES:
            anchor = pre.point(side, "toe")
            moved = [_dist(f.point(side, "toe"), anchor) / ep.ref for f in frames[s0 : b + 1] if not self._merged(f)]
            moved = [m for m in moved if math.isfinite(m)]
            if moved and max(moved) > rs.foot_moved:
                why.append(f"{side} foot moved ({max(moved):.0%} of a leg)")
        if frames[b].facing not in FACING_OK:
            why.append("not facing the camera")
        return "; ".join(why)

    def _standing_before(self, t0: float) -> list[_Frame]:
        """Her standing frames of the last :data:`FEET_S` before ``t0`` (after the previous rep), feet where they
        are at ``t0`` (a frame whose toes are elsewhere, before a step, is not her standing for this plié)."""
        rs = self.settings.reps
        frames = [f for f in self._history if f.ok and max(t0 - FEET_S, self._prev_rep_end) <= f.t < t0]
        frames = [f for f in frames if math.isfinite(f.drop) and abs(f.drop) < rs.end_drop and not f.releve]
        if not frames:
            return []
        last = frames[-1]
        limit = self.settings.holds.still * last.ref
        return [f for f in frames if all(_dist(f.point(s, "toe"), last.point(s, "toe")) <= limit for s in SIDES)]

    def _summarize(
        self, index: int, seg: list[_Frame], b: int, depth: float, low: np.ndarray, standing_t: float, mid: int
    ) -> RepSummary:
        """The rep from its frames ``seg``: ``b`` its deepest (the knees are judged there), ``low`` the frames within
        the bottom band (its bottom phase), ``mid`` the frame of its bottom (:data:`BOTTOM_LEVEL`; where the hips sink
        on through a still bottom it can lie before the bottom phase, which is the deepest frames)."""
        rs = self.settings.reps
        ep = self._ep
        assert ep is not None
        frames = RepFrames()
        for f in seg:
            frames.append(f.t, apply_baseline(f.row, self.baseline))
        t, cols = frames.arrays()
        base = summarize(index, t, cols, self.settings)
        lo, hi = max(int(low[0]), 0), max(int(low[-1]), 0)
        standing = self._standing_before(standing_t) or seg[:1]
        hip_y = _median(f.hip_y for f in standing)
        floor_y = ep.floor_y if math.isfinite(ep.floor_y) else _median(f.floor_y for f in standing)
        span = _median(row_span_px(f.row) for f in standing)
        bottom = seg[max(0, b - 1) : b + 2]
        ankles = [_dist(f.point("left", "ankle"), f.point("right", "ankle")) / ep.ref for f in (*standing, *bottom)]
        overlap = not all(math.isfinite(a) and a >= LEGS_OVERLAP for a in ankles)
        # legs crossed (fifth): only the front foot is whole in the picture, and only its knee is judged, if standing
        # and at the bottom agree which foot is in front
        front = None
        if overlap:
            places = ({s: _median_point(fs, s, "ankle") for s in SIDES} for fs in (standing, bottom))
            fronts = {front_foot(p, ep.ref) for p in places}
            front = fronts.pop() if len(fronts) == 1 else None
        # her knees are judged from the front only: turned three-quarter from the camera the picture's knees read 6-31
        # degrees outward of the truth, and side-on no leg is read (docs/measurements.md, "Turned three-quarter",
        # "Pliés side-on"); there her pliés are counted and nothing else
        front_view = all(f.facing == FRONT for f in bottom) and _median(f.facing for f in standing) == FRONT
        hemmed = hem_hides_feet(standing)
        sides = {}
        for k, side in enumerate(SIDES):
            st = (_median_point(standing, side, "knee"), _median_point(standing, side, "ankle"),
                  _median_point(standing, side, "toe"))  # fmt: skip
            bt = (_median_point(bottom, side, "knee"), _median_point(bottom, side, "ankle"))
            verdict = KneeVerdict()
            if front_view and (not overlap or side == front):
                verdict = knee_verdict(
                    hip_y, floor_y, span, st, bt, side,
                    heel=_median_point(standing, side, "heel"), heights=MEDIAPIPE,
                    bottom_foot=(_median_point(bottom, side, "toe"), _median_point(bottom, side, "heel")),
                    bottom_hip_y=_median(f.hip_y for f in bottom), facing=_facing(standing), crossed=overlap,
                    under_hem=hemmed,
                )  # fmt: skip
            length = _median(f.leg[k] for f in bottom)
            sides[side] = replace(
                base.side(side),
                leg_shortening=(ep.leg_ref[k] - length) / ep.ref if math.isfinite(length) else math.nan,
                knee_direction_deg=verdict.knee_deg,
                foot_direction_deg=verdict.foot_deg,
                knee_vs_foot_deg=verdict.rel_deg,
                knee_vs_foot_low_deg=verdict.rel_low_deg,
                knee_vs_foot_high_deg=verdict.rel_high_deg,
                foot_twice_deg=verdict.foot_twice_deg,
            )
        return replace(
            base,
            kind="grand" if depth > rs.grand_min_drop else "demi",
            t_bottom_start_s=seg[lo].t,
            t_bottom_end_s=seg[min(hi, len(seg) - 1)].t,
            t_bottom_s=seg[min(max(mid, 0), len(seg) - 1)].t,
            t_end_s=seg[-1].t,
            hip_drop=depth,
            left=sides["left"],
            right=sides["right"],
            knee_inside_limit_deg=self.settings.flags.knees_inside_toes.warn,
            knee_inside_margin_deg=KNEE_RANGE_MARGIN_DEG,
        )
