"""Relevés and held low pliés and high relevés turned three-quarter from the camera (turnout.practice.barre; issue 17,
items 1 and 3): read as from the front (her hips' and heels' rise and her legs' shortening are up the picture
whichever way she faces), counted and timed with their knees; the lift as a share of the foot not told. Tendus and
first position are still read facing the camera or side-on only, and the routine panel says so while she stands
turned part-way. Unit tests on the synthetic dancer of tests/test_barre.py with her frames read three-quarter, and the
real pose model on two rendered scenes turned 45 and 50 degrees (rendered on first use, cached under build/studio/)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from conftest import row_result
from test_barre import BENT, DEMI, FRONT_L, GAP, RELEVE, STAND, Pose, analyse_scene, read_rows, take
from test_position_holds import LOW, held, timeline
from turnout.measure.image import FRONT, THREE_QUARTER
from turnout.practice.barre import VIEW_HOLD_S, count_rows, find_position_holds
from turnout.practice.routine import Exercise, ExerciseSummary, Routine
from turnout.session.routine_run import PART_WAY_HOLD_HINT, PART_WAY_TENDU_HINT, RoutineRun, to_say

#: a scene outside the catalogue: a petite dancer in leggings, the camera 50 degrees to her right, two straight relevés,
#: a front tendu and a bent-knee relevé (35 degrees); rendered on first use and cached under build/studio/
SCENE: dict[str, Any] = {
    "body": "f_petite", "look": "leggings", "camera": {"height": 0.9, "distance": 2.6, "yaw": -50},
    "script": ["stand 1.5", "releve 2.5 rise=50", "stand 0.8", "releve 2.5", "stand 0.8",
               "tendu right 2.5 dir=front", "stand 0.8", "releve 2.5 bend=35", "stand 1"],
    "description": "relevés and a tendu turned three-quarter (the camera 50 degrees to her right)", "tags": ["first"],
}  # fmt: skip
#: an average dancer in a leotard, the camera 45 degrees to her left: a low demi-plié held 5 s, a high relevé held 4 s
HOLDS: dict[str, Any] = {
    "body": "f_avg", "look": "leotard", "camera": {"height": 1.0, "distance": 2.8, "yaw": 45},
    "script": ["stand 1.5", "demi 7 depth=75 hold=5", "stand 1", "releve 6 rise=45 hold=4", "stand 1.5"],
    "description": "a held low plié and high relevé turned three-quarter (the camera 45 degrees to her left)",
    "tags": ["first"],
}  # fmt: skip


def count(script: list[tuple[float, Pose | None]], code: float = THREE_QUARTER):  # type: ignore[no-untyped-def]
    t, rows = take(script)
    return count_rows(t, [r | {"facing_code": code} for r in rows], [True] * len(t))


def test_releves_turned_part_way_are_counted_with_their_knees_and_no_share_of_the_foot() -> None:
    releves, tendus, _ = count([STAND, (2.5, RELEVE), GAP, (2.5, BENT), GAP, (2.5, RELEVE), (1.0, None)])
    assert [r.view for r in releves] == ["three-quarter"] * 3 and tendus == []
    assert [r.knees for r in releves] == ["straight", "bent", "straight"]
    for r in releves:
        assert r.heels_lowered and r.time_up_s > 0.5 and r.rise_legs > 0.0
        assert math.isnan(r.foot_pct) and math.isnan(r.foot_pct_low) and math.isnan(r.foot_pct_high)
    # the same frames facing the camera: the same relevés, with the lift as a share of the foot
    front, _, _ = count([STAND, (2.5, RELEVE), GAP, (2.5, BENT), GAP, (2.5, RELEVE), (1.0, None)], FRONT)
    assert [(r.t_start_s, r.t_end_s, r.knees) for r in front] == [(r.t_start_s, r.t_end_s, r.knees) for r in releves]
    assert all(r.view == "front" and math.isfinite(r.foot_pct) for r in front)
    line = ExerciseSummary(Exercise("releve", sets=1, reps=3), 1, 3.0, releves=tuple(releves)).line()
    assert "nan" not in line and "read as a share of the foot only facing the camera" in line


def test_turned_part_way_a_plie_is_no_releve_and_a_tendu_is_not_counted() -> None:
    releves, tendus, _ = count([STAND, (2.5, DEMI), GAP, (2.5, FRONT_L), (1.0, None)])
    assert releves == [] and tendus == []
    # the tendu counts facing the camera (the frames are a tendu)
    assert len(count([STAND, (2.5, DEMI), GAP, (2.5, FRONT_L), (1.0, None)], FRONT)[1]) == 1


def test_a_relevé_with_frames_of_both_views_is_told_by_most_of_them() -> None:
    """Her facing read front and three-quarter by turns (about 35 degrees from the camera) is one view: the relevé is
    counted once, in the view of most of its frames."""
    t, rows = take([STAND, (2.5, RELEVE), (1.0, None)])
    mixed = [r | {"facing_code": THREE_QUARTER if (k // 3) % 3 == 0 else FRONT} for k, r in enumerate(rows)]
    (releve,), _, _ = count_rows(t, mixed, [True] * len(t))
    assert releve.view == "front" and math.isfinite(releve.foot_pct)


@pytest.mark.parametrize(("peak", "position"), [(LOW, "low_plie"), (RELEVE, "high_releve")])
def test_held_positions_turned_part_way_are_timed_and_no_share_of_the_foot_is_told(peak: Pose, position: str) -> None:
    t, rows = timeline(held(peak, 4.0))
    (hold,), _ = find_position_holds(t, [r | {"facing_code": THREE_QUARTER} for r in rows], [True] * len(t))
    (front,), _ = find_position_holds(t, [r | {"facing_code": FRONT} for r in rows], [True] * len(t))
    assert hold.position == front.position == position and hold.view == "three-quarter" and front.view == "front"
    assert (hold.t_start_s, hold.t_end_s, hold.knees, hold.plie) == (front.t_start_s, front.t_end_s, front.knees,
                                                                      front.plie)  # fmt: skip
    assert math.isnan(hold.foot_pct) and math.isnan(hold.foot_pct_high)
    assert math.isfinite(front.foot_pct) == (position == "high_releve")


def _panel(exercise: Exercise, code: float, seconds: float) -> Any:
    """The routine run's progress after ``seconds`` of standing frames read with facing ``code``."""
    t, rows = take([(seconds, None)])
    run = RoutineRun(Routine("Barre", (exercise,)))
    progress = None
    for ts, row in zip(t, rows, strict=True):
        progress = run.follow(row_result(ts, row | {"facing_code": code})) or progress
    return progress


