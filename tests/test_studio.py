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
from turnout.testing.studio.script import Stance, Timeline, parse_item, revisions
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
    assert [(h["kind"], h["start_s"], h["end_s"]) for h in correct.holds] == [
        ("stand", 0.0, 3.5),
        ("stand", 13.0, 16.0),
    ]
    assert [(t["leg"], t["direction"], t["start_s"], t["end_s"]) for t in correct.tendus] == [
        ("right", "side", 11.0, 13.0)
    ]
    assert correct.releves == () and correct.position_holds == ()
    assert all(not r["flags"] for r in correct.reps)
    flags = cast(list[dict[str, str]], forced.reps[0]["flags"])
    assert {(f["code"], f["side"]) for f in flags} == {
        ("forced_turnout", "left"), ("forced_turnout", "right"), ("knees_inside_toes", "left"),
        ("knees_inside_toes", "right")}  # fmt: skip


def _joints(tl: Timeline, t: float) -> dict[str, np.ndarray]:
    return tl.poser.pose(tl.at(t).pose).joints


def test_bent_releve_bends_the_knees_as_the_heels_rise() -> None:
    poser = _poser()
    stance = Stance("first", (45.0, 45.0), (45.0, 45.0))
    straight = Timeline(poser, stance, [parse_item("releve 2 rise=40")])
    bent = Timeline(poser, stance, [parse_item("releve 2 rise=40 bend=35")])
    flat = _joints(straight, 0.0)
    top_s, top_b = _joints(straight, 1.0), _joints(bent, 1.0)  # the top: 30 % rise, 40 % up
    for side in ("left", "right"):
        hip, knee, ankle = (top_b[f"{side}_{p}"] for p in ("hip", "knee", "ankle"))
        assert knee_flexion(hip, knee, ankle) == pytest.approx(35.0, abs=0.01)
        assert knee_direction(side, hip, knee, ankle) == pytest.approx(45.0, abs=0.01)  # over the toes
        assert top_b[f"{side}_heel"][2] == pytest.approx(top_s[f"{side}_heel"][2], abs=1e-6)  # the same heels
        assert top_s[f"{side}_heel"][2] > flat[f"{side}_heel"][2] + 0.06
        assert np.allclose(top_b[f"{side}_toe"], top_s[f"{side}_toe"], atol=1e-6)  # the same feet
    hips = {name: 0.5 * (j["left_hip"][2] + j["right_hip"][2]) for name, j in (("flat", flat), ("s", top_s),
                                                                                  ("b", top_b))}  # fmt: skip
    assert hips["s"] > hips["b"] + 0.03 and hips["s"] > hips["flat"] + 0.05
    quarter = _joints(bent, 0.3)  # half way up: half the bend
    assert knee_flexion(quarter["left_hip"], quarter["left_knee"], quarter["left_ankle"]) == pytest.approx(
        17.5, abs=0.5
    )
    exp = bent.expected()
    assert [(r["knees"], r["bend_deg"], r["rise_deg"]) for r in exp.releves] == [("bent", 35.0, 40.0)]
    assert [r["knees"] for r in straight.expected().releves] == ["straight"]
    assert exp.reps == () and exp.holds == ()


