"""Reps, holds and flags on synthetic dancers with known reps, holds and faults.

``Synth`` builds per-frame rows of the measurement contract: the 3D measurements as the geometry gives them
(straight knees read ~18 degrees) and the image-plane ones of a simple dancer (rigid legs, feet flat or on their
toes) seen through a pinhole webcam, with pixel noise. Other test modules import it (``from test_practice import
Synth``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pytest

from turnout.measure.measures import flat_names, image_names
from turnout.practice.baseline import Baseline
from turnout.practice.hip import HipTurnout
from turnout.practice.judge import rep_flags
from turnout.practice.picture import ANKLE_POINT_ABOVE, BENT_DROP, KNEE_POINT_BELOW, MEDIAPIPE
from turnout.practice.tracker import (
    UPRIGHT_TORSOS,
    BaselineCaptured,
    HoldEnded,
    HoldStarted,
    PracticeTracker,
    RepDiscarded,
    RepPhase,
    RepStarted,
    analyze_rows,
)
from turnout.settings import Settings

STANDING_FLEX = 18.0  # what MediaPipe reads for straight knees
HEEL = 0.03
# the synthetic dancer (metres) and camera
THIGH, SHANK, ANKLE_Z, FOOT, HIP_HALF, ANKLE_HALF = 0.42, 0.42, 0.077, 0.16, 0.075, 0.065
W, H, F_PX, CAM_Z, CAM_D, PITCH = 1280, 720, 900.0, 1.0, 2.8, math.radians(5.0)
LEG = ANKLE_Z + SHANK + THIGH  # her standing hip height above the floor (m): the picture module's unit


@dataclass
class Fault:
    """Per-rep fault sizes at the bottom of the plié (0 = clean)."""

    knees_in_m: float = 0.0  # the knee inside its foot's line at 6 cm of forward travel (an angle: atan(x / 0.06))
    knee_in_deg: float = 0.0  # the knee's direction inside its foot's
    rolling_deg: float = 0.0
    heel_lift_m: float = 0.0
    pelvis_m: float = 0.0
    torso_deg: float = 0.0
    foot_deg: float = 25.0  # foot turnout (3D rows), each foot
    knee_deg: float = 25.0  # knee turnout near the bottom (3D rows), each knee
    picture_foot_deg: float = 55.0  # the foot's true direction in the synthetic picture
    sides: tuple[str, ...] = ("left", "right")

    def inward_deg(self) -> float:
        return self.knee_in_deg + math.degrees(math.atan2(self.knees_in_m, 0.06))


def project(p: np.ndarray) -> tuple[float, float]:
    """World (x her left = picture right, y away from the camera, z up; her heels at the origin) to pixels from
    the picture's centre."""
    rel = p - np.array([0.0, -CAM_D, CAM_Z])
    fwd = np.array([0.0, math.cos(PITCH), -math.sin(PITCH)])
    down = np.array([0.0, -math.sin(PITCH), -math.cos(PITCH)])
    depth = float(rel @ fwd)
    return F_PX * float(rel[0]) / depth, F_PX * float(rel @ down) / depth


