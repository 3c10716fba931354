"""Where MediaPipe's heel and foot_index landmarks are above the floor, on real footage with calibrated cameras.

The floor-calibrated mode (``turnout.floor.floormode``) maps toe pixels onto the floor and heel pixels onto
the plane ``HEEL_ABOVE_TOE_M`` up. This script measures that height on the Pose2Sim demo: one man filmed by four
Qualisys-calibrated cameras (``../shared/media/pypi/pose2sim_singleperson_cam02.mp4`` is camera 2; the other
videos and the calibration are in the ``pose2sim`` 0.10.49 wheel on PyPI, BSD-3-Clause):

    .venv/bin/pip download pose2sim==0.10.49 --no-deps -d /tmp/p2s && unzip -q /tmp/p2s/*.whl -d /tmp/p2s/w
    .venv/bin/python scripts/heel_height_check.py /tmp/p2s/w/Pose2Sim/Demo_SinglePerson

It runs the pose model on the four videos, triangulates heel and foot_index from cameras 1, 3 and 4 (so camera
2 stays independent), keeps frames with both feet down, and prints their heights, then the feet's length on
the floor from camera 2's pixels through its known camera with the heel taken at several heights against the
triangulated length. Not part of CI (it needs the wheel).
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import cv2
import numpy as np

HEEL, TOE = (29, 30), (31, 32)  # left, right
FEET = HEEL + TOE


def read_cameras(qca: Path) -> dict[str, dict[str, Any]]:
    """Qualisys .qca.txt -> OpenCV K, distortion, world->camera R, t (as Pose2Sim's calib_qca_fun converts it)."""
    cams: dict[str, dict[str, Any]] = {}
    for cam in ET.parse(qca).getroot().findall("cameras/camera"):
        fov, it, tr = cam.find("fov_video"), cam.find("intrinsic"), cam.find("transform")
        assert fov is not None and it is not None and tr is not None

        def f(node: ET.Element, key: str) -> float:
            return float(node.get(key, "nan"))

        k = np.array(
            [
                [f(it, "focalLengthU") / 64, 0, f(it, "centerPointU") / 64 - f(fov, "left")],
                [0, f(it, "focalLengthV") / 64, f(it, "centerPointV") / 64 - f(fov, "top")],
                [0, 0, 1],
            ]
        )
        dist = np.array([f(it, n) / 64 for n in ("radialDistortion1", "radialDistortion2")] +
                        [f(it, n) / 64 for n in ("tangentalDistortion1", "tangentalDistortion2")])  # fmt: skip
        r_q = np.array([[f(tr, f"r{i}{j}") for j in (1, 2, 3)] for i in (1, 2, 3)]).T
        t_q = np.array([f(tr, a) / 1000 for a in "xyz"])
        flip = np.diag([1.0, -1.0, -1.0])  # Pose2Sim's rotate_cam(ang_x=pi)
        cams[str(cam.get("serial"))] = {"K": k, "D": dist, "R": flip @ r_q.T, "t": flip @ (-r_q.T @ t_q)}
    return cams


def landmarks(video: Path, model: Path) -> tuple[np.ndarray, np.ndarray]:
    """(frames, 33, 2) pixels and (frames, 33) visibility from the pose model (NaN where no person)."""
    from turnout.capture.sources import VideoFileSource
    from turnout.pose.estimator import PoseEstimator

    px, vis = [], []
    with VideoFileSource(video) as src, PoseEstimator(model, people_check_s=None) as est:
        w, h = src.info.width, src.info.height
        for f in src:
            pose = est.process(f.bgr, f.timestamp_ms, f.index)
            if pose.image is None:
                px.append(np.full((33, 2), np.nan))
                vis.append(np.zeros(33))
            else:
                px.append(pose.image[:, :2] * [w, h])
                vis.append(pose.image[:, 3])
    return np.array(px), np.array(vis)


def triangulate(cams: dict[str, dict[str, Any]], obs: dict[str, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """(frames, 33, 3) linear triangulation of the visible (> 0.5) views, undistorted first."""
    names = sorted(obs)
    n = obs[names[0]][0].shape[0]
    norm = {
        c: cv2.undistortPoints(np.nan_to_num(obs[c][0]).reshape(-1, 1, 2), cams[c]["K"], cams[c]["D"]).reshape(n, 33, 2)
        for c in names
    }
    out = np.full((n, 33, 3), np.nan)
    for i in range(n):
        for j in range(33):
            rows = []
            for c in names:
                if obs[c][1][i, j] > 0.5 and np.isfinite(obs[c][0][i, j, 0]):
                    p = np.hstack([cams[c]["R"], cams[c]["t"][:, None]])
                    x, y = norm[c][i, j]
                    rows += [x * p[2] - p[0], y * p[2] - p[1]]
            if len(rows) >= 4:
                v = np.linalg.svd(np.array(rows))[2][-1]
                out[i, j] = v[:3] / v[3]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("demo", type=Path, help="the unpacked Pose2Sim/Demo_SinglePerson folder")
    args = ap.parse_args()
    qca = args.demo / "calibration" / "Calib.qca.txt"
    if not qca.is_file():
        print(f"error: {qca} not found: give the unpacked Pose2Sim/Demo_SinglePerson folder (see --help)")
        return 2
    from turnout.floor.floormode import HEEL_ABOVE_TOE_M
    from turnout.pose.model import resolve_model_path

    cams = read_cameras(qca)
    model = resolve_model_path()
    obs = {c: landmarks(args.demo / "videos" / f"{c}.mp4", model) for c in sorted(cams)}
    truth = triangulate(cams, {c: o for c, o in obs.items() if c != "cam02"})
    down = np.all(truth[:, FEET, 2] < 0.14, axis=1)  # both feet down (heel landmark < 14 cm up)
    print(f"frames: {len(truth)}, both feet down: {int(down.sum())}")
    z = truth[down][:, :, 2]
    print(f"triangulated height above the floor (cameras 1, 3, 4), median: heel {np.median(z[:, HEEL]) * 100:.1f} cm,"
          f" foot_index {np.median(z[:, TOE]) * 100:.1f} cm, heel above foot_index "
          f"{np.median(z[:, HEEL] - z[:, TOE]) * 100:.1f} cm")  # fmt: skip

    k = cams["cam02"]
    centre = -k["R"].T @ k["t"]

    def on_plane(px: np.ndarray, height: np.ndarray) -> np.ndarray:
        n = cv2.undistortPoints(px.reshape(-1, 1, 2).astype(np.float64), k["K"], k["D"]).reshape(-1, 2)
        d = (k["R"].T @ np.c_[n, np.ones(len(n))].T).T
        return np.asarray(centre[:2] + ((height - centre[2]) / d[:, 2])[:, None] * d[:, :2])

    px = obs["cam02"][0][down]
    true_len = np.linalg.norm(truth[down][:, TOE, :2] - truth[down][:, HEEL, :2], axis=2)
    print(f"foot length on the floor, median: triangulated {np.median(true_len) * 100:.1f} cm; from camera 2:")
    for heel_up in (0.0, 0.02, 0.03, HEEL_ABOVE_TOE_M, 0.05):
        lengths = [
            np.linalg.norm(
                on_plane(px[i, list(HEEL)], np.full(2, heel_up)) - on_plane(px[i, list(TOE)], np.zeros(2)), axis=1
            )
            for i in range(len(px))
        ]
        mark = "  <- HEEL_ABOVE_TOE_M" if heel_up == HEEL_ABOVE_TOE_M else ""
        print(f"  heel {heel_up * 100:3.1f} cm above the toe: {np.median(lengths) * 100:5.1f} cm{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
