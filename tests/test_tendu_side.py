"""Tendus seen side-on (turnout.practice.barre; issue 17, item 2): a tendu to her front or back slides the working toe
along the picture at full scale and is counted there with its leg and direction; one to her side moves toward or
away from the camera and is not counted; a step carries her hips along. Unit tests on a synthetic side-on dancer
(the rows ``turnout.measure.image`` gives side-on: ``profile_{side}_toe_fwd_px``, each toe ahead of her hips), and
the real pose model on rendered studio scenes side-on (scripts/side_on_study.py's scenes, rendered on first use and
cached under build/studio/); real footage of people walking past side-on: tests/test_releve_side.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest

from turnout.measure.image import FRONT, SIDE
from turnout.practice.barre import (
    FOOT_MOVED,
    MIN_TRAVEL,
    SIDE_ON_DIRECTIONS,
    TURNED,
    TenduDiscarded,
    TenduRep,
    TenduStarted,
    count_rows,
)
from turnout.practice.routine import Exercise, ExerciseSummary, Routine
from turnout.testing.frames_csv import read_frame_rows

FPS = 15.0
#: her standing in the picture: hips 200 px above the floor line (one leg), facing the picture's right
HIP_Y, FLOOR_Y, LEG = -100.0, 100.0, 200.0
#: each toe ahead of her hips standing, px (first position side-on: the two toes nearly together)
FIRST = (30.0, 35.0)
#: fifth side-on: one foot ahead of the other by 0.225 legs
FIFTH = (10.0, 55.0)


def _bump(t: float, start: float, seconds: float) -> float:
    """0 -> 1 -> 0 over ``seconds`` from ``start``: out in the first third, held, back in the last third."""
    u = (t - start) / seconds
    if not 0.0 <= u <= 1.0:
        return 0.0
    return min(1.0, 3.0 * u, 3.0 * (1.0 - u))


def side_rows(moves: Sequence[tuple[float, str, dict[str, Any]]], feet: tuple[float, float] = FIRST):  # type: ignore[no-untyped-def]
    """Side-on rows of a script of (seconds, what, options): "stand"; "tendu" with ``leg`` (0 left, 1 right) and
    ``reach`` (legs, forward positive), ``hips`` (legs her hips move along the picture over the standing foot);
    "walk" with ``reach`` (legs her hips and both feet travel)."""
    t_all: list[float] = []
    rows: list[dict[str, float]] = []
    t0 = 0.0
    walked = 0.0
    for seconds, what, opt in moves:
        n = int(round(seconds * FPS))
        for i in range(n):
            t = t0 + i / FPS
            f = _bump(t, t0, seconds)
            toes = list(feet)
            hip_x = walked
            if what == "tendu":
                toes[opt["leg"]] += opt["reach"] * LEG * f
                hip_x += opt.get("hips", 0.0) * LEG * f
                toes = [x - opt.get("hips", 0.0) * LEG * f for x in toes]  # ahead of her hips: they moved
            elif what == "walk":
                hip_x += opt["reach"] * LEG * min(1.0, (t - t0) / seconds)
            rows.append({
                "timestamp_ms": 1000.0 * t, "facing_code": SIDE, "profile_facing": 1.0, "hip_x_px": hip_x,
                "hip_y_px": HIP_Y, "floor_y_px": FLOOR_Y, "hip_height_px": LEG, "profile_hip_up_px": LEG - 20.0,
                "profile_left_toe_fwd_px": toes[0], "profile_right_toe_fwd_px": toes[1],
                "frame_width_px": 960.0, "frame_height_px": 540.0,
            })  # fmt: skip
            t_all.append(t)
        if what == "walk":
            walked += opt["reach"] * LEG
        t0 += n / FPS
    return t_all, rows


def count(rows_of: tuple[list[float], list[dict[str, float]]]) -> tuple[list[TenduRep], list[Any]]:
    t, rows = rows_of
    _, tendus, events = count_rows(t, rows, [True] * len(t))
    return tendus, events


STAND: tuple[float, str, dict[str, Any]] = (1.5, "stand", {})
GAP: tuple[float, str, dict[str, Any]] = (0.8, "stand", {})


def test_front_and_back_tendus_side_on_are_counted_with_their_leg_and_direction() -> None:
    script = [STAND, (2.5, "tendu", {"leg": 1, "reach": 0.45}), GAP, (2.5, "tendu", {"leg": 1, "reach": -0.55}), GAP,
              (2.5, "tendu", {"leg": 0, "reach": 0.4}), (1.0, "stand", {})]  # fmt: skip
    tendus, _ = count(side_rows(script))
    assert [(x.leg, x.direction, x.view) for x in tendus] == [
        ("right", "front", "side"), ("right", "back", "side"), ("left", "front", "side")
    ]  # fmt: skip
    for x, reach in zip(tendus, (0.45, 0.55, 0.4), strict=True):
        assert x.travel_legs == pytest.approx(reach, abs=0.01)
        # not told side-on: the point, the working knee, the standing leg (the hip point sinks in a back tendu), the
        # closing (correct closings read up to 0.05 legs off side-on)
        assert x.pointed is None and x.knee_straight is None and x.standing_steady is None and x.returned is None
        assert x.faults == () and x.return_gap_legs < 0.01
    # the routine's line says what the picture could not tell, not "nan"
    ex = Exercise("tendu", sets=1, reps=3, variant="front")
    line = ExerciseSummary(ex, 1, 3.0, tendus=tuple(tendus)).line()
    assert "nan" not in line
    assert line.endswith("(left 1, right 2); not told from the picture: the point, the working knee, the standing "
                         "leg, the closing")  # fmt: skip


def test_a_tendu_to_the_side_side_on_is_not_counted() -> None:
    # toward the camera: the toe moves 0.04-0.14 legs along the picture on the studio
    assert "side" not in SIDE_ON_DIRECTIONS
    tendus, events = count(side_rows([STAND, (2.5, "tendu", {"leg": 0, "reach": 0.16}), (1.0, "stand", {})]))
    assert tendus == []
    assert [e.reason[:13] for e in events if isinstance(e, TenduDiscarded)] == ["the toe moved"]
    assert MIN_TRAVEL > 0.16


def test_mediapipe_swapping_the_feet_names_side_on_does_not_change_the_leg() -> None:
    t, rows = side_rows([STAND, (2.5, "tendu", {"leg": 1, "reach": -0.5}), (1.0, "stand", {})])
    out = [i for i, r in enumerate(rows) if r["profile_right_toe_fwd_px"] < FIRST[1] - 0.3 * LEG]
    for i in out[::4]:  # both names on one frame swapped
        r = rows[i]
        r["profile_left_toe_fwd_px"], r["profile_right_toe_fwd_px"] = (
            r["profile_right_toe_fwd_px"], r["profile_left_toe_fwd_px"]
        )  # fmt: skip
    for i in out[1::4]:  # both names on the working foot
        rows[i]["profile_left_toe_fwd_px"] = rows[i]["profile_right_toe_fwd_px"] + 3.0
    for i in out[2::4]:  # the standing foot hidden behind the other
        rows[i]["profile_left_toe_fwd_px"] = math.nan
    tendus, _ = count((t, rows))
    assert [(x.leg, x.direction) for x in tendus] == [("right", "back")]


def test_turning_round_at_the_barre_to_work_the_other_leg() -> None:
    # a front tendu, then she turns round through her back to the camera (not read) and faces the picture's left: her
    # toes are still ahead of her hips as she faces, so the next front tendu reads front, not back
    t, rows = side_rows([STAND, (2.5, "tendu", {"leg": 1, "reach": 0.45}), (1.5, "stand", {}),
                         (2.5, "tendu", {"leg": 0, "reach": 0.4}), (1.0, "stand", {})])  # fmt: skip
    for i, r in enumerate(rows):
        if 4.3 <= t[i] < 5.0:
            r["facing_code"] = 4.0  # from behind: not read
        if t[i] >= 5.0:  # facing the picture's left: forward values as she faces, her hips where they were
            r["profile_facing"] = -1.0
    tendus, events = count((t, rows))
    assert [(x.leg, x.direction) for x in tendus] == [("right", "front"), ("left", "front")]
    assert not [e for e in events if isinstance(e, TenduDiscarded)]


def test_walking_past_side_on_is_not_a_tendu() -> None:
    # a walk carries her hips along with the stepping foot; the foot that stays is left behind
    t, rows = side_rows([STAND, (1.0, "walk", {"reach": 0.4}), (1.0, "walk", {"reach": 0.4}), (1.0, "stand", {})])
    for i, r in enumerate(rows):  # one foot planted while the hips go over it: it falls behind them
        if 1.5 <= t[i] < 2.5:
            r["profile_left_toe_fwd_px"] -= (t[i] - 1.5) * 0.4 * LEG
    tendus, events = count((t, rows))
    assert tendus == [] and not [e for e in events if isinstance(e, TenduStarted)]
    # the same feet with her hips held where she stood: the foot left behind would have started one
    _, events = count((t, [r | {"hip_x_px": 0.0} for r in rows]))
    assert [e for e in events if isinstance(e, TenduStarted)]


def test_from_fifth_her_hips_go_over_the_standing_foot() -> None:
    # from fifth her weight goes over the standing foot: her hips travel 0.1 legs, within half the feet's spread
    # (0.225 legs) over FOOT_MOVED; the same travel from first is a step
    shift = {"leg": 1, "reach": 0.45, "hips": -0.1}
    assert FOOT_MOVED + (FIRST[1] - FIRST[0]) / LEG / 2 < 0.1 < FOOT_MOVED + (FIFTH[1] - FIFTH[0]) / LEG / 2
    fifth, _ = count(side_rows([STAND, (2.5, "tendu", shift), (1.0, "stand", {})], feet=FIFTH))
    first, events = count(side_rows([STAND, (2.5, "tendu", shift), (1.0, "stand", {})], feet=FIRST))
    assert [(x.leg, x.direction) for x in fifth] == [("right", "front")]
    assert first == [] and any("a step" in e.reason for e in events if isinstance(e, TenduDiscarded))


def test_a_turn_to_face_the_camera_mid_tendu_drops_it() -> None:
    t, rows = side_rows([STAND, (2.5, "tendu", {"leg": 1, "reach": 0.45}), (1.0, "stand", {})])
    for i, r in enumerate(rows):
        if t[i] >= 2.3:
            r["facing_code"] = FRONT
    tendus, events = count((t, rows))
    assert tendus == [] and TURNED in [e.reason for e in events if isinstance(e, TenduDiscarded)]


def test_the_panel_asks_her_to_face_the_camera_for_tendus_to_the_side(qtbot: Any) -> None:
    """Side-on, tendus to the side are not counted: the routine panel says so while she stands side-on during them,
    and counts the ones to the front with no such word."""
    from conftest import row_result
    from turnout.app.routine_panel import RoutinePanel
    from turnout.session.routine_run import SIDE_TENDU_HINT, RoutineRun

    panel = RoutinePanel()
    qtbot.addWidget(panel)
    panel.show()
    shown: dict[str, set[str]] = {}
    for variant in ("side", "front"):
        run = RoutineRun(Routine("Tendus", (Exercise("tendu", sets=1, reps=2, rest_s=0, variant=variant),)))
        t, rows = side_rows([STAND, (2.5, "tendu", {"leg": 1, "reach": 0.45}), (1.0, "stand", {})])
        for x, r in zip(t, rows, strict=True):
            progress = run.follow(row_result(x, r))
            if progress is not None:
                panel.show_progress(progress)
            shown.setdefault(variant, set()).add(panel.prompt.text() if panel.prompt.isVisible() else "")
        shown[variant].add(panel.text())
    assert SIDE_TENDU_HINT in shown["side"] and "Tendus to the side · set 1 of 1 · 0 / 2" in shown["side"]
    assert SIDE_TENDU_HINT not in shown["front"] and "Tendus to the front · set 1 of 1 · 1 / 2" in shown["front"]


# ---- the real pose model ------------------------------------------------------------------------------------------


def _study_tendus(name: str, tmp_path: Any) -> tuple[dict[str, Any], list[TenduRep]]:
    from conftest import load_script

    study = load_script("side_on_study")
    truth, csv_path = study.analyse(name, tmp_path)
    rows = read_frame_rows(csv_path)
    t = [r["timestamp_ms"] / 1000.0 for r in rows]
    _, tendus, _ = count_rows(t, rows, [r["reliable"] == 1.0 for r in rows])
    return truth, tendus


def _inside(truth: dict[str, Any], tendus: list[TenduRep]) -> None:
    want = [w for w in truth["expected"]["tendus"] if w["direction"] in SIDE_ON_DIRECTIONS]
    assert [(x.leg, x.direction) for x in tendus] == [(w["leg"], w["direction"]) for w in want]
    for x, w in zip(tendus, want, strict=True):
        assert w["start_s"] - 0.2 <= x.t_start_s < x.t_end_s <= w["end_s"] + 0.3, (x, w)
        assert x.view == "side" and x.travel_legs >= MIN_TRAVEL


@pytest.mark.e2e
@pytest.mark.slow
def test_a_man_side_on_his_far_legs_tendus_and_one_to_the_side(tmp_path: Any) -> None:
    """sx3_male_tendus (camera 88 degrees to his left, 1.15 m up): his right (far) leg's back and front tendus, counted
    though MediaPipe swaps his feet's names on single frames of the back one; his left tendu to the side (toward the
    camera) is not counted; nor his two relevés. Before (front only): none."""
    truth, tendus = _study_tendus("sx3_male_tendus", tmp_path)
    _inside(truth, tendus)
    assert len(tendus) == 2


@pytest.mark.e2e
@pytest.mark.slow
def test_tendus_from_fifth_side_on(tmp_path: Any) -> None:
    """sx5_fifth_tendus (trousers, camera 0.95 m up, 88 degrees to her left): from fifth her hips go over her standing
    foot (0.087 legs along the picture, true), which the rule for a step allows: her left (near) leg's front and back
    tendus and her right (far) leg's back one. Drawn after the first side-on rule, which lost all three."""
    truth, tendus = _study_tendus("sx5_fifth_tendus", tmp_path)
    _inside(truth, tendus)
    assert len(tendus) == 3
