"""Seated stretches from synthetic rows (turnout.practice.stretches) and the routine timing them (no pose model)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from turnout.practice import stretches
from turnout.practice.routine import STRETCHES, Exercise, Routine, RoutineRunner
from turnout.practice.stretches import StretchEnded, StretchHolds, StretchStarted, compare, read_frame, stretch_of
from turnout.session.routine_run import RoutineRun, stretch_figure
from turnout.storage.store import StoredExercise

TORSO = 100.0  # px
FPS = 15.0

# her points from the hips' middle, in torsos (x to the picture's right: her left leg is on the right; y down), as the
# studio's scenes read them through the pose model (tests/test_stretches_e2e.py)
LONG_SIT = {"left_knee": (0.27, 0.45), "right_knee": (-0.25, 0.42), "left_ankle": (0.42, 1.02),
            "right_ankle": (-0.49, 1.0)}  # fmt: skip
BUTTERFLY = {"left_knee": (1.0, -0.24), "right_knee": (-1.05, -0.25), "left_ankle": (0.16, 0.38),
             "right_ankle": (-0.23, 0.4)}  # fmt: skip
STRADDLE = {"left_knee": (0.95, 0.35), "right_knee": (-0.95, 0.35), "left_ankle": (1.9, 0.7),
            "right_ankle": (-1.95, 0.7)}  # fmt: skip
# the pigeon: her right leg in front, the left behind her with its ankle hidden
PIGEON = {"right_knee": (-0.64, 0.46), "right_ankle": (0.23, 0.44), "left_knee": (0.07, 0.18),
          "left_ankle": (math.nan, math.nan)}  # fmt: skip
STANDING = {"left_knee": (0.2, 0.9), "right_knee": (-0.2, 0.9), "left_ankle": (0.18, 1.75),
            "right_ankle": (-0.18, 1.75)}  # fmt: skip
GRAND_PLIE_FIRST = {"left_knee": (0.6, 0.45), "right_knee": (-0.6, 0.45), "left_ankle": (0.12, 1.15),
                    "right_ankle": (-0.12, 1.15)}  # fmt: skip
GRAND_PLIE_SECOND = {"left_knee": (0.85, 0.4), "right_knee": (-0.85, 0.4), "left_ankle": (0.9, 1.1),
                     "right_ankle": (-0.9, 1.1)}  # fmt: skip
# the frog (stretch_frog): face down on her hands and knees, her torso leaning at the camera (FROG_RATIO: her width
# across, shoulders, 2.9 torsos in the picture), so the points are in upright-torso units of 1.3 of her widths
FROG = {"left_knee": (0.85, 0.55), "right_knee": (-0.80, 0.50), "left_ankle": (0.78, 0.19),
        "right_ankle": (-0.73, 0.19)}  # fmt: skip
FROG_RATIO = 2.9  # facing_ratio
UPRIGHT_RATIO = 0.8  # facing_ratio seated upright (the studio's sits 0.68-0.85)
# the low lunge, right foot forward, from a camera 0.8 m up (stretch_low_lunge): the front thigh points at the camera,
# the back knee is down on the floor, its ankle hidden behind her; from 1.0 m up with the left foot forward
# (stretch_frog_lunge) the front knee shows lower, the back ankle above its knee (its shin runs away from the camera)
LUNGE = {"right_knee": (-0.25, 0.03), "right_ankle": (-0.26, 1.0), "left_knee": (0.16, 0.8),
         "left_ankle": (math.nan, math.nan)}  # fmt: skip
LUNGE_HIGH = {"left_knee": (0.30, 0.47), "left_ankle": (0.30, 1.20), "right_knee": (-0.18, 0.80),
              "right_ankle": (-0.2, 0.54)}  # fmt: skip


def row(points: dict[str, tuple[float, float]], *, facing: float = 1.0, torso: float = TORSO,
        leaning: float = 0.0) -> dict[str, float]:  # fmt: skip
    """A frame's row with ``points`` (torsos from her hips' middle) in pixels; ``leaning`` 0..1 shortens her torso in
    the picture from upright to the frog's (her width :data:`FROG_RATIO` torsos), the points then in the frog's unit."""
    width = UPRIGHT_RATIO * torso  # her shoulders across, px
    seen = (1 - leaning) * torso + leaning * width / FROG_RATIO  # her torso in the picture, shorter as she leans
    ratio = width / seen
    unit = stretches.FROG_SCALE_WIDTHS * width if ratio >= stretches.FROG_FACING_RATIO_MIN else torso
    r = {"hip_x_px": 10.0, "hip_y_px": 40.0, "shoulder_x_px": 10.0, "shoulder_y_px": 40.0 - seen,
         "facing_code": facing, "facing_ratio": ratio}  # fmt: skip
    for name, (x, y) in points.items():
        r[f"{name}_x_px"] = 10.0 + x * unit
        r[f"{name}_y_px"] = 40.0 + y * unit
    return r


def blend(
    a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]], w: float
) -> dict[str, tuple[float, float]]:
    return {k: ((1 - w) * a[k][0] + w * b[k][0], (1 - w) * a[k][1] + w * b[k][1]) for k in a}


def session(pose: dict[str, tuple[float, float]], held_s: float, *, start: float = 1.0, move: float = 1.0,
            jitter: float = 0.005, seed: int = 0) -> list[tuple[float, dict[str, float]]]:  # fmt: skip
    """Sitting ``start`` s, into ``pose`` over ``move`` s, held ``held_s``, back over ``move`` s, sitting 1 s."""
    rng = np.random.default_rng(seed)
    frames = []
    total = start + 2 * move + held_s + 1.0
    for i in range(int(total * FPS)):
        t = i / FPS
        if t < start:
            w = 0.0
        elif t < start + move:
            w = 0.5 - 0.5 * math.cos(math.pi * (t - start) / move)
        elif t < start + move + held_s:
            w = 1.0
        elif t < start + 2 * move + held_s:
            w = 0.5 + 0.5 * math.cos(math.pi * (t - start - move - held_s) / move)
        else:
            w = 0.0
        pts = {
            k: (x + rng.normal(0, jitter), y + rng.normal(0, jitter)) for k, (x, y) in blend(LONG_SIT, pose, w).items()
        }
        frames.append((round(t, 3), row(pts, leaning=w if pose is FROG else 0.0)))
    return frames


def run(frames: list[tuple[float, dict[str, float]]]) -> tuple[StretchHolds, list[object]]:
    sh = StretchHolds()
    events: list[object] = []
    for t, r in frames:
        events += sh.update(t, r, True)
    events += sh.finish()
    return sh, events


def kind(points: dict[str, tuple[float, float]], reliable: bool = True, leaning: float = 0.0) -> str | None:
    fr = read_frame(0.0, row(points, leaning=leaning), reliable)
    assert fr is not None
    return stretch_of(fr)


def test_each_pose_is_what_it_is_and_standing_is_no_stretch() -> None:
    assert kind(BUTTERFLY) == "butterfly"
    assert kind(STRADDLE) == "straddle"
    assert kind(PIGEON) == "pigeon" and kind(PIGEON, reliable=False) == "pigeon"  # its back leg hides
    mirrored = {f"{'left' if k.startswith('right') else 'right'}_{k.split('_')[1]}": (-x, y) for k, (x, y) in
                PIGEON.items()}  # fmt: skip
    assert kind(mirrored) == "pigeon"
    assert kind(BUTTERFLY, reliable=False) is None and kind(STRADDLE, reliable=False) is None
    for pose in (LONG_SIT, STANDING, GRAND_PLIE_FIRST, GRAND_PLIE_SECOND):
        assert kind(pose) is None and kind(pose, reliable=False) is None
    fifth = {**STANDING, "right_ankle": (0.15, 1.75), "right_knee": (-0.1, 0.9)}  # crossed legs standing: no pigeon
    assert kind(fifth) is None


def test_the_frog_is_read_only_with_her_torso_leaning_at_the_camera() -> None:
    assert kind(FROG, leaning=1.0) == "frog" and kind(FROG, reliable=False, leaning=1.0) == "frog"
    assert kind(FROG) is None  # the same points with her torso upright: not a frog (nor anything else)
    hidden = {**FROG, "right_ankle": (math.nan, math.nan)}  # a foot hidden behind her
    assert kind(hidden, leaning=1.0) == "frog"
    narrow = {**FROG, "left_knee": (0.3, 0.55), "right_knee": (-0.3, 0.5)}  # knees under her hips: on all fours
    assert kind(narrow, leaning=1.0) is None
    feet_forward = {**FROG, "left_ankle": (0.78, 0.9), "right_ankle": (-0.73, 0.9)}  # ankles below the knees
    assert kind(feet_forward, leaning=1.0) is None
    for pose in (LONG_SIT, BUTTERFLY, STRADDLE, STANDING, GRAND_PLIE_SECOND):  # leaning or not, these are no frog
        assert kind(pose, leaning=1.0) is None


def test_the_low_lunge_is_read_from_its_front_leg_and_a_hidden_back_foot() -> None:
    assert kind(LUNGE, reliable=False) == "low_lunge" and kind(LUNGE_HIGH, reliable=False) == "low_lunge"
    assert stretches.lunge_front(read_frame(0.0, row(LUNGE)) or pytest.fail()) == "right"
    assert stretches.lunge_front(read_frame(0.0, row(LUNGE_HIGH)) or pytest.fail()) == "left"
    # one leg with the other hidden (a real clip's first frames, sports2d_demo): no back knee, no lunge
    hidden = {"left_knee": (0.17, 0.44), "left_ankle": (0.2, 1.15), "right_knee": (math.nan, math.nan),
              "right_ankle": (math.nan, math.nan)}  # fmt: skip
    assert kind(hidden, reliable=False) is None
    # the back ankle seen below its knee is a leg standing or sitting, not one kneeling back along the floor
    assert kind({**LUNGE_HIGH, "right_ankle": (-0.2, 1.6)}, reliable=False) is None
    assert kind({**LUNGE_HIGH, "right_knee": (-0.18, 0.5)}, reliable=False) is None  # back knee above the front
    assert kind({**LUNGE_HIGH, "left_knee": (0.8, 0.67)}, reliable=False) is None  # front knee out: a plié's
    for pose in (LONG_SIT, STANDING, GRAND_PLIE_FIRST, GRAND_PLIE_SECOND):
        assert kind(pose) is None and kind(pose, reliable=False) is None


def test_nothing_is_read_side_on_from_behind_or_without_a_torso() -> None:
    assert read_frame(0.0, row(BUTTERFLY, facing=3.0)) is None
    assert read_frame(0.0, row(BUTTERFLY, facing=4.0)) is None
    assert read_frame(0.0, row(BUTTERFLY, torso=10.0)) is None
    missing = row(BUTTERFLY)
    missing["left_knee_x_px"] = math.nan
    fr = read_frame(0.0, missing)
    assert fr is not None and stretch_of(fr) is None


@pytest.mark.parametrize(("pose", "name"), [(BUTTERFLY, "butterfly"), (STRADDLE, "straddle"), (PIGEON, "pigeon"),
                                           (FROG, "frog"), (LUNGE, "low_lunge")])  # fmt: skip
def test_a_held_stretch_is_timed_from_still_to_the_break(pose: dict[str, tuple[float, float]], name: str) -> None:
    frames = session(pose, held_s=5.0)
    sh, events = run(frames)
    (hold,) = sh.holds
    assert hold.kind == name
    # the frog's wider stillness band (FROG_STILL_BAND) takes in the last third of this 1 s way in: within the issue's
    # 0.5 s (the studio's frogs start within 0.13 s: tests/test_stretches_e2e.py)
    tol = 0.5 if name == "frog" else 0.3
    assert abs(hold.t_start_s - 2.0) <= tol and abs(hold.t_end_s - 7.0) <= tol, hold
    assert hold.reason in ("the knees or feet moved", "the legs moved", "the front leg moved",
                           f"she came out of the {name.replace('_', ' ')}")  # fmt: skip
    assert math.isfinite(hold.figure) == (name in ("butterfly", "straddle"))  # the others have no figure
    started = [e for e in events if isinstance(e, StretchStarted)]
    assert len(started) == 1 and started[0].t_s == pytest.approx(hold.t_start_s + stretches.MIN_HOLD_S, abs=0.1)
    assert [type(e) for e in events] == [StretchStarted, StretchEnded]


def test_a_short_stretch_or_one_that_never_stills_is_no_hold() -> None:
    sh, events = run(session(BUTTERFLY, held_s=1.0))
    assert sh.holds == [] and events == []
    sh, _ = run(session(BUTTERFLY, held_s=5.0, jitter=0.1))  # never still within STILL_BAND
    assert sh.holds == []


def test_one_misread_frame_does_not_end_a_hold_but_a_lost_pose_does() -> None:
    frames = session(BUTTERFLY, held_s=6.0)
    bad = dict(frames[60][1])
    bad["left_ankle_y_px"] = 40.0 + 1.5 * TORSO  # one frame: the ankle misplaced far below (no longer seated)
    frames[60] = (frames[60][0], bad)
    sh, _ = run(frames)
    assert len(sh.holds) == 1 and sh.holds[0].t_end_s > 7.5
    lost = [(t, r) for t, r in session(BUTTERFLY, held_s=6.0) if not 4.0 <= t < 5.5]
    sh, _ = run(lost)
    assert sh.holds[0].reason == "the pose was lost" and sh.holds[0].t_end_s == pytest.approx(3.93, abs=0.05)


def test_the_butterfly_figure_is_the_knees_height_and_lower_knees_read_lower() -> None:
    high, _ = run(session(BUTTERFLY, held_s=4.0))
    low_pose = {**BUTTERFLY, "left_knee": (1.05, -0.02), "right_knee": (-1.1, -0.03)}
    low, _ = run(session(low_pose, held_s=4.0))
    assert high.holds[0].figure == pytest.approx(0.245, abs=0.01)
    assert low.holds[0].figure == pytest.approx(0.025, abs=0.01)
    assert compare("butterfly", low.holds[0].figure, high.holds[0].figure).startswith("knees lower than last time")
    assert compare("butterfly", 0.25, 0.22) == "about the same as last time"
    assert compare("butterfly", 0.25, None) == ""
    assert compare("straddle", 3.9, 3.6) == "legs wider than last time"


def test_the_routine_times_its_stretch_and_counts_sets() -> None:
    """Two butterflies of 3.5 s held for a routine of 2 x 3 s with 2 s rest: both sets done; a straddle done between
    them is not a butterfly, and a first-position hold's end does not touch the stretch's set. (Held on through the
    rest, the next set would start at the rest's end, as a held low plié's does.)"""
    ex = Exercise("stretch", sets=2, hold_s=3.0, rest_s=2.0, variant="butterfly")
    runner = RoutineRunner(Routine("Stretch", (ex,)))
    frames = session(BUTTERFLY, held_s=3.5)
    straddle = [(t + frames[-1][0] + 1 / FPS, r) for t, r in session(STRADDLE, held_s=5.0)]
    again = [(t + straddle[-1][0] + 1 / FPS, r) for t, r in session(BUTTERFLY, held_s=3.5, seed=1)]
    said = []
    for t, r in frames + straddle + again:
        said += runner.frame(t, r, True)
        said += runner.tick(t)
        if runner.phase == "done":
            break
    assert [e.what for e in said if e.what in ("hold", "set_done", "done", "hold_broken")] == [
        "hold", "set_done", "hold", "set_done", "done"]  # fmt: skip
    assert [s for _, s, _ in runner.stretches] == [1, 2]
    assert all(h.kind == "butterfly" for _, _, h in runner.stretches)
    assert runner.hold_ended(1.0, "moved", "first") == []


def test_the_run_compares_with_her_earlier_figure_and_stores_it() -> None:
    ex = Exercise("stretch", sets=1, hold_s=3.0, rest_s=0.0, variant="butterfly")
    rr = RoutineRun(Routine("Stretch", (ex,)), earlier_stretches={"butterfly": 0.5})
    for t, r in session(BUTTERFLY, held_s=5.0):
        from types import SimpleNamespace

        rr.follow(SimpleNamespace(timestamp_ms=int(t * 1000), measurement=SimpleNamespace(as_row=lambda r=r: r),
                                  reliable=True, events=(), baseline_ready=True))  # fmt: skip
    rr.end()
    (line,) = rr.summary()
    assert line.startswith("butterfly: 1 of 1 sets, 3 s held") and "knees lower than last time" in line
    (stored,) = rr.stored()
    assert stored.detail["figure"] == pytest.approx(0.245, abs=0.01)
    assert stretch_figure(stored) == stored.detail["figure"]
    other = StoredExercise(0, "plie", "", "demi-pliés", 1, 1, 10.0, "", {})
    assert stretch_figure(other) is None


def test_every_stretch_says_what_to_do_while_waiting() -> None:
    from turnout.session.routine_run import RoutineProgress

    assert set(stretches.RECOGNISED) == set(STRETCHES)
    for variant, words in (("frog", "knees wide, feet turned out"), ("low_lunge", "the back knee down"),
                           ("butterfly", "soles together"), ("pigeon", "front shin across")):  # fmt: skip
        runner = RoutineRunner(Routine("r", (Exercise("stretch", sets=1, hold_s=20.0, variant=variant),)))
        progress = RoutineProgress(0.0, "r", runner.status(0.0))
        assert words in progress.hint() and "countdown starts after 2 s" in progress.hint()
