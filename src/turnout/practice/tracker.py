"""The practice state machine: baseline, reps, holds and flags from a stream of per-frame measurements.

One tracker serves the live camera and offline analysis alike: feed it every frame with
:meth:`PracticeTracker.update` and act on the events it returns; call :meth:`PracticeTracker.finish` at the end.
Offline analysis is :func:`analyze_rows`, a loop over frames.

Reps are pliés found on knee flexion relative to the standing baseline, with hysteresis: a rep starts when
*both* knees bend past ``reps.start_flexion_deg`` (so walking, with one straight leg, never starts one) and
ends when either straightens below ``reps.end_flexion_deg`` and has settled back to standing. Its times run
from where the descent began (found by looking back) to where the knees settled. Frames without a reliable
pose never start a rep or raise a flag; a rep with a longer gap than ``reps.max_gap_s`` is discarded.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from turnout.measure.measures import SIDES
from turnout.practice.baseline import REL_FLEXION, Baseline, BaselineDetector, apply_baseline
from turnout.practice.flags import CODES, Flag
from turnout.practice.hip import HipTurnout, estimate_hip_turnout
from turnout.practice.holds import HoldDetector, HoldSummary
from turnout.practice.judge import hold_flags, rep_flags
from turnout.practice.reps import RepFrames, RepSummary, Worst, bottom_mask, flexion_of, standing_onset, summarize
from turnout.settings import Settings

#: Row keys that must be finite for a frame to count.
REQUIRED: Final = tuple(f"{s}_knee_flexion_deg" for s in SIDES)
#: Seconds of recent frames kept to find where a rep began and to replay a baseline window into holds.
HISTORY_S: Final = 12.0
#: Longest look back for where a descent began, and longest wait for the knees to settle after a rep.
ONSET_LOOKBACK_S: Final = 3.0
SETTLE_MAX_S: Final = 1.0
#: Live cues are judged at most this often (the rep so far is re-summarised each time).
LIVE_INTERVAL_S: Final = 0.1
#: Codes that can be judged before the rep ends (heels and the rep's own hip reference need the bottom).
LIVE_CODES: Final = ("knees_inside_toes", "feet_rolling_in", "torso_tilt", "pelvis_tilt")


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


def is_reliable(row: Mapping[str, float], reliable: bool) -> bool:
    return reliable and all(math.isfinite(float(row.get(k, math.nan))) for k in REQUIRED)


class PracticeTracker:
    """Streaming reps, holds and flags. Not thread-safe: call from one thread, in time order."""

    def __init__(self, settings: Settings, baseline: Baseline | None = None, hip: HipTurnout | None = None) -> None:
        self.settings = settings
        self.baseline = baseline
        self.hip = hip
        self._baseline_detector = BaselineDetector(settings.baseline)
        if baseline is not None:
            self._baseline_detector.stop()
        self._holds = HoldDetector(settings.holds, Worst.from_settings(settings.flags))
        self._history: deque[tuple[float, dict[str, float], bool]] = deque()
        self._rep: RepFrames | None = None
        self._rep_last_t = math.nan
        self._rep_gates: list[float] = []
        self._standing_level = 0.0
        self._settle_since: float | None = None
        self._last_rep_end = -math.inf
        self._phase = ""
        self._live_fired: set[str] = set()
        self._live_t = -math.inf
        self._rearm = False  # after a discarded rep: wait for straight knees before the next
        self.reps: list[RepSummary] = []
        self.holds: list[HoldSummary] = []
        #: (left, right) knee turnout near the bottom of each demi-plié of this session
        self.hip_samples: list[tuple[float, float]] = []

    # ---- public -------------------------------------------------------------------------------------

    def request_baseline(self) -> None:
        """The dancer asked to (re)take the baseline: the next still window becomes it. Until then the old
        baseline (if any) stays in force."""
        self._baseline_detector.start()

    def session_hip_estimate(self) -> HipTurnout | None:
        """Her hip turnout from this session's demi-pliés alone (most recent first)."""
        return estimate_hip_turnout(reversed(self.hip_samples), self.settings.hip)

    def update(self, t_s: float, row: Mapping[str, float], reliable: bool) -> list[Event]:
        events: list[Event] = []
        if self._history and t_s < self._history[-1][0]:
            events += self._time_went_back(t_s)
        ok = is_reliable(row, reliable)
        raw = dict(row)
        self._history.append((t_s, raw, ok))
        while self._history and t_s - self._history[0][0] > HISTORY_S:
            self._history.popleft()
        if self._baseline_detector.active:
            found = self._baseline_detector.update(t_s, raw, ok)
            if isinstance(found, Baseline):
                events += self._set_baseline(t_s, found)
                return events
            if isinstance(found, str):
                events.append(BaselineFailed(t_s, found))
        if self.baseline is None:
            return events
        rel = apply_baseline(raw, self.baseline)
        events += self._update_rep(t_s, rel, ok)
        if self._rep is None:
            events += self._update_hold(t_s, rel, ok)
        return events

    def _time_went_back(self, t_s: float) -> list[Event]:
        """A stream that starts again from an earlier time (a video played again, a clock reset): what was in
        progress ends where it was, and the new times start afresh (reps and holds so far are kept)."""
        events = self.finish(self._history[-1][0])
        self._history.clear()
        self._last_rep_end = self._live_t = -math.inf
        self._settle_since = None
        self._rearm = False
        self._phase = ""
        return events

    def finish(self, t_s: float | None = None) -> list[Event]:
        """End of the stream: close an open hold; a rep still in progress is discarded, one already back up
        (settling) is ended."""
        t_end = t_s if t_s is not None else (self._history[-1][0] if self._history else 0.0)
        events: list[Event] = self._close_hold(t_end)
        if self._rep is not None and self._settle_since is not None:
            events += self._end_rep(t_end)
        elif self._rep is not None:
            events.append(self._discard(t_end, "the recording ended mid-rep"))
        return events

    # ---- baseline and holds ------------------------------------------------------------------------

    def _set_baseline(self, t_s: float, baseline: Baseline) -> list[Event]:
        self.baseline = baseline
        events: list[Event] = [BaselineCaptured(t_s, baseline)]
        if self._rep is None:  # the still window was standing: replay it so a hold can start where it began
            events += self._close_hold(t_s, before_t=baseline.t_start_s)  # a re-take ends a hold on the old one
            for t, raw, ok in self._history:
                if t >= baseline.t_start_s:
                    events += self._update_hold(t, apply_baseline(raw, baseline), ok)
        return events

    def _update_hold(self, t_s: float, rel: Mapping[str, float], ok: bool) -> list[Event]:
        result = self._holds.update(t_s, rel, ok)
        if isinstance(result, tuple):
            return [HoldStarted(t_s, self._holds.count + 1, result[1])]
        if isinstance(result, HoldSummary):
            return [self._hold_ended(t_s, result)]
        return []

    def _close_hold(self, t_s: float, before_t: float | None = None) -> list[Event]:
        summary = self._holds.close(before_t)
        return [] if summary is None else [self._hold_ended(t_s, summary)]

    def _hold_ended(self, t_s: float, hold: HoldSummary) -> HoldEnded:
        hold = hold.with_flags(hold_flags(hold, self.settings, self.hip))
        self.holds.append(hold)
        return HoldEnded(t_s, hold)

    # ---- reps ---------------------------------------------------------------------------------------

    def _update_rep(self, t_s: float, rel: Mapping[str, float], ok: bool) -> list[Event]:
        rs = self.settings.reps
        if not ok:
            if self._rep is not None and t_s - self._rep_last_t > rs.max_gap_s:
                return [self._discard(t_s, f"pose lost for more than {rs.max_gap_s:g} s")]
            return []
        gate = min(rel[REL_FLEXION[s]] for s in SIDES)
        if self._rep is None:
            if self._rearm:
                self._rearm = gate >= rs.end_flexion_deg
                return []
            if gate <= rs.start_flexion_deg:
                return []
            return self._start_rep(t_s)
        self._rep.append(t_s, rel)
        self._rep_gates.append(gate)
        self._rep_last_t = t_s
        if self._settle_since is None:
            if gate < rs.end_flexion_deg:
                self._settle_since = t_s
            elif t_s - self._rep.t[0] > rs.max_duration_s:
                return [self._discard(t_s, f"bent for more than {rs.max_duration_s:g} s: not a plié")]
            else:
                return self._live(t_s)
        # Straightening: the rep ends once the knees are back at their standing level (or after a while).
        settled = float(np.mean(self._rep_gates[-3:])) <= self._standing_level
        if settled or gate > rs.start_flexion_deg or t_s - self._settle_since >= SETTLE_MAX_S:
            return self._end_rep(t_s)
        return []

    def _start_rep(self, t_s: float) -> list[Event]:
        """Start a rep where the descent began: look back through recent reliable frames."""
        assert self.baseline is not None
        frames: list[tuple[float, dict[str, float]]] = []
        for t, raw, ok in reversed(self._history):
            if not ok or t <= self._last_rep_end or t_s - t > ONSET_LOOKBACK_S:
                break
            frames.append((t, apply_baseline(raw, self.baseline)))
        frames.reverse()
        gates = np.array([min(rel[REL_FLEXION[s]] for s in SIDES) for _, rel in frames])
        onset, self._standing_level = standing_onset(gates, self.settings.reps.end_flexion_deg)
        self._rep = RepFrames()
        for t, rel in frames[onset:]:
            self._rep.append(t, rel)
        self._rep_gates = [float(g) for g in gates[onset:]]
        self._rep_last_t = t_s
        self._settle_since = None
        self._phase = "descent"
        self._live_fired = set()
        self._live_t = -math.inf
        events: list[Event] = self._close_hold(t_s, before_t=self._rep.t[0])
        index = len(self.reps) + 1
        events += [RepStarted(t_s, index, self._rep.t[0]), RepPhase(t_s, index, "descent")]
        return events

    def _discard(self, t_s: float, reason: str) -> RepDiscarded:
        self._rep = None
        self._rearm = True
        self._last_rep_end = t_s
        return RepDiscarded(t_s, len(self.reps) + 1, reason)

    def _live(self, t_s: float) -> list[Event]:
        assert self._rep is not None
        rs = self.settings.reps
        index = len(self.reps) + 1
        t, cols = self._rep.arrays()
        flex = flexion_of(cols)
        events: list[Event] = []
        peak = float(max(flex))
        deep_enough = peak >= rs.min_depth_deg
        if self._phase == "descent" and deep_enough and flex[-1] < peak - 1.0:
            self._phase = "bottom"
            events.append(RepPhase(t_s, index, "bottom"))
        if self._phase == "bottom" and not bottom_mask(flex, rs.bottom_band_fraction)[-1]:
            self._phase = "ascent"
            events.append(RepPhase(t_s, index, "ascent"))
        if not deep_enough:
            return events
        codes = set(LIVE_CODES)
        if self._phase == "ascent":  # the bottom is known: heel lift (if a demi-plié) and forced turnout
            codes |= {"heels_lift", "forced_turnout"}
        elif self.hip is not None and self.hip.trusted:
            codes.add("forced_turnout")
        codes -= self._live_fired
        if codes and t_s - self._live_t >= LIVE_INTERVAL_S:
            self._live_t = t_s
            rep = summarize(index, t, cols, self.settings)
            for flag in rep_flags(rep, self.settings, self.hip, codes):
                self._live_fired.add(flag.code)
                events.append(LiveFlag(t_s, index, flag))
        return events

    def _end_rep(self, t_s: float) -> list[Event]:
        assert self._rep is not None
        rs = self.settings.reps
        t, cols = self._rep.arrays()
        index = len(self.reps) + 1
        depth = float(max(flexion_of(cols)))
        duration = float(t[-1] - t[0])
        if depth < rs.min_depth_deg:
            return [self._discard(t_s, f"partial: {depth:.0f}° deep (a rep needs {rs.min_depth_deg:g}°)")]
        if duration < rs.min_duration_s:
            return [self._discard(t_s, f"too quick: {duration:.2f} s (a rep needs {rs.min_duration_s:g} s)")]
        self._rep = None
        self._rearm = False
        self._last_rep_end = t_s
        rep = summarize(index, t, cols, self.settings)
        rep = rep.with_flags(rep_flags(rep, self.settings, self.hip))
        self.reps.append(rep)
        if rep.kind == "demi":
            self.hip_samples.append((rep.left.knee_turnout_bottom_deg, rep.right.knee_turnout_bottom_deg))
        events: list[Event] = []
        if self._phase != "ascent":
            events.append(RepPhase(t_s, index, "ascent"))
        events.append(RepEnded(t_s, rep))
        return events


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
    "analyze_rows",
    "is_reliable",
]
