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

The tracker coordinates: it keeps the reference and the recent frames, hands each frame to the plié detector
(``turnout.practice.plie``) and, outside a plié, follows holds.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import numpy as np

from turnout.measure.measures import SIDES
from turnout.practice.baseline import Baseline, apply_baseline
from turnout.practice.flags import CODES, Flag
from turnout.practice.hip import HipTurnout, estimate_hip_turnout
from turnout.practice.holds import HoldSummary, summarize_hold, total_turnout
from turnout.practice.judge import hold_flags
from turnout.practice.picture import MEDIAPIPE, Camera, estimate_camera, foot_direction_deg, foot_points_fit
from turnout.practice.plie import (
    FACING_OK,
    FEET_S,
    PlieDetector,
    RepDiscarded,
    RepEnded,
    RepPhase,
    RepStarted,
    _dist,
    _drops,
    _f,
    _facing,
    _Frame,
    _frame,
    _median,
    _median_point,
    hem_hides_feet,
    onset_index,
    row_span_px,
)
from turnout.practice.reps import RepSummary, SideRepStats, Worst
from turnout.settings import Settings

#: Row keys that must be finite for a frame to count: her hip height in the picture.
REQUIRED: Final = ("hip_height_px",)
#: Seconds of recent frames kept (the standing reference's window is bounded by ``reps.reference_window_s``).
HISTORY_S: Final = 12.0
#: A standing frame's hips lie within this many robust standard deviations of her standing drop (the noise band).
NOISE_SIGMAS: Final = 3.0
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
class HoldStarted:
    t_s: float
    index: int
    t_start_s: float


@dataclass(frozen=True, slots=True)
class HoldEnded:
    t_s: float
    hold: HoldSummary
    #: what ended it, in the dancer's words ("a foot moved", "the knees bent", ...; :meth:`PracticeTracker._why_broken`)
    why: str = ""


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
    """A frame counts when the pose is reliable, her hip height is seen and she faces the camera."""
    h = _f(row, "hip_height_px")
    return reliable and math.isfinite(h) and h > 0 and _f(row, "facing_code") in FACING_OK


#: Standing: her hips at least this many torso lengths (mid-hip to mid-shoulder in the picture) above her lower toe,
#: for her standing reference. Standing she reads 1.6-1.9 (a torso is about 0.55 of a leg); every frame of the
#: studio's 55 standing scenes reads 1.2 or more, its deepest grand plié included; the seated stretches 0.06-0.71
#: (medians of the six scenes 0.15-0.55). Seated frames never become her standing: a session seated throughout has
#: no standing reference, so nothing of the standing rules (plié, hold, a foot through the camera of her standing)
#: is read there (the stretches are read by turnout.practice.stretches). A real grand plié 54 % of a leg down reads
#: about 0.85: it is not her standing either way (its hips are below her standing).
UPRIGHT_TORSOS: Final = 0.9


def upright(row: Mapping[str, float]) -> bool:
    """She is on her feet (:data:`UPRIGHT_TORSOS`); true when her shoulders are not seen (nothing to tell)."""
    torso = math.hypot(_f(row, "shoulder_x_px") - _f(row, "hip_x_px"), _f(row, "shoulder_y_px") - _f(row, "hip_y_px"))
    h = _f(row, "hip_height_px")
    return not (math.isfinite(torso) and torso > 0 and math.isfinite(h)) or h >= UPRIGHT_TORSOS * torso


def _camera_of(frames: list[_Frame]) -> Camera | None:
    """The camera model of her standing over ``frames`` (medians of her hip and floor rows, the picture's width)
    with her facing over them (``plie._facing``)."""
    return estimate_camera(
        _median(f.hip_y for f in frames), _median(f.floor_y for f in frames),
        _median(row_span_px(f.row) for f in frames), facing=_facing(frames),
    )  # fmt: skip


def _foot_deg(cam: Camera, frames: list[_Frame], side: str, shown: bool = False) -> float:
    """A standing foot's direction (degrees out from "toward the camera") from the medians of its toe, ankle and
    heel points over ``frames``, placed where MediaPipe puts them (``picture.MEDIAPIPE``): what the pipeline's
    per-frame figure (``picture.foot_turnout_picture``) reads, on medians. ``shown``: a figure to show, ``nan``
    where the points are not on the foot as the pose model puts them (``picture.foot_points_fit``); a hold's
    "feet turned out" check takes the direction even then (trousers over the heel read the feet short, not
    parallel)."""
    toe, ankle, heel = _foot_points(frames, side)
    if shown and not foot_points_fit(cam, toe, ankle, heel, 0.0, MEDIAPIPE):
        return math.nan
    return foot_direction_deg(cam, toe, ankle, side, heel, 0.0, MEDIAPIPE)


