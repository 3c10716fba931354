"""A first-position hold timed side-on (issue 17, items 3-4): the feet are not read from the side, so the tracker
times no first position there; a still stand with straight legs (the profile's hold, FrameResult.hold_s side-on)
times the routine's first-position hold instead, in the window (RoutineRun.follow) and on the command line
(replay_analysis). Synthetic rows; the studio's profile_arch_right through the real model in the note of the commit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from turnout.measure.image import FRONT, SIDE
from turnout.practice.routine import Exercise, Routine
from turnout.session.routine_run import RoutineRun

FPS = 15


def side_row(straight: bool = True, facing: float = SIDE) -> dict[str, float]:
    return {"facing_code": facing, "profile_facing": 1.0, "profile_thigh_deg": 88.0,
            "profile_shank_deg": 89.0 if straight else 140.0}  # fmt: skip


def walk(run: RoutineRun, frames: list[tuple[float, dict[str, float], float | None]]) -> list[str]:
    said: list[str] = []
    for t, row, hold_s in frames:
        progress = run.follow(SimpleNamespace(timestamp_ms=round(t * 1000), measurement=SimpleNamespace(
            as_row=lambda row=row: row), reliable=False, events=(), baseline_ready=True, hold_s=hold_s))  # fmt: skip
        said += [e.say for e in progress.said] if progress is not None else []
    return said


def still(t0: float, t1: float, end: float, *, straight: bool = True, facing: float = SIDE) -> list[Any]:
    """Frames from 0 to ``end``: still from ``t0`` to ``t1`` (the profile's hold_s once 3 s long), moving after."""
    out = []
    for i in range(int(end * FPS)):
        t = i / FPS
        held = t - t0 if t0 <= t < t1 and t - t0 >= 3.0 else None
        out.append((t, side_row(straight, facing), held))
    return out


def test_a_still_stand_side_on_times_the_first_position_hold() -> None:
    run = RoutineRun(Routine("r", (Exercise("hold", sets=1, hold_s=4, variant="first"),)))
    said = walk(run, still(0.0, 6.0, 7.0))
    run.end()
    assert "Hold first position for 4 seconds" in said
    assert [s for _, s, _ in run.runner.done_sets] == [1]
    assert run.summary() == ["first position: 1 of 1 sets, 4 s held"]


def test_moving_side_on_breaks_it_and_says_why() -> None:
    run = RoutineRun(Routine("r", (Exercise("hold", sets=1, hold_s=6, variant="first"),)))
    said = walk(run, still(0.0, 5.0, 6.0))
    assert "Held 5 of 6 seconds (she moved): again" in said
    assert run.runner.done_sets == []


def test_a_held_plie_side_on_or_a_front_view_is_no_first_position_from_the_side() -> None:
    for frames in (still(0.0, 6.0, 7.0, straight=False), still(0.0, 6.0, 7.0, facing=FRONT)):
        run = RoutineRun(Routine("r", (Exercise("hold", sets=1, hold_s=4, variant="first"),)))
        said = walk(run, frames)
        assert not any(s.startswith("Hold first position") for s in said), said
        assert run.runner.done_sets == []
