"""Practice routines: the TOML a dancer edits, its one-line errors, and the runner that counts, times and rests."""

from __future__ import annotations

from pathlib import Path

import pytest

from turnout.practice.routine import (
    DEFAULT_ROUTINE,
    Exercise,
    Routine,
    RoutineError,
    RoutineRunner,
    load_routine,
    summary,
)


def test_a_routine_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "routine.toml"
    path.write_text(
        '\ufeffname = "Morning"\n'  # a BOM, as some editors write
        '[[exercise]]\nkind = "plie"\nsets = 2\nreps = 12\nrest_s = 20\n'
        '[[exercise]]\nkind = "hold"\nvariant = "first"\nhold_s = 60\nsets = 5\n',
        encoding="utf-8",
    )
    routine = load_routine(path)
    assert routine.name == "Morning"
    assert [e.describe() for e in routine.exercises] == ["2 sets of 12 demi-pliés", "5 x 60 s first position"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[exercise]]\nkind = "pirouette"\nreps = 3\n', "exercise 1: kind must be one of plie, releve"),
        ('[[exercise]]\nkind = "plie"\n', "exercise 1: reps must be at least 1 for plie"),
        ('[[exercise]]\nkind = "stretch"\nvariant = "splits"\nhold_s = 30\n', "stretch takes one of butterfly"),
        ('[[exercise]]\nkind = "plie"\nreps = 10\nrepetitions = 3\n', "unknown key 'repetitions'"),
        ('name = "x"\n', "no [[exercise]] tables"),
        ("[[exercise]\n", "not valid TOML"),
    ],
)
def test_a_bad_routine_is_one_line_naming_what_to_change(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "routine.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RoutineError, match=None) as info:
        load_routine(path)
    text = str(info.value)
    assert message in text and "\n" not in text and str(path) in text


def test_a_missing_routine_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(RoutineError, match="cannot read the routine"):
        load_routine(tmp_path / "nope.toml")


def test_the_default_routine_follows_the_practice_numbers() -> None:
    """Pliés 10-12 a set, relevés three sets of 8-12, tendus 10-15 each direction, first position held a minute five
    times, butterfly 10 s x 3 (docs/routines.md)."""
    by = {(e.kind, e.variant): e for e in DEFAULT_ROUTINE.exercises}
    assert 10 <= by[("plie", "")].reps <= 12
    assert by[("releve", "")].sets == 3 and 8 <= by[("releve", "")].reps <= 12
    assert all(10 <= by[("tendu", d)].reps <= 15 for d in ("front", "side"))
    assert (by[("hold", "first")].sets, by[("hold", "first")].hold_s) == (5, 60)
    assert (by[("stretch", "butterfly")].sets, by[("stretch", "butterfly")].hold_s) == (3, 10)


def test_the_runner_counts_only_its_own_kind_then_rests_then_goes_on() -> None:
    routine = Routine("r", (Exercise("plie", sets=2, reps=2, rest_s=10), Exercise("releve", sets=1, reps=1)))
    run = RoutineRunner(routine)
    assert run.rep("releve", 1.0) == []  # a relevé is not a plié
    assert [e.what for e in run.rep("demi", 2.0)] == ["counted"]
    events = run.rep("grand", 4.0)
    assert [e.what for e in events] == ["counted", "set_done", "rest"] and "Rest 10 seconds" in events[-1].say
    assert run.rep("demi", 5.0) == []  # resting: not counted
    status = run.status(9.0)
    assert status.phase == "rest" and status.remaining_s == pytest.approx(5.0) and status.set_no == 2
    assert run.tick(13.9) == []
    assert [e.what for e in run.tick(14.0)] == ["next"]
    run.rep("demi", 15.0)
    assert [e.what for e in run.rep("demi", 16.0)] == ["counted", "set_done", "rest"]
    run.tick(26.0)
    assert run.exercise is not None and run.exercise.kind == "releve"
    assert [e.what for e in run.rep("releve", 27.0)] == ["counted", "set_done", "done"]
    assert run.status(28.0).phase == "done"
    assert summary(run) == ["demi-pliés: 2 of 2 sets, 4 reps", "relevés: 1 of 1 sets, 1 reps"]


def test_a_timed_hold_counts_down_breaks_and_completes() -> None:
    routine = Routine("r", (Exercise("hold", sets=2, hold_s=60, rest_s=15, variant="first"),))
    run = RoutineRunner(routine)
    run.hold_started(0.0)
    assert run.status(20.0).remaining_s == pytest.approx(40.0)
    broken = run.hold_ended(30.0, "your left foot moved")
    assert [e.what for e in broken] == ["hold_broken"] and "Held 30 of 60 seconds (your left foot moved)" in broken[
        0
    ].say
    assert run.set_no == 1 and run.done_sets == []  # not counted: she holds again
    run.hold_started(31.0)
    assert run.tick(90.0) == []
    assert [e.what for e in run.tick(91.0)] == ["set_done", "rest"]
    assert run.hold_ended(92.0) == []  # the position may break once the time was up: nothing more to say
    run.tick(106.0)
    run.hold_started(107.0)
    assert [e.what for e in run.tick(167.0)] == ["set_done", "done"]
    assert summary(run) == ["first position: 2 of 2 sets, 120 s held"]


def test_skip_moves_to_the_next_exercise() -> None:
    run = RoutineRunner(DEFAULT_ROUTINE)
    run.rep("demi", 1.0)
    events = run.skip(2.0)
    assert [e.what for e in events] == ["next"] and run.exercise is not None and run.exercise.kind == "releve"
    assert run.count == 0 and run.set_no == 1


def test_a_releve_exercise_takes_its_knees(tmp_path: Path) -> None:
    """Relevés with straight knees (the default) or bent knees (issue 17: both are practised); anything else is one
    line naming the exercise."""
    path = tmp_path / "routine.toml"
    path.write_text('[[exercise]]\nkind = "releve"\nsets = 3\nreps = 8\nvariant = "bent"\n', encoding="utf-8")
    assert [e.describe() for e in load_routine(path).exercises] == ["3 sets of 8 bent-knee relevés"]
    path.write_text('[[exercise]]\nkind = "releve"\nreps = 8\nvariant = "deep"\n', encoding="utf-8")
    with pytest.raises(RoutineError, match="exercise 1: releve takes one of"):
        load_routine(path)


def test_the_runner_without_frames_reports_as_before() -> None:
    """Fed no frames, the barre counters count nothing and the summary has no relevé or tendu figures."""
    run = RoutineRunner(Routine("r", (Exercise("releve", sets=1, reps=1), Exercise("tendu", reps=1, variant="side"))))
    assert run.finish(0.0) == []
    assert summary(run) == ["relevés: 0 of 1 sets, 0 reps", "tendus to the side: 0 of 1 sets, 0 reps"]
