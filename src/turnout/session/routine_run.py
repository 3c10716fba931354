"""A routine walked through alongside the pipeline: the Qt-free glue between every frame's result and the
:class:`~turnout.practice.routine.RoutineRunner`, the self-check's answer (``turnout.practice.selfcheck``) and the
session store. The window runs it on its processing thread (``turnout.app.controller``); ``turnout analyze
--routine FILE`` runs the same code over a video's results.

:meth:`RoutineRun.follow` takes each :class:`~turnout.session.pipeline.FrameResult` (its measurements feed the
runner's relevé and tendu counters and its held low pliés and high relevés, its RepEnded / HoldStarted / HoldEnded
events the counts and first-position holds) and returns a
:class:`RoutineProgress` when what the window shows changed: the exercise, set and count, the hold's countdown or the
rest timer, what is next, and what to say.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from turnout.measure.image import SIDE, THREE_QUARTER
from turnout.practice import profile, stretches
from turnout.practice.barre import MIN_HOLD_S, SIDE_ON_DIRECTIONS, VIEW_HOLD_S
from turnout.practice.plie import RepEnded
from turnout.practice.routine import HOLD_HINTS, Routine, RoutineEvent, RoutineRunner, RoutineStatus, exercise_summaries
from turnout.practice.selfcheck import PLIE, STAND, SelfCheck, last_time_words, self_check
from turnout.practice.tracker import HoldEnded, HoldStarted
from turnout.storage.store import SessionRecorder, StoredExercise

#: What makes an event worth a sound: the set's start and end, the rest's end, the hold, a correction, a line asking
#: her to face the camera for what is not read where she stands ("face": :data:`FACE_HINTS`).
CUE_WHATS: Final = (
    "set_done", "rest", "next", "hold", "hold_broken", "done", "selfcheck", "selfcheck_again", "prompt", "face",
)  # fmt: skip


#: What the panel says while she stands side-on during tendus to the side (side-on only tendus to her front and back
#: are counted: ``barre.SIDE_ON_DIRECTIONS``).
SIDE_TENDU_HINT: Final = "Face the camera: side-on a tendu to the side goes toward it and is not counted"
#: What it says while she stands turned three-quarter from the camera (``turnout.measure.image.THREE_QUARTER`` for
#: ``barre.VIEW_HOLD_S``) during tendus and first-position holds, which are read facing the camera or side-on only (a
#: tendu's direction and first position's feet are measured across the floor); her pliés, relevés and held low pliés
#: and high relevés are counted and timed there.
PART_WAY_TENDU_HINT: Final = "Face the camera (or stand side-on): turned part-way your tendus are not counted"
PART_WAY_HOLD_HINT: Final = "Face the camera (or stand side-on): turned part-way first position is not timed"
#: The panel's lines that say what is not read where she stands: each is also said (event "face") when it appears, so
#: a dancer at the barre who is not watching the screen hears why her tendus or hold are not counting.
FACE_HINTS: Final = (SIDE_TENDU_HINT, PART_WAY_TENDU_HINT, PART_WAY_HOLD_HINT)


@dataclass(frozen=True, slots=True)
class RoutineProgress:
    """What the routine panel shows now, and what was said since the last one."""

    t_s: float
    routine: str
    status: RoutineStatus
    said: tuple[RoutineEvent, ...] = ()
    #: the guided step's instruction (the self-check: stand in first, then a demi-plié); "" otherwise
    prompt: str = ""
    #: the latest self-check answer of this run
    check: SelfCheck | None = None
    #: "Last time your hips gave about 110°" (the self-check, from her previous one)
    last_time: str = ""
    #: one line per exercise, once the routine is done or ended
    summary: tuple[str, ...] = ()
    #: what comes after the set under way, or after the rest ("relevés, set 1 of 3"); None at the end
    upcoming: str | None = None
    #: the self-check's plié that gave no answer: why, and what to do (kept until an answer comes)
    advice: str = ""
    #: she stands side-on to the camera (the tendu counter's view): a tendu to the side is not counted so
    side_on: bool = False
    #: she has stood turned three-quarter from the camera for :data:`barre.VIEW_HOLD_S`: tendus and first position are
    #: not read
    part_way: bool = False

    def title(self) -> str:
        """The exercise and set: "Demi-pliés · set 2 of 3" ("Rest", "Barre basics: done")."""
        st = self.status
        ex = st.exercise
        if st.phase == "done" or ex is None or self.summary:
            return f"{self.routine}: done"
        if st.phase == "rest":
            return "Rest"
        label = ex.label[:1].upper() + ex.label[1:]
        return label if ex.kind == "selfcheck" else f"{label} · set {st.set_no} of {ex.sets}"

    def figure(self) -> str:
        """The count or the time, big: "7 / 10", "42 s left", "20 s" (a rest); "" where there is none."""
        st = self.status
        ex = st.exercise
        if st.phase == "done" or ex is None or self.summary or ex.kind == "selfcheck":
            return ""
        if st.phase == "rest":
            return f"{math.ceil(st.remaining_s or 0.0):.0f} s"
        if ex.timed:
            return (
                f"{ex.hold_s:g} s: take the position"
                if st.remaining_s is None
                else f"{math.ceil(st.remaining_s):.0f} s left"
            )
        return f"{st.count} / {ex.reps}"

    def hint(self) -> str:
        """What a hold asks of her while its countdown has not started ("Down into a low plié, hips still: the
        countdown starts after 3 s"); during tendus to the side while she stands side-on, to face the camera
        (:data:`SIDE_TENDU_HINT`); during tendus and first-position holds while she stands turned part-way, to face
        the camera or stand side-on (:data:`PART_WAY_TENDU_HINT`, :data:`PART_WAY_HOLD_HINT`); "" otherwise."""
        st = self.status
        ex = st.exercise
        if st.phase != "exercise" or ex is None or self.summary:
            return ""
        if self.part_way and ex.kind == "tendu":
            return PART_WAY_TENDU_HINT
        if self.part_way and ex.kind == "hold" and ex.variant == "first":
            return PART_WAY_HOLD_HINT
        if ex.kind == "tendu":
            return SIDE_TENDU_HINT if self.side_on and ex.variant not in SIDE_ON_DIRECTIONS else ""
        if not ex.timed or st.remaining_s is not None:
            return ""
        wait = stretches.MIN_HOLD_S if ex.kind == "stretch" else MIN_HOLD_S
        return f"{HOLD_HINTS[ex.variant]}: the countdown starts after {wait:g} s"

    def headline(self) -> str:
        """ "Demi-pliés · set 2 of 3 · 7 / 10", "Rest · 12 s", "First position · set 1 of 5 · 42 s left"."""
        st = self.status
        ex = st.exercise
        if st.phase == "done" or ex is None:
            return f"{self.routine}: done"
        if st.phase == "rest":
            return f"Rest · {math.ceil(st.remaining_s or 0.0):.0f} s"
        head = f"{ex.label[:1].upper()}{ex.label[1:]} · set {st.set_no} of {ex.sets}"
        if ex.kind == "selfcheck":
            return ex.label[:1].upper() + ex.label[1:]
        if ex.timed:
            if st.remaining_s is None:
                return f"{head} · {ex.hold_s:g} s: take the position"
            return f"{head} · {math.ceil(st.remaining_s):.0f} s left"
        return f"{head} · {st.count} / {ex.reps}"

    def key(self) -> tuple[Any, ...]:
        """What changes the display (the countdowns by whole seconds)."""
        st = self.status
        secs = None if st.remaining_s is None else math.ceil(st.remaining_s)
        return (st.index, st.set_no, st.count, st.phase, secs, self.prompt, len(self.summary), self.check, self.advice,
                self.side_on, self.part_way)  # fmt: skip


class RoutineRun:
    """One routine run alongside one stream of results; ``last_selfcheck_deg`` is her previous self-check's matched
    total turnout (from the store), recalled when the self-check starts; ``earlier_stretches`` her previous figure per
    stretch (from the store's exercises: :func:`stretch_figure`), compared with today's in the summary."""

    def __init__(self, routine: Routine, last_selfcheck_deg: float | None = None,
                 earlier_stretches: Mapping[str, float] | None = None) -> None:  # fmt: skip
        self.routine = routine
        #: her previous session's figure per stretch (:func:`stretch_figure`), for "knees lower than last time"
        self.earlier_stretches = dict(earlier_stretches or {})
        self.runner = RoutineRunner(routine)
        self.checks: list[SelfCheck] = []
        self.advice = ""
        checks = any(ex.kind == "selfcheck" for ex in routine.exercises)
        self.last_time = last_time_words(last_selfcheck_deg) if checks else ""
        self.t_s = 0.0
        self.ended = False
        self._baseline_ready = False
        self._started = False
        #: the tracker's hold under way (its start), and when the runner's current set began
        self._tracker_hold: float | None = None
        #: a still stand side-on with straight legs under way (its start): the first-position hold from the side
        self._side_hold: float | None = None
        #: whether her latest reliable frames read three-quarter and since when (None: none yet); and whether she has
        #: stood so for barre.VIEW_HOLD_S (RoutineProgress.part_way)
        self._facing: tuple[bool, float] | None = None
        self._part_way = False
        #: the face-the-camera line last said (FACE_HINTS; "" while none shows)
        self._face = ""
        self._exercise_since = -math.inf
        self._prompt = ""
        self._shown: tuple[Any, ...] | None = None
        #: the store was written since the last set ended (so it is not written every frame)
        self.dirty = False

    # -- following the results -------------------------------------------------------------------------
    def follow(self, result: Any) -> RoutineProgress | None:
        """One frame's result; a progress when the display changed or something is to be said."""
        t = result.timestamp_ms / 1000.0
        self.t_s = t
        self._baseline_ready = bool(getattr(result, "baseline_ready", False))
        if self.ended:
            return None
        said: list[RoutineEvent] = []
        row = result.measurement.as_row() if result.measurement is not None else {}
        said += self.runner.frame(t, row, bool(result.reliable))
        for ev in result.events:
            said += self._event(ev, t)
        said += self._side_on(row, getattr(result, "hold_s", None), t)
        self._follow_facing(row, bool(result.reliable), t)
        said += self.runner.tick(t)
        said += self._set_started(t, said)
        if not self._started:  # the first set starts: said (the ones after a rest are said by the runner)
            self._started = True
            ex = self.runner.exercise
            if ex is not None and ex.kind != "selfcheck":
                said.insert(0, RoutineEvent(t, "next", f"{self.routine.name}: {ex.label}, set 1 of {ex.sets}"))
        progress = self._make(t, said)
        if progress.prompt and progress.prompt != self._prompt:  # the guided step's instruction, said once
            said.append(RoutineEvent(t, "prompt", progress.prompt))
            progress = self._make(t, said)
        self._prompt = progress.prompt
        face = hint if (hint := progress.hint()) in FACE_HINTS else ""
        if face != self._face:  # said once as it appears (the panel shows it while it holds)
            self._face = face
            if face:
                said.append(RoutineEvent(t, "face", face))
                progress = self._make(t, said)
        key = progress.key()
        if not said and key == self._shown:
            return None
        self._shown = key
        return progress

    def _event(self, ev: Any, t: float) -> list[RoutineEvent]:
        ex = self.runner.exercise
        if isinstance(ev, RepEnded):
            if ex is not None and ex.kind == "selfcheck" and self.runner.phase == "exercise":
                if ev.rep.kind != "demi":
                    self.advice = "That was a grand plié: a demi-plié, please"
                    return [RoutineEvent(t, "selfcheck_again", self.advice)]
                check = self_check(ev.rep)
                if not check.has_verdict:
                    self.advice = check.words
                    return [RoutineEvent(t, "selfcheck_again", check.words)]
                self.advice = ""
                self.checks.append(check)
                self.dirty = True
                return [RoutineEvent(t, "selfcheck", check.words), *self.runner.rep(ev.rep.kind, t)]
            out = self.runner.rep(ev.rep.kind, t)
            cues = [str(f.cue) for f in ev.rep.flags if getattr(f, "cue", "")]
            if cues:  # the plié's correction with its count: "7: knees over your toes"
                out = [RoutineEvent(e.t_s, e.what, f"{e.say}: {cues[0]}") if e.what == "counted" else e for e in out]
            return out
        if isinstance(ev, HoldStarted):
            self._tracker_hold = ev.t_start_s
            # she has held it since then, but a set starts no earlier than its exercise (after a rest)
            return self.runner.hold_started(max(ev.t_start_s, self._exercise_since))
        if isinstance(ev, HoldEnded):
            self._tracker_hold = None
            return self.runner.hold_ended(t, ev.why)
        return []

    def _side_on(self, row: Mapping[str, float], hold_s: float | None, t: float) -> list[RoutineEvent]:
        """Side-on the feet are not read, so the tracker times no first position: a still stand with straight legs
        (the profile's hold, ``FrameResult.hold_s`` side-on: ``turnout.practice.profile``) times it instead, from
        where her stillness began; it ends when she moves or turns to face the camera."""
        holding = profile.side_on(row) and hold_s is not None and (self._side_hold is not None
                                                                   or profile.straight_legs(row))  # fmt: skip
        if holding and self._side_hold is None:
            self._side_hold = t - float(hold_s or 0.0)
            return self.runner.hold_started(max(self._side_hold, self._exercise_since))
        if not holding and self._side_hold is not None:
            self._side_hold = None
            return self.runner.hold_ended(t, "she moved" if profile.side_on(row) else "she turned to the camera")
        return []

    def _follow_facing(self, row: Mapping[str, float], reliable: bool, t: float) -> None:
        """Whether she stands turned part-way: her reliable frames read three-quarter for ``VIEW_HOLD_S``, and no
        longer once another view has (the barre counters' own hold on a view: a frame or two is not a turn)."""
        code = row.get("facing_code", math.nan)
        if not reliable or not math.isfinite(code):
            return
        part_way = code == THREE_QUARTER
        if self._facing is None or self._facing[0] != part_way:
            self._facing = (part_way, t)
        if t - self._facing[1] >= VIEW_HOLD_S:
            self._part_way = part_way

    def _set_started(self, t: float, said: Sequence[RoutineEvent]) -> list[RoutineEvent]:
        """A new set began (after a rest, a set without rest, a skip): a hold the tracker still follows (she stayed
        in the position) starts the set's hold now."""
        if self.runner.phase != "exercise":
            self._exercise_since = math.inf
            return []
        if self._exercise_since != math.inf and not any(e.what in ("set_done", "next") for e in said):
            return []
        self._exercise_since = t
        if (self._tracker_hold is not None or self._side_hold is not None) and self.runner.hold_since is None:
            return self.runner.hold_started(t)
        return []

    def progress_now(self) -> RoutineProgress:
        """What the panel shows now (nothing said)."""
        progress = self._make(self.t_s, [])
        self._shown = progress.key()
        return progress

    def skip(self) -> RoutineProgress:
        """On to the next exercise."""
        said = self.runner.skip(self.t_s)
        said += self._set_started(self.t_s, said)
        progress = self._make(self.t_s, said)
        self._shown = progress.key()
        return progress

    def end(self) -> RoutineProgress:
        """The routine ends here (the dancer ended it, or the frames did): its summary."""
        said: list[RoutineEvent] = []
        if not self.ended:
            said += self.runner.finish(self.t_s)
            self.ended = True
            self.dirty = True
        progress = self._make(self.t_s, said)
        self._shown = progress.key()
        return progress

    def _make(self, t: float, said: Sequence[RoutineEvent]) -> RoutineProgress:
        if any(e.what in ("set_done", "done") for e in said):
            self.dirty = True
        if self.runner.phase == "done":
            self.ended = True
        status = self.runner.status(t)
        ex = status.exercise
        prompt = ""
        if ex is not None and ex.kind == "selfcheck" and status.phase == "exercise" and not self.ended:
            prompt = PLIE if self._baseline_ready else STAND
        summary = tuple(self.summary()) if self.ended else ()
        return RoutineProgress(t, self.routine.name, status, tuple(said), prompt,
                               self.checks[-1] if self.checks else None, self.last_time, summary,
                               None if self.ended else self._upcoming(), self.advice,
                               self.runner.barre.tendu.view == "side", self._part_way)  # fmt: skip

    def _upcoming(self) -> str | None:
        r = self.runner
        if r.phase == "rest":
            return r.status(self.t_s).next_label
        exercises = self.routine.exercises
        ex = exercises[r.index]
        if r.set_no < ex.sets:
            return f"{ex.label}, set {r.set_no + 1} of {ex.sets}"
        if r.index + 1 < len(exercises):
            return exercises[r.index + 1].describe()
        return None

    # -- what was done -----------------------------------------------------------------------------------
    def summary(self) -> list[str]:
        lines = []
        for s in exercise_summaries(self.runner):
            if s.exercise.kind == "selfcheck":
                none = f"no answer ({self.advice})" if self.advice else "not done"
                lines.append(f"self-check: {self.checks[-1].words}" if self.checks else f"self-check: {none}")
            elif s.stretch_holds:
                kind = s.exercise.variant
                words = stretches.compare(kind, _median(h.figure for h in s.stretch_holds),
                                          self.earlier_stretches.get(kind))  # fmt: skip
                lines.append(s.line() + (f"; {words}" if words else ""))
            else:
                lines.append(s.line())
        return lines

    def stored(self) -> list[StoredExercise]:
        """Each exercise as stored with the session (the self-check with its verdict and matched position)."""
        out = []
        lines = self.summary()
        for i, s in enumerate(exercise_summaries(self.runner)):
            ex = s.exercise
            detail: dict[str, Any] = {}
            if ex.kind == "selfcheck" and self.checks:
                detail = self.checks[-1].to_dict()
            elif ex.kind == "selfcheck" and self.advice:
                detail = {"verdict": "none", "words": self.advice}
            elif s.releves:
                detail = {"releves": len(s.releves), "knees": [r.knees for r in s.releves],
                          "heels_lowered": sum(r.heels_lowered for r in s.releves)}  # fmt: skip
            elif s.tendus:
                detail = {"tendus": len(s.tendus), "faults": [list(r.faults) for r in s.tendus]}
            elif s.stretch_holds:  # butterflies or straddles: how long, what ended each, and her figure
                detail = {"stretches": [{"seconds": round(h.seconds, 2), "reason": h.reason,
                                         "figure": _rounded(h.figure)} for h in s.stretch_holds],
                          "figure": _rounded(_median(h.figure for h in s.stretch_holds))}  # fmt: skip
            elif s.holds:  # held low pliés or high relevés: how long, how low or high, what ended each
                detail = {"holds": [{"seconds": round(h.seconds, 2), "reason": h.reason,
                                     "level_legs": round(h.level_legs, 4), "plie": h.plie, "knees": h.knees}
                                    for h in s.holds]}  # fmt: skip
            if ex.timed:
                detail["hold_s"] = ex.hold_s
            elif ex.kind != "selfcheck":
                detail["reps_planned"] = ex.reps
            out.append(StoredExercise(i, ex.kind, ex.variant, ex.label, ex.sets, s.sets_done, s.amount, lines[i],
                                      detail, self.routine.name))  # fmt: skip
        return out

    def store(self, processor: Any) -> bool:
        """Write what was done to the session the processor is recording (none: nothing to do). True if queued."""
        recorder = getattr(processor, "recorder", None)
        if not isinstance(recorder, SessionRecorder):
            return False
        recorder.set_exercises(self.stored())
        self.dirty = False
        return True


def _rounded(value: float) -> float | None:
    """A figure as stored (JSON has no NaN: a pigeon's, which has none, is None)."""
    return round(value, 4) if math.isfinite(value) else None


def _median(values: Any) -> float:
    a = sorted(float(v) for v in values if math.isfinite(float(v)))
    if not a:
        return math.nan
    m = len(a) // 2
    return a[m] if len(a) % 2 else 0.5 * (a[m - 1] + a[m])


def stretch_figure(exercise: StoredExercise) -> float | None:
    """A stored stretch exercise's figure (the median of its holds': ``turnout.practice.stretches``), else None."""
    value = exercise.detail.get("figure") if exercise.kind == "stretch" else None
    return float(value) if isinstance(value, int | float) else None


def earlier_stretches(
    history: Sequence[tuple[str, StoredExercise]], session_id: int | None = None, before: str | None = None
) -> dict[str, float]:
    """Her latest stored figure per stretch (:func:`stretch_figure`) from ``history`` (``Store.exercise_history``:
    (session start, exercise), oldest first), for "knees lower than last time": the session ``session_id`` (the one
    under way) is left out, and with ``before`` (its start, ISO) so is every session that started after it (a video
    analysed late is compared with what came before it)."""
    out: dict[str, float] = {}
    for started, e in history:
        if e.session_id == session_id or (before is not None and started > before):
            continue
        figure = stretch_figure(e)
        if figure is not None and e.variant:
            out[e.variant] = figure  # oldest first: the latest one stays
    return out


def replay_analysis(routine: Routine, result: Any, last_selfcheck_deg: float | None = None,
                    earlier: Mapping[str, float] | None = None) -> RoutineRun:  # fmt: skip
    """Walk ``routine`` over a video's analysis (``turnout.session.analysis.AnalysisResult``): every frame's stored
    measurements and reliability feed the relevé and tendu counters, its reps and holds come in at their ends and
    starts; the routine ends with the frames (``turnout analyze --routine``). ``earlier``: her previous figure per
    stretch (:func:`earlier_stretches`)."""
    from types import SimpleNamespace

    run = RoutineRun(routine, last_selfcheck_deg, earlier)
    stamps = [int(x) for x in result.track.timestamp_ms]
    names = list(result.measurements)
    columns = [result.measurements[n] for n in names]
    timed: list[tuple[float, int, Any]] = [(r.t_end_s, 1, RepEnded(r.t_end_s, r)) for r in result.reps]
    for h in result.holds:
        timed.append((h.t_start_s, 0, HoldStarted(h.t_start_s, h.index, h.t_start_s)))
        timed.append((h.t_end_s, 2, HoldEnded(h.t_end_s, h)))
    timed.sort(key=lambda x: (x[0], x[1]))
    k = 0
    side = profile.ProfileTracker()  # side-on holds, as the pipeline follows them (its FrameResult.hold_s)
    for i, ms in enumerate(stamps):
        t = ms / 1000.0
        events = []
        while k < len(timed) and timed[k][0] <= t + 1e-9:
            events.append(timed[k][2])
            k += 1
        row = {n: float(c[i]) for n, c in zip(names, columns, strict=True)}
        reliable = bool(result.reliable[i]) if i < len(result.reliable) else False
        measurement = SimpleNamespace(as_row=lambda row=row: row)
        side.update(t, row)
        hold_s = side.hold_s if row.get("facing_code") == SIDE else None
        run.follow(SimpleNamespace(timestamp_ms=ms, measurement=measurement, reliable=reliable, events=tuple(events),
                                   baseline_ready=True, hold_s=hold_s))  # fmt: skip
    if k < len(timed):
        run.follow(SimpleNamespace(timestamp_ms=stamps[-1] if stamps else 0, measurement=None, reliable=False,
                                   events=tuple(e for _, _, e in timed[k:]), baseline_ready=True))  # fmt: skip
    run.end()
    return run


#: When several things happen at once, what is said (one cue: the sound's rate limit would drop the others).
SAY_FIRST: Final = ("selfcheck", "selfcheck_again", "hold_broken", "rest", "done", "next", "set_done", "hold",
                    "prompt", "face", "counted")  # fmt: skip


def to_say(said: Sequence[RoutineEvent]) -> str:
    """The one thing to say for a batch of events ("Set 1 of 2 done. Rest 30 seconds; next: ..."); "" for none."""
    wanted = [e for e in said if wants_sound(e)]
    if not wanted:
        return ""
    first = min(wanted, key=lambda e: SAY_FIRST.index(e.what))
    done = [e.say for e in said if e.what == "set_done"]
    if first.what == "rest" and done:
        return f"{done[-1]}. {first.say}"
    return first.say


def wants_sound(event: RoutineEvent) -> bool:
    """An event to sound or say (every count is shown, only corrections are said)."""
    return event.what in CUE_WHATS or (event.what == "counted" and ":" in event.say)