@dataclass
class Synth:
    fps: float = 30.0
    seed: int = 0
    noise: float = 0.4
    px_noise: float = 0.5
    t: list[float] = field(default_factory=list)
    rows: list[dict[str, float]] = field(default_factory=list)
    reliable: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)

    @property
    def now(self) -> float:
        return len(self.t) / self.fps

    def _picture(self, row: dict[str, float], flex: tuple[float, float], f: float, fault: Fault,
                 lift: tuple[float, float] = (0.0, 0.0), toe_shift: tuple[float, float] = (0.0, 0.0),
                 facing: float = 1.0) -> None:  # fmt: skip
        """The image-plane fields of the synthetic dancer: ``flex`` per leg (degrees of knee bend), ``lift`` of
        each heel (m, a relevé), ``toe_shift`` of each foot along its direction (m, a tendu or a step). Its toe,
        ankle, heel and knee points are where MediaPipe puts them, as the studio measured it (``picture.MEDIAPIPE``,
        ``ANKLE_POINT_ABOVE``, ``KNEE_POINT_BELOW``: the heel's and the knee's with the hips' drop)."""
        drop = max(1.0 - min(math.cos(math.radians(x) / 2) for x in flex), 0.0) * (SHANK + THIGH) / LEG
        toe_z, _, heel_z = MEDIAPIPE.at(drop)
        knee_below = KNEE_POINT_BELOW * (1.0 - min(drop / BENT_DROP, 1.0))
        hips = []
        for i, side in enumerate(("left", "right")):
            s = 1.0 if side == "left" else -1.0
            fd = math.radians(fault.picture_foot_deg)
            kd = fd - (math.radians(fault.inward_deg()) * f if side in fault.sides else 0.0)
            foot_dir = np.array([s * math.sin(fd), -math.cos(fd), 0.0])
            knee_dir = np.array([s * math.sin(kd), -math.cos(kd), 0.0])
            ankle_floor = np.array([s * ANKLE_HALF, 0.0, 0.0]) + toe_shift[i] * foot_dir
            ankle = ankle_floor + np.array([0.0, 0.0, ANKLE_Z + lift[i]])
            toe = ankle_floor + FOOT * foot_dir
            heel = ankle_floor - 0.05 * foot_dir + np.array([0.0, 0.0, lift[i]])
            beta = math.radians(flex[i]) / 2
            knee = ankle + SHANK * (math.sin(beta) * knee_dir + np.array([0.0, 0.0, math.cos(beta)]))
            knee[0] += s * (HIP_HALF - ANKLE_HALF) * SHANK / (SHANK + THIGH)
            hip = np.array([s * HIP_HALF, ankle[1], ankle[2] + (SHANK + THIGH) * math.cos(beta)])
            hips.append(hip)
            up = np.array([0.0, 0.0, LEG])
            pts = {"knee": knee - knee_below * up, "ankle": ankle + ANKLE_POINT_ABOVE * up,
                   "heel": heel + heel_z * up, "toe": toe + toe_z * up}  # fmt: skip
            for name, p in pts.items():
                u, v = project(p)
                row[f"{side}_{name}_x_px"] = u + self.rng.normal(0, self.px_noise)
                row[f"{side}_{name}_y_px"] = v + self.rng.normal(0, self.px_noise)
            hu, hv = project(hip)
            row[f"_{side}_hip"] = 0.0
            row[f"{side}_leg_px"] = math.hypot(hu - row[f"{side}_ankle_x_px"], hv - row[f"{side}_ankle_y_px"])
            row[f"{side}_shank_px"] = math.hypot(row[f"{side}_knee_x_px"] - row[f"{side}_ankle_x_px"],
                                                 row[f"{side}_knee_y_px"] - row[f"{side}_ankle_y_px"])  # fmt: skip
            row[f"{side}_knee_side_px"] = s * (row[f"{side}_knee_x_px"] - row[f"{side}_ankle_x_px"])
            kx, ky = row[f"{side}_knee_x_px"], row[f"{side}_knee_y_px"]
            at_knee = math.atan2(hv - ky, hu - kx) - math.atan2(
                row[f"{side}_ankle_y_px"] - ky, row[f"{side}_ankle_x_px"] - kx
            )
            row[f"{side}_knee_bend_img_deg"] = 180.0 - abs(math.degrees((at_knee + math.pi) % (2 * math.pi) - math.pi))
            del row[f"_{side}_hip"]
        hip_z = min(h[2] for h in hips)
        mid = np.array([0.0, 0.0, hip_z])
        hu, hv = project(mid)
        row["hip_x_px"] = hu + self.rng.normal(0, self.px_noise)
        row["hip_y_px"] = hv + self.rng.normal(0, self.px_noise)
        row["floor_y_px"] = max(row["left_toe_y_px"], row["right_toe_y_px"])
        row["hip_height_px"] = row["floor_y_px"] - row["hip_y_px"]
        row["shoulder_x_px"], row["shoulder_y_px"] = project(mid + np.array([0.0, 0.0, 0.5]))  # a torso above
        row["facing_code"] = facing
        row["facing_ratio"] = 0.8 if facing in (1.0, 4.0) else 0.2
        row["hip_tilt_img_deg"] = self.rng.normal(0, 0.5)
        row["torso_lean_img_deg"] = self.rng.normal(0, 0.5)
        # square to the camera: her face and shoulders turned by their own scatter only (picture.facing_deg)
        row["face_yaw_deg"] = self.rng.normal(0, 2.0)
        row["shoulders_yaw_deg"] = self.rng.normal(0, 3.0)
        row["frame_width_px"], row["frame_height_px"] = float(W), float(H)

    def _frame(self, flex: tuple[float, float], f: float, fault: Fault, ok: bool = True, **picture: object) -> None:
        n = self.noise
        row = dict.fromkeys(flat_names(), math.nan)
        if ok:
            for i, side in enumerate(("left", "right")):
                hit = side in fault.sides
                row[f"{side}_knee_flexion_deg"] = STANDING_FLEX + flex[i] + self.rng.normal(0, n)
                foot = fault.foot_deg + (fault.rolling_deg * f if hit else 0.0) + self.rng.normal(0, n)
                row[f"{side}_foot_turnout_deg"] = foot
                knee = fault.knee_deg + self.rng.normal(0, n) if flex[i] > 10 else math.nan
                row[f"{side}_knee_turnout_deg"] = knee
                row[f"{side}_forced_turnout_deg"] = foot - knee
                row[f"{side}_knee_over_toe_offset_m"] = (fault.knees_in_m if hit else 0.0) * f + self.rng.normal(
                    0, 0.003
                )
                lift = (fault.heel_lift_m if hit else 0.0) * f * f
                row[f"{side}_heel_height_m"] = HEEL + lift + self.rng.normal(0, 0.002)
            row["total_foot_turnout_deg"] = row["left_foot_turnout_deg"] + row["right_foot_turnout_deg"]
            row["pelvis_level_m"] = fault.pelvis_m * f + self.rng.normal(0, 0.002)
            row["torso_lean_deg"] = abs(2.0 + fault.torso_deg * f + self.rng.normal(0, n))
            row["weight_shift_m"] = self.rng.normal(0, 0.002)
            self._picture(row, flex, f, fault, **picture)  # type: ignore[arg-type]
        self.t.append(self.now)
        self.rows.append(row)
        self.reliable.append(ok)

    def stand(self, secs: float, fault: Fault | None = None, facing: float = 1.0) -> Synth:
        for _ in range(round(secs * self.fps)):
            self._frame((0.0, 0.0), 0.0, fault or Fault(), facing=facing)
        return self

    def plie(self, depth: float, down: float = 2.0, bottom: float = 0.3, up: float = 2.0, facing: float = 1.0,
             creep: float = 0.0, **faults: object) -> Synth:  # fmt: skip
        """A plié to ``depth`` degrees of knee bend; held at the bottom, the bend grows by ``creep`` of it (the pose
        model's hips sink on through a still bottom), and comes up from there."""
        fault = Fault(**faults)  # type: ignore[arg-type]
        for secs, shape in ((down, "down"), (bottom, "hold"), (up, "up")):
            n = round(secs * self.fps)
            for i in range(n):
                x = (i + 1) / n
                f = {"down": 0.5 - 0.5 * math.cos(math.pi * x), "hold": 1.0 + creep * x,
                     "up": (1.0 + creep) * (0.5 + 0.5 * math.cos(math.pi * x))}  # fmt: skip
                ff = f[shape]
                self._frame((depth * ff, depth * ff), min(ff, 1.0), fault, facing=facing)
        return self

    def releve(self, secs: float = 3.0, rise: float = 0.09) -> Synth:
        """Heels up by ``rise`` (m) and down again: the hips rise, nothing bends."""
        n = round(secs * self.fps)
        for i in range(n):
            ff = math.sin(math.pi * (i + 1) / n)
            self._frame((0.0, 0.0), 0.0, Fault(), lift=(rise * ff, rise * ff))
        return self

    def tendu(self, secs: float = 2.0, side: int = 1, reach: float = 0.25) -> Synth:
        """One foot slides out along its direction and back, legs straight."""
        n = round(secs * self.fps)
        for i in range(n):
            ff = math.sin(math.pi * (i + 1) / n)
            shift = (reach * ff, 0.0) if side == 0 else (0.0, reach * ff)
            self._frame((0.0, 0.0), 0.0, Fault(), toe_shift=shift)
        return self

    def walk(self, secs: float) -> Synth:
        """Stepping in place with parallel feet: one knee bends at a time and its foot steps."""
        for _ in range(round(secs * self.fps)):
            phase = 2 * math.pi * self.now / 1.1
            left = 45.0 * max(0.0, math.sin(phase))
            right = 45.0 * max(0.0, -math.sin(phase))
            fault = Fault(foot_deg=8.0, picture_foot_deg=5.0)
            self._frame((left, right), 0.0, fault, toe_shift=(0.12 * left / 45.0, 0.12 * right / 45.0))
        return self

    def gap(self, secs: float) -> Synth:
        for _ in range(round(secs * self.fps)):
            self._frame((0.0, 0.0), 0.0, Fault(), ok=False)
        return self

    def run(self, settings: Settings | None = None, **kw: object):  # type: ignore[no-untyped-def]
        return analyze_rows(self.t, self.rows, self.reliable, settings or Settings(), **kw)  # type: ignore[arg-type]


