"""The practice state machine: reps, holds and flags from a stream of per-frame measurements.

One tracker serves the live camera and offline analysis alike: feed it every frame with
:meth:`PracticeTracker.update` and act on the events it returns; call :meth:`PracticeTracker.finish` at the end.
Offline analysis is :func:`analyze_rows`, a loop over frames.

Pliés are found in the picture (``turnout.measure.image``; docs/thresholds.md, "Pliés"): the hips' drop below her
rolling standing height, in "legs" (her standing hip-to-toe height in the picture). The standing reference is a
high quantile of her flat-footed hip height over the last ``reps.reference_window_s``: nothing waits for a still
baseline, and the frames before the first reference are replayed against it, so the first plié counts. During a
plié the reference and the floor line are frozen (never refitted frame by frame). A dip counts as a plié when it
is deep and long enough, no relevé at its bottom (demi), at least one reliable leg shortens with it and no
reliable leg stays straight, no foot moved, and she faces the camera; legs whose foot points collapse onto one
shoe (crossed legs in fifth) neither support nor veto. Holds need both feet to stay where they are.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np

from turnout.measure.measures import SIDES
from turnout.practice.baseline import Baseline, apply_baseline
from turnout.practice.flags import CODES, Flag
from turnout.practice.hip import HipTurnout, estimate_hip_turnout
from turnout.practice.holds import HoldSummary, summarize_hold, total_turnout
from turnout.practice.judge import hold_flags, rep_flags
from turnout.practice.picture import (
    LEGS_OVERLAP,
    Camera,
    KneeVerdict,
    estimate_camera,
    foot_direction_deg,
    knee_verdict,
)
from turnout.practice.reps import RepFrames, RepSummary, SideRepStats, Worst, summarize
from turnout.settings import Settings

#: Row keys that must be finite for a frame to count: her hip height in the picture.
REQUIRED: Final = ("hip_height_px",)
#: Facing codes that are measured (``turnout.measure.image``): front and three-quarter.
FACING_OK: Final = (1.0, 2.0)
#: Seconds of recent frames kept (the standing reference's window is bounded by ``reps.reference_window_s``).
HISTORY_S: Final = 12.0
#: Longest look back for where a descent began.
ONSET_LOOKBACK_S: Final = 3.0
#: The standing picture of each leg before a plié: the frames of the last half second before it (the floor line).
STANDING_S: Final = 0.5
#: The standing feet and shanks for the knee's direction against its foot: medians over up to this long before
#: the plié (a foot's direction hangs on a few pixels of its picture: 1 px of the ankle is about 4 degrees).
FEET_S: Final = 3.0
#: Quantile of the ankle-above-toe gap taken as its flat-footed value (the lowest it is, robust to outliers).
FLAT_GAP_QUANTILE: Final = 0.1


@dataclass(frozen=True, slots=True)
class BaselineCaptured:
    t_s: float
    baseline: Baseline


@dataclass(frozen=True, slots=True)
class BaselineFailed:
    t_s: float
    reason: str


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


@dataclass(frozen=True, slots=True)
class HoldStarted:
    t_s: float
    index: int
    t_start_s: float


@dataclass(frozen=True, slots=True)
class HoldEnded:
    t_s: float
    hold: HoldSummary


@dataclass(frozen=True, slots=True)
class LiveFlag:
    """A fault seen mid-rep, so the cue can be shown at once. The rep's final flags come with RepEnded."""

    t_s: float
    rep_index: int
    flag: Flag


Event = (
    BaselineCaptured
    | BaselineFailed
    | RepStarted
    | RepPhase
    | RepEnded
    | RepDiscarded
    | HoldStarted
    | HoldEnded
    | LiveFlag
)


def _f(row: Mapping[str, float], key: str) -> float:
    return float(row.get(key, math.nan))


def is_reliable(row: Mapping[str, float], reliable: bool) -> bool:
    """A frame counts when the pose is reliable, her hip height is seen and she faces the camera."""
    h = _f(row, "hip_height_px")
    return reliable and math.isfinite(h) and h > 0 and _f(row, "facing_code") in FACING_OK


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


def _median_point(frames: Sequence[_Frame], side: str, name: str) -> tuple[float, float]:
    pts = [f.point(side, name) for f in frames]
    return (_median(p[0] for p in pts), _median(p[1] for p in pts))


