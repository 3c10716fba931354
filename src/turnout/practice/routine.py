"""Practice routines: a list of exercises with sets, reps or hold times and rests, read from a TOML file the dancer
can edit, and the runner that walks through one (what is next, the count, the hold's countdown, the rest timer).

The runner is Qt-free and driven by time, by what the practice tracker found and by the frames themselves:
:meth:`RoutineRunner.rep` for a plié the tracker counted (its kind: a relevé never counts as a plié),
:meth:`RoutineRunner.hold_started` and :meth:`RoutineRunner.hold_ended` for a first-position hold the tracker found,
:meth:`RoutineRunner.frame` for every frame's row (the runner's own barre counters, ``turnout.practice.barre``, count
relevés and tendus and time held low pliés and high relevés from it; its stretch holds, ``turnout.practice.stretches``,
time the butterfly and the straddle),
:meth:`RoutineRunner.tick` for the clock. Each returns the events it caused, each with the words to show and say.
The default routine's numbers come from the practice the dancers follow (their sources in ``docs/routines.md``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from turnout.errors import TurnoutError
from turnout.practice.barre import (
    BarreCounters,
    BarreEvent,
    PositionHold,
    PositionHoldEnded,
    PositionHoldStarted,
    ReleveEnded,
    ReleveRep,
    TenduEnded,
    TenduRep,
)
from turnout.practice.stretches import StretchEnded, StretchEvent, StretchHold, StretchHolds

#: Exercises counted in reps, and what the tracker calls the rep that counts for each.
COUNTED: Final = {"plie": ("demi", "grand"), "releve": ("releve",), "tendu": ("tendu",), "selfcheck": ("demi",)}
#: Exercises timed: a hold of a position, or a stretch.
TIMED: Final = ("hold", "stretch")
KINDS: Final = (*COUNTED, *TIMED)
HOLD_POSITIONS: Final = ("first", "low_plie", "high_releve")
STRETCHES: Final = ("butterfly", "straddle", "frog", "low_lunge", "pigeon")
TENDU_DIRECTIONS: Final = ("front", "side", "back")
#: Relevés with straight knees (the default, "") or bent knees.
RELEVE_KNEES: Final = ("", "straight", "bent")
#: What each is called on screen and aloud.
LABELS: Final = {
    "plie": "demi-pliés", "releve": "relevés", "tendu": "tendus", "hold": "hold", "stretch": "stretch",
    "selfcheck": "self-check",
    "first": "first position", "low_plie": "low plié", "high_releve": "high relevé", "butterfly": "butterfly",
    "straddle": "straddle", "frog": "frog", "low_lunge": "low lunge", "pigeon": "pigeon",
}  # fmt: skip

#: What a hold asks of her, shown until its countdown starts (each is timed once it has been held a few seconds:
#: the tracker's ``holds.min_duration_s`` for first position, ``barre.MIN_HOLD_S`` for the others).
HOLD_HINTS: Final = {
    "first": "Stand still in first position",
    "low_plie": "Down into a low plié, hips still",
    "high_releve": "Up onto a high relevé, heels high and still",
    "butterfly": "Sit facing the camera, soles together, knees out, and keep still",
    "straddle": "Sit facing the camera, legs wide and straight, and keep still",
    "pigeon": "Sit facing the camera, front shin across, back leg straight behind, and keep still",
    "frog": "Face the camera on your hands and knees, knees wide, feet turned out, and keep still",
    "low_lunge": "Face the camera, one foot forward with its knee bent over it, the back knee down, and keep still",
}


class RoutineError(TurnoutError):
    """A routine file that cannot be used: one line saying where and what to change."""


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise of a routine: ``sets`` sets of ``reps`` reps (counted kinds) or of a ``hold_s`` second hold
    (timed kinds), with ``rest_s`` of rest after each set."""

    kind: str
    sets: int = 1
    reps: int = 0
    hold_s: float = 0.0
    rest_s: float = 30.0
    #: the held position (hold), the stretch (stretch), the direction (tendu) or the knees (relevé: straight or bent)
    variant: str = ""
    #: the working leg of a tendu ("left" or "right"; "" either leg)
    leg: str = ""

    def __post_init__(self) -> None:
        if self.kind == "selfcheck" and self.reps == 0:  # one demi-plié with a verdict (turnout.practice.selfcheck)
            object.__setattr__(self, "reps", 1)
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.sets < 1:
            raise ValueError(f"sets must be at least 1, got {self.sets}")
        if self.kind in COUNTED and self.reps < 1:
            raise ValueError(f"reps must be at least 1 for {self.kind}, got {self.reps}")
        if self.kind in TIMED and self.hold_s <= 0:
            raise ValueError(f"hold_s must be above 0 for {self.kind}, got {self.hold_s}")
        if self.rest_s < 0:
            raise ValueError(f"rest_s must be 0 or more, got {self.rest_s}")
        allowed = {"hold": HOLD_POSITIONS, "stretch": STRETCHES, "tendu": TENDU_DIRECTIONS, "releve": RELEVE_KNEES}.get(
            self.kind, ("",)
        )
        if self.variant not in allowed:
            raise ValueError(
                f"{self.kind} takes one of {', '.join(a or '(none)' for a in allowed)}, got {self.variant!r}"
            )
        if self.leg and (self.kind != "tendu" or self.leg not in ("left", "right")):
            raise ValueError(f"leg is left or right, for a tendu only; got {self.leg!r} for {self.kind}")

    @property
    def timed(self) -> bool:
        return self.kind in TIMED

    @property
    def label(self) -> str:
        if self.kind == "tendu":
            return f"tendus to the {self.variant}" + (f", {self.leg} leg" if self.leg else "")
        if self.kind == "releve" and self.variant == "bent":
            return "bent-knee relevés"
        if self.timed:
            return LABELS[self.variant]
        return LABELS[self.kind]

    def describe(self) -> str:
        """'2 sets of 10 demi-pliés', '5 x 60 s first position'."""
        if self.kind == "selfcheck":
            return "self-check: first position, one demi-plié"
        if self.timed:
            return f"{self.sets} x {self.hold_s:g} s {self.label}"
        return f"{self.sets} set{'s' if self.sets > 1 else ''} of {self.reps} {self.label}"