def codes(rep) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in rep.flags}


# ---- the standing reference and rep counting ---------------------------------------------------------------


def test_first_plié_counts_without_a_still_baseline_and_earlier_frames_are_replayed() -> None:
    """Issue 16: nothing waits for 2 s of stillness; 0.8 s of standing before the first plié is enough."""
    s = Synth().stand(0.8).plie(60).stand(1.5).plie(60).stand(1.0)
    res = s.run()
    assert len(res.reps) == 2 and all(r.kind == "demi" for r in res.reps)
    base = res.baseline
    assert base is not None and base.method == "rolling" and base.t_start_s == pytest.approx(0.0, abs=0.05)
    assert base.hip_height_px == pytest.approx(298.0, rel=0.03)  # her standing hip-to-toe height in the picture
    assert 15.0 < base.left_knee_flexion_deg < 21.0  # the 3D medians of the same frames
    assert any(isinstance(e, BaselineCaptured) for e in res.events)
    assert res.reps[0].t_bottom_s == pytest.approx(0.8 + 2.15, abs=0.2)


def test_counts_clean_demi_pliés_with_phases_and_no_technique_flag() -> None:
    s = Synth().stand(3.0)
    for _ in range(3):
        s.plie(60, picture_foot_deg=45.0).stand(1.0)
    res = s.run()
    assert len(res.reps) == 3
    for rep in res.reps:
        assert rep.kind == "demi" and 0.10 < rep.hip_drop < 0.16
        assert rep.t_start_s < rep.t_bottom_start_s <= rep.t_bottom_s <= rep.t_bottom_end_s < rep.t_end_s
        assert rep.knees() == {"left": "over", "right": "over"}
        assert not codes(rep) - {"rushed"}
    phases = [e.phase for e in res.events if isinstance(e, RepPhase) and e.index == 1]
    assert phases == ["descent", "bottom", "ascent"]
    started = [e for e in res.events if isinstance(e, RepStarted)]
    assert [e.index for e in started] == [1, 2, 3]


def test_a_plies_bottom_is_the_middle_of_its_lowest_fifth_though_the_hips_sink_on_while_still() -> None:
    """Held 1.2 s at the bottom while the picture's hips sink on a fifth further (the real ballet_plie's pose model:
    0.072 to 0.089 legs over its 0.5 s plateau): the bottom is the hold's middle, not its end, where the deepest frames
    are."""
    s = Synth().stand(2.0).plie(60, down=1.5, bottom=1.2, up=1.5, creep=0.1).stand(1.5)
    (rep,) = s.run().reps
    hold_middle = 2.0 + 1.5 + 0.6
    assert rep.t_bottom_s == pytest.approx(hold_middle, abs=0.15)
    assert rep.t_bottom_end_s > hold_middle + 0.4  # the deepest frames (the bottom phase): the hold's end