def test_the_panel_says_to_face_the_camera_when_turned_part_way_for_tendus_and_holds() -> None:
    tendus = Exercise("tendu", sets=1, reps=4, variant="front")
    hold = Exercise("hold", sets=1, hold_s=30, variant="first")
    relevés = Exercise("releve", sets=1, reps=8)
    assert _panel(tendus, THREE_QUARTER, 2.0).hint() == PART_WAY_TENDU_HINT
    assert _panel(hold, THREE_QUARTER, 2.0).hint() == PART_WAY_HOLD_HINT
    assert _panel(relevés, THREE_QUARTER, 2.0).hint() == ""  # counted there
    low = _panel(Exercise("hold", sets=1, hold_s=30, variant="low_plie"), THREE_QUARTER, 2.0).hint()
    assert low.startswith("Down into a low plié")  # timed there: what the hold asks of her
    assert _panel(tendus, FRONT, 2.0).hint() == ""
    assert _panel(hold, FRONT, 2.0).hint() != PART_WAY_HOLD_HINT  # what the hold asks of her
    # a moment read three-quarter is not a turn
    assert _panel(tendus, THREE_QUARTER, VIEW_HOLD_S / 2).hint() == ""


def test_the_face_the_camera_line_is_said_once_as_it_appears() -> None:
    """A dancer at the barre may not watch the screen: the line is said (sounded, with speech read out) when it
    appears, once while it holds, and again after she faced the camera and turned part-way again."""
    t, rows = take([(6.0, None)])
    run = RoutineRun(Routine("Barre", (Exercise("tendu", sets=1, reps=4, variant="front"),)))
    said: list[tuple[float, str]] = []
    for ts, row in zip(t, rows, strict=True):
        code = FRONT if 2.0 <= ts < 3.5 else THREE_QUARTER  # turned, then facing the camera 1.5 s, then turned again
        progress = run.follow(row_result(ts, row | {"facing_code": code}))
        if progress is not None:
            said += [(round(e.t_s, 1), e.say) for e in progress.said if e.what == "face"]
            if any(e.what == "face" for e in progress.said):
                assert to_say(progress.said) == PART_WAY_TENDU_HINT  # what the speaker says for that frame
    assert [say for _, say in said] == [PART_WAY_TENDU_HINT] * 2, said
    assert said[0][0] <= VIEW_HOLD_S + 0.1 and 3.5 + VIEW_HOLD_S <= said[1][0] <= 3.5 + VIEW_HOLD_S + 0.1


@pytest.mark.e2e
@pytest.mark.slow
def test_releves_rendered_turned_part_way_are_counted_and_the_tendu_is_not(tmp_path: Path) -> None:
    """Each relevé inside its scripted time with its knees, read three-quarter with no share of the foot; the tendu is
    neither a relevé nor counted; no plié."""
    run = analyse_scene("tq_releves", tmp_path, SCENE)
    want = run.truth["expected"]["releves"]
    assert [r.knees for r in run.releves] == [w["knees"] for w in want] == ["straight", "straight", "bent"]
    for got, w in zip(run.releves, want, strict=True):
        assert w["start_s"] - 0.5 <= got.t_start_s <= w["top_start_s"]
        assert w["top_end_s"] <= got.t_end_s <= w["end_s"] + 0.5
        assert got.view == "three-quarter" and math.isnan(got.foot_pct) and got.heels_lowered
    assert run.tendus == [] and run.analysis["reps"] == []


@pytest.mark.e2e
@pytest.mark.slow
def test_held_positions_rendered_turned_part_way_are_timed(tmp_path: Path) -> None:
    """The low plié and the high relevé, each within 0.5 s of its scripted hold at both ends, read three-quarter."""
    run = analyse_scene("tq_holds", tmp_path, HOLDS)
    t, rows, ok = read_rows(next(tmp_path.glob("tq_holds*.frames.csv")))
    holds, _ = find_position_holds(t, rows, ok)
    want = run.truth["expected"]["position_holds"]
    assert [h.position for h in holds] == ["low_plie", "high_releve"]
    assert [w["kind"] for w in want] == ["plie", "releve"]
    for got, w in zip(holds, want, strict=True):
        assert abs(got.t_start_s - w["start_s"]) <= 0.5 and abs(got.t_end_s - w["end_s"]) <= 0.5, (got, w)
        assert got.view == "three-quarter" and math.isnan(got.foot_pct)
    assert holds[0].plie == "demi" and holds[1].knees == "straight"