class _Reference:
    """Her rolling standing reference: a high quantile of flat-footed hip height over the last window, each leg's
    standing length likewise, and each ankle's flat-footed height above its toe."""

    def __init__(self, settings: Settings) -> None:
        self.rs = settings.reps
        self._w: deque[tuple[float, float, float, float, float, float, bool]] = deque()

    def clear(self) -> None:
        self._w.clear()

    def releve(self, fr: _Frame, ref: float) -> bool:
        """The ankle risen above its toe by more than ``reps.releve_rise`` legs over its flat value (either foot)."""
        if len(self._w) < 3 or not math.isfinite(ref):
            return False
        for k in range(2):
            gaps = np.array([w[4 + k] for w in self._w], dtype=np.float64)
            gaps = gaps[np.isfinite(gaps)]
            if gaps.size >= 3 and math.isfinite(fr.gap[k]):
                flat = float(np.quantile(gaps, FLAT_GAP_QUANTILE))
                if fr.gap[k] - flat > self.rs.releve_rise * ref:
                    return True
        return False

    def add(self, fr: _Frame) -> None:
        self._w.append((fr.t, fr.h, fr.leg[0], fr.leg[1], fr.gap[0], fr.gap[1], not fr.releve))
        while self._w and fr.t - self._w[0][0] > self.rs.reference_window_s:
            self._w.popleft()

    def value(self) -> tuple[float, tuple[float, float]]:
        """(hip height, (left leg, right leg)) standing, in pixels; nan until ``reps.reference_min_s`` of frames."""
        flat = [w for w in self._w if w[6]]
        if len(flat) < 3 or flat[-1][0] - flat[0][0] < self.rs.reference_min_s:
            return math.nan, (math.nan, math.nan)
        q = self.rs.reference_quantile

        def quant(col: int) -> float:
            a = np.array([w[col] for w in flat], dtype=np.float64)
            a = a[np.isfinite(a)]
            return float(np.quantile(a, q)) if a.size >= 3 else math.nan

        return quant(1), (quant(2), quant(3))


@dataclass(slots=True)
class _Episode:
    """A dip of the hips below standing, being followed."""

    frames: list[_Frame]
    ref: float
    leg_ref: tuple[float, float]
    floor_y: float
    rising: bool = False
    phase: str = "descent"
    last_ok: float = math.nan