def test_demi_or_grand_from_the_hip_drop() -> None:
    """1 - cos(38 deg) = 21 % of a leg splits them; a grand plié's heels may lift."""
    res = Synth().stand(3.0).plie(60).stand(1.0).plie(130, down=3.0, up=3.0).stand(1.0).run()
    demi, grand = res.reps
    assert demi.kind == "demi" and demi.hip_drop < 0.21 < grand.hip_drop and grand.kind == "grand"


def test_relevé_tendu_and_stepping_never_start_a_plié() -> None:
    s = Synth().stand(2.0).releve().stand(1.0).tendu(side=0).tendu(side=1).stand(1.0).walk(6.0).stand(1.0)
    res = s.run()
    assert res.reps == []
    shallow = Synth().stand(2.0).plie(22).stand(1.0).run()  # a few degrees of bend: hips 3 % down
    assert shallow.reps == []


def test_a_leg_whose_points_land_on_the_other_shoe_does_not_veto() -> None:
    """Crossed legs in fifth: MediaPipe puts the back leg's ankle and toe on the front shoe; that leg reads
    straight, but it is unreliable, and the other leg's bend counts."""
    s = Synth().stand(3.0).plie(60).stand(1.0)
    for row in s.rows:
        for name in ("ankle", "toe", "heel"):
            for axis in ("x", "y"):
                row[f"right_{name}_{axis}_px"] = row[f"left_{name}_{axis}_px"] + 0.5
    standing = max(r["right_leg_px"] for r in s.rows[:30])
    for row in s.rows:
        row["right_leg_px"] = standing  # the mislabelled right leg never shortens
    (rep,) = s.run().reps
    assert rep.knees() == {"left": None, "right": None}  # the picture cannot tell which knee is which


def test_one_leg_straight_while_the_other_bends_is_a_step_not_a_plié() -> None:
    s = Synth().stand(3.0).plie(60).stand(1.0)
    standing = s.rows[0]["right_leg_px"]
    for row in s.rows:
        row["right_leg_px"] = standing
    assert s.run().reps == []


def test_rep_interrupted_by_long_gap_is_discarded_short_gap_kept() -> None:
    s = Synth().stand(3.0).plie(60, down=1.5, bottom=0.0, up=0.0).gap(1.0).plie(60, down=0.0, up=1.5).stand(1.0)
    assert len(s.run().reps) == 0
    s = Synth().stand(3.0).plie(60, down=1.5, bottom=0.0, up=0.0).gap(0.2).plie(60, down=0.0, up=1.5).stand(1.0)
    assert len(s.run().reps) == 1


def test_back_views_are_not_measured_and_turned_views_count_plies_only() -> None:
    back = Synth().stand(3.0, facing=4.0).plie(60, facing=4.0).stand(1.0, facing=4.0).run()
    assert back.reps == [] and back.holds == [] and back.baseline is None
    # three-quarter and side-on: the plié is counted from her hips, her knees are not judged, no hold is timed
    for facing in (2.0, 3.0):
        res = Synth().stand(3.0, facing=facing).plie(60, facing=facing).stand(1.0, facing=facing).run()
        assert [r.kind for r in res.reps] == ["demi"] and res.holds == [], facing
        assert res.reps[0].knees() == {"left": None, "right": None} and not codes(res.reps[0]) - {"rushed"}
    front = Synth().stand(3.0).plie(60).stand(1.0).run()
    assert front.reps[0].knees() == {"left": "over", "right": "over"}


# ---- knees over toes, and which flags fire --------------------------------------------------------------


def test_knee_inside_its_foot_in_degrees_and_a_dancers_words() -> None:
    res = (
        Synth(px_noise=0.2).stand(3.0).plie(60, picture_foot_deg=45.0).stand(1.0)
        .plie(60, knee_in_deg=35.0, picture_foot_deg=45.0).stand(1.0).run()
    )  # fmt: skip
    over, inside = res.reps
    for side in ("left", "right"):
        assert -10.0 < over.side(side).knee_vs_foot_deg < 15.0
        assert inside.side(side).knee_vs_foot_deg == pytest.approx(over.side(side).knee_vs_foot_deg - 35.0, abs=5.0)
        lo, mid, hi = (inside.side(side).knee_vs_foot_low_deg, inside.side(side).knee_vs_foot_deg,
                       inside.side(side).knee_vs_foot_high_deg)  # fmt: skip
        assert lo <= mid <= hi
    assert over.knees() == {"left": "over", "right": "over"} and not codes(over) - {"rushed"}
    assert inside.knees() == {"left": "inside", "right": "inside"}
    assert inside.knee_words("left") == "left knee inside your foot"
    assert over.knee_words("right") == "right knee over your foot"
    (flag,) = [f for f in inside.flags if f.code == "knees_inside_toes"]
    # degrees said with the reading's precision: rounded to 5, a range where the camera prior's range is wide
    said = r"(about \d+|\d+ to \d+|up to \d+|more than \d+) degrees inside your foot"
    assert flag.side == "both" and re.fullmatch(f"left knee {said}; right knee {said}", flag.reason), flag.reason
    assert flag.value == pytest.approx(max(-inside.side(s).knee_vs_foot_deg for s in ("left", "right")))


