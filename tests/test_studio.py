"""The studio itself: posing, truth, left and right, mirroring, the catalogue and the cache (no pose model)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from turnout.testing.studio import CameraSetup, Person, Scene, SceneRenderer, cached, load_catalogue
from turnout.testing.studio.body import load_model
from turnout.testing.studio.camera import webcam
from turnout.testing.studio.posing import Poser, floor_angle
from turnout.testing.studio.script import Stance, Timeline, parse_item
from turnout.testing.studio.truth import knee_direction, knee_flexion, knee_over_toe


def _poser(body: str = "f_avg") -> Poser:
    model = load_model()
    return Poser(model.skeleton, model.shape(body))


def _tiny(**changes: object) -> Scene:
    scene = Scene(name="unit", dancer=Person(script=("stand 0.4", "demi 1.2")), fps=5.0, width=320, height=180,
                  supersample=1)  # fmt: skip
    return replace(scene, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("body", ["f_avg", "f_tall", "f_petite", "f_strong", "m_avg"])
@pytest.mark.parametrize(("position", "feet", "hips", "flex"), [
    ("first", 30.0, 30.0, 60.0), ("first", 60.0, 35.0, 45.0), ("second", 45.0, 45.0, 80.0),
    ("fifth", 45.0, 45.0, 50.0), ("parallel", 0.0, 0.0, 60.0),
])  # fmt: skip
def test_posed_angles_are_exact(body: str, position: str, feet: float, hips: float, flex: float) -> None:
    poser = _poser(body)
    tl = Timeline(poser, Stance(position, (feet, feet), (hips, hips)), [parse_item("stand 1")])
    posed = poser.pose(replace(tl.base(), flexion_deg=flex))
    j = posed.joints
    flexion = [knee_flexion(j[f"{s}_hip"], j[f"{s}_knee"], j[f"{s}_ankle"]) for s in ("left", "right")]
    assert min(flexion) == pytest.approx(flex, abs=0.01)  # the pelvis sits as low as the less bent leg allows
    assert max(flexion) == pytest.approx(flex, abs=1.0)  # fifth is not quite symmetric
    for side in ("left", "right"):
        assert floor_angle(side, j[f"{side}_toe"] - j[f"{side}_heel"]) == pytest.approx(feet, abs=0.01)
        assert knee_direction(side, j[f"{side}_hip"], j[f"{side}_knee"], j[f"{side}_ankle"]) == pytest.approx(
            hips, abs=0.01
        )
    assert posed.vertices[:, 2].min() == pytest.approx(0.0, abs=0.004)  # standing on the floor, not in it


CAMERAS = [(0.5, 2.0, 0.0, 78.0), (1.0, 2.8, 10.0, 70.0), (1.5, 3.5, -20.0, 60.0), (1.2, 3.0, 20.0, 65.0)]


@pytest.mark.parametrize(("height", "distance", "yaw", "hfov"), CAMERAS)
def test_truth_points_reproject_to_the_posed_angles(height: float, distance: float, yaw: float, hfov: float) -> None:
    """Heel and toe pixels taken back through the camera onto the floor at their heights give the posed angle."""
    poser = _poser()
    cam = webcam(960, 540, hfov, height, distance, yaw)
    for feet, flex in ((30.0, 1.0), (45.0, 60.0), (62.0, 30.0)):
        tl = Timeline(poser, Stance("first", (feet, feet), (feet, feet)), [parse_item("stand 1")])
        j = poser.pose(replace(tl.base(), flexion_deg=flex)).joints
        for side in ("left", "right"):
            heel, toe = (cam.floor_point(cam.project(j[f"{side}_{p}"]), j[f"{side}_{p}"][2]) for p in ("heel", "toe"))
            assert floor_angle(side, toe - heel) == pytest.approx(feet, abs=0.1)


def test_left_is_the_dancers_left() -> None:
    """Her left leg is at +x in the world and, facing the camera, on the right of the picture."""
    poser = _poser()
    tl = Timeline(poser, Stance("second", (45.0, 45.0), (45.0, 45.0)), [parse_item("tendu left 2")])
    state = tl.at(1.0)  # the left leg works: pointed out to her left
    j = poser.pose(state.pose).joints
    assert j["left_hip"][0] > j["right_hip"][0] + 0.15
    assert j["left_toe"][0] > j["right_toe"][0] + 0.3
    assert j["left_heel"][2] > 0.08 > j["right_heel"][2]  # the working foot is pointed
    cam = webcam(960, 540, 70.0, 1.0, 2.8, 0.0)
    assert cam.project(j["left_toe"])[0] > cam.project(j["right_toe"])[0] + 50


def test_mirrored_output_flips_the_picture_and_keeps_the_labels() -> None:
    base = _tiny(dancer=Person(position="second", script=("tendu left 2",)), noise=0.0, jpeg=0)
    plain, mirror = SceneRenderer(base), SceneRenderer(replace(base, mirrored=True))
    img, _state, posed = plain.frame(5)
    img_m, _state_m, posed_m = mirror.frame(5)
    assert np.array_equal(img_m, img[:, ::-1])
    assert np.allclose(posed_m.joints["left_toe"], posed.joints["left_toe"])
    assert posed_m.joints["left_toe"][0] > 0.2  # still her left leg that works


def test_truth_pixels_land_on_the_drawn_body() -> None:
    scene = _tiny(noise=0.0, jpeg=0)
    r = SceneRenderer(scene)
    img, _state, posed = r.frame(0)
    empty = (np.clip(r.room, 0, 1) * 255).astype(np.uint8)[..., ::-1]
    for key in ("left_knee", "right_knee", "left_hip", "right_toe"):
        u, v = np.round(r.camera.project(posed.joints[key])).astype(int)
        assert np.abs(img[v, u].astype(int) - empty[v, u].astype(int)).sum() > 30, key


def test_soles_stay_flat_through_a_demi_plie() -> None:
    poser = _poser()
    tl = Timeline(poser, Stance("first", (45.0, 45.0), (45.0, 45.0)), [parse_item("demi 3")])
    heights = np.array([[poser.pose(tl.at(t).pose).joints[f"left_{p}"][2] for p in ("heel", "toe")]
                        for t in np.linspace(0, 3, 7)])  # fmt: skip
    assert np.ptp(heights, axis=0).max() < 0.002


def test_knee_over_toe_sign() -> None:
    heel, toe = np.array([0.0, 0.0, 0.0]), np.array([0.1, -0.1, 0.0])  # left foot turned out 45
    assert knee_over_toe("left", heel, toe, np.array([0.0, -0.2, 0.5])) > 0  # knee toward the midline: inside
    assert knee_over_toe("left", heel, toe, np.array([0.2, -0.05, 0.5])) < 0


def test_expected_reps_holds_and_flags() -> None:
    poser = _poser()
    items = [parse_item(s) for s in ("hold 3.5", "demi 3", "stand 0.5", "grand 4", "tendu right 2", "stand 3")]
    correct = Timeline(poser, Stance("first", (45.0, 45.0), (45.0, 45.0)), items).expected()
    forced = Timeline(poser, Stance("first", (60.0, 60.0), (38.0, 38.0)), items).expected()
    assert [r["kind"] for r in correct.reps] == ["demi", "grand"]
    assert [(h["start_s"], h["end_s"]) for h in correct.holds] == [(0.0, 3.5), (13.0, 16.0)]
    assert all(not r["flags"] for r in correct.reps)
    flags = cast(list[dict[str, str]], forced.reps[0]["flags"])
    assert {(f["code"], f["side"]) for f in flags} == {
        ("forced_turnout", "left"), ("forced_turnout", "right"), ("knees_inside_toes", "left"),
        ("knees_inside_toes", "right")}  # fmt: skip


def test_catalogue_covers_the_grid() -> None:
    scenes = load_catalogue()
    dancers = [s.dancer for s in scenes.values()]
    for feet in (30.0, 45.0, 60.0):
        assert any(d.position == "first" and d.feet_deg[0] == feet and d.hips_deg[0] == feet for d in dancers)
    assert any(20.0 <= d.feet_deg[0] - d.hips_deg[0] <= 30.0 for d in dancers)
    assert {d.position for d in dancers} == {"first", "second", "fifth", "parallel"}
    actions = {it.action for d in dancers for it in d.items()}
    assert {"demi", "grand", "releve", "tendu", "hold"} <= actions
    assert any(it.action == "demi" and it.seconds <= 1.5 for d in dancers for it in d.items())  # quick
    assert any(r.kind == "A4" for s in scenes.values() for r in s.refs)
    assert any(s.mirrored for s in scenes.values()) and any(s.second for s in scenes.values())
    assert len({d.body for d in dancers}) >= 4 and len({d.look for d in dancers}) >= 3
    for s in scenes.values():
        assert s.fps <= 25 and 0.5 <= s.camera.height_m <= 1.5 and 2.0 <= s.camera.distance_m <= 3.5
        assert abs(s.camera.yaw_deg) <= 20 and 60 <= s.camera.hfov_deg <= 78


def test_bad_scenes_are_refused() -> None:
    with pytest.raises(ValueError, match="start with one of"):
        parse_item("jump 2")
    with pytest.raises(ValueError, match="which leg"):
        parse_item("tendu 2")
    with pytest.raises(ValueError, match="unknown look"):
        Person(look="tutu")
    with pytest.raises(ValueError, match="hfov_deg"):
        CameraSetup(hfov_deg=170.0)


def test_cache_renders_once_and_keys_on_the_parameters(tmp_path: Path) -> None:
    scene = _tiny()
    first = cached(scene, tmp_path)
    assert not first.cached and first.video.stat().st_size > 1000
    again = cached(scene, tmp_path)
    assert again.cached and again.video == first.video
    other = cached(replace(scene, camera=CameraSetup(height_m=1.2)), tmp_path)
    assert not other.cached and other.video != first.video
    truth = json.loads(first.truth.read_text())
    assert truth["format"] == "turnout-studio-truth" and truth["video"]["frames"] == first.frames == 8
    assert len(truth["frames"]["left"]["foot_turnout_deg"]) == 8
    assert truth["expected"]["rep_count"] == 1
    import cv2

    cap = cv2.VideoCapture(str(first.video))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 8
    cap.release()


def test_the_studio_imports_only_numpy_and_cv2() -> None:
    code = ("import sys, turnout.testing.studio as s; s.load_catalogue(); "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('torch', 'PySide6', 'turnout', 'anny', 'matplotlib', 'scipy'))))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert all(m == "turnout" or m.startswith("turnout.testing") for m in out), out
    assert math.isfinite(len(out))
