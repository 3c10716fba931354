"""`turnout analyze --floor / --floor-corners / --floor-size`: floor-calibrated analysis of a recording.

Rendered recordings (a folder of lossless PNGs drawn by ``turnout.testing.render_floor`` with a known camera)
check the calibration itself; a real clip checks that every measurement says which mode produced it, in the
CSV, the JSON and the store. No real clip shows a reference on the floor, so the real-clip run uses corners
projected through a plausible camera: its angles are not compared with a truth.
"""

from __future__ import annotations

import csv
import json
import math
import sqlite3
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import media_file
from turnout.cli.main import floor_spec, main
from turnout.errors import TurnoutError
from turnout.floor.reference import FloorCalibration
from turnout.measure.measures import Mode
from turnout.session.analysis import FloorSpec, analyze_file
from turnout.testing.render_floor import Camera, Rendered, rect_polygon, render, scene_set

pytestmark = pytest.mark.e2e


def _recording(tmp_path: Path, rendered: Rendered, frames: int = 3, name: str = "rec") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for i in range(frames):
        cv2.imwrite(str(folder / f"frame_{i:03d}.png"), rendered.image)
    return folder


@pytest.fixture(scope="module")
def scene() -> Rendered:
    """A rendered A4 sheet on parquet seen by a 960x540 webcam (scene 1 of seed 3)."""
    rendered = render(list(scene_set("A4", 2, seed=3))[1])
    assert rendered.corners_px is not None and rendered.image.shape[:2] == (540, 960)
    return rendered