def test_under_trousers_over_her_heels_no_knee_is_inside_and_no_foot_is_read() -> None:
    """Her silhouette reaching plie.HEM_LEGS or more outward from her ankles while she stands (the rows'
    ``{side}_hem_reach_legs``, from turnout.pose.people): trousers hang over her heels, whose points the pose model
    then puts on the cloth. The same knees 35 degrees inside their feet are read (the knee against the foot's points
    stays) but not judged inside, and raise no flag; her feet are not read (PracticeTracker.feet_fit). A hem under
    the limit changes nothing."""
    from turnout.practice.plie import HEM_LEGS

    def run(hem: float):  # type: ignore[no-untyped-def]
        s = Synth(px_noise=0.2).stand(3.0).plie(60, knee_in_deg=35.0, picture_foot_deg=45.0).stand(1.0)
        for row in s.rows:
            row["left_hem_reach_legs"], row["right_hem_reach_legs"] = hem - 0.01, hem + 0.01
        tracker = PracticeTracker(Settings())
        for t, row, ok in zip(s.t, s.rows, s.reliable, strict=True):
            tracker.update(t, row, ok)
            if t < 2.9:
                cam = tracker.camera()
                fit = tracker.feet_fit(cam) if cam is not None else None
        tracker.finish(s.t[-1])
        return tracker.reps[0], fit

    rep, fit = run(HEM_LEGS - 0.02)
    assert rep.knees() == {"left": "inside", "right": "inside"} and "knees_inside_toes" in codes(rep)
    assert fit == (True, True)
    rep, fit = run(HEM_LEGS + 0.01)
    assert all(rep.side(s).knee_vs_foot_deg < -20.0 for s in ("left", "right"))  # still read
    assert not any(rep.foot_read(s) for s in ("left", "right"))
    assert "inside" not in rep.knees().values() and "knees_inside_toes" not in codes(rep)
    assert fit == (False, False)


def test_knee_inside_words_round_to_five_and_give_a_range_when_it_is_wide() -> None:
    rep = Synth(px_noise=0.2).stand(3.0).plie(60).stand(1.0).run().reps[0]

    def said(rel: float, low: float, high: float) -> str:
        side = dataclasses.replace(rep.left, knee_vs_foot_deg=rel, knee_vs_foot_low_deg=low, knee_vs_foot_high_deg=high)
        return dataclasses.replace(rep, left=side).knee_inside_words("left")

    assert said(-26.0, -30.0, -22.0) == "left knee about 25 degrees inside your foot"
    assert said(-26.0, -31.0, -10.0) == "left knee 10 to 30 degrees inside your foot"
    assert said(-26.0, math.nan, -12.0) == "left knee more than 10 degrees inside your foot"
    assert said(math.nan, math.nan, math.nan) == "left knee not measured"


def test_a_knee_the_camera_prior_could_put_over_its_foot_is_not_inside() -> None:
    """A reading past the limit whose range's least-inside end is not inside by more than the verdict's median error
    (reps.KNEE_RANGE_MARGIN_DEG) is "over" and raises no flag."""
    res = Synth(px_noise=0.2).stand(3.0).plie(60, knee_in_deg=35.0).stand(1.0).run()
    rep = res.reps[0]
    side = dataclasses.replace(rep.left, knee_vs_foot_high_deg=-2.0)
    unsure = dataclasses.replace(rep, left=side, right=side)
    assert unsure.knees() == {"left": "over", "right": "over"}
    assert not [f for f in rep_flags(unsure, Settings()) if f.code == "knees_inside_toes"]
    assert [f for f in rep_flags(rep, Settings()) if f.code == "knees_inside_toes"]


def test_a_knee_read_against_a_foot_whose_points_are_not_a_foots_is_never_inside() -> None:
    """The foot's points not where the pose model puts them on a visible foot (picture.foot_points_fit: no
    foot_direction_deg): the knee against it was read through the same points, but that reading's error was never
    measured, so no "inside" and no flag; "over" where even the range's most inward end is not inside by the limit,
    else not measured. The same rep with its foot read is flagged."""
    rep = Synth(px_noise=0.2).stand(3.0).plie(60, knee_in_deg=35.0).stand(1.0).run().reps[0]
    assert rep.knees() == {"left": "inside", "right": "inside"} and rep.foot_read("left")
    assert [f for f in rep_flags(rep, Settings()) if f.code == "knees_inside_toes"]
    unread = dataclasses.replace(rep.left, foot_direction_deg=math.nan)
    rep_unread = dataclasses.replace(rep, left=unread, right=unread)
    assert not rep_unread.foot_read("left")
    assert rep_unread.knees() == {"left": None, "right": None}  # its range reaches inside by the limit
    assert not [f for f in rep_flags(rep_unread, Settings()) if f.code == "knees_inside_toes"]
    near = dataclasses.replace(unread, knee_vs_foot_deg=-8.0, knee_vs_foot_low_deg=-12.0, knee_vs_foot_high_deg=4.0)
    assert dataclasses.replace(rep, left=near, right=near).knees() == {"left": "over", "right": "over"}
    # a rep judged before 2026-12 kept no record of its foot: read as before
    old = dataclasses.replace(rep_unread, knee_inside_margin_deg=math.nan)
    assert old.foot_read("left") and old.knees() == {"left": "inside", "right": "inside"}


def test_one_sided_knee_fault_names_the_side() -> None:
    s = Synth(px_noise=0.2).stand(3.0)
    s.plie(60, knee_in_deg=40.0, sides=("right",), picture_foot_deg=45.0)
    (rep,) = s.stand(1.0).run().reps
    assert rep.knees() == {"left": "over", "right": "inside"}
    (flag,) = [f for f in rep.flags if f.code == "knees_inside_toes"]
    assert flag.side == "right" and "right knee" in flag.reason and "left knee" not in flag.reason


