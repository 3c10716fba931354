"""Relevés and held positions seen side-on (turnout.practice.barre; issue 17, items 1 and 3): relevés counted from
her hips' rise with the feet off the floor (the profile's points), the knees from their bend in the picture, the
heel's lift not said as a share of the foot; a held low plié or high relevé timed side-on. A turn between the front
and the side starts her standing afresh; a frame or two read side-on while she faces the camera is not a turn. Unit
tests on the synthetic dancer of tests/test_barre.py turned side-on, and the real pose model on rendered studio
scenes side-on (rendered on first use, cached under build/studio/).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from test_barre import BENT, DEMI, FLOOR_Y, GAP, GRAND, HIP_Y, RELEVE, SIDE_L, STAND, Pose, analyse_scene, take
from test_position_holds import LOW, held, timeline
from test_three_quarter import SIDE_ON
from turnout.measure.image import SIDE
from turnout.practice.barre import (
    HEEL_ON,
    HIP_PER_HEEL,
    REFERENCE_WINDOW_S,
    VIEW_HOLD_S,
    ReleveDiscarded,
    count_rows,
    find_position_holds,
)
from turnout.practice.routine import Exercise, ExerciseSummary
from turnout.testing.frames_csv import read_frame_rows

_PER_SIDE = ("toe_x_px", "toe_y_px", "ankle_x_px", "ankle_y_px", "heel_x_px", "heel_y_px", "knee_x_px", "knee_y_px",
             "leg_px", "knee_bend_img_deg")  # fmt: skip


def side_on(row: dict[str, float]) -> dict[str, float]:
    """The synthetic dancer's frame as ``turnout.measure.image`` gives it side-on: the sides' own points not read,
    the profile's (her two sides' mean points) read instead; her floor line and hips as before."""
    out = dict(row)
    ankle_y = (row["left_ankle_y_px"] + row["right_ankle_y_px"]) / 2
    bend = (row["left_knee_bend_img_deg"] + row["right_knee_bend_img_deg"]) / 2
    for side in ("left", "right"):
        for name in _PER_SIDE:
            out[f"{side}_{name}"] = math.nan
    out |= {"facing_code": SIDE, "profile_facing": 1.0, "profile_hip_up_px": ankle_y - row["hip_y_px"],
            "profile_hip_fwd_px": 0.0, "profile_thigh_deg": 0.0, "profile_shank_deg": bend}  # fmt: skip
    return out


def count_side(script: list[tuple[float, Pose | None]], side_from: float = 0.0, side_until: float = math.inf):  # type: ignore[no-untyped-def]
    """The counters over the script with the frames from ``side_from`` to ``side_until`` (seconds) seen side-on."""
    t, rows = take(script)
    rows = [side_on(r) if side_from <= ts < side_until else r for ts, r in zip(t, rows, strict=True)]
    return count_rows(t, rows, [True] * len(t))


#: a bent-knee relevé as the studio renders one (knees bent 30 degrees: her hips rose 0.063 legs side-on, where the
#: front view's BENT lifts them 0.01): side-on a relevé is followed by her hips
BENT_SIDE = replace(BENT, hip_up=12.0)


def test_releves_side_on_are_counted_with_their_knees_and_no_share_of_the_foot() -> None:
    releves, tendus, _ = count_side([STAND, (2.5, RELEVE), GAP, (2.5, BENT_SIDE), GAP, (2.5, RELEVE), (1.0, None)])
    assert [r.view for r in releves] == ["side"] * 3 and tendus == []
    assert [r.knees for r in releves] == ["straight", "bent", "straight"]
    for r in releves:
        assert r.heels_lowered and r.time_up_s > 0.5 and r.rise_legs > 0.0
        assert math.isnan(r.foot_pct) and math.isnan(r.foot_pct_low) and math.isnan(r.knee_shortfall_legs)
    # the routine's line says the lift is not read, instead of "nan % of the foot"
    line = ExerciseSummary(Exercise("releve", sets=1, reps=3), 1, 3.0, releves=tuple(releves)).line()
    assert "nan" not in line and "read as a share of the foot only facing the camera" in line


def test_side_on_a_rise_that_leaves_her_hips_level_is_not_counted() -> None:
    # the front view counts BENT from its heels; side-on the feet's gap alone is not trusted (it jumps with the toe
    # points): a bent-knee relevé whose hips stay within HIP_PER_HEEL x HEEL_ON of standing is not counted
    assert BENT.hip_up / (FLOOR_Y - HIP_Y) < HIP_PER_HEEL * HEEL_ON
    front, _, _ = count_side([STAND, (2.5, BENT), (1.0, None)], side_from=math.inf)
    side, _, _ = count_side([STAND, (2.5, BENT), (1.0, None)])
    assert [r.knees for r in front] == ["bent"] and side == []


def test_a_plie_side_on_is_never_a_releve() -> None:
    releves, _, _ = count_side([STAND, (3.0, DEMI), GAP, (4.0, GRAND), GAP, (2.5, RELEVE), (1.0, None)])
    assert len(releves) == 1 and releves[0].t_start_s > 9.0 and releves[0].view == "side"


def test_a_side_tendu_side_on_is_not_a_releve() -> None:
    # side-on her working foot's heel rises as it points, her hips do not
    releves, _, _ = count_side([STAND, (2.5, SIDE_L), GAP, (2.5, RELEVE), (1.0, None)])
    assert len(releves) == 1 and releves[0].t_start_s > 4.0


def test_a_turn_to_the_side_learns_her_standing_again() -> None:
    # front for the first relevé, side-on from 5 s on: both counted, each in its own view
    releves, _, events = count_side([STAND, (2.5, RELEVE), (2.0, None), (2.5, RELEVE), (1.0, None)], side_from=5.0)
    assert [r.view for r in releves] == ["front", "side"]
    assert not [e for e in events if isinstance(e, ReleveDiscarded)]


def test_a_turn_in_the_middle_of_a_releve_drops_it() -> None:
    # the rest of that relevé is learnt as her standing side-on (nothing tells it apart yet): the next relevé counts
    # once that has left her standing window (REFERENCE_WINDOW_S), never a relevé made of it
    script = [STAND, (2.5, RELEVE), (REFERENCE_WINDOW_S, None), (2.5, RELEVE), (1.0, None)]
    releves, _, events = count_side(script, side_from=2.3)
    assert [r.view for r in releves] == ["side"] and releves[0].t_start_s > 4.0 + REFERENCE_WINDOW_S
    assert [e.reason for e in events if isinstance(e, ReleveDiscarded)] == ["she turned between the front and the side"]


def test_a_moment_read_side_on_while_she_faces_the_camera_is_not_a_turn() -> None:
    # 0.3 s read side-on at the top of a front relevé (less than VIEW_HOLD_S): nothing learnt afresh, nothing dropped
    assert VIEW_HOLD_S > 0.3
    releves, _, events = count_side([STAND, (2.5, RELEVE), GAP, (2.5, RELEVE), (1.0, None)], 2.3, 2.6)
    assert [r.view for r in releves] == ["front", "front"]
    assert not [e for e in events if isinstance(e, ReleveDiscarded)]


@pytest.mark.parametrize(("peak", "position"), [(LOW, "low_plie"), (RELEVE, "high_releve")])
def test_a_position_held_side_on_is_timed(peak: Pose, position: str) -> None:
    """Side-on a held low plié (her hips down, her hips above her ankles shorter: the legs bent) and a held high
    relevé (her hips up) are timed as from the front, arrived at 2.5 s and left at 7.5 s."""
    t, rows = timeline(held(peak, 5.0))
    holds, _ = find_position_holds(t, [side_on(r) for r in rows], [True] * len(t))
    assert [(h.position, h.view) for h in holds] == [(position, "side")]
    assert abs(holds[0].t_start_s - 2.5) <= 0.4 and abs(holds[0].t_end_s - 7.5) <= 0.4, holds
    if position == "high_releve":
        assert holds[0].knees == "straight" and math.isnan(holds[0].foot_pct)
    front, _ = find_position_holds(t, rows, [True] * len(t))
    assert [(h.position, h.view) for h in front] == [(position, "front")]


@pytest.mark.e2e
@pytest.mark.slow
def test_releves_rendered_side_on_are_counted_and_a_plie_side_on_is_not_one(tmp_path: Path) -> None:
    run = analyse_scene("side_on_releves", tmp_path, SIDE_ON["side_on_releves"])
    truth = run.truth["expected"]["releves"]
    assert len(run.releves) == len(truth) == 2, run.releves
    for got, want in zip(run.releves, truth, strict=True):
        assert got.view == "side" and got.knees == "straight" and got.heels_lowered
        # counted from the heels' first clear rise to their lowering: inside the scripted relevé
        assert want["start_s"] - 0.3 <= got.t_start_s <= want["top_start_s"] and want["top_end_s"] <= got.t_end_s
        assert got.t_end_s <= want["end_s"] + 0.3
    assert run.analysis["reps"] == []  # and no plié
    plies = analyse_scene("side_on_grand_demi", tmp_path, SIDE_ON["side_on_grand_demi"])
    assert plies.releves == [] and len(plies.analysis["reps"]) == 2


@pytest.mark.e2e
@pytest.mark.slow
def test_a_man_side_on_his_releves_counted_and_his_pelvis_not_judged(tmp_path: Path) -> None:
    """A render outside the catalogue (scripts/side_on_study.py's sx_left_bent: a man in bare legs, camera 1.1 m up,
    from his left): a bent-knee relevé then a straight one, counted with their knees; his level pelvis, which the
    thigh line read "arched, about 33 degrees" (session 14's rule), is not judged."""
    from conftest import load_script
    from turnout.practice.profile import PELVIS_NOT_JUDGED, read_profile, side_on

    run = analyse_scene("sx_left_bent", tmp_path, load_script("side_on_study").SCENES["sx_left_bent"])
    assert [(r.view, r.knees) for r in run.releves] == [("side", "bent"), ("side", "straight")]
    truth = run.truth["expected"]["releves"]
    for got, want in zip(run.releves, truth, strict=True):
        assert want["start_s"] - 0.3 <= got.t_start_s <= want["top_start_s"] and want["top_end_s"] <= got.t_end_s
    action = run.truth["frames"]["action"]
    rows = read_frame_rows(tmp_path / "sx_left_bent.frames.csv")
    still = [r for r in rows if side_on(r) and action[min(int(r["frame"]), len(action) - 1)] == "stand"]
    prof = read_profile(still)
    assert prof is not None and prof.pelvis is None and prof.pelvis_note == PELVIS_NOT_JUDGED


@pytest.mark.e2e
@pytest.mark.slow
def test_held_positions_rendered_side_on_are_timed(tmp_path: Path) -> None:
    """scripts/side_on_study.py's sxh_male_both (a man in trousers, camera 0.9 m up, from his left): a high relevé
    held 4 s then a low plié held 4.5 s, each timed within 0.5 s side-on (nothing was timed side-on before)."""
    from conftest import load_script

    run = analyse_scene("sxh_male_both", tmp_path, load_script("side_on_study").SCENES["sxh_male_both"])
    rows = read_frame_rows(tmp_path / "sxh_male_both.frames.csv")
    t = [r["timestamp_ms"] / 1000.0 for r in rows]
    holds, _ = find_position_holds(t, rows, [r["reliable"] == 1.0 for r in rows])
    want = run.truth["expected"]["position_holds"]
    assert [(h.position, h.view) for h in holds] == [("high_releve", "side"), ("low_plie", "side")]
    for got, w in zip(holds, want, strict=True):
        assert abs(got.t_start_s - w["start_s"]) <= 0.5 and abs(got.t_end_s - w["end_s"]) <= 0.5, (got, w)
    assert holds[0].knees == "straight" and math.isnan(holds[0].foot_pct)


@pytest.mark.e2e
def test_real_people_walking_past_side_on_make_no_releve_tendu_or_hold(analysed: Any) -> None:
    """Real footage (../shared/media/pypi/sports2d_demo.mp4): a woman walks past side-on and a man jumps down into a
    crouch; read side-on on most of its frames, nothing there is a relevé, a tendu (tests/test_tendu_side.py: her toes
    are read side-on) or a held position."""
    result = analysed("pypi/sports2d_demo.mp4")
    assert result.csv_path is not None
    rows = read_frame_rows(result.csv_path)
    assert sum(r["facing_code"] == SIDE and r["reliable"] == 1.0 for r in rows) >= 50  # the side-on path is taken
    assert sum(math.isfinite(r["profile_left_toe_fwd_px"]) for r in rows) >= 50  # the toes are read side-on
    t = [r["timestamp_ms"] / 1000.0 for r in rows]
    ok = [r["reliable"] == 1.0 for r in rows]
    releves, tendus, _ = count_rows(t, rows, ok)
    holds, _ = find_position_holds(t, rows, ok)
    assert releves == [] and tendus == [] and holds == []