class PracticeTracker:
    """Streaming reps, holds and flags. Not thread-safe: call from one thread, in time order."""

    def __init__(self, settings: Settings, baseline: Baseline | None = None, hip: HipTurnout | None = None) -> None:
        self.settings = settings
        #: the standing reference in force (set when the rolling reference is first found; a stored one is kept
        #: as the session's start state, the picture's own reference is used from the first frames)
        self.baseline = baseline
        self.hip = hip
        self._worst = Worst.from_settings(settings.flags)
        self._ref = _Reference(settings)
        self._history: deque[_Frame] = deque()
        self._pending: list[_Frame] = []
        self._has_ref = False
        self._ep: _Episode | None = None
        self._last_rep_end = -math.inf
        #: where the last counted plié ended (its frames are not standing for the next)
        self._prev_rep_end = -math.inf
        self._rearm = False
        self._hold: list[_Frame] = []
        self._hold_anchor: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
        self._hold_started = False
        self._hold_first_position: bool | None = None
        self._hold_last_ok = -math.inf
        self._hold_count = 0
        self.reps: list[RepSummary] = []
        self.holds: list[HoldSummary] = []
        #: (left, right) knee direction (degrees out from facing the camera) at the bottom of each demi-plié
        self.hip_samples: list[tuple[float, float]] = []

    # ---- public -------------------------------------------------------------------------------------

    def request_baseline(self) -> None:
        """The dancer asked to take her standing height again: the rolling reference starts afresh from the next
        frames (and what comes before it is replayed against it)."""
        if self._ep is None:
            self._ref.clear()
            self._has_ref = False
            self.baseline = None

    def session_hip_estimate(self) -> HipTurnout | None:
        """Her knee direction in demi-pliés from this session alone (most recent first)."""
        return estimate_hip_turnout(reversed(self.hip_samples), self.settings.hip)

    def camera(self) -> Camera | None:
        """The camera model from her latest standing (read-only): medians of her hip and floor rows over her
        standing frames (hips within a rep's end level of standing, no relevé) of the last :data:`FEET_S` before
        the latest one; in a plié, those before it (the camera stays fixed through a plié). ``None`` before her
        standing reference is found."""
        rs = self.settings.reps
        frames = [
            f for f in self._history
            if f.ok and math.isfinite(f.drop) and abs(f.drop) < rs.end_drop and not f.releve
        ]  # fmt: skip
        if not frames:
            return None
        frames = [f for f in frames if f.t >= frames[-1].t - FEET_S]
        return estimate_camera(
            _median(f.hip_y for f in frames), _median(f.floor_y for f in frames),
            _median(_f(f.row, "frame_width_px") for f in frames),
        )  # fmt: skip

    def update(self, t_s: float, row: Mapping[str, float], reliable: bool) -> list[Event]:
        events: list[Event] = []
        if self._history and t_s < self._history[-1].t:
            events += self._time_went_back(t_s)
        fr = _frame(t_s, row, is_reliable(row, reliable))
        self._history.append(fr)
        while self._history and t_s - self._history[0].t > HISTORY_S:
            self._history.popleft()
        if not self._has_ref:
            if fr.ok:
                fr.releve = False
                self._ref.add(fr)
            self._pending.append(fr)
            ref, legs = self._ref.value()
            if not math.isfinite(ref):
                return events
            self._has_ref = True
            events += self._set_baseline(t_s, ref, legs)
            pending, self._pending = self._pending, []
            for old in pending:  # what came before the reference is replayed against it
                old.ref, old.leg_ref = ref, legs
                old.drop = 1.0 - old.h / ref if old.ok else math.nan
                events += self._step(old)
            return events
        if fr.ok:
            ref, legs = (self._ep.ref, self._ep.leg_ref) if self._ep is not None else self._ref.value()
            fr.releve = self._ref.releve(fr, ref)
            self._ref.add(fr)
            if self._ep is None:
                ref, legs = self._ref.value()
            fr.ref, fr.leg_ref = ref, legs
            fr.drop = self._drop(fr)
        return events + self._step(fr)

    def finish(self, t_s: float | None = None) -> list[Event]:
        """End of the stream: close an open hold; a rep still going down or at its bottom is discarded, one
        already back above its start level is judged."""
        t_end = t_s if t_s is not None else (self._history[-1].t if self._history else 0.0)
        events: list[Event] = self._close_hold(t_end)
        if self._ep is not None:
            if self._ep.rising:
                events += self._conclude(t_end, len(self._ep.frames))
            else:
                events.append(self._discard(t_end, "the recording ended mid-rep"))
        return events

    # ---- the reference -----------------------------------------------------------------------------

    def _drop(self, fr: _Frame) -> float:
        """The hips' drop in legs; during a plié against the frozen reference and floor line."""
        if self._ep is not None and math.isfinite(self._ep.floor_y):
            return 1.0 - (self._ep.floor_y - fr.hip_y) / self._ep.ref
        return 1.0 - fr.h / fr.ref if math.isfinite(fr.ref) else math.nan

    def _set_baseline(self, t_s: float, ref: float, legs: tuple[float, float]) -> list[Event]:
        frames = [f for f in self._pending if f.ok]
        rows = [f.row for f in frames]

        def med(key: str) -> float:
            return _median(_f(r, key) for r in rows)

        baseline = Baseline(
            med("left_knee_flexion_deg"), med("right_knee_flexion_deg"),
            med("left_foot_turnout_deg"), med("right_foot_turnout_deg"),
            med("left_heel_height_m"), med("right_heel_height_m"),
            t_start_s=frames[0].t if frames else t_s, t_end_s=t_s, n_frames=len(frames), method="rolling",
            left_heel_rise_m=med("left_heel_rise_m"), right_heel_rise_m=med("right_heel_rise_m"),
            hip_height_px=ref, left_leg_px=legs[0], right_leg_px=legs[1],
        )  # fmt: skip
        self.baseline = baseline
        return [BaselineCaptured(t_s, baseline)]

    def _time_went_back(self, t_s: float) -> list[Event]:
        """A stream that starts again from an earlier time: what was in progress ends where it was, and the new
        times start afresh (reps and holds so far are kept)."""
        events = self.finish(self._history[-1].t)
        self._history.clear()
        self._pending = []
        self._ref.clear()
        self._has_ref = False
        self._last_rep_end = -math.inf
        self._rearm = False
        return events

    # ---- one frame through the detectors -------------------------------------------------------------

    def _step(self, fr: _Frame) -> list[Event]:
        events = self._update_rep(fr)
        if self._ep is None:
            events += self._update_hold(fr)
        return events

    # ---- reps -----------------------------------------------------------------------------------------

    def _update_rep(self, fr: _Frame) -> list[Event]:
        rs = self.settings.reps
        ep = self._ep
        if not fr.ok or not math.isfinite(fr.drop):
            if ep is not None and fr.t - ep.last_ok > rs.max_gap_s:
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
        if fr.drop < level:
            return self._conclude(fr.t, len(ep.frames) - 1)
        ep.rising = fr.drop < rs.start_drop
        if fr.t - ep.frames[0].t > rs.max_duration_s:
            return [self._discard(fr.t, f"bent for more than {rs.max_duration_s:g} s: not a plié")]
        return self._phase_events(fr, depth)

    def _phase_events(self, fr: _Frame, depth: float) -> list[Event]:
        ep = self._ep
        assert ep is not None
        index = len(self.reps) + 1
        band = self.settings.reps.bottom_band
        if ep.phase == "descent" and depth >= self.settings.reps.min_drop and fr.drop < depth - band:
            ep.phase = "bottom"
            return [RepPhase(fr.t, index, "bottom")]
        if ep.phase == "bottom" and fr.drop < depth - 2 * band - 0.1 * depth:
            ep.phase = "ascent"
            return [RepPhase(fr.t, index, "ascent")]
        return []

    def _start(self, fr: _Frame) -> list[Event]:
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
        self._ep = _Episode([*back, fr], fr.ref, fr.leg_ref, floor_y, last_ok=fr.t)
        for f in self._ep.frames:
            f.drop = self._drop(f)
        # a hold ends where the hips began to go down (the last frame within half a rep's end level of standing)
        onset = [f.t for f in back if math.isfinite(f.drop) and f.drop < self.settings.reps.end_drop / 2]
        events: list[Event] = self._close_hold(fr.t, before_t=onset[-1] if onset else fr.t)
        index = len(self.reps) + 1
        events += [RepStarted(fr.t, index, self._ep.frames[0].t), RepPhase(fr.t, index, "descent")]
        return events

    def _discard(self, t_s: float, reason: str) -> RepDiscarded:
        self._ep = None
        self._rearm = True
        self._last_rep_end = t_s
        return RepDiscarded(t_s, len(self.reps) + 1, reason)

    def _conclude(self, t_s: float, end: int) -> list[Event]:
        """The dip is over (frame ``end`` is back above its start level): a plié, or why not."""
        ep = self._ep
        assert ep is not None
        rs = self.settings.reps
        frames = ep.frames[: max(end, 1)]
        drops = np.array([f.drop if math.isfinite(f.drop) else -1.0 for f in frames])
        depth = float(drops.max())
        low = np.flatnonzero(drops >= depth - rs.bottom_band)
        b = int(round((low[0] + low[-1]) / 2))
        level = max(0.2 * depth, rs.end_drop)
        s0 = b
        while s0 > 0 and drops[s0 - 1] >= level:
            s0 -= 1
        seg = frames[s0:]
        why = self._why_not(frames, s0, b, depth)
        if why:
            return [self._discard(t_s, why)]
        index = len(self.reps) + 1
        rep = self._summarize(index, seg, b - s0, depth, low - s0)
        self._ep = None
        self._last_rep_end = self._prev_rep_end = t_s
        rep = rep.with_flags(rep_flags(rep, self.settings, self.hip))
        self.reps.append(rep)
        if rep.kind == "demi":
            self.hip_samples.append((rep.left.knee_direction_deg, rep.right.knee_direction_deg))
        events: list[Event] = []
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

    def _summarize(self, index: int, seg: list[_Frame], b: int, depth: float, low: np.ndarray) -> RepSummary:
        rs = self.settings.reps
        ep = self._ep
        assert ep is not None
        frames = RepFrames()
        for f in seg:
            frames.append(f.t, apply_baseline(f.row, self.baseline))
        t, cols = frames.arrays()
        base = summarize(index, t, cols, self.settings)
        lo, hi = max(int(low[0]), 0), max(int(low[-1]), 0)
        standing = self._standing_before(seg[0].t) or seg[:1]
        hip_y = _median(f.hip_y for f in standing)
        floor_y = ep.floor_y if math.isfinite(ep.floor_y) else _median(f.floor_y for f in standing)
        width = _median(_f(f.row, "frame_width_px") for f in standing)
        bottom = seg[max(0, b - 1) : b + 2]
        ankles = [_dist(f.point("left", "ankle"), f.point("right", "ankle")) / ep.ref for f in (*standing, *bottom)]
        overlap = not all(math.isfinite(a) and a >= LEGS_OVERLAP for a in ankles)
        sides = {}
        for k, side in enumerate(SIDES):
            st = (_median_point(standing, side, "knee"), _median_point(standing, side, "ankle"),
                  _median_point(standing, side, "toe"))  # fmt: skip
            bt = (_median_point(bottom, side, "knee"), _median_point(bottom, side, "ankle"))
            verdict = knee_verdict(hip_y, floor_y, width, st, bt, side) if not overlap else KneeVerdict()
            length = _median(f.leg[k] for f in bottom)
            sides[side] = replace(
                base.side(side),
                leg_shortening=(ep.leg_ref[k] - length) / ep.ref if math.isfinite(length) else math.nan,
                knee_direction_deg=verdict.knee_deg,
                foot_direction_deg=verdict.foot_deg,
                knee_vs_foot_deg=verdict.rel_deg,
                knee_vs_foot_low_deg=verdict.rel_low_deg,
                knee_vs_foot_high_deg=verdict.rel_high_deg,
            )
        return replace(
            base,
            kind="grand" if depth > rs.grand_min_drop else "demi",
            t_bottom_start_s=seg[lo].t,
            t_bottom_end_s=seg[min(hi, len(seg) - 1)].t,
            t_bottom_s=seg[b].t,
            t_end_s=seg[-1].t,
            hip_drop=depth,
            left=sides["left"],
            right=sides["right"],
            knee_inside_limit_deg=rs.knee_inside_deg,
        )

    # ---- holds ----------------------------------------------------------------------------------------

    def _hold_frame_ok(self, fr: _Frame) -> bool:
        hs = self.settings.holds
        if not (fr.ok and fr.facing == 1.0 and not fr.releve and math.isfinite(fr.drop)):
            return False
        if not -hs.max_drop < fr.drop < self.settings.reps.end_drop:  # no higher, and no lower than a rep's end
            return False
        return all(
            math.isfinite(fr.leg[k]) and math.isfinite(fr.leg_ref[k]) and fr.leg[k] >= hs.min_leg * fr.leg_ref[k]
            for k in range(2)
        )

    def _feet_still(self, fr: _Frame) -> bool:
        limit = self.settings.holds.still * fr.ref
        for side in SIDES:
            for name, anchor in zip(("toe", "ankle"), self._hold_anchor[side], strict=True):
                d = _dist(fr.point(side, name), anchor)
                if not (d <= limit):
                    return False
        return True

    def _first_position(self) -> bool:
        """Both feet turned out at least ``holds.min_foot_turnout_deg`` (camera model from her standing)."""
        frames = self._hold
        cam = estimate_camera(
            _median(f.hip_y for f in frames), _median(f.floor_y for f in frames),
            _median(_f(f.row, "frame_width_px") for f in frames),
        )  # fmt: skip
        if cam is None:
            return False
        for side in SIDES:
            toe, ankle = _median_point(frames, side, "toe"), _median_point(frames, side, "ankle")
            if not (foot_direction_deg(cam, toe, ankle, side) >= self.settings.holds.min_foot_turnout_deg):
                return False
        return True

    def _update_hold(self, fr: _Frame) -> list[Event]:
        hs = self.settings.holds
        if not fr.ok:
            if self._hold and fr.t - self._hold_last_ok > hs.max_gap_s:
                return self._close_hold(fr.t)
            return []
        if self._hold and self._hold_frame_ok(fr) and self._feet_still(fr):
            self._hold.append(fr)
            self._hold_last_ok = fr.t
            if self._hold_first_position is None and self._seen_s() >= hs.min_duration_s:
                self._hold_first_position = self._first_position()
                if self._hold_first_position:
                    self._hold_started = True
                    return [HoldStarted(fr.t, self._hold_count + 1, self._hold[0].t)]
            return []
        events = self._close_hold(fr.t) if self._hold else []
        # a hold begins with her hips back at standing (within half a rep's end level: not the end of a rise)
        if self._hold_frame_ok(fr) and fr.drop < self.settings.reps.end_drop / 2:
            self._hold = [fr]
            self._hold_last_ok = fr.t
            self._hold_anchor = {s: (fr.point(s, "toe"), fr.point(s, "ankle")) for s in SIDES}
            self._hold_first_position = None
        return events

    def _seen_s(self) -> float:
        """How long the hold has been seen: its frames times the frame period (a gap it bridged is not held)."""
        if len(self._hold) < 2:
            return 0.0
        period = float(np.median(np.diff([f.t for f in self._hold])))
        return min(len(self._hold) * period, self._hold[-1].t - self._hold[0].t + period)

    def _close_hold(self, t_s: float, before_t: float | None = None) -> list[Event]:
        frames = [f for f in self._hold if before_t is None or f.t < before_t]
        while frames and frames[-1].drop >= self.settings.reps.end_drop / 2:  # her hips already on their way down
            frames.pop()
        started = self._hold_started
        self._hold, self._hold_started, self._hold_first_position = [], False, None
        if not started or not frames:
            return []
        self._hold_count += 1
        keys = ("left_foot_turnout_deg", "right_foot_turnout_deg", "weight_shift_m", "pelvis_level_m",
                "torso_lean_deg", "left_knee_flexion_rel_deg", "right_knee_flexion_rel_deg", "hip_tilt_img_deg",
                "torso_lean_img_deg")  # fmt: skip
        rows = [apply_baseline(f.row, self.baseline) for f in frames]
        cols = {k: np.array([_f(r, k) for r in rows], dtype=np.float64) for k in keys}
        cols["total_foot_turnout_deg"] = np.array([total_turnout(r) for r in rows], dtype=np.float64)
        t = np.array([f.t for f in frames])
        hold = summarize_hold(self._hold_count, t, cols, self._worst)
        cam = estimate_camera(
            _median(f.hip_y for f in frames), _median(f.floor_y for f in frames),
            _median(_f(f.row, "frame_width_px") for f in frames),
        )  # fmt: skip
        if cam is not None:
            deg = {
                s: foot_direction_deg(cam, _median_point(frames, s, "toe"), _median_point(frames, s, "ankle"), s)
                for s in SIDES
            }
            hold = replace(hold, left_foot_direction_deg=deg["left"], right_foot_direction_deg=deg["right"])
        hold = hold.with_flags(hold_flags(hold, self.settings, self.hip))
        self.holds.append(hold)
        return [HoldEnded(t_s, hold)]