def test_a_knee_whose_forward_travel_the_picture_cannot_show_gets_a_range_not_a_number() -> None:
    """Feet at 55 degrees and a 60-degree demi-plié: the knee travels mostly sideways and its ray passes the ankle
    within the shank's measured error (picture.SHANK_P95) of missing its reach: how far it went forward, and so its
    direction, is not known, so no number (on the studio every such knee read 24-45 degrees off), only the range from
    the longest shank (the most inward reading) to the ray just reaching; "over" because even its inward end is not
    inside by the limit; no flag. The same feet with the knees forced 35 degrees inside travel forward enough to be
    read, and are flagged."""
    res = Synth(px_noise=0.2).stand(3.0).plie(60).stand(1.0).plie(60, knee_in_deg=35.0).stand(1.0).run()
    sideways, inside = res.reps
    for side in ("left", "right"):
        st = sideways.side(side)
        assert math.isnan(st.knee_vs_foot_deg) and math.isnan(st.knee_direction_deg)
        assert -20.0 <= st.knee_vs_foot_low_deg <= 0.0 <= st.knee_vs_foot_high_deg  # the truth (0) inside the range
    assert sideways.knees() == {"left": "over", "right": "over"}
    assert sideways.knee_words("left") == "left knee over your foot"
    assert not codes(sideways) - {"rushed"}
    assert inside.knees() == {"left": "inside", "right": "inside"}
    assert "knees_inside_toes" in codes(inside)


@pytest.mark.parametrize(
    "fault",
    [{"foot_deg": 45.0, "knee_deg": 20.0}, {"heel_lift_m": 0.05}, {"rolling_deg": 12.0}, {"torso_deg": 20.0},
     {"pelvis_m": 0.08}],
)  # fmt: skip
def test_flags_without_a_measured_uncertainty_do_not_fire(fault: dict[str, float]) -> None:
    """forced_turnout, heels_lift, feet_rolling_in, torso_tilt, pelvis_tilt: their numbers' measured uncertainty
    is larger than the fault they report (docs/thresholds.md), so they stay quiet however large the 3D value."""
    hip = HipTurnout(20.0, 20.0, n_reps=10, spread_deg=2.0, trusted=True)
    res = Synth().stand(3.0).plie(60, **fault).stand(1.0).run(hip=hip)
    (rep,) = res.reps
    assert not codes(rep) - {"rushed"}


@pytest.mark.parametrize("down", [1.0, 2.0])
def test_a_reps_start_is_its_onset_and_its_end_where_the_hips_are_back(down: float) -> None:
    """The synthetic dancer bends from 3.0 s (flexion eased in over ``down`` s, up again over 2 s after 0.3 s at the
    bottom): the rep starts where her hips or a knee last stood within their standing noise before the dip (the
    hips passed a fifth of their drop 0.4-0.9 s after she began), and ends where her hips and knees are back within
    it (the hips alone are back 0.7 s before she is up: their drop goes as the square of the bend)."""
    rep = Synth().stand(3.0).plie(60, down=down, bottom=0.3, up=2.0).stand(2.0).run().reps[0]
    assert rep.t_start_s == pytest.approx(3.0, abs=0.35)
    end = 3.0 + down + 0.3 + 2.0
    assert end - 0.3 <= rep.t_end_s <= end + 0.1


def test_a_knee_that_settles_elsewhere_ends_the_rep_once_it_stops() -> None:
    """Her right knee comes up to a place 8 px further out than it stood before the plié (she shifted her weight):
    the rep ends where that knee stopped travelling, not a second later waiting for it to come back."""
    s = Synth().stand(3.0).plie(60, down=2.0, bottom=0.3, up=2.0).stand(2.0)
    for t, row in zip(s.t, s.rows, strict=True):
        if t >= 5.3:  # from the start of the ascent
            row["right_knee_x_px"] -= 8.0  # her right is the picture's left: outward
            row["right_knee_side_px"] += 8.0
    (rep,) = analyze_rows(s.t, s.rows, s.reliable, Settings()).reps
    assert 7.3 - 0.3 <= rep.t_end_s <= 7.3 + 0.2


def test_rushed_stays_quiet_while_a_reps_onset_is_found_late() -> None:
    """A rep's start and end are found where her hips and knees leave and regain their standing noise: on the
    studio the descent still reads 0.3 s short (median; up to 1.1 s) and the ascent 0.5 s: the timing is less
    certain than the 0.3-0.5 s fault, so "rushed" does not fire (docs/thresholds.md), though the quick rep still
    reads shorter than the slow one."""
    res = Synth().stand(3.0).plie(60, down=0.5, bottom=0.1, up=1.5).stand(1.0).plie(60, down=3.0, up=3.0)
    quick, slow = res.stand(1.0).run().reps
    assert quick.flags == () and slow.flags == ()
    assert quick.descent_s < slow.descent_s


# ---- holds ---------------------------------------------------------------------------------------------------