@pytest.mark.parametrize("feet", [45.0, 60.0])
@pytest.mark.parametrize("work", ["left", "right"])
def test_tendus_travel_front_side_and_back_with_the_foot_turned_out(work: str, feet: float) -> None:
    """The working toe travels along her forward axis (front, back) or sideways, the foot keeps its turnout, the
    leg ends straight and pointed, the standing foot stays put."""
    poser = _poser()
    stance = Stance("first", (feet, feet), (feet, feet))
    support = "left" if work == "right" else "right"
    for direction, want in (("front", (0.0, -1.0)), ("back", (0.0, 1.0)), ("side", (outward_x(work), 0.0))):
        tl = Timeline(poser, stance, [parse_item(f"tendu {work} 2 dir={direction}")])
        start, out = _joints(tl, 0.0), _joints(tl, 1.0)
        travel = (out[f"{work}_toe"] - start[f"{work}_toe"])[:2]
        assert np.linalg.norm(travel) > 0.15, direction
        assert travel / np.linalg.norm(travel) == pytest.approx(want, abs=0.01), direction
        floor_dir = out[f"{work}_toe"] - out[f"{work}_heel"]
        turned = feet if direction != "back" else feet - 180.0  # to the back the heel goes over the toe
        assert floor_angle(work, floor_dir) == pytest.approx(turned, abs=0.01)  # still turned out
        assert out[f"{work}_heel"][2] > (0.18 if direction == "back" else 0.1)  # pointed
        assert out[f"{work}_toe"][2] == pytest.approx(start[f"{work}_toe"][2], abs=0.003)  # toe on the floor
        assert knee_flexion(out[f"{work}_hip"], out[f"{work}_knee"], out[f"{work}_ankle"]) < 1.5  # straight
        assert np.allclose(out[f"{support}_toe"], start[f"{support}_toe"], atol=1e-6)
        exp = tl.expected()
        assert [(t["leg"], t["direction"], t["start_s"], t["out_start_s"], t["out_end_s"], t["end_s"])
                for t in exp.tendus] == [(work, direction, 0.0, 0.7, 1.3, 2.0)]  # fmt: skip


def outward_x(side: str) -> float:
    return 1.0 if side == "left" else -1.0


@pytest.mark.parametrize(("item", "kind", "top"), [("demi 7 depth=75 hold=5", "plie", 75.0),
                                                   ("releve 7 rise=55 hold=5", "releve", 55.0)])  # fmt: skip
def test_timed_holds_stay_still_for_their_seconds(item: str, kind: str, top: float) -> None:
    poser = _poser()
    tl = Timeline(poser, Stance("first", (45.0, 45.0), (45.0, 45.0)), [parse_item("stand 1"), parse_item(item)])
    exp = tl.expected()
    (held,) = exp.position_holds
    assert (held["kind"], held["start_s"], held["end_s"], held["seconds"]) == (kind, 2.0, 7.0, 5.0)
    poses = [tl.at(t).pose for t in np.linspace(2.0, 7.0, 11)]
    assert all(p == poses[0] for p in poses)  # still through the hold
    assert tl.at(1.9).pose != poses[0] and tl.at(7.1).pose != poses[0]  # moving on either side
    if kind == "plie":
        assert poses[0].flexion_deg == top and [r["bottom_start_s"] for r in exp.reps] == [2.0]
        assert [(r["bottom_end_s"], r["descent_s"]) for r in exp.reps] == [(7.0, 1.0)]
    else:
        assert poses[0].left.rise_deg == top and exp.reps == ()
        assert [(r["top_start_s"], r["top_end_s"]) for r in exp.releves] == [(2.0, 7.0)]
    assert exp.holds == ()  # a held plié or relevé is not a still stand


def test_only_changed_behaviours_change_cache_keys() -> None:
    """A front tendu's path changed (along her forward axis): scenes with one get new keys, the others keep theirs."""
    side = _tiny(dancer=Person(script=("stand 0.4", "tendu left 2")))
    front = _tiny(dancer=Person(script=("stand 0.4", "tendu left 2 dir=front")))
    assert revisions(side.dancer.items()) == [] and revisions(front.dancer.items()) == ["tendu-front-2"]
    assert side.key() != front.key()
    assert load_catalogue()["first45_demi"].key() == "647bdb023ac729cc"  # as before the change: its renders stay