@dataclass(slots=True)
class PracticeResult:
    """Everything one pass over a recording found."""

    events: list[Event] = field(default_factory=list)
    reps: list[RepSummary] = field(default_factory=list)
    holds: list[HoldSummary] = field(default_factory=list)
    baseline: Baseline | None = None
    hip_samples: list[tuple[float, float]] = field(default_factory=list)


def analyze_rows(
    t_s: Sequence[float],
    rows: Iterable[Mapping[str, float]],
    reliable: Sequence[bool],
    settings: Settings,
    baseline: Baseline | None = None,
    hip: HipTurnout | None = None,
) -> PracticeResult:
    """Offline analysis: the same tracker, run over a whole recording."""
    tracker = PracticeTracker(settings, baseline, hip)
    result = PracticeResult()
    for t, row, ok in zip(t_s, rows, reliable, strict=True):
        result.events += tracker.update(float(t), row, bool(ok))
    result.events += tracker.finish(float(t_s[-1]) if len(t_s) else 0.0)
    result.reps, result.holds = tracker.reps, tracker.holds
    result.baseline, result.hip_samples = tracker.baseline, tracker.hip_samples
    return result


__all__ = [
    "CODES",
    "BaselineCaptured",
    "BaselineFailed",
    "Event",
    "HoldEnded",
    "HoldStarted",
    "LiveFlag",
    "PracticeResult",
    "PracticeTracker",
    "RepDiscarded",
    "RepEnded",
    "RepPhase",
    "RepStarted",
    "SideRepStats",
    "analyze_rows",
    "is_reliable",
]