def test_hold_needs_still_turned_out_feet_and_ends_before_the_plié() -> None:
    res = Synth().stand(10.0).plie(60).stand(0.5).run()
    (hold,) = res.holds
    assert hold.t_start_s == pytest.approx(0.0, abs=0.1) and hold.duration_s == pytest.approx(10.0, abs=0.8)
    assert hold.left_foot_direction_deg == pytest.approx(55.0, abs=8.0) and hold.flags == ()
    started = [e for e in res.events if isinstance(e, HoldStarted)]
    ended = [e for e in res.events if isinstance(e, HoldEnded)]
    assert len(started) == 1 and len(ended) == 1
    rep_start = next(e for e in res.events if isinstance(e, RepStarted))
    assert res.events.index(ended[0]) < res.events.index(rep_start)
    assert ended[0].why in ("the knees bent", "a plié began")
    # the hold ends where the plié begins (plie.onset_index for both), not where the hips reached a rep's end level
    (rep,) = res.reps
    assert hold.t_end_s == pytest.approx(rep.t_start_s, abs=0.05)


@pytest.mark.parametrize(
    ("then", "why"),
    [("tendu", "a foot moved"), ("releve", "the heels rose"), ("end", "the recording ended")],
)
def test_a_hold_says_what_ended_it(then: str, why: str) -> None:
    """The routine says why a hold broke ("Held 5 of 10 seconds (a foot moved): again"): the tracker's HoldEnded
    carries it."""
    s = Synth().stand(5.0)
    if then == "tendu":
        s.tendu(2.0, side=1).stand(1.0)
    elif then == "releve":
        s.releve(3.0).stand(1.0)
    ended = [e for e in s.run().events if isinstance(e, HoldEnded)]
    assert ended and ended[0].why == why


def test_parallel_feet_short_stillness_or_a_tendu_is_not_a_hold() -> None:
    assert Synth().stand(6.0, Fault(picture_foot_deg=5.0)).run().holds == []
    assert Synth().stand(2.0).plie(60).stand(2.0).run().holds == []
    tendus = Synth().stand(2.0).tendu(side=1).stand(1.5).tendu(side=0).stand(2.0).run()
    assert tendus.holds == [] and tendus.reps == []
    assert len(Synth().stand(2.0).plie(60).stand(5.0).run().holds) == 1


def test_tracker_streaming_equals_offline_and_a_retake() -> None:
    s = Synth().stand(3.0).plie(60).stand(1.0)
    tracker = PracticeTracker(Settings())
    for i, (t, row, ok) in enumerate(zip(s.t, s.rows, s.reliable, strict=True)):
        if i == 45:
            tracker.request_baseline()
        tracker.update(t, row, ok)
    base = tracker.baseline
    assert base is not None and base.t_start_s == pytest.approx(1.5, abs=0.05)
    offline = s.run()
    assert len(tracker.reps) == len(offline.reps) == 1
    assert tracker.reps[0].t_bottom_s == pytest.approx(offline.reps[0].t_bottom_s, abs=0.05)


def test_a_stored_baseline_serialises_and_is_kept_until_her_own_is_seen() -> None:
    stored = Baseline(18.0, 18.0, 25.0, 25.0, 0.03, 0.03, method="stored", hip_height_px=300.0)
    assert Baseline.from_dict(stored.to_dict()) == stored
    tracker = PracticeTracker(Settings(), baseline=stored)
    assert tracker.baseline is stored
    res = Synth().stand(3.0).plie(60).stand(1.0).run(baseline=stored)
    assert len(res.reps) == 1


def test_stream_ending_mid_rep_discards_it_but_not_once_back_up() -> None:
    s = Synth(noise=0.0, px_noise=0.0).stand(3.0).plie(60, down=2.0, up=2.0)
    drop = [1.0 - r["hip_height_px"] / s.rows[0]["hip_height_px"] for r in s.rows]
    bottom = int(np.argmax(drop))
    back_up = next(i for i in range(bottom, len(drop)) if drop[i] < 0.04)  # above its start, not yet standing
    for cut, reps in ((bottom, 0), (back_up + 1, 1)):
        res = analyze_rows(s.t[:cut], s.rows[:cut], s.reliable[:cut], Settings())
        assert len(res.reps) == reps
    discarded = analyze_rows(s.t[:bottom], s.rows[:bottom], s.reliable[:bottom], Settings()).events[-1]
    assert isinstance(discarded, RepDiscarded) and discarded.reason == "the recording ended mid-rep"


def test_a_stream_that_starts_again_from_an_earlier_time_goes_on_counting() -> None:
    """The same plié fed twice with its times starting again at 0 (a video played again on one pipeline):
    the first pass's rep is kept, the second is counted as a new one, and nothing raises."""
    s = Synth().stand(3.0).plie(60).stand(1.5)
    tracker = PracticeTracker(Settings())
    events = []
    for _ in range(2):
        for t, row, ok in zip(s.t, s.rows, s.reliable, strict=True):
            events += tracker.update(t, row, ok)
    events += tracker.finish()
    assert len(tracker.reps) == 2
    assert [type(e).__name__ for e in events].count("RepEnded") == 2
    assert tracker.reps[1].t_start_s < tracker.reps[0].t_end_s  # the second pass's times, not shifted


def test_image_names_are_in_every_row() -> None:
    row = Synth().stand(0.1).rows[0]
    front = [n for n in image_names() if not n.startswith("profile_")]  # the profile's: side-on only (test_profile.py)
    assert all(math.isfinite(row[n]) for n in front), [n for n in front if not math.isfinite(row[n])]