def _foot_points(
    frames: list[_Frame], side: str
) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    """A foot's toe, ankle and heel points over ``frames`` (medians)."""
    return _median_point(frames, side, "toe"), _median_point(frames, side, "ankle"), _median_point(frames, side, "heel")


def sorted_quantile(s: Sequence[float], q: float) -> float:
    """``np.quantile(s, q)`` (its default "linear" method) of ``s`` sorted ascending and finite, with numpy's own
    arithmetic (index ``(n - 1) q``, its lerp from either end), so the same value to the bit without the array."""
    n = len(s)
    virtual = (n - 1) * q
    if virtual >= n - 1:  # numpy takes the last value at both ends, and its weight from index -1
        a = b = s[-1]
        gamma = virtual - -1
    else:
        prev = math.floor(virtual)
        a, b = s[prev], s[prev + 1]
        gamma = virtual - prev
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma


def sorted_median(s: Sequence[float]) -> float:
    """``np.median(s)`` of ``s`` sorted ascending and finite, with numpy's arithmetic (the mean of the middle one
    or two, summed from zero)."""
    n = len(s)
    m = n // 2
    return (0.0 + s[m]) / 1 if n % 2 else (0.0 + s[m - 1] + s[m]) / 2


class _Sorted:
    """The finite values of one window column, kept sorted as frames come and go (no array rebuilt per frame)."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: list[float] = []

    def add(self, x: float) -> None:
        if math.isfinite(x):
            bisect.insort(self.values, x)

    def remove(self, x: float) -> None:
        if math.isfinite(x):
            del self.values[bisect.bisect_left(self.values, x)]

    def clear(self) -> None:
        self.values.clear()


class _Reference:
    """Her rolling standing reference: a high quantile of flat-footed hip height over the last window, each leg's
    standing length likewise, and each ankle's flat-footed height above its toe.

    Each column's finite values over the window are kept sorted as frames are added and dropped (:class:`_Sorted`),
    so the quantiles and medians asked for every frame are read off them (:func:`sorted_quantile`,
    :func:`sorted_median`: numpy's values to the bit) instead of arrays rebuilt from the window each frame."""

    def __init__(self, settings: Settings) -> None:
        self.rs = settings.reps
        self._still = settings.holds.still
        self._w: deque[tuple[float, float, float, float, float, float, bool, float]] = deque()
        #: each window frame's toe points (left x, y, right x, y), for where her feet stand
        self._toes: deque[tuple[float, float, float, float]] = deque()
        #: what was worked out from the window as it is now (every frame asks for the same medians several times)
        self._memo: dict[object, Any] = {}
        #: the window's finite values, sorted: hip height and row, each ankle's gap over its toe (every frame)
        self._h, self._y = _Sorted(), _Sorted()
        self._gap = (_Sorted(), _Sorted())
        #: each toe's x and y over the frames where both are finite
        self._toe = ((_Sorted(), _Sorted()), (_Sorted(), _Sorted()))
        #: the flat-footed frames': their times (all), hip height and legs (finite, sorted)
        self._flat_t: deque[float] = deque()
        self._flat_h = _Sorted()
        self._flat_leg = (_Sorted(), _Sorted())

    def clear(self) -> None:
        self._w.clear()
        self._toes.clear()
        self._memo.clear()
        self._flat_t.clear()
        for c in (self._h, self._y, *self._gap, *self._toe[0], *self._toe[1], self._flat_h, *self._flat_leg):
            c.clear()

    def _once(self, key: object, work: Callable[[], Any]) -> Any:
        """``work()`` for the window as it is now, worked out once until a frame is added."""
        if key not in self._memo:
            self._memo[key] = work()
        return self._memo[key]

    def moved(self, fr: _Frame) -> bool:
        """A toe further than ``holds.still`` legs from where it stands (its median over the window): a tendu or a
        step. Such a frame is not her standing: a foot slid toward the camera is lower in the picture, and the
        floor line (the lowest toe) with it, so her hips would read higher above the floor than they are."""
        return any(self.moved_foot(fr, k) for k in range(2))

    def moved_foot(self, fr: _Frame, k: int) -> bool:
        """:meth:`moved` for one foot (``k`` 0 left, 1 right)."""
        ref, _ = self.value()
        if not math.isfinite(ref) or len(self._toes) < 3:
            return False
        place = self._once(("toe", k), lambda: self._toe_place(k))
        return place is not None and _dist(fr.point(SIDES[k], "toe"), place) > self._still * ref

    def _toe_place(self, k: int) -> tuple[float, float] | None:
        """Where foot ``k``'s toe stands: its median over the window (None with fewer than 3 seen)."""
        xs, ys = self._toe[k]
        if len(xs.values) < 3:
            return None
        return sorted_median(xs.values), sorted_median(ys.values)

    def releve(self, fr: _Frame, ref: float) -> bool:
        """The ankle risen above its toe by more than ``reps.releve_rise`` legs over its flat value (either foot)."""
        return any(self.releve_foot(fr, ref, k) for k in range(2))

    def releve_foot(self, fr: _Frame, ref: float, k: int) -> bool:
        """:meth:`releve` for one foot (``k`` 0 left, 1 right)."""
        if len(self._w) < 3 or not math.isfinite(ref):
            return False
        flat = self._once(("gap", k), lambda: self._flat_gap(k))
        if math.isfinite(flat) and math.isfinite(fr.gap[k]):
            return bool(fr.gap[k] - flat > self.rs.releve_rise * ref)
        return False

    def _flat_gap(self, k: int) -> float:
        """Foot ``k``'s flat-footed ankle height over its toe in the window (nan with fewer than 3 seen)."""
        gaps = self._gap[k].values
        return sorted_quantile(gaps, FLAT_GAP_QUANTILE) if len(gaps) >= 3 else math.nan

    def planted(self, fr: _Frame, ref: float) -> tuple[bool, bool]:
        """(left, right): each foot flat on the floor where it stands: not risen onto its ball (its own ankle, or
        the hips above standing), not slid or lifted away (a tendu, a step). Judged against the window before ``fr``
        is added. (The tracker also asks that she be on her feet: :meth:`PracticeTracker.update`.)"""
        risen = self.risen(fr) if len(self._w) >= 3 else False
        return (
            not (risen or self.releve_foot(fr, ref, 0) or self.moved_foot(fr, 0)),
            not (risen or self.releve_foot(fr, ref, 1) or self.moved_foot(fr, 1)),
        )

    def risen(self, fr: _Frame) -> bool:
        """Her hips higher in the picture than where she stands (:meth:`_hips_place`) by more than a rep's end level
        (``reps.end_drop`` of her hip height): flat feet cannot lift the hips, so she is on her way up to or down
        from a relevé (the ankle's rise, which marks a relevé, lags the hips' by a few frames at each end). The
        hips' row, not their height over the lower toe: a tendu toward the camera lowers that toe in the picture,
        not her hips."""
        h_mid, y_mid = self._once("hips", self._hips_place)
        if not (math.isfinite(h_mid) and math.isfinite(y_mid) and math.isfinite(fr.hip_y)):
            return False
        return bool(y_mid - fr.hip_y > h_mid * self.rs.end_drop)

    def _hips_place(self) -> tuple[float, float]:
        """Her standing hip height and hip row: the reference height and the median row of the window's flat-footed
        frames at that height (within ``reps.end_drop`` of it); before there is a reference, or with fewer than 3
        such frames, the window's median height and row (nan with fewer than 3 seen). Not every frame's median: a
        dancer who spends half the window up in relevés or down in grand pliés would pull it to them, and the way
        down from a relevé (or her standing between grand pliés) would read as standing (or risen)."""
        ref, _ = self.value()
        if math.isfinite(ref) and ref > 0:
            lo, hi = ref * (1.0 - self.rs.end_drop), ref * (1.0 + self.rs.end_drop)
            rows = sorted(w[7] for w in self._w if w[6] and lo < w[1] < hi and math.isfinite(w[7]))
            if len(rows) >= 3:
                return ref, sorted_median(rows)
        h, y = self._h.values, self._y.values
        if len(h) < 3 or len(y) < 3:
            return math.nan, math.nan
        return sorted_median(h), sorted_median(y)

    def add(self, fr: _Frame) -> None:
        flat = not fr.releve and not self.moved(fr) and not self.risen(fr) and upright(fr.row)
        w = (fr.t, fr.h, fr.leg[0], fr.leg[1], fr.gap[0], fr.gap[1], flat, fr.hip_y)
        toes = (*fr.point("left", "toe"), *fr.point("right", "toe"))
        self._w.append(w)
        self._toes.append(toes)
        self._columns(w, toes, adding=True)
        while self._w and fr.t - self._w[0][0] > self.rs.reference_window_s:
            self._columns(self._w.popleft(), self._toes.popleft(), adding=False)
        self._memo.clear()

    def _columns(
        self,
        w: tuple[float, float, float, float, float, float, bool, float],
        toes: tuple[float, float, float, float],
        adding: bool,
    ) -> None:
        """Each value of one window frame added to (``adding``) or removed from its sorted column."""
        t, h, leg0, leg1, gap0, gap1, flat, hip_y = w
        do = _Sorted.add if adding else _Sorted.remove
        do(self._h, h)
        do(self._y, hip_y)
        do(self._gap[0], gap0)
        do(self._gap[1], gap1)
        for k in range(2):
            x, y = toes[2 * k], toes[2 * k + 1]
            if math.isfinite(x) and math.isfinite(y):
                do(self._toe[k][0], x)
                do(self._toe[k][1], y)
        if flat:
            if adding:
                self._flat_t.append(t)
            else:
                self._flat_t.popleft()  # the window's oldest flat frame is the first of the flat ones
            do(self._flat_h, h)
            do(self._flat_leg[0], leg0)
            do(self._flat_leg[1], leg1)

    def value(self) -> tuple[float, tuple[float, float]]:
        """(hip height, (left leg, right leg)) standing, in pixels; nan until ``reps.reference_min_s`` of frames."""
        return self._once("value", self._value)

    def _value(self) -> tuple[float, tuple[float, float]]:
        flat_t = self._flat_t
        if len(flat_t) < 3 or flat_t[-1] - flat_t[0] < self.rs.reference_min_s:
            return math.nan, (math.nan, math.nan)
        q = self.rs.reference_quantile

        def quant(col: _Sorted) -> float:
            return sorted_quantile(col.values, q) if len(col.values) >= 3 else math.nan

        return quant(self._flat_h), (quant(self._flat_leg[0]), quant(self._flat_leg[1]))

    def noise(self, ref: float) -> float:
        """Her standing noise band in legs: the most a standing frame's hips read below the reference ``ref``
        through the hip point's jitter, from the window's spread: the median drop of her flat-footed frames
        within ``reps.end_drop`` of the reference plus three robust standard deviations (1.4826 x the median
        absolute deviation: the first frames of a descent in the window barely move it), at most
        ``reps.end_drop``; nan without three such frames."""
        if not math.isfinite(ref) or ref <= 0:
            return math.nan
        # the flat frames' finite hip heights (sorted: the median's and the deviations' values do not hang on order)
        drops = 1.0 - np.array(self._flat_h.values, dtype=np.float64) / ref
        drops = drops[drops < self.rs.end_drop]
        if drops.size < 3:
            return math.nan
        mid = float(np.median(drops))
        sigma = 1.4826 * float(np.median(np.abs(drops - mid)))
        return min(max(mid + NOISE_SIGMAS * sigma, 0.0), self.rs.end_drop)


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
        self._plies = PlieDetector(settings, self._history)
        self._hold: list[_Frame] = []
        self._hold_anchor: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
        self._hold_started = False
        self._hold_first_position: bool | None = None
        self._hold_last_ok = -math.inf
        self._hold_count = 0
        self.reps: list[RepSummary] = self._plies.reps
        self.holds: list[HoldSummary] = []
        #: (left, right) knee direction (degrees out from facing the camera) at the bottom of each demi-plié
        self.hip_samples: list[tuple[float, float]] = self._plies.hip_samples
        self._planted = (False, False)

    # ---- public -------------------------------------------------------------------------------------

    def request_baseline(self) -> None:
        """The dancer asked to take her standing height again: the rolling reference starts afresh from the next
        frames (and what comes before it is replayed against it)."""
        if self._plies.episode is None:
            self._ref.clear()
            self._has_ref = False
            self.baseline = None

    def session_hip_estimate(self) -> HipTurnout | None:
        """Her knee direction in demi-pliés from this session alone (most recent first)."""
        return estimate_hip_turnout(reversed(self.hip_samples), self.settings.hip)

    def feet_planted(self) -> tuple[bool, bool]:
        """(left, right) for the latest frame: the foot flat on the floor where she stands, neither on its ball (a
        relevé) nor slid or lifted away (a tendu, a step). A foot's turnout is read from the picture only while it
        is planted: the picture's rule puts its points at their heights over a flat floor (studio: relevés read
        13-38 degrees off per foot, a tendu's working foot up to 124)."""
        return self._planted

    def _standing_frames(self) -> list[_Frame]:
        """Her standing frames (hips within a rep's end level of standing, no relevé) of the last :data:`FEET_S`
        before the latest one; in a plié, those before it."""
        rs = self.settings.reps
        frames = [
            f for f in self._history
            if f.ok and math.isfinite(f.drop) and abs(f.drop) < rs.end_drop and not f.releve
        ]  # fmt: skip
        return [f for f in frames if f.t >= frames[-1].t - FEET_S] if frames else []

    def camera(self) -> Camera | None:
        """The camera model from her latest standing (read-only): medians of her hip and floor rows over her
        standing frames (:meth:`_standing_frames`: the camera stays fixed through a plié). ``None`` before her
        standing reference is found."""
        frames = self._standing_frames()
        return _camera_of(frames) if frames else None

    def feet_fit(self, cam: Camera) -> tuple[bool, bool]:
        """(left, right): whether each foot's points over her latest standing (medians), placed through ``cam``,
        are as far apart as a foot's (``picture.foot_points_fit``); a foot that is not is not read in degrees
        until her standing shows it again (trousers over the heel, a dark shoe). One decision per standing, not per
        frame: near the limit single frames would flicker."""
        frames = self._standing_frames()
        if not frames or hem_hides_feet(frames):  # trousers over her heels (plie.HEM_LEGS)
            return (False, False)
        left, right = (foot_points_fit(cam, *_foot_points(frames, side), 0.0, MEDIAPIPE) for side in SIDES)
        return left, right

    def update(self, t_s: float, row: Mapping[str, float], reliable: bool) -> list[Event]:
        events: list[Event] = []
        if self._history and t_s < self._history[-1].t:
            events += self._time_went_back(t_s)
        fr = _frame(t_s, row, is_reliable(row, reliable))
        self._planted = (False, False)
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
            band = self._ref.noise(ref)
            for old in pending:  # what came before the reference is replayed against it
                old.ref, old.leg_ref, old.band = ref, legs, band
                old.drop = 1.0 - old.h / ref if old.ok else math.nan
                events += self._step(old)
            return events
        if fr.ok:
            ep = self._plies.episode
            ref, legs = (ep.ref, ep.leg_ref) if ep is not None else self._ref.value()
            fr.releve = self._ref.releve(fr, ref)
            # on her feet (upright), or low in a plié she went into standing (a grand plié in second puts her hips
            # under UPRIGHT_TORSOS torsos over her toes): seated in a stretch her feet lie any way, and read as feet
            # 150-190 degrees off
            on_feet = upright(fr.row) or ep is not None
            self._planted = self._ref.planted(fr, ref) if on_feet else (False, False)
            self._ref.add(fr)
            if ep is None:
                ref, legs = self._ref.value()
            fr.ref, fr.leg_ref = ref, legs
            fr.band = ep.band if ep is not None else self._ref.noise(ref)
            fr.drop = self._plies.drop(fr)
        return events + self._step(fr)

    def finish(self, t_s: float | None = None) -> list[Event]:
        """End of the stream: close an open hold; a rep still going down or at its bottom is discarded, one
        already back above its start level is judged."""
        t_end = t_s if t_s is not None else (self._history[-1].t if self._history else 0.0)
        events: list[Event] = self._close_hold(t_end, why="the recording ended")
        events += self._plies.finish(t_end, self.baseline, self.hip)
        return events

    # ---- the reference -----------------------------------------------------------------------------

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
        self._plies.restart()
        return events

    # ---- one frame through the detectors -------------------------------------------------------------

    def _step(self, fr: _Frame) -> list[Event]:
        events: list[Event] = [*self._plies.update(fr, self.baseline, self.hip)]
        if self._plies.hold_ends_at is not None:  # a dip began: a hold ends where the hips began to go down
            events = [*self._close_hold(fr.t, before_t=self._plies.hold_ends_at, why="a plié began"), *events]
            self._plies.hold_ends_at = None
        if self._plies.episode is None:
            events += self._update_hold(fr)
        return events

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
        """Her feet turned out at least ``holds.min_foot_turnout_deg`` each on average (camera model from her
        standing): the mean of the two, which her facing does not change (turned toward one foot, that foot reads
        less and the other more: feet at 30 with the camera 12 degrees to her side read 17 and 33)."""
        frames = self._hold
        cam = _camera_of(frames)
        if cam is None:
            return False
        mean = sum(_foot_deg(cam, frames, side) for side in SIDES) / len(SIDES)
        return bool(mean >= self.settings.holds.min_foot_turnout_deg)

    def _update_hold(self, fr: _Frame) -> list[Event]:
        hs = self.settings.holds
        if not fr.ok:
            if self._hold and fr.t - self._hold_last_ok > hs.max_gap_s:
                return self._close_hold(fr.t, why="the pose was lost")
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
        why = self._why_broken(fr) if self._hold else ""
        down = fr if math.isfinite(fr.drop) and fr.drop >= self.settings.reps.end_drop else None
        events = self._close_hold(fr.t, why=why, going_down=down) if self._hold else []
        # a hold begins with her hips back at standing (within half a rep's end level: not the end of a rise)
        if self._hold_frame_ok(fr) and fr.drop < self.settings.reps.end_drop / 2:
            self._hold = [fr]
            self._hold_last_ok = fr.t
            self._hold_anchor = {s: (fr.point(s, "toe"), fr.point(s, "ankle")) for s in SIDES}
            self._hold_first_position = None
        return events

    def _why_broken(self, fr: _Frame) -> str:
        """Why the hold in progress cannot go on with ``fr``, in the dancer's words."""
        hs = self.settings.holds
        if fr.facing != 1.0:
            return "she turned from the camera"
        if fr.releve:
            return "the heels rose"
        if math.isfinite(fr.drop) and fr.drop <= -hs.max_drop:
            return "the hips rose"
        if math.isfinite(fr.drop) and fr.drop >= self.settings.reps.end_drop:
            return "the knees bent"
        if not all(
            math.isfinite(fr.leg[k]) and math.isfinite(fr.leg_ref[k]) and fr.leg[k] >= hs.min_leg * fr.leg_ref[k]
            for k in range(2)
        ):
            return "a knee bent"
        if not self._feet_still(fr):
            return "a foot moved"
        return ""

    def _seen_s(self) -> float:
        """How long the hold has been seen: its frames times the frame period (a gap it bridged is not held)."""
        if len(self._hold) < 2:
            return 0.0
        period = float(np.median(np.diff([f.t for f in self._hold])))
        return min(len(self._hold) * period, self._hold[-1].t - self._hold[0].t + period)

    def _close_hold(
        self, t_s: float, before_t: float | None = None, why: str = "", going_down: _Frame | None = None
    ) -> list[Event]:
        """End the hold in progress at ``t_s``: its frames up to ``before_t`` (where a plié began:
        ``PlieDetector.hold_ends_at``), or, with ``going_down`` (the frame whose hips reached a rep's end level), up to
        where her hips and knees left their standing places (``plie.onset_index``, the plié's own onset), so that a
        hold's end and the following plié's start agree; then without the frames already on the way down."""
        frames = [f for f in self._hold if before_t is None or f.t <= before_t]
        if going_down is not None and frames and math.isfinite(going_down.band) and math.isfinite(going_down.ref):
            seq = [*frames, going_down]
            onset = onset_index(seq, _drops(seq), len(seq) - 1, going_down.band, going_down.ref)
            frames = seq[: min(onset + 1, len(frames))]
        while frames and frames[-1].drop >= _hold_edge(frames[-1], self.settings.reps.end_drop / 2):
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
        cam = _camera_of(frames)
        if cam is not None:
            deg = {s: _foot_deg(cam, frames, s, shown=True) for s in SIDES}
            hold = replace(hold, left_foot_direction_deg=deg["left"], right_foot_direction_deg=deg["right"])
        hold = hold.with_flags(hold_flags(hold, self.settings, self.hip))
        self.holds.append(hold)
        return [HoldEnded(t_s, hold, why)]


def _hold_edge(fr: _Frame, most: float) -> float:
    """How far below standing (legs) a hold's last frames may read before they count as the way down: her standing
    noise band in force (``fr.band``), at most ``most``."""
    return min(fr.band, most) if math.isfinite(fr.band) else most


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