def test_the_issue_17_scenes_expect_what_they_say() -> None:
    scenes = load_catalogue()

    def expected(name: str):  # type: ignore[no-untyped-def]
        d = scenes[name].dancer
        return Timeline(_poser(d.body), Stance(d.position, d.feet_deg, d.hips_deg), d.items()).expected()

    releves = expected("barre_releve_bent").releves
    assert [r["knees"] for r in releves] == ["straight", "bent", "straight", "bent", "bent"]
    back = expected("barre_tendu_back").tendus
    assert [(t["leg"], t["direction"]) for t in back] == [("right", "back"), ("left", "back")] * 2
    front = expected("barre_tendu_front60").tendus
    assert [t["direction"] for t in front] == ["front", "front", "side", "front"]
    assert scenes["barre_tendu_front60"].dancer.feet_deg == (60.0, 60.0)
    for name, kind in (("hold_low_plie", "plie"), ("hold_high_releve", "releve")):
        assert [(h["kind"], h["seconds"]) for h in expected(name).position_holds] == [(kind, 5.0)]
    for name in ("barre_releve_bent", "barre_tendu_back", "barre_tendu_front60", "hold_low_plie", "hold_high_releve"):
        s = scenes[name]  # short enough to render on a shared machine
        assert 6.0 <= sum(it.seconds for it in s.dancer.items()) <= 12.0 and s.fps == 15


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
        # a webcam in front of her, up to 20 degrees to a side, or at her side for the profile view
        side = "profile" in s.tags
        assert (abs(s.camera.yaw_deg) == 90 if side else abs(s.camera.yaw_deg) <= 20) and 60 <= s.camera.hfov_deg <= 78


def test_bad_scenes_are_refused() -> None:
    with pytest.raises(ValueError, match="start with one of"):
        parse_item("jump 2")
    with pytest.raises(ValueError, match="which leg"):
        parse_item("tendu 2")
    with pytest.raises(ValueError, match="dir is side, front, back"):
        parse_item("tendu left 2 dir=up")
    with pytest.raises(ValueError, match="unknown option 'bend'"):
        parse_item("demi 2 bend=30")  # a misspelt or misplaced option is not silently ignored
    with pytest.raises(ValueError, match=r"hold=2\.8 leaves under"):
        parse_item("releve 3 hold=2.8")
    with pytest.raises(ValueError, match="bend=120"):
        parse_item("releve 3 bend=120")
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


def test_a_scene_rendered_meanwhile_by_another_worker_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two test workers (`make test` runs pytest-xdist) may render the same scene at once: the one that finishes
    second keeps the first one's folder (which may be being read) and drops its own; a half-written folder (no
    truth) is replaced."""
    scene = _tiny()
    first = cached(scene, tmp_path)
    folder = first.video.parent
    stamp = first.video.stat().st_mtime_ns
    # a second worker found no clip when it looked and rendered too: the first worker's folder appears meanwhile
    monkeypatch.setattr(Path, "exists", _missing_once(first.video))
    second = cached(scene, tmp_path)
    assert not second.cached and second.video == first.video and second.video.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]  # its own render was dropped
    monkeypatch.undo()
    # a folder left half-written (a worker killed mid-rename) is rendered again
    first.truth.unlink()
    third = cached(scene, tmp_path)
    assert not third.cached and third.truth.exists() and third.video.stat().st_mtime_ns != stamp


def _missing_once(video: Path):  # type: ignore[no-untyped-def]
    """``Path.exists`` that says ``video`` is not there the first time it is asked (as a worker that looked before
    another one's render landed)."""
    real = Path.exists
    asked: list[Path] = []

    def exists(self: Path, *args, **kwargs) -> bool:  # type: ignore[no-untyped-def]
        if self == video and not asked:
            asked.append(self)
            return False
        return real(self, *args, **kwargs)

    return exists


def test_a_cached_truth_of_version_1_gets_the_new_expected(tmp_path: Path) -> None:
    scene = _tiny(dancer=Person(script=("stand 0.4", "releve 1.2 bend=30", "tendu right 1 dir=back")))
    first = cached(scene, tmp_path)
    doc = json.loads(first.truth.read_text())
    assert doc["version"] == 2 and doc["expected"]["releve_count"] == doc["expected"]["tendu_count"] == 1
    frames = doc["frames"]
    old = {**doc, "version": 1, "expected": {"reps": [], "holds": [], "rep_count": 0}}
    first.truth.write_text(json.dumps(old))
    again = cached(scene, tmp_path)
    assert again.cached
    up = json.loads(again.truth.read_text())
    assert up["version"] == 2 and up["expected"] == doc["expected"] and up["frames"] == frames
    assert [(r["knees"], r["bend_deg"]) for r in up["expected"]["releves"]] == [("bent", 30.0)]
    assert [(t["leg"], t["direction"]) for t in up["expected"]["tendus"]] == [("right", "back")]


def test_the_studio_imports_only_numpy_and_cv2() -> None:
    code = ("import sys, turnout.testing.studio as s; s.load_catalogue(); "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('torch', 'PySide6', 'turnout', 'anny', 'matplotlib', 'scipy'))))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert all(m == "turnout" or m.startswith("turnout.testing") for m in out), out
    assert math.isfinite(len(out))


