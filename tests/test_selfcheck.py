"""The self-check as a guided step (issue 17, item 6): the answer from a demi-plié's knee verdicts, the guided
routine walked over results, and the answer stored with the session for next time (a real SQLite store)."""

from __future__ import annotations

import math
import sqlite3
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from turnout.practice.plie import RepEnded
from turnout.practice.reps import RepSummary, SideRepStats
from turnout.practice.routine import DEFAULT_ROUTINE, SELF_CHECK_ROUTINE, Exercise, Routine, routine_from_dict
from turnout.practice.selfcheck import PLIE, STAND, last_time_words, self_check
from turnout.session.routine_run import RoutineRun
from turnout.storage.migrations import migrate
from turnout.storage.store import SessionInfo, SessionRecorder, Store, StoredExercise


def side(vs: float = math.nan, low: float = math.nan, high: float = math.nan, foot: float = 60.0) -> SideRepStats:
    return SideRepStats(knee_vs_foot_deg=vs, knee_vs_foot_low_deg=low, knee_vs_foot_high_deg=high,
                        foot_direction_deg=foot)  # fmt: skip


def rep(left: SideRepStats, right: SideRepStats, kind: str = "demi") -> RepSummary:
    return RepSummary(0, kind, 0.0, 1.0, 1.5, 3.0, 30.0, left, right)


def test_knees_over_the_toes() -> None:
    check = self_check(rep(side(-2, -6, 3), side(1, -4, 5)))
    assert check.verdict == "over" and check.words.startswith("Your knees travel over your toes")
    assert check.turn_in_deg == {"left": 0.0, "right": 0.0}
    assert check.matched_total_deg == 120.0


def test_knees_inside_turn_the_feet_in_about_n_degrees() -> None:
    check = self_check(rep(side(-19, -22, -16, foot=70), side(-21, -24, -18, foot=68)))
    assert check.verdict == "inside"
    assert "turn your feet in about 20 degrees to match your hips" in check.words
    assert check.matched_total_deg == 70 - 19 + 68 - 21


def test_a_wide_range_is_said_as_a_range_and_one_knee_names_its_foot() -> None:
    check = self_check(rep(side(-18, -34, -9), side(-1, -4, 2)))
    assert check.verdict == "inside"
    assert "Your left knee points inside your toes: turn your left foot in somewhere between 10 and 35 degrees" in (
        check.words
    )
    check = self_check(rep(side(-8, -20, 2), side(-1, -4, 2)))
    assert "turn your left foot in up to 20 degrees" in check.words, "a range from 0 is said 'up to'"


def test_no_verdict_no_number_repeat_in_first() -> None:
    check = self_check(rep(side(), side()))  # fifth position: the legs cross, no knee against its foot
    assert check.verdict == "none" and not check.has_verdict
    assert "first position" in check.words and not any(ch.isdigit() for ch in check.words)
    assert (
        last_time_words(None) == ""
        and last_time_words(112.0) == "Last time your hips gave about 110° (both feet together)"
    )


def result(t: float, events: tuple[Any, ...] = (), baseline: bool = True) -> Any:
    return SimpleNamespace(timestamp_ms=int(t * 1000), measurement=None, reliable=True, events=events,
                           baseline_ready=baseline)  # fmt: skip


def test_the_guided_self_check_walks_stand_plie_answer() -> None:
    run = RoutineRun(SELF_CHECK_ROUTINE, last_selfcheck_deg=104.0)
    p = run.follow(result(0.0, baseline=False))
    assert p is not None and p.prompt == STAND and p.last_time.startswith("Last time your hips gave about 105°")
    assert [(e.what, e.say) for e in p.said] == [("prompt", STAND)], "said once, when it starts"
    p = run.follow(result(0.5))
    assert p is not None and p.prompt == PLIE and [(e.what, e.say) for e in p.said] == [("prompt", PLIE)]
    assert run.follow(result(0.6)) is None, "nothing changed: nothing published"
    fifth = RepEnded(3.0, rep(side(), side()))
    p = run.follow(result(3.0, (fifth,)))
    assert p is not None and p.said[0].what == "selfcheck_again" and p.status.phase == "exercise"
    good = RepEnded(6.0, rep(side(-20, -23, -17), side(-20, -23, -17)))
    p = run.follow(result(6.0, (good,)))
    assert p is not None and [e.what for e in p.said] == ["selfcheck", "counted", "set_done", "done"]
    assert p.check is not None and "about 20 degrees" in p.check.words
    assert p.summary and p.summary[0].startswith("self-check: Your knees point inside")
    stored = run.stored()
    assert stored[0].kind == "selfcheck" and stored[0].detail["verdict"] == "inside"