def _corner_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest distance between matched corners (the calibration may start at another corner)."""
    return min(float(np.max(np.linalg.norm(np.roll(a, k, axis=0) - b, axis=1))) for k in range(4))


def _total_turnout(cal: FloorCalibration, rendered: Rendered) -> float:
    heels, toes = cal.image_to_floor(rendered.heels_px), cal.image_to_floor(rendered.toes_px)
    d = toes - heels
    a = math.degrees(math.atan2(d[0, 0] * d[1, 1] - d[0, 1] * d[1, 0], float(d[0] @ d[1])))
    return abs(a)


def test_the_sheet_is_found_in_a_recording(tmp_path: Path, model_path: Path, scene: Rendered) -> None:
    result = analyze_file(_recording(tmp_path, scene), model_path, floor=FloorSpec("A4"))
    assert result.floor_calibration is not None
    assert [what for _, what in result.floor_events] == ["found the A4 on the floor"]
    cal = FloorCalibration.from_dict(result.floor_calibration)
    assert scene.corners_px is not None
    assert _corner_error(cal.corners_px, scene.corners_px) < 0.5
    assert abs(_total_turnout(cal, scene) - scene.scene.total_turnout_deg) < 2.0
    assert result.floor_expected_error_deg is not None and 0 < result.floor_expected_error_deg[0] < 5
    assert result.warnings == []
    assert result.frames_by_mode == {"uncalibrated-3d": 0, "floor-calibrated": 0}  # nobody in the picture
    assert result.to_json()["floor"]["events"][0]["what"] == "found the A4 on the floor"


def test_given_corners_are_refined_and_mirrored_files_flip_them(
    tmp_path: Path, model_path: Path, scene: Rendered
) -> None:
    assert scene.corners_px is not None
    rough = np.round(scene.corners_px) + np.array([[1, 0], [0, -1], [-1, 1], [1, 1]])  # clicked, about 1 px off
    spec = FloorSpec("A4", corners_px=tuple(map(tuple, rough.tolist())))
    result = analyze_file(_recording(tmp_path, scene), model_path, floor=spec)
    assert result.floor_calibration is not None
    cal = FloorCalibration.from_dict(result.floor_calibration)
    assert _corner_error(cal.corners_px, scene.corners_px) < 0.5  # refined on the first frame
    assert cal.corner_sigma_px < 1.0
    assert abs(_total_turnout(cal, scene) - scene.scene.total_turnout_deg) < 2.0

    # the same view recorded as a mirror image: the corners are read off the file, the frames flipped back
    mirrored = Rendered(scene.image[:, ::-1].copy(), scene.scene, scene.corners_px, scene.heels_px, scene.toes_px)
    flipped = rough.copy()
    flipped[:, 0] = 959 - flipped[:, 0]
    spec = FloorSpec("A4", corners_px=tuple(map(tuple, flipped.tolist())))
    result = analyze_file(_recording(tmp_path, mirrored, name="mirrored"), model_path, floor=spec, mirrored=True)
    assert result.floor_calibration is not None
    again = FloorCalibration.from_dict(result.floor_calibration)
    assert _corner_error(again.corners_px, scene.corners_px) < 0.5


def test_no_sheet_is_a_warning_and_the_analysis_goes_on(tmp_path: Path, model_path: Path) -> None:
    negative = render(next(scene_set(None, 1, seed=3)))
    result = analyze_file(_recording(tmp_path, negative), model_path, floor=FloorSpec("letter"))
    assert result.floor_calibration is None and result.floor_events == []
    assert len(result.warnings) == 1 and result.warnings[0].startswith("no letter found on the floor in rec")


def test_bad_corners_are_one_line(tmp_path: Path, model_path: Path, scene: Rendered) -> None:
    outside = FloorSpec("A4", corners_px=((10, 10), (2000, 10), (2000, 500), (10, 500)))
    with pytest.raises(TurnoutError, match=r"outside rec's 960x540 picture"):
        analyze_file(_recording(tmp_path, scene), model_path, floor=outside)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("mat", None, None), "--floor 'mat': choose one of"),
        (("A4", "1,2 3,4 5,6", None), "give four x,y pixel points"),
        (("A4", None, "21x29.7"), "--floor-size needs --floor-corners"),
        ((None, "1,2 3,4 5,6 7,8", "21 by 30"), "give width x length in centimetres"),
        ((None, "1,2 3,4 5,6 7,8", "0x30"), "give width x length in centimetres"),
        ((None, "1,2 3,4 5,6 7,8", None), "give the rectangle's size with --floor-size"),
    ],
)
def test_floor_options_are_checked(args: tuple[str | None, str | None, str | None], message: str) -> None:
    with pytest.raises(TurnoutError, match=message.replace("(", r"\(")):
        floor_spec(*args)


def test_floor_options_parse() -> None:
    assert floor_spec(None, None, None) is None
    assert floor_spec("yoga-mat", None, None) == FloorSpec("yoga-mat")
    spec = floor_spec(None, "600,500 680,500 700,560 580.5,560", "61 x 183 cm")
    assert spec == FloorSpec("custom", ((600, 500), (680, 500), (700, 560), (580.5, 560)), (0.61, 1.83))
    assert floor_spec("letter", "1,2;3,4;5,6;7,8", None) == FloorSpec("letter", ((1, 2), (3, 4), (5, 6), (7, 8)))


def test_real_clip_measured_on_the_floor_says_so_everywhere(tmp_path: Path) -> None:
    """ballet_plie.mp4 with an A4's corners as a 60-degree webcam 0.9 m high would see it 0.4 m in front of
    her: every measured frame and the rep are tagged floor-calibrated in the CSV, the JSON and the store."""
    clip = media_file("commons/ballet_plie.mp4")
    corners = Camera(960, 540, 60.0, 0.9, 12.0).project(rect_polygon((0.0, 2.0), 0.21, 0.297, 0.0))
    text = " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
    db = tmp_path / "s.db"
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "turnout.cli", "analyze", str(clip), "--json", "--quiet", "--db", str(db),
         "--out", str(out), "--floor", "A4", "--floor-corners", text],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert "floor-calibrated on" in run.stderr
    assert doc["frames_by_mode"]["uncalibrated-3d"] == 0 and doc["frames_by_mode"]["floor-calibrated"] >= 130
    assert doc["floor"]["calibration"]["reference"] == "A4"
    assert doc["floor"]["events"][0] == {"t_s": 0.0, "what": "floor calibrated from the given corners (A4)"}
    assert [r["mode"] for r in doc["reps"]] == [str(Mode.FLOOR)]
    with (out / "ballet_plie.frames.csv").open() as f:
        rows = list(csv.DictReader(f))
    measured = [r for r in rows if r["left_knee_flexion_deg"]]
    assert len(measured) >= 130 and {r["mode"] for r in measured} == {"floor-calibrated"}
    assert {r["mode"] for r in rows if not r["left_knee_flexion_deg"]} <= {""}
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT calibration FROM sessions").fetchone()
    assert json.loads(stored)["reference"] == "A4"
    exported = tmp_path / "frames.csv"
    assert main(["sessions", "export", "1", "--csv", "--table", "frames", "-o", str(exported), "--db", str(db)]) == 0
    with exported.open() as f:
        stored_rows = list(csv.DictReader(f))
    assert {r["mode"] for r in stored_rows if r["left_knee_flexion_deg"]} == {"floor-calibrated"}

    # re-analysis keeps the floor: from the stored measurements by default, or measuring the stored landmarks
    # again on the session's calibration
    from turnout.storage.store import Store

    with Store.open(db) as store:
        before = store.reps(1)[0].rep
    for extra, source in (([], "measurements"), (["--source", "landmarks"], "landmarks")):
        assert main(["reanalyze", "1", "--db", str(db), *extra]) == 0
        with Store.open(db) as store:
            (stored,) = store.reps(1)
        assert stored.rep.mode is Mode.FLOOR, source
        assert abs(stored.rep.left.foot_turnout_mean_deg - before.left.foot_turnout_mean_deg) < 1.0, source


def test_uncalibrated_analysis_says_so(analysed) -> None:  # type: ignore[no-untyped-def]
    result = analysed("commons/ballet_plie.mp4")
    assert result.frames_by_mode["floor-calibrated"] == 0 and result.frames_by_mode["uncalibrated-3d"] >= 130
    assert [r.mode for r in result.reps] == [Mode.UNCALIBRATED_3D]
    assert result.to_json()["reps"][0]["mode"] == "uncalibrated-3d" and result.to_json()["floor"] is None


@pytest.mark.slow
def test_a_still_studio_camera_stays_calibrated_through_her_plies(model_path: Path) -> None:
    """The studio's a4_first60_yaw (camera 15 degrees to her side, demi-plies; rendered on first use and cached
    under build/studio/) through the real pose model: the sheet is found on the first frame and the floor stays
    calibrated to the end (the camera check read her head and torso going down as the camera moving, and from
    2.1 s on only 31 of 135 frames were floor-calibrated)."""
    from turnout.testing.studio import cached, load_catalogue

    result = analyze_file(cached(load_catalogue()["a4_first60_yaw"]).video, model_path, floor=FloorSpec("A4"))
    assert [what for _, what in result.floor_events] == ["found the A4 on the floor"]
    assert result.floor_calibration is not None
    assert result.frames_by_mode["uncalibrated-3d"] == 0 and result.frames_by_mode["floor-calibrated"] >= 130