# ---- the profile view (issue 17, item 4): a tilted pelvis, a camera at her side ------------------------------------


@pytest.mark.parametrize("tilt", [-15.0, -10.0, 10.0, 15.0])
def test_a_tilted_pelvis_turns_about_the_hips_and_she_stays_upright(tilt: float) -> None:
    """The pelvis turns about the hip joints' axis (legs and feet stay put); the lumbar spine takes the tilt back so
    the chest stays upright: the shoulders move forward when arched (anterior tilt), back when tucked."""
    from turnout.testing.studio.truth import torso_lean

    poser = _poser()
    tl = Timeline(poser, Stance("first", (45.0, 45.0), (45.0, 45.0), tilt), [parse_item("stand 1")])
    level = Timeline(poser, Stance("first", (45.0, 45.0), (45.0, 45.0)), [parse_item("stand 1")])
    a, b = poser.pose(tl.at(0.0).pose), poser.pose(level.at(0.0).pose)
    assert tl.at(0.5).pose.pelvis_deg == tilt
    for name in ("hip", "knee", "ankle", "heel", "toe"):
        for side in ("left", "right"):
            np.testing.assert_allclose(a.joints[f"{side}_{name}"], b.joints[f"{side}_{name}"], atol=1e-9)
    # the pelvis itself turns: a vertex at the back of the pelvis (sacrum) goes up when arched, down when tucked
    model = load_model()
    pelvis = np.flatnonzero(np.asarray(model.skeleton.group_names)[model.skeleton.groups] == "pelvis")
    rest = poser.shape.vertices[pelvis]
    back = pelvis[np.argmax(rest[:, 1] + 0.5 * rest[:, 2])]  # high at the back
    assert np.sign(a.vertices[back, 2] - b.vertices[back, 2]) == np.sign(tilt)
    lean = torso_lean(a.joints) - torso_lean(b.joints)
    assert np.sign(lean) == np.sign(tilt) and 1.0 <= abs(lean) <= 0.4 * abs(tilt)  # upright: a few degrees at most
    # the shoulder line stays level and square (no twist) and the head stays over the shoulders
    d = a.joints["left_shoulder"] - a.joints["right_shoulder"]
    assert abs(d[1]) < 1e-9 and abs(d[2]) < 1e-9


