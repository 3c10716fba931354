"""Compare one ``turnout analyze`` run on a studio clip with the clip's truth (used by studio_accuracy.py).

Reads only the command line's JSON and its ``--out`` files (``*.frames.csv``, ``*.track.npz``).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

SIDES = ("left", "right")
#: measurement -> (CSV column pattern, truth key pattern, unit scale for the report)
FRAME_MEASURES: dict[str, tuple[str, str]] = {
    "foot_turnout_deg": ("{side}_foot_turnout_deg", "foot_turnout_deg"),
    "knee_direction_deg": ("{side}_knee_turnout_deg", "knee_direction_deg"),
    "forced_turnout_deg": ("{side}_forced_turnout_deg", "forced_turnout_deg"),
    "knee_over_toe_cm": ("{side}_knee_over_toe_offset_m", "knee_over_toe_offset_m"),
    "knee_flexion_deg": ("{side}_knee_flexion_deg", "knee_flexion_deg"),
    "heel_lift_cm": ("{side}_heel_height_m", "heel_lift_m"),
    # each foot as the product shows it: from the picture through the camera of her standing (docs/measurements.md)
    "foot_picture_deg": ("{side}_foot_picture_deg", "foot_turnout_deg"),
}
#: the picture's 95 % range around each foot's reading: (low column, high column)
PICTURE_RANGE = ("{side}_foot_picture_low_deg", "{side}_foot_picture_high_deg")
CM = {"knee_over_toe_cm", "heel_lift_cm"}
LANDMARKS = {"heel": (29, 30), "toe": (31, 32)}  # MediaPipe heel, foot_index (left, right)


def _floats(rows: list[dict[str, str]], col: str) -> np.ndarray:
    return np.array([float(r[col]) if r.get(col) not in (None, "") else math.nan for r in rows])


def _f1(v: str | None) -> float:
    try:
        return float(v) if v not in (None, "") else math.nan
    except ValueError:
        return math.nan


def _arr(values: list[Any]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], float)


def frame_errors(
    truth: dict[str, Any], rows: list[dict[str, str]], mode: str = "uncal"
) -> dict[str, dict[str, list[float]]]:
    """Per measurement: signed errors (measured - true) on reliable frames, split into standing / plié. In a floor
    run (``mode`` "floor") only the frames measured floor-calibrated count: a frame after the calibration was
    dropped (the camera-moved check) is an uncalibrated frame, not a floor-calibrated one."""
    fr = truth["frames"]
    n = min(len(rows), len(fr["t_s"]))
    rows = rows[:n]
    plie = np.array([p != "standing" for p in fr["phase"][:n]])
    reliable = np.array([r.get("reliable") == "1" for r in rows], dtype=bool)
    if mode == "floor":
        reliable &= np.array([_f1(r.get("floor_calibrated")) >= 0.5 for r in rows], dtype=bool)
    out: dict[str, dict[str, list[float]]] = {}
    for name, (col, key) in FRAME_MEASURES.items():
        errs: dict[str, list[float]] = {"standing": [], "plie": []}
        for side in SIDES:
            meas = _floats(rows, col.format(side=side))
            true = _arr(fr[side][key][:n])
            if name == "knee_direction_deg":  # only where the knee is bent enough to point somewhere
                true[_arr(fr[side]["knee_flexion_deg"][:n]) < 15.0] = math.nan
            err = meas - true
            if name in CM:
                err = err * 100.0
            ok = reliable & np.isfinite(err)
            errs["standing"] += err[ok & ~plie].round(3).tolist()
            errs["plie"] += err[ok & plie].round(3).tolist()
        out[name] = errs
    meas = _floats(rows, "total_foot_turnout_deg")
    err = meas - _arr(fr["total_foot_turnout_deg"][:n])
    ok = reliable & np.isfinite(err)
    out["total_turnout_deg"] = {"standing": err[ok & ~plie].round(3).tolist(), "plie": err[ok & plie].round(3).tolist()}
    pic = _floats(rows, "left_foot_picture_deg") + _floats(rows, "right_foot_picture_deg")
    err = pic - _arr(fr["total_foot_turnout_deg"][:n])
    ok = reliable & np.isfinite(err)
    out["total_picture_deg"] = {"standing": err[ok & ~plie].round(3).tolist(), "plie": err[ok & plie].round(3).tolist()}
    # the shown range holds the truth (1) or not (0), per foot and frame
    cover: dict[str, list[float]] = {"standing": [], "plie": []}
    for side in SIDES:
        low, high = (_floats(rows, c.format(side=side)) for c in PICTURE_RANGE)
        true = _arr(fr[side]["foot_turnout_deg"][:n])
        ok = reliable & np.isfinite(low) & np.isfinite(high) & np.isfinite(true)
        inside = ((true >= low) & (true <= high)).astype(float)
        cover["standing"] += inside[ok & ~plie].tolist()
        cover["plie"] += inside[ok & plie].tolist()
    out["foot_picture_cover"] = cover
    return out


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


def _true_at_bottom(truth: dict[str, Any], e: dict[str, Any], side: str, what: str = "knee_vs_foot") -> float:
    """At the bottom of an expected plié (median over its bottom), degrees: the knee's direction against its foot
    (``knee_vs_foot``, negative: the knee inside its foot), or the knee's (``knee``) or the foot's (``foot``)
    direction alone."""
    fr = truth["frames"]
    t = _arr(fr["t_s"])
    at = (t >= e["bottom_start_s"]) & (t <= e["bottom_end_s"])
    knee, foot = _arr(fr[side]["knee_direction_deg"]), _arr(fr[side]["foot_turnout_deg"])
    rel = {"knee_vs_foot": knee - foot, "knee": knee, "foot": foot}[what]
    rel = rel[at & np.isfinite(rel)]
    return float(np.median(rel)) if rel.size else math.nan


#: A camera this far or further round her is side-on (``turnout.measure.image.FACING_SIDE_MAX``): her pliés are
#: counted there, her knees are not judged by design, so its legs are not in the knees' table.
SIDE_ON_YAW_DEG = 65.0


def rep_errors(truth: dict[str, Any], doc: dict[str, Any] | None) -> dict[str, Any]:
    """Reps found against expected: matching, timing, depth, kind and flags."""
    expected = truth["expected"]["reps"]
    found = (doc or {}).get("reps", [])
    flex = {s: _arr(truth["frames"][s]["knee_flexion_deg"]) for s in SIDES}
    t = _arr(truth["frames"]["t_s"])
    used: set[int] = set()
    matched = []
    for e in expected:
        mid = 0.5 * (e["bottom_start_s"] + e["bottom_end_s"])
        best = None
        for i, f in enumerate(found):
            if i not in used and f["start_s"] - 0.3 <= mid <= f["end_s"] + 0.3:
                best = i
                break
        if best is None:
            matched.append({"expected": e, "found": None})
            continue
        used.add(best)
        f = found[best]
        inside = (t >= e["start_s"]) & (t <= e["end_s"])
        true_depth = float(np.nanmax(0.5 * (flex["left"][inside] + flex["right"][inside])))
        raised = sorted({(fl["code"], fl.get("side") or "both") for fl in f.get("flags", [])})
        knees = {}
        for side in SIDES if abs(truth["scene"]["camera"].get("yaw_deg", 0.0)) < SIDE_ON_YAW_DEG else ():
            k = (f.get("knees_deg") or {}).get(side) or {}
            got = k.get("knee_vs_foot")
            true_rel = _true_at_bottom(truth, e, side)
            knees[side] = {
                "true": true_rel,
                "measured": math.nan if got is None else float(got),
                "err": (math.nan if got is None else float(got)) - true_rel,
                # the verdict in words ("over", "inside" or None) and its range (a knee travelling mostly sideways
                # has a range and a verdict but no number: picture.SHANK_P95)
                "verdict": (f.get("knees") or {}).get(side),
                "low": _num(k.get("low")),
                "high": _num(k.get("high")),
                # the two halves of the difference, to tell the knee's error from the foot's
                "knee_err": _num(k.get("knee")) - _true_at_bottom(truth, e, side, "knee"),
                "foot_err": _num(k.get("foot")) - _true_at_bottom(truth, e, side, "foot"),
            }
        want = sorted({(fl["code"], fl["side"]) for fl in e["flags"]})
        matched.append({
            "expected": e, "found": {k: f.get(k) for k in ("start_s", "end_s", "bottom_start_s", "bottom_end_s",
                                                           "kind", "depth_deg", "mode")},
            "start_err_s": f["start_s"] - e["start_s"], "end_err_s": f["end_s"] - e["end_s"],
            "bottom_err_s": 0.5 * (f["bottom_start_s"] + f["bottom_end_s"]) - mid,
            "kind_ok": f["kind"] == e["kind"], "depth_err_deg": (f["depth_deg"] or math.nan) - true_depth,
            "true_depth_deg": true_depth, "flags_raised": raised, "flags_expected": want, "knees": knees,
        })  # fmt: skip
    false_reps = [{k: f.get(k) for k in ("start_s", "end_s", "kind")} for i, f in enumerate(found) if i not in used]
    return {"expected": len(expected), "found": len(found), "matched": matched, "false": false_reps,
            "holds_expected": len(truth["expected"]["holds"]),
            "holds_found": len((doc or {}).get("holds", []))}  # fmt: skip


def _floor_hits(cam: dict[str, Any], px: np.ndarray, z: np.ndarray) -> np.ndarray:
    K, R, pos = np.array(cam["K"]), np.array(cam["rotation"]), np.array(cam["position_m"])
    d = np.stack([(px[:, 0] - K[0, 2]) / K[0, 0], (px[:, 1] - K[1, 2]) / K[1, 1], np.ones(len(px))], 1) @ R
    s = (z - pos[2]) / d[:, 2]
    return pos + s[:, None] * d


def landmark_offsets(truth: dict[str, Any], track_path: Path) -> dict[str, Any]:
    """Where MediaPipe's heel and foot_index land against the true heel and toe tip: pixels, and on the floor
    (cm along the foot, positive toward the toes; sideways, positive outward), standing vs plié."""
    if not track_path.exists():
        return {}
    with np.load(track_path, allow_pickle=False) as z:
        image, index = z["image"], z["frame_index"]
    fr, vid, cam = truth["frames"], truth["video"], truth["camera"]
    W, H = vid["width"], vid["height"]
    plie = np.array([p != "standing" for p in fr["phase"]])
    out: dict[str, Any] = {}
    for point, (li, ri) in LANDMARKS.items():
        for side, lm in zip(SIDES, (li, ri), strict=True):
            idx = index[index < len(plie)]
            meas = image[: len(idx), lm, :2].astype(float) * (W, H) - 0.5
            true_px = np.array(fr["points"][f"{side}_{point}"]["px"], float)[idx]
            if vid["mirrored"]:  # the track describes the unflipped view
                true_px[:, 0] = (W - 1) - true_px[:, 0]
            true_w = np.array(fr["points"][f"{side}_{point}"]["world_m"], float)[idx]
            heel = np.array(fr["points"][f"{side}_heel"]["world_m"], float)[idx]
            toe = np.array(fr["points"][f"{side}_toe"]["world_m"], float)[idx]
            u = (toe - heel)[:, :2]
            u /= np.linalg.norm(u, axis=1, keepdims=True)
            outward = (1.0 if side == "left" else -1.0) * np.stack([-u[:, 1], u[:, 0]], 1)  # the foot's outer side
            hit = _floor_hits(cam, meas, true_w[:, 2]) - true_w
            ok = np.all(np.isfinite(meas), 1)
            for phase, sel in (("standing", ok & ~plie[idx]), ("plie", ok & plie[idx])):
                if not np.any(sel):
                    continue
                dpx = np.linalg.norm(meas[sel] - true_px[sel], axis=1)
                along = np.einsum("ij,ij->i", hit[sel, :2], u[sel]) * 100
                side_cm = np.einsum("ij,ij->i", hit[sel, :2], outward[sel]) * 100
                out.setdefault(f"{point}/{phase}", {"px": [], "along_cm": [], "side_cm": [], "dy_px": []})
                rec = out[f"{point}/{phase}"]
                rec["px"] += dpx.round(2).tolist()
                rec["dy_px"] += (meas[sel, 1] - true_px[sel, 1]).round(2).tolist()
                rec["along_cm"] += along.round(2).tolist()
                rec["side_cm"] += side_cm.round(2).tolist()
    return out


def frames_again(result: dict[str, Any], truth: dict[str, Any], out_dir: Path) -> None:
    """``result["frames"]`` worked out again from the scene's frames CSV in ``out_dir`` (a report rewritten without
    analysing again)."""
    csv_path = out_dir / f"{Path(truth['video']['file']).stem}.frames.csv"
    rows = list(csv.DictReader(csv_path.open())) if csv_path.exists() else []
    result["frames"] = frame_errors(truth, rows, result["mode"])


def compare_scene(name: str, mode: str, truth: dict[str, Any], doc: dict[str, Any] | None, out_dir: Path,
                  scene: Any) -> dict[str, Any]:  # fmt: skip
    stem = Path(truth["video"]["file"]).stem
    csv_path = out_dir / f"{stem}.frames.csv"
    rows = list(csv.DictReader(csv_path.open())) if csv_path.exists() else []
    d, c = scene.dancer, scene.camera
    return {
        "scene": name, "mode": mode, "position": d.position, "feet": d.feet_deg[0], "hips": d.hips_deg[0],
        "look": d.look, "skin": d.skin, "body": d.body, "camera_height_m": c.height_m,
        "camera_distance_m": c.distance_m, "yaw_deg": c.yaw_deg, "mirrored": scene.mirrored,
        "second_person": scene.second is not None, "tags": list(scene.tags),
        "frames_mode": (doc or {}).get("frames_by_mode"), "frames": frame_errors(truth, rows, mode),
        "reps": rep_errors(truth, doc), "landmarks": landmark_offsets(truth, out_dir / f"{stem}.track.npz"),
    }  # fmt: skip