def test_routine_progress_headlines_count_hold_rest() -> None:
    routine = Routine("r", (Exercise("plie", sets=2, reps=2, rest_s=10), Exercise("hold", hold_s=5, variant="first")))
    run = RoutineRun(routine)
    p = run.follow(result(0.0))
    assert p is not None and p.headline() == "Demi-pliés · set 1 of 2 · 0 / 2"
    assert [e.say for e in p.said] == ["r: demi-pliés, set 1 of 2"], "the first set's start is said"
    plie = RepEnded(2.0, rep(side(-1), side(-1)))
    assert run.follow(result(2.0, (plie,))).headline() == "Demi-pliés · set 1 of 2 · 1 / 2"  # type: ignore[union-attr]
    p = run.follow(result(4.0, (plie,)))
    assert p is not None and p.headline() == "Rest · 10 s" and p.upcoming == "demi-pliés, set 2 of 2"
    assert run.follow(result(9.2)).headline() == "Rest · 5 s"  # type: ignore[union-attr]
    p = run.follow(result(14.0))
    assert p is not None and p.said[0].what == "next" and p.upcoming == "1 x 5 s first position"
    p = run.skip()
    assert p.headline() == "First position · set 1 of 1 · 5 s: take the position"
    from turnout.practice.tracker import HoldStarted

    p = run.follow(result(15.0, (HoldStarted(15.0, 0, 15.0),)))
    assert p is not None and p.headline() == "First position · set 1 of 1 · 5 s left"
    p = run.follow(result(17.5))
    assert p is not None and p.headline() == "First position · set 1 of 1 · 3 s left"
    p = run.follow(result(20.1))
    assert p is not None and p.status.phase == "done" and len(p.summary) == 2


def test_one_thing_is_said_for_a_batch() -> None:
    from turnout.practice.routine import RoutineEvent
    from turnout.session.routine_run import to_say

    def ev(what: str, say: str) -> RoutineEvent:
        return RoutineEvent(0.0, what, say)

    assert to_say([ev("counted", "2"), ev("set_done", "Set 1 of 2 done"), ev("rest", "Rest 30 seconds; next: x")]) == (
        "Set 1 of 2 done. Rest 30 seconds; next: x"
    )
    assert to_say([ev("selfcheck", "Your knees travel over your toes"), ev("counted", "1"), ev("done", "d")]) == (
        "Your knees travel over your toes"
    )
    assert to_say([ev("counted", "3")]) == "", "a bare count is shown, not said"
    assert to_say([ev("counted", "3: lower the heels fully")]) == "3: lower the heels fully"


def test_selfcheck_kind_in_a_file() -> None:
    r = routine_from_dict({"exercise": [{"kind": "selfcheck"}, {"kind": "plie", "reps": 10}]})
    assert r.exercises[0].reps == 1 and r.exercises[0].describe() == "self-check: first position, one demi-plié"
    assert DEFAULT_ROUTINE.exercises[0].kind == "plie"