def test_pelvis_and_side_cameras_in_the_catalogue_grammar() -> None:
    from turnout.testing.studio.scenes import scene_from_dict

    base = {"script": ["hold 3"], "camera": {"yaw": 90}}
    assert scene_from_dict("a", {**base, "pelvis": "tuck 12"}).dancer.pelvis_deg == -12.0
    assert scene_from_dict("a", {**base, "pelvis": "arch 12.5"}).dancer.pelvis_deg == 12.5
    assert scene_from_dict("a", {**base, "pelvis": "neutral"}).dancer.pelvis_deg == 0.0
    assert scene_from_dict("a", {**base, "pelvis": -8}).dancer.pelvis_deg == -8.0
    for bad in ("tilt 12", "tuck", "arch -3", "tuck x"):
        with pytest.raises(ValueError, match="pelvis"):
            scene_from_dict("a", {**base, "pelvis": bad})
    with pytest.raises(ValueError, match=r"outside -30\.\.30"):
        scene_from_dict("a", {**base, "pelvis": "arch 40"})
    assert scene_from_dict("a", {**base, "camera": {"yaw": -90}}).camera.yaw_deg == -90.0
    with pytest.raises(ValueError, match="yaw_deg"):
        CameraSetup(yaw_deg=200.0)
    # a level pelvis leaves the key as it was (the catalogue's renders stay); a tilt changes it
    level = _tiny()
    assert level.key() == replace(level, dancer=replace(level.dancer, pelvis_deg=0.0)).key()
    assert level.key() != replace(level, dancer=replace(level.dancer, pelvis_deg=-12.0)).key()
    scenes = load_catalogue()
    profile = {n: s for n, s in scenes.items() if "profile" in s.tags}
    assert {s.camera.yaw_deg for s in profile.values()} == {90.0, -90.0}
    assert sorted({s.dancer.pelvis_deg for s in profile.values()}) == [-15.0, -12.0, 0.0, 12.0, 15.0]


@pytest.mark.parametrize("yaw", [90.0, -90.0])
def test_a_side_camera_sees_her_profile_and_the_truth_records_her_posture(yaw: float, tmp_path: Path) -> None:
    """At yaw 90 the camera stands at her left (her left hip nearer it), at -90 at her right; the truth records the
    pelvis's tilt and the torso's line per frame, and the shoulders and head."""
    scene = _tiny(dancer=Person(script=("stand 0.4", "demi 1.2"), pelvis_deg=-12.0),
                  camera=CameraSetup(yaw_deg=yaw))  # fmt: skip
    r = SceneRenderer(scene)
    near, far = ("left", "right") if yaw > 0 else ("right", "left")
    _bgr, _state, posed = r.frame(0)
    depth = r.camera.to_camera(np.array([posed.joints[f"{near}_hip"], posed.joints[f"{far}_hip"]]))[:, 2]
    assert depth[0] < depth[1] - 0.1
    # she faces -y: seen from her left she faces the picture's left, from her right its right
    toe, heel = (r.camera.project(posed.joints[f"{near}_{p}"])[0] for p in ("toe", "heel"))
    assert np.sign(heel - toe) == np.sign(yaw)
    truth = json.loads(cached(scene, tmp_path).truth.read_text())
    fr = truth["frames"]
    assert fr["pelvis_tilt_deg"] == [-12.0] * len(fr["t_s"])
    assert all(v is not None and -8.0 < v < 0.0 for v in fr["torso_lean_deg"])
    assert {"left_shoulder", "right_shoulder", "head"} <= set(fr["points"])


# ---- seated stretches (issue 17, item 5) ---------------------------------------------------------------------------
def _seated(items: list[str], body: str = "f_avg") -> Timeline:
    return Timeline(_poser(body), Stance("first", (45.0, 45.0), (45.0, 45.0)), [parse_item(s) for s in items])