def synth_rows(seq, image_size: tuple[int, int] = (1280, 720)) -> list[dict[str, float]]:  # type: ignore[no-untyped-def]
    """Rows of the measurement contract for a ``turnout.testing.synth`` sequence: the 3D geometry and the
    image-plane measurements of its projected landmarks."""
    from turnout.measure.geometry import measure_series
    from turnout.measure.image import measure_image_series, to_pixels

    series = measure_series(seq.world, seq.image, seq.visibility)
    t = len(seq.world)
    image5 = np.concatenate([seq.image, seq.visibility[..., None], np.ones((t, 33, 1))], axis=2)
    values, _ = measure_image_series(to_pixels(image5, image_size), image_size)
    names = list(series)
    return [
        {**{n: float(series[n][i]) for n in names}, **{n: float(v[i]) for n, v in values.items()}} for i in range(t)
    ]


def test_the_projects_synthetic_dancer_through_geometry_and_picture() -> None:
    """turnout.testing.synth (world and projected image landmarks, 5 mm noise): three demi-pliés counted, the
    knees over the feet (no forced turnout) and no technique flag."""
    synth = pytest.importorskip("turnout.testing.synth")
    params = synth.DancerParams(
        hip_turnout_deg=(35.0, 31.0), forced_deg=(0.0, 0.0), heel_gap_m=0.06, mediapipe_points=True
    )  # heels a heel wide; the picture's points where MediaPipe puts them
    seq = synth.plie_sequence(stand_s=3.0, repetitions=3, params=params, max_flexion_deg=60.0, end_stand_s=3.0)
    rows = synth_rows(seq, params.image_size)
    res = analyze_rows((seq.timestamps_ms / 1000.0).tolist(), rows, [True] * len(rows), Settings())
    assert len(res.reps) == 3
    for rep in res.reps:
        assert rep.kind == "demi" and rep.knees() == {"left": "over", "right": "over"}
        assert not codes(rep) - {"rushed"}


def test_feet_planted_says_which_foot_is_flat_where_she_stands() -> None:
    """A foot's turnout is read from the picture only while it is planted (PracticeTracker.feet_planted): both feet
    standing; neither at the top of a relevé (heels and hips up); during a tendu the working foot (right: side 1) is
    not planted while it is out and the standing foot is."""
    s = Synth().stand(3.0)
    n_stand = len(s.t)
    s.releve(3.0, rise=0.09)
    n_releve = len(s.t)
    s.stand(2.0)
    n_back = len(s.t)
    s.tendu(2.0, side=1, reach=0.25).stand(1.0)
    tracker = PracticeTracker(Settings())
    planted = []
    for t, row, ok in zip(s.t, s.rows, s.reliable, strict=True):
        tracker.update(t, row, ok)
        planted.append(tracker.feet_planted())
    assert planted[n_stand - 1] == (True, True)
    top = n_stand + (n_releve - n_stand) // 2  # the relevé's top
    assert planted[top] == (False, False)
    out = n_back + (len(s.t) - n_back - round(1.0 * s.fps)) // 2  # the tendu's furthest reach
    assert planted[out] == (True, False)
    assert planted[-1] == (True, True)


def test_a_held_bottom_is_the_bottom_before_she_rises() -> None:
    """A low plié held 3 s at its bottom: the phase says "bottom" within a second of her arriving there (the
    window's Phase figure), not only once her hips begin to rise."""
    res = Synth().stand(3.0).plie(60, down=2.0, bottom=3.0, up=2.0).stand(1.0).run()
    phases = [e for e in res.events if isinstance(e, RepPhase)]
    bottom = next(e for e in phases if e.phase == "bottom")
    assert 4.5 <= bottom.t_s <= 6.0  # she arrives at 5.0 and rises from 8.0
    assert len(res.reps) == 1


def _seated(row: dict[str, float]) -> dict[str, float]:
    """``row`` with her shoulders high over her hips: her hips less than UPRIGHT_TORSOS torso lengths above her toes
    (seated on the floor)."""
    torso = row["hip_height_px"] / (UPRIGHT_TORSOS - 0.3)  # hips low against her torso
    return {**row, "shoulder_y_px": row["hip_y_px"] - torso, "shoulder_x_px": row["hip_x_px"]}


def test_seated_frames_never_become_her_standing() -> None:
    """Seated (her hips less than UPRIGHT_TORSOS torso lengths above her toes: a stretch on the floor) she has no
    standing reference: no hold, no plié, no camera for her feet; the same frames standing give a hold."""
    s = Synth().stand(6.0)
    standing = s.run()
    assert len(standing.holds) == 1
    tracker = PracticeTracker(Settings())
    for t, row, ok in zip(s.t, s.rows, s.reliable, strict=True):
        tracker.update(t, _seated(row), ok)
    tracker.finish()
    assert tracker.holds == [] and tracker.reps == [] and tracker.camera() is None


def test_feet_are_not_planted_once_she_sits_down() -> None:
    """Her standing known (a camera for her feet), then seated on the floor for a stretch: no foot is planted, so
    none is read in degrees (the studio's pigeon read a foot 175 degrees for 9 frames); standing again, both are."""
    s = Synth().stand(4.0)
    n_stand = len(s.t)
    s.stand(2.0)
    n_seated = len(s.t)
    s.stand(2.0)
    tracker = PracticeTracker(Settings())
    planted = []
    for i, (t, row, ok) in enumerate(zip(s.t, s.rows, s.reliable, strict=True)):
        tracker.update(t, _seated(row) if n_stand <= i < n_seated else row, ok)
        planted.append(tracker.feet_planted())
    assert planted[n_stand - 1] == (True, True) and tracker.camera() is not None
    assert all(p == (False, False) for p in planted[n_stand:n_seated])
    assert planted[-1] == (True, True)