@dataclass(frozen=True, slots=True)
class Routine:
    name: str
    exercises: tuple[Exercise, ...]

    def __post_init__(self) -> None:
        if not self.exercises:
            raise ValueError("a routine needs at least one exercise")


#: The default barre basics (docs/routines.md gives each number's source).
DEFAULT_ROUTINE: Final = Routine(
    "Barre basics",
    (
        Exercise("plie", sets=2, reps=10, rest_s=30),
        Exercise("releve", sets=3, reps=8, rest_s=30),
        Exercise("tendu", sets=1, reps=10, rest_s=15, variant="front"),
        Exercise("tendu", sets=1, reps=10, rest_s=15, variant="side"),
        Exercise("hold", sets=5, hold_s=60, rest_s=15, variant="first"),
        Exercise("stretch", sets=3, hold_s=10, rest_s=10, variant="butterfly"),
    ),
)


#: The self-check as a routine of its own (issue 17, item 6): first position, one demi-plié, an answer.
SELF_CHECK_ROUTINE: Final = Routine("Self-check", (Exercise("selfcheck", sets=1, reps=1, rest_s=0),))


def routine_from_dict(data: Mapping[str, Any], where: str = "routine") -> Routine:
    """A routine from its TOML table: ``name`` and a list ``[[exercise]]`` of ``kind`` with ``sets``, ``reps`` or
    ``hold_s``, ``rest_s`` and ``variant``. Raises :class:`RoutineError` naming the exercise and key at fault."""
    known = {f for f in Exercise.__dataclass_fields__}
    items = data.get("exercise", [])
    if not isinstance(items, list) or not items:
        raise RoutineError(f'{where}: no [[exercise]] tables; add at least one (kind = "plie", reps = 10, ...)')
    exercises = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise RoutineError(f"{where}: exercise {i} is not a table")
        unknown = sorted(set(item) - known)
        if unknown:
            raise RoutineError(f"{where}: exercise {i}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
        try:
            exercises.append(Exercise(**item))
        except (TypeError, ValueError) as exc:
            raise RoutineError(f"{where}: exercise {i}: {exc}") from None
    name = data.get("name", "My routine")
    if not isinstance(name, str):
        raise RoutineError(f"{where}: name must be text, got {name!r}")
    return Routine(name, tuple(exercises))


def load_routine(path: str | Path) -> Routine:
    """Read a routine file; a missing, unreadable or invalid file is one :class:`RoutineError` line."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RoutineError(f"{p}: cannot read the routine ({exc.strerror or exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RoutineError(f"{p}: not valid TOML ({exc})") from None
    return routine_from_dict(data, str(p))


# ---- the runner --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoutineEvent:
    """Something the dancer is told: ``what`` (counted, set_done, hold_broken, rest, next, done) and the words."""

    t_s: float
    what: str
    say: str


@dataclass(frozen=True, slots=True)
class RoutineStatus:
    """What the window shows now."""

    exercise: Exercise | None
    index: int
    set_no: int
    count: int
    #: "exercise", "rest" or "done"
    phase: str
    #: seconds left of the rest or of the hold under way (None when neither runs)
    remaining_s: float | None
    next_label: str | None


@dataclass(slots=True)
class RoutineRunner:
    """Walks through ``routine``: counts reps of the exercise's own kind, times its holds, rests between sets."""

    routine: Routine
    index: int = 0
    set_no: int = 1
    count: int = 0
    phase: str = "exercise"
    rest_until: float = 0.0
    hold_since: float | None = None
    #: every set done: (exercise index, set number, reps counted or seconds held)
    done_sets: list[tuple[int, int, float]] = field(default_factory=list)
    #: the relevé and tendu counters, fed by :meth:`frame`
    barre: BarreCounters = field(default_factory=BarreCounters)
    #: every relevé and tendu counted toward an exercise: (exercise index, set number, the rep)
    releves: list[tuple[int, int, ReleveRep]] = field(default_factory=list)
    tendus: list[tuple[int, int, TenduRep]] = field(default_factory=list)
    #: every held low plié or high relevé timed toward an exercise: (exercise index, set number, the hold)
    position_holds: list[tuple[int, int, PositionHold]] = field(default_factory=list)
    #: the seated stretches' holds (butterfly, straddle), fed by :meth:`frame`
    stretch_holds: StretchHolds = field(default_factory=StretchHolds)
    #: every stretch hold timed toward an exercise: (exercise index, set number, the hold)
    stretches: list[tuple[int, int, StretchHold]] = field(default_factory=list)
    #: when the set under way began (a hold she was already in counts from here)
    set_since: float = -math.inf
    #: the (exercise index, set number) the barre counters' hold under way is timing
    _timing: tuple[int, int] | None = None
    #: the (exercise index, set number) the stretch hold under way is timing
    _stretch_timing: tuple[int, int] | None = None

    @property
    def exercise(self) -> Exercise | None:
        return self.routine.exercises[self.index] if self.phase != "done" else None

    def status(self, t_s: float) -> RoutineStatus:
        ex = self.exercise
        remaining: float | None = None
        if self.phase == "rest":
            remaining = max(self.rest_until - t_s, 0.0)
        elif ex is not None and ex.timed and self.hold_since is not None:
            remaining = max(ex.hold_s - (t_s - self.hold_since), 0.0)
        return RoutineStatus(ex, self.index, self.set_no, self.count, self.phase, remaining, self._next_label())

    def rep(self, kind: str, t_s: float) -> list[RoutineEvent]:
        """A rep the tracker counted, of ``kind`` (demi, grand ...); only the exercise's own count. Relevés and tendus
        are counted by :meth:`frame` from the rows themselves."""
        ex = self.exercise
        if self.phase != "exercise" or ex is None or ex.timed or kind not in COUNTED[ex.kind]:
            return []
        return self._count(t_s)

    def frame(self, t_s: float, row: Mapping[str, float], reliable: bool) -> list[RoutineEvent]:
        """One frame's measurements and reliability, as the practice tracker gets them: the barre counters follow
        every frame (her standing reference stays current whatever the exercise), and a relevé or tendu they finish
        counts when it is the exercise under way (a tendu in the exercise's direction, with its leg if it names one)."""
        events: list[RoutineEvent] = []
        for ev in self.barre.update(t_s, row, reliable):
            events += self._barre(ev)
        for sev in self.stretch_holds.update(t_s, row, reliable):
            events += self._stretch(sev)
        return events

    def finish(self, t_s: float) -> list[RoutineEvent]:
        """The end of the frames: a relevé or tendu the counters were still following is concluded or dropped."""
        events: list[RoutineEvent] = []
        for ev in self.barre.finish():
            events += self._barre(ev)
        for sev in self.stretch_holds.finish():
            events += self._stretch(sev)
        return events

    def _stretch(self, ev: StretchEvent) -> list[RoutineEvent]:
        """A stretch hold started or ended: it times the stretch exercise of its own kind (kept with its set)."""
        if isinstance(ev, StretchEnded):
            self._keep_stretch(ev.hold)
            return self.hold_ended(ev.hold.t_end_s, ev.hold.reason, ev.hold.kind)
        if self.hold_since is not None:
            return []
        events = self.hold_started(max(ev.t_start_s, self.set_since), ev.kind)
        if events:
            self._stretch_timing = (self.index, self.set_no)
        return events

    def _keep_stretch(self, hold: StretchHold) -> None:
        """As :meth:`_keep_hold`, for a stretch: the set that timed it keeps it (the whole of it once it ends)."""
        kept = [i for i, (_, _, h) in enumerate(self.stretches) if h.index == hold.index]
        if kept:
            j, s, _ = self.stretches[kept[0]]
            self.stretches[kept[0]] = (j, s, hold)
        elif self._stretch_timing is not None:
            self.stretches.append((*self._stretch_timing, hold))
        self._stretch_timing = None

    def _barre(self, ev: BarreEvent) -> list[RoutineEvent]:
        ex = self.exercise
        if isinstance(ev, PositionHoldEnded):  # what the hold that was timed did, in full
            self._keep_hold(ev.hold)
        if self.phase != "exercise" or ex is None:
            return []
        if isinstance(ev, ReleveEnded) and ex.kind == "releve":
            self.releves.append((self.index, self.set_no, ev.rep))
            return self._count(ev.t_s, releve_notes(ev.rep, ex))
        if isinstance(ev, TenduEnded) and ex.kind == "tendu" and _tendu_counts(ev.rep, ex):
            self.tendus.append((self.index, self.set_no, ev.rep))
            return self._count(ev.t_s, ev.rep.faults)
        if isinstance(ev, PositionHoldStarted) and self.hold_since is None:
            # she has held it since then, but a set starts no earlier than its exercise (after a rest)
            return self._barre_hold(max(ev.t_start_s, self.set_since), ev.position)
        if isinstance(ev, PositionHoldEnded):
            return self.hold_ended(ev.hold.t_end_s, ev.hold.reason, ev.hold.position)
        return []

    def _barre_hold(self, t_s: float, position: str) -> list[RoutineEvent]:
        events = self.hold_started(t_s, position)
        if events and self._timing is None:
            self._timing = (self.index, self.set_no)
        return events

    def _keep_hold(self, hold: PositionHold) -> None:
        """Keep a held low plié or high relevé with the set that timed it: one already kept as it was when its set's
        time was up (she held on) is replaced by the whole of it; sets after the first that it also timed keep none."""
        kept = [i for i, (_, _, h) in enumerate(self.position_holds) if h.index == hold.index]
        if kept:
            j, s, _ = self.position_holds[kept[0]]
            self.position_holds[kept[0]] = (j, s, hold)
        elif self._timing is not None:
            self.position_holds.append((*self._timing, hold))
        self._timing = None

    def _resume_hold(self, t_s: float) -> list[RoutineEvent]:
        """A set began while she still holds a low plié or high relevé the barre counters follow: its hold starts
        now (a first-position hold the tracker follows is resumed by its caller, ``turnout.session.routine_run``)."""
        if self.hold_since is not None:
            return []
        stretch = self.stretch_holds.holding()
        if stretch is not None:
            events = self.hold_started(t_s, stretch)
            if events:
                self._stretch_timing = (self.index, self.set_no)
            return events
        position = self.barre.holds.holding()
        if position is None:
            return []
        return self._barre_hold(t_s, position)

    def _count(self, t_s: float, notes: tuple[str, ...] = ()) -> list[RoutineEvent]:
        ex = self.exercise
        assert ex is not None
        self.count += 1
        say = f"{self.count}: {', '.join(notes)}" if notes else str(self.count)
        events = [RoutineEvent(t_s, "counted", say)]
        if self.count >= ex.reps:
            events += self._set_done(t_s, float(self.count))
        return events

    def hold_started(self, t_s: float, position: str = "first") -> list[RoutineEvent]:
        """A hold of ``position`` started at ``t_s``: first position from the tracker, a low plié or a high relevé
        from the barre counters, a butterfly, a straddle, a pigeon, a frog or a low lunge from the stretch holds
        (:meth:`frame`); it times the exercise's own position only."""
        ex = self.exercise
        if self.phase != "exercise" or ex is None or not (ex.timed and ex.variant == position):
            return []
        self.hold_since = t_s
        return [RoutineEvent(t_s, "hold", f"Hold {ex.label} for {ex.hold_s:g} seconds")]

    def hold_ended(self, t_s: float, why: str = "", position: str = "first") -> list[RoutineEvent]:
        """The hold of ``position`` broke at ``t_s`` (``why``: what broke it) before or after the time was up; the end
        of another position's hold is not this exercise's."""
        ex, since = self.exercise, self.hold_since
        if ex is not None and ex.timed and ex.variant != position:
            return []
        self.hold_since = None
        if self.phase != "exercise" or ex is None or not ex.timed or since is None:
            return []
        held = t_s - since
        if held >= ex.hold_s:
            return self._set_done(t_s, ex.hold_s)
        because = f" ({why})" if why else ""
        return [RoutineEvent(t_s, "hold_broken", f"Held {held:.0f} of {ex.hold_s:g} seconds{because}: again")]

    def tick(self, t_s: float) -> list[RoutineEvent]:
        """The clock: a hold whose time is up completes its set; a rest that is over starts what comes next."""
        ex = self.exercise
        holding = self.phase == "exercise" and ex is not None and ex.timed and self.hold_since is not None
        if holding and ex is not None and self.hold_since is not None and t_s - self.hold_since >= ex.hold_s:
            self.hold_since = None
            return self._set_done(t_s, ex.hold_s)
        if self.phase == "rest" and t_s >= self.rest_until:
            self.phase = "exercise"
            self.set_since = t_s
            ex = self.exercise
            assert ex is not None
            return [RoutineEvent(t_s, "next", f"{ex.label.capitalize()}: set {self.set_no} of {ex.sets}"),
                    *self._resume_hold(t_s)]  # fmt: skip
        return []

    def skip(self, t_s: float) -> list[RoutineEvent]:
        """On to the next exercise, whatever is left of this one."""
        if self.phase == "done":
            return []
        self.set_no = self.routine.exercises[self.index].sets
        self.count = 0
        self.hold_since = None
        return self._advance(t_s, rest_s=0.0)

    def _set_done(self, t_s: float, amount: float) -> list[RoutineEvent]:
        ex = self.exercise
        assert ex is not None
        so_far = self.barre.holds.current() if self._timing is not None else None
        if so_far is not None:  # she holds on past the set's time: the hold as it was, replaced when it ends
            self._keep_hold(so_far)
        stretch_so_far = self.stretch_holds.current() if self._stretch_timing is not None else None
        if stretch_so_far is not None:
            self._keep_stretch(stretch_so_far)
        self.done_sets.append((self.index, self.set_no, amount))
        events = [RoutineEvent(t_s, "set_done", f"Set {self.set_no} of {ex.sets} done")]
        self.count = 0
        return events + self._advance(t_s, rest_s=ex.rest_s)

    def _advance(self, t_s: float, rest_s: float) -> list[RoutineEvent]:
        ex = self.routine.exercises[self.index]
        if self.set_no < ex.sets:
            self.set_no += 1
        elif self.index + 1 < len(self.routine.exercises):
            self.index += 1
            self.set_no = 1
        else:
            self.phase = "done"
            return [RoutineEvent(t_s, "done", f"{self.routine.name} done: well worked")]
        self.set_since = t_s
        if rest_s > 0:
            self.phase, self.rest_until = "rest", t_s + rest_s
            return [
                RoutineEvent(
                    t_s, "rest", f"Rest {rest_s:g} second{'s' if rest_s != 1 else ''}; next: {self._next_label()}"
                )
            ]
        return [RoutineEvent(t_s, "next", self._next_label() or ""), *self._resume_hold(t_s)]

    def _next_label(self) -> str | None:
        if self.phase == "done":
            return None
        ex = self.routine.exercises[self.index]
        return f"{ex.label}, set {self.set_no} of {ex.sets}"


def _tendu_counts(rep: TenduRep, ex: Exercise) -> bool:
    """A tendu counts toward ``ex`` in its direction, and on its leg when it names one."""
    return rep.direction == ex.variant and ex.leg in ("", rep.leg)


def releve_notes(rep: ReleveRep, ex: Exercise) -> tuple[str, ...]:
    """What to correct in one relevé of exercise ``ex``, in words (empty for a clean one)."""
    notes = []
    want = "bent" if ex.variant == "bent" else "straight"
    if rep.knees != want:
        notes.append("straighten the knees" if want == "straight" else "bend the knees")
    if not rep.heels_lowered:
        notes.append("lower the heels fully")
    return tuple(notes)


@dataclass(frozen=True, slots=True)
class ExerciseSummary:
    """What was done of one exercise: sets, reps or seconds, and the relevés and tendus counted toward it."""

    exercise: Exercise
    sets_done: int
    #: reps counted, or seconds held
    amount: float
    releves: tuple[ReleveRep, ...] = ()
    tendus: tuple[TenduRep, ...] = ()
    #: the held low pliés or high relevés timed toward it
    holds: tuple[PositionHold, ...] = ()
    #: the butterflies or straddles timed toward it
    stretch_holds: tuple[StretchHold, ...] = ()

    def line(self) -> str:
        """ "demi-pliés: 2 of 2 sets, 20 reps", with the relevés' or tendus' figures where there are any."""
        ex = self.exercise
        amount = f"{self.amount:g} s held" if ex.timed else f"{int(self.amount)} reps"
        text = f"{ex.label}: {self.sets_done} of {ex.sets} sets, {amount}"
        if self.releves:
            r = self.releves
            want = "bent" if ex.variant == "bent" else "straight"
            text += (
                f"; heels up {_pct(r)}, {_mean(x.time_up_s for x in r):.1f} s "
                f"up; knees {want} in {sum(x.knees == want for x in r)} of {len(r)}, heels lowered fully in "
                f"{sum(x.heels_lowered for x in r)}"
            )
        if self.tendus:
            t = self.tendus
            legs = ", ".join(f"{side} {n}" for side in ("left", "right") if (n := sum(x.leg == side for x in t)))
            # (what it says, what the picture could not tell when it told none: side-on, a back tendu's point)
            checks = (("pointed", "the point", [x.pointed for x in t]),
                      ("knee straight", "the working knee", [x.knee_straight for x in t]),
                      ("standing leg steady", "the standing leg", [x.standing_steady for x in t]),
                      ("closed", "the closing", [x.returned for x in t]))  # fmt: skip
            told = [f"{said} {_told(v)}" for said, _, v in checks if any(x is not None for x in v)]
            unseen = [name for _, name, v in checks if all(x is None for x in v)]
            text += f" ({legs}); " + (", ".join(told) + f" of {len(t)}" if told else "")
            if unseen:
                text += ("; " if told else "") + f"not told from the picture: {', '.join(unseen)}"
        if self.holds:
            text += "; " + hold_figures(self.holds)
        if self.stretch_holds:
            text += "; " + stretch_figures(self.stretch_holds)
        return text


def hold_figures(holds: tuple[PositionHold, ...]) -> str:
    """What her held low pliés or high relevés were like: "hips 18 % of a leg down, longest 32 s; ended: the hips rose
    (2)" or "heels up 52 % of the foot (47-62), knees straight in 3 of 3, longest 30 s; ended: the heels came down
    (3)"."""
    if holds[0].position == "low_plie":
        text = f"hips {100 * _mean(h.level_legs for h in holds):.0f} % of a leg down"
    else:
        text = (f"heels up {_pct(holds)}, knees straight in "
                f"{sum(h.knees == 'straight' for h in holds)} of {len(holds)}")  # fmt: skip
    reasons = [h.reason for h in holds if h.reason]  # "" : still held when the routine ended
    ended = ", ".join(f"{r} ({reasons.count(r)})" for r in dict.fromkeys(reasons))
    return f"{text}, longest {max(h.seconds for h in holds):.0f} s" + (f"; ended: {ended}" if ended else "")


def stretch_figures(holds: tuple[StretchHold, ...]) -> str:
    """How long her butterflies or straddles lasted and what ended them: "longest 12 s; ended: the knees or feet moved
    (2)". Their figures are the picture's, told only against her earlier sessions (``RoutineRun.summary``)."""
    reasons = [h.reason for h in holds if h.reason]
    ended = ", ".join(f"{r} ({reasons.count(r)})" for r in dict.fromkeys(reasons))
    return f"longest {max(h.seconds for h in holds):.0f} s" + (f"; ended: {ended}" if ended else "")


def _pct(reps: Sequence[ReleveRep] | Sequence[PositionHold]) -> str:
    """The heels' mean lift as a share of the foot with the range the truth lies in (barre.foot_pct_range): "45 % of
    the foot (40-55)"; bent knees widen it. Over the reps read from the front: side-on the lift is not read as a share
    of the foot, nor turned three-quarter (``barre.ReleveRep.view``), and with none read from the front it says so."""
    read = [x for x in reps if math.isfinite(x.foot_pct)]
    if not read:
        return "(the lift is read as a share of the foot only facing the camera)"
    return (
        f"{_mean(x.foot_pct for x in read):.0f} % of the foot ({_mean(x.foot_pct_low for x in read):.0f}-"
        f"{_mean(x.foot_pct_high for x in read):.0f})"
    )


def _told(verdicts: Iterable[bool | None]) -> str:
    """How many reps a judgement passed, and on how many the picture could not tell (None) when some."""
    v = list(verdicts)
    unknown = sum(x is None for x in v)
    return f"{sum(x is True for x in v)}" + (f" ({unknown} not told from the picture)" if unknown else "")


def _mean(values: Any) -> float:
    a = [float(v) for v in values]
    return sum(a) / len(a) if a else float("nan")


def exercise_summaries(runner: RoutineRunner) -> list[ExerciseSummary]:
    """Per exercise: the sets done, the reps or seconds, and its relevés' and tendus' own summaries."""
    out = []
    for i, ex in enumerate(runner.routine.exercises):
        sets = [a for j, _, a in runner.done_sets if j == i]
        out.append(
            ExerciseSummary(
                ex,
                len(sets),
                float(sum(sets)),
                tuple(r for j, _, r in runner.releves if j == i),
                tuple(r for j, _, r in runner.tendus if j == i),
                tuple(h for j, _, h in runner.position_holds if j == i),
                tuple(h for j, _, h in runner.stretches if j == i),
            )
        )
    return out


def summary(runner: RoutineRunner) -> list[str]:
    """One line per exercise: what was done of it ("demi-pliés: 2 of 2 sets, 20 reps"; relevés and tendus with
    their figures: "relevés: 3 of 3 sets, 24 reps; heels up 44 % of the foot (39-54), 1.8 s up; knees straight in 24 of
    24, heels lowered fully in 24")."""
    return [s.line() for s in exercise_summaries(runner)]