@pytest.mark.parametrize("thighs", [0.0, 25.0, 45.0])
def test_a_butterfly_sits_on_the_floor_soles_together_thighs_as_scripted(thighs: float) -> None:
    """Seated: the hip joints 9.5 cm up, the torso upright; in the butterfly the ankles meet in front of her, the knees
    go out to her sides with the thighs ``thighs`` degrees above the floor, and hold still through the hold."""
    from turnout.testing.studio.truth import torso_lean

    tl = _seated(["sit 1", f"butterfly 6 thighs={thighs:g} hold=4", "sit 1"])
    (exp,) = tl.expected().stretches
    assert (exp["kind"], exp["start_s"], exp["end_s"], exp["seconds"], exp["thighs_deg"]) == (
        "butterfly", 2.0, 6.0, 4.0, thighs)  # fmt: skip
    poser = tl.poser
    posed = [poser.pose(tl.at(t).pose) for t in (2.0, 4.0, 6.0)]
    j = posed[0].joints
    assert all(np.allclose(p.joints["left_knee"], j["left_knee"]) for p in posed)  # still through the hold
    for side, out in (("left", 1.0), ("right", -1.0)):
        hip, knee, ankle = j[f"{side}_hip"], j[f"{side}_knee"], j[f"{side}_ankle"]
        assert hip[2] == pytest.approx(0.095, abs=1e-6)
        thigh = math.degrees(math.asin((knee[2] - hip[2]) / np.linalg.norm(knee - hip)))
        assert thigh == pytest.approx(thighs, abs=0.1)
        assert out * (knee[0] - hip[0]) > 0.15 and abs(ankle[0]) < 0.1 and ankle[1] == pytest.approx(-0.3, abs=1e-6)
    assert abs(torso_lean(j)) < 0.5
    assert tl.at(2.1).phase == "held" and tl.at(1.5).phase == "in" and tl.at(6.5).phase == "out"
    assert tl.at(0.5).phase == "seated" and tl.at(0.5).action == "sit"
    assert float(posed[0].vertices[:, 2].min()) > -0.03  # on the floor, not through it


@pytest.mark.parametrize("opening", [60.0, 100.0, 150.0])
def test_a_straddle_opens_the_straight_legs_by_its_angle(opening: float) -> None:
    from turnout.testing.studio.truth import legs_open

    tl = _seated(["sit 1", f"straddle 6 open={opening:g} hold=4", "sit 1"])
    (exp,) = tl.expected().stretches
    assert (exp["kind"], exp["open_deg"], exp["start_s"], exp["end_s"]) == ("straddle", opening, 2.0, 6.0)
    j = tl.poser.pose(tl.at(4.0).pose).joints
    assert legs_open(j) == pytest.approx(opening, abs=0.2)
    for side in ("left", "right"):
        assert knee_flexion(j[f"{side}_hip"], j[f"{side}_knee"], j[f"{side}_ankle"]) < 2.0  # straight
    sit = tl.poser.pose(tl.at(0.5).pose).joints
    assert legs_open(sit) == pytest.approx(0.0, abs=0.2)
    assert tl.expected().reps == () and tl.expected().holds == ()  # seated: no plié, no standing hold


def test_seated_and_standing_items_do_not_mix_and_options_are_checked() -> None:
    with pytest.raises(ValueError, match="seated"):
        Person(script=("stand 1", "butterfly 5"))
    with pytest.raises(ValueError, match="thighs=80"):
        parse_item("butterfly 5 thighs=80")
    with pytest.raises(ValueError, match="unknown option"):
        parse_item("straddle 5 thighs=10")


def test_the_stretch_scenes_keep_the_other_scenes_keys() -> None:
    """The seated scenes are new: every scene before them keeps its key (its renders stay)."""
    scenes = load_catalogue()
    assert scenes["first45_demi"].key() == "647bdb023ac729cc"
    stretches = [n for n, s in scenes.items() if "stretch" in s.tags]
    assert len(stretches) >= 5 and all(n.startswith("stretch_") for n in stretches)