def test_exercises_stored_with_the_session_and_the_last_selfcheck_recalled(tmp_path: Path) -> None:
    db = tmp_path / "sessions.sqlite3"
    run = RoutineRun(SELF_CHECK_ROUTINE)
    run.follow(result(6.0, (RepEnded(6.0, rep(side(-20, -23, -17, 65), side(-20, -23, -17, 65))),)))
    with Store.open(db) as store:
        sid = store.create_session(SessionInfo(source="camera 0", dancer="Ana"))
        recorder = SessionRecorder(store, sid, background=False)
        assert run.store(SimpleNamespace(recorder=recorder))
        recorder.close()
        other = store.create_session(SessionInfo(source="camera 0", dancer="Bea"))
        store.set_exercises(other, [StoredExercise(0, "plie", "", "demi-pliés", 2, 1, 10, "demi-pliés: 1 of 2")])
        got = store.exercises(sid)
        assert [(e.kind, e.sets_done, e.amount) for e in got] == [("selfcheck", 1, 1.0)]
        assert got[0].detail["matched_total_deg"] == 90.0 and got[0].routine == "Self-check"
        last = store.last_selfcheck("Ana")
        assert last is not None and last.detail["verdict"] == "inside"
        assert store.last_selfcheck("Bea") is None
        assert [e.label for _, e in store.exercise_history()] == ["self-check", "demi-pliés"]
        store.delete_session(sid)
        assert store.exercises(sid) == [] and store.last_selfcheck() is None


def test_a_version_5_database_gains_the_exercises_table_keeping_its_sessions(tmp_path: Path) -> None:
    db = tmp_path / "sessions.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, target=5, db_path=db)
    conn.execute("INSERT INTO sessions (started_at, source, measure_names) VALUES ('2026-01-01T00:00:00+00:00', "
                 "'old.mp4', '[]')")  # fmt: skip
    conn.close()
    with Store.open(db) as store:
        assert [s.source for s in store.list_sessions()] == ["old.mp4"]
        sid = store.list_sessions()[0].id
        assert store.exercises(sid) == []
    assert (tmp_path / "sessions.sqlite3.v5.bak").exists()


def test_a_routine_walked_over_an_analysis_and_the_cli_refuses_a_bad_file(tmp_path: Path, capsys: Any) -> None:
    import numpy as np

    from turnout.cli.main import main
    from turnout.session.routine_run import replay_analysis

    t = np.arange(0, 200) * 40  # 8 s at 25 fps
    reps = [replace(rep(side(-1), side(-1)), t_end_s=e) for e in (2.0, 4.0, 7.0)]
    analysis = SimpleNamespace(track=SimpleNamespace(timestamp_ms=t), measurements={"x": np.zeros(200)},
                               reliable=np.ones(200, bool), reps=reps, holds=[])  # fmt: skip
    routine = Routine("r", (Exercise("plie", sets=2, reps=2, rest_s=1.0),))
    run = replay_analysis(routine, analysis)
    assert run.summary() == ["demi-pliés: 1 of 2 sets, 2 reps"] and run.runner.count == 1 and run.ended
    bad = tmp_path / "r.toml"
    bad.write_text('[[exercise]]\nkind = "plie"\n', encoding="utf-8")
    assert main(["analyze", str(tmp_path / "none.mp4"), "--routine", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"turnout: {bad}: exercise 1: reps must be at least 1 for plie, got 0"]


def test_a_hold_kept_through_the_rest_times_the_next_set_and_only_first_position_is_timed() -> None:
    from turnout.practice.tracker import HoldStarted

    routine = Routine("r", (Exercise("hold", sets=2, hold_s=5, rest_s=3, variant="first"),
                            Exercise("hold", hold_s=5, variant="low_plie")))  # fmt: skip
    run = RoutineRun(routine)
    run.follow(result(0.0))
    p = run.follow(result(1.0, (HoldStarted(1.0, 0, 0.5),)))
    assert p is not None and p.figure() == "5 s left"  # timed from 0.5 s, shown in whole seconds
    p = run.follow(result(5.6))
    assert p is not None and p.title() == "Rest" and p.figure() == "3 s"
    p = run.follow(result(8.7))  # she stayed in first position: set 2 starts its hold at once
    assert p is not None and p.title() == "First position · set 2 of 2" and p.figure() == "5 s left"
    p = run.follow(result(13.8))
    assert p is not None and p.title() == "Rest"  # a rest before the next exercise too
    p = run.follow(result(17.0))
    assert p is not None and p.title() == "Low plié · set 1 of 1" and p.figure() == "5 s: take the position"
    assert run.follow(result(30.0)) is None, "a first-position hold does not time a low plié's"
