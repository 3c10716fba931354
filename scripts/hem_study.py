"""Study: can the picture tell that trousers hide her heels? Each leg's silhouette reach outward from its ankle point
in MediaPipe's segmentation mask, standing.

Under flared trousers MediaPipe puts the heel point on the cloth and the product reads those feet badly (studio
`flared` look: median 18.6 degrees off, the shown range holding the truth on 45 % of frames; docs/measurements.md,
"Flared trousers"); the pose model's points alone do not tell such a foot from a visible one (its visibility, the
foot's length on the floor: studied, not used). The silhouette does: a hem hangs around the ankle, a bare or tighted
ankle is narrow. Per recording, on frames 1 s apart where it is reliable and both knees are straight in the picture
(``{side}_knee_bend_img_deg`` under 10), the frame goes through the pose model in IMAGE mode with segmentation masks,
640 px wide (as the second-person look, ``turnout.pose.people``, sees it), and each leg's reach is measured from the
tracked ankle point of ``turnout analyze``'s CSV (its raw landmark pixels), 0.05 legs up the shank, straight outward
(away from the other ankle) to where the mask falls under 0.5, in legs (the hip-to-ankle distance in the picture).
The reach is the product's own (``turnout.pose.people.hem_reach``). It prints each recording's median of the
two legs' mean and, with ``--json``, every value.

    .venv/bin/python scripts/hem_study.py --catalogue                      # build/accuracy/uncal against build/studio
    .venv/bin/python scripts/hem_study.py OUT/ballet_plie.frames.csv=../shared/media/commons/ballet_plie.mp4 ...

Session 19 (docs/measurements.md, "Trousers over the heels, from the silhouette"): 103 standing studio recordings
(the catalogue and four random sweeps) 0.033-0.061; the eight flared renders 0.084-0.131; the real teacher in flared
trousers (ballet_plie, tendu_tutorial, ballet_assemble) 0.096-0.106; simple_step 0.064, the Pose2Sim demo 0.082 (one
frame). The product uses it since: ``turnout.pose.people.hem_reach``, ``turnout.practice.plie.HEM_LEGS``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from turnout.pose import landmarks as lm
from turnout.pose.people import hem_reach

ROOT = Path(__file__).resolve().parents[1]
#: frames this far apart (seconds of video): the second-person look's pace
EVERY_S = 1.0
#: the width the look sees (turnout.pose.people.MAX_WIDTH)
LOOK_WIDTH = 640


def _num(row: dict[str, str], name: str) -> float:
    v = row.get(name)
    try:
        return float(v) if v not in (None, "") else math.nan
    except ValueError:
        return math.nan


def study(csv_path: Path, video: Path, landmarker: Any) -> list[list[float]]:
    """[time, left reach, right reach] on the recording's straight-kneed reliable frames, :data:`EVERY_S` apart.
    The CSV's landmark pixels are its last columns of each name (``csv.DictReader`` keeps the last): the raw ones."""
    import mediapipe as mp

    with csv_path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    cap = cv2.VideoCapture(str(video))
    out: list[list[float]] = []
    due = -math.inf
    try:
        for row in rows:
            ok, frame = cap.read()
            if not ok:
                break
            t = _num(row, "timestamp_ms") / 1000.0
            straight = all(_num(row, f"{s}_knee_bend_img_deg") < 10.0 for s in ("left", "right"))
            if t < due or _num(row, "reliable") != 1.0 or not straight:
                continue
            due = t + EVERY_S
            scale = min(1.0, LOOK_WIDTH / frame.shape[1])
            small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else frame
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
            result = landmarker.detect(image)
            if not result.segmentation_masks:
                continue
            mask = np.asarray(result.segmentation_masks[0].numpy_view())
            mask = mask.reshape(mask.shape[0], mask.shape[1])

            points = np.full((33, 2), np.nan)  # her legs' points in the mask's pixels, as the look takes them
            for side in ("left", "right"):
                for joint in ("hip", "knee", "ankle"):
                    xy = (_num(row, f"{side}_{joint}_x_px"), _num(row, f"{side}_{joint}_y_px"))
                    points[getattr(lm, f"{side}_{joint}".upper())] = np.array(xy) * scale
            out.append([t, *hem_reach(mask, points)])
    finally:
        cap.release()
    return out


def catalogue_pairs() -> list[tuple[Path, Path]]:
    """``make accuracy``'s uncalibrated analyses with their renders."""
    pairs = []
    for c in sorted((ROOT / "build" / "accuracy" / "uncal").glob("*.frames.csv")):
        name = c.name.removesuffix(".frames.csv")
        videos = sorted((ROOT / "build" / "studio").glob(f"{name}-*/{name}.mp4"))
        if videos:
            pairs.append((c, videos[0]))
    return pairs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("pairs", nargs="*", help="CSV=VIDEO: a `turnout analyze --out` CSV and the video it came from")
    ap.add_argument("--catalogue", action="store_true", help="make accuracy's analyses (build/accuracy/uncal)")
    ap.add_argument("--json", type=Path, help="write every value here")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "pose_landmarker_full.task")
    args = ap.parse_args(argv)
    bad = [p for p in args.pairs if "=" not in p]
    if bad:
        print(f"{bad[0]}: give each recording as CSV=VIDEO", file=sys.stderr)
        return 1
    pairs = [(Path(a), Path(b)) for a, b in (p.split("=", 1) for p in args.pairs)]
    if args.catalogue:
        pairs += catalogue_pairs()
    if not pairs:
        print("nothing to study: give CSV=VIDEO pairs or --catalogue (after make accuracy)", file=sys.stderr)
        return 1
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import pose_landmarker as pl
    from mediapipe.tasks.python.vision.core.vision_task_running_mode import VisionTaskRunningMode

    options = pl.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(args.model)), running_mode=VisionTaskRunningMode.IMAGE,
        output_segmentation_masks=True, num_poses=2, min_pose_detection_confidence=0.2,
    )  # fmt: skip
    landmarker = pl.PoseLandmarker.create_from_options(options)
    found: dict[str, list[list[float]]] = {}
    try:
        for c, v in pairs:
            name = c.name.removesuffix(".frames.csv")
            found[name] = values = study(c, v, landmarker)
            a = np.array(values, dtype=float).reshape(-1, 3)
            legs = np.nanmean(a[:, 1:], axis=1) if len(a) else np.zeros(0)
            if not np.isfinite(legs).any():
                print(f"{name:40s} no straight-kneed reliable frame with a mask")
                continue
            print(f"{name:40s} looks {len(a):3d}  reach (legs, both legs' mean): median {np.nanmedian(legs):.3f}, "
                  f"max {np.nanmax(legs):.3f}", flush=True)  # fmt: skip
    finally:
        landmarker.close()
    if args.json:
        args.json.write_text(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