def test_a_pigeon_crosses_the_front_shin_and_stretches_the_back_leg_behind() -> None:
    tl = _seated(["sit 1", "pigeon 7 front=right hold=5", "sit 1"])
    (exp,) = tl.expected().stretches
    assert (exp["kind"], exp["front"], exp["start_s"], exp["end_s"]) == ("pigeon", "right", 2.0, 7.0)
    j = tl.poser.pose(tl.at(4.0).pose).joints
    assert j["right_knee"][0] < j["right_hip"][0] - 0.1 and j["right_ankle"][0] > 0.0  # knee out, shin across
    assert j["right_ankle"][1] < 0.0 and j["left_ankle"][1] > 0.6  # front foot ahead, back foot behind her
    assert knee_flexion(j["left_hip"], j["left_knee"], j["left_ankle"]) < 2.0  # the back leg straight
    assert j["left_hip"][2] == pytest.approx(0.16, abs=1e-6)


@pytest.mark.parametrize("body", ["f_avg", "f_petite", "f_tall"])
def test_a_frog_kneels_face_down_knees_wide_hands_on_the_floor(body: str) -> None:
    """The frog: knees on the floor wide out to her sides in line with her hips, shins straight back, feet turned out
    (toes out to her side), torso leaned until her straight arms put her hands on the floor; nothing goes through the
    floor."""
    from turnout.testing.studio.truth import torso_lean

    tl = _seated(["sit 1", "frog 7 hold=5", "sit 1"], body)
    (exp,) = tl.expected().stretches
    assert (exp["kind"], exp["start_s"], exp["end_s"]) == ("frog", 2.0, 7.0) and "front" not in exp
    posed = tl.poser.pose(tl.at(4.0).pose)
    j = posed.joints
    for side, out in (("left", 1.0), ("right", -1.0)):
        assert out * (j[f"{side}_knee"][0] - j[f"{side}_hip"][0]) > 0.15  # knee out to her side
        assert abs(j[f"{side}_knee"][1] - j[f"{side}_hip"][1]) < 0.02 and j[f"{side}_knee"][2] < 0.08  # on the floor
        assert j[f"{side}_ankle"][1] - j[f"{side}_knee"][1] > 0.3  # the shin straight back
        toe = j[f"{side}_toe"] - j[f"{side}_heel"]
        assert out * toe[0] > 0.8 * np.linalg.norm(toe)  # the foot turned out to her side
    assert torso_lean(j) > 30.0
    wrist = tl.poser.shape.heads[tl.poser.sk.bone("wrist.L")]  # the hands reach the floor: lowest vertices near it
    assert wrist is not None and posed.vertices[:, 2].min() > -0.03
    assert tl.poser.pose(tl.at(0.5).pose).joints["left_hip"][2] == pytest.approx(0.095, abs=1e-6)  # sitting before


@pytest.mark.parametrize(("body", "front"), [("f_avg", "right"), ("f_petite", "right"), ("f_tall", "left")])
def test_a_low_lunge_has_the_front_foot_flat_ahead_and_the_back_knee_down(body: str, front: str) -> None:
    tl = _seated(["sit 1", f"low_lunge 7 front={front} hold=5", "sit 1"], body)
    (exp,) = tl.expected().stretches
    assert (exp["kind"], exp["front"], exp["start_s"], exp["end_s"]) == ("low_lunge", front, 2.0, 7.0)
    posed = tl.poser.pose(tl.at(4.0).pose)
    j = posed.joints
    back = "left" if front == "right" else "right"
    assert j[f"{front}_ankle"][1] < -0.2 and j[f"{front}_heel"][2] < 0.05 and j[f"{front}_toe"][2] < 0.05  # flat
    assert 40.0 < knee_flexion(j[f"{front}_hip"], j[f"{front}_knee"], j[f"{front}_ankle"]) < 120.0  # bent over it
    assert j[f"{front}_knee"][1] < j[f"{front}_ankle"][1] + 0.15  # the knee over the foot, not behind it
    assert j[f"{back}_knee"][2] < 0.08 and j[f"{back}_knee"][1] > 0.05  # the back knee down, behind her hips
    assert j[f"{back}_ankle"][1] > j[f"{back}_knee"][1] + 0.3  # its shin back along the floor
    assert posed.vertices[:, 2].min() > -0.03
