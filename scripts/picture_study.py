"""How well the picture's camera model reads feet and knees on the studio (issue 16, items 3 and 5).

For every studio scene with a cached analysis (``build/accuracy/uncal/<scene>.track.npz`` and ``.frames.csv``,
made by ``make accuracy``) and its truth (``build/studio/<scene>-<key>/<scene>.truth.json``) this runs
``turnout.practice.picture`` as the product does, never with the true camera:

* the camera from her standing at the start of the clip (reliable frames of the first :data:`STAND_S` seconds,
  before any plié: median hip and floor rows), then every frame's feet through :func:`foot_turnout_picture`
  (raw, and a running median over :data:`SMOOTH_S`), against the true heel-to-toe turnout of that frame;
* the tracker itself (``analyze_rows`` over the stored per-frame rows, default settings) for each plié's knee
  against its foot at the bottom, against the truth's (knee direction minus foot turnout over the bottom frames);
* whether every forced plié (a foot 20 degrees or more beyond its hip) reads further inside than every correct one.

Scenes are split in two halves (``--half A`` / ``B``; alternate scenes of the sorted catalogue) so a constant chosen
on one half is reported on the other too. ``--floor`` reads ``build/accuracy/floor/`` (the sheet scenes' runs);
the camera then comes from the scene's sheet (:func:`floor_camera`). ``--true-camera``: the true camera (a
diagnostic only: the method's error with a perfect camera). ``--landmarks``: where MediaPipe puts its foot, ankle
and knee points (the constants ``picture.MEDIAPIPE``, ``KNEE_POINT_BELOW``, ``ANKLE_POINT_ABOVE``).

    .venv/bin/python scripts/picture_study.py [--half A|B] [--floor] [--true-camera] [--landmarks] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from turnout.practice import picture, tracker
from turnout.practice.tracker import analyze_rows
from turnout.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SIDES = ("left", "right")
#: the standing frames the camera is estimated from: the first seconds of the clip (every scene stands first)
STAND_S = 1.0
#: running median of the per-frame foot readings (a live figure would be smoothed like this)
SMOOTH_S = 0.4
#: actions whose feet are flat and planted (a relevé's or a tendu's foot is not read by the floor method)
FLAT = ("stand", "hold", "demi", "grand")


def _f(v: str | None) -> float:
    return float(v) if v not in (None, "") else math.nan


@dataclass
class Scene:
    name: str
    truth: dict[str, Any]
    rows: list[dict[str, float]]
    t: np.ndarray
    frame: np.ndarray  # truth frame index of each row
    reliable: np.ndarray
    info: dict[str, Any] = field(default_factory=dict)


def _truth_path(name: str, n_frames: int) -> Path | None:
    best = None
    for d in sorted((ROOT / "build/studio").glob(f"{name}-*")):
        p = d / f"{name}.truth.json"
        if p.exists():
            if best is None:
                best = p
            with p.open() as fh:
                head = json.load(fh)
            if head["video"]["frames"] == n_frames:
                return p
    return best


def read_rows(csv_path: Path) -> list[dict[str, float]]:
    """The per-frame rows of a ``turnout analyze`` CSV as numbers (the tracker's input)."""
    with csv_path.open() as fh:
        lines = list(csv.reader(fh))
    # a name can appear twice (the picture's x_px from the centre, then the raw landmark's px): the first counts
    first: dict[str, int] = {}
    for i, k in enumerate(lines[0] if lines else []):
        first.setdefault(k, i)
    return [{k: _f(r[i]) for k, i in first.items() if k != "mode"} for r in lines[1:]]


def make_scene(name: str, rows: list[dict[str, float]], truth: dict[str, Any]) -> Scene:
    t = np.array([r["timestamp_ms"] / 1000.0 for r in rows])
    frame = np.array([int(r["frame"]) for r in rows])
    reliable = np.array([r["reliable"] == 1.0 for r in rows])
    sc, cam = truth["scene"], truth["camera"]
    info = {
        "position": sc["dancer"]["position"],
        "feet": sc["dancer"]["feet_deg"][0],
        "hips": sc["dancer"]["hips_deg"][0],
        "cam_h": cam["height_m"],
        "cam_d": cam["distance_m"],
        "yaw": abs(cam["yaw_deg"]),
        "look": sc["dancer"]["look"],
    }
    return Scene(name, truth, rows, t, frame, reliable, info)


def load_scenes(mode: str) -> list[Scene]:
    out = []
    for csv_path in sorted((ROOT / "build/accuracy" / mode).glob("*.frames.csv")):
        name = csv_path.name.removesuffix(".frames.csv")
        rows = read_rows(csv_path)
        if not rows:
            continue
        tp = _truth_path(name, int(max(r["frame"] for r in rows)) + 1)
        if tp is None:
            continue
        if "face_yaw_deg" not in rows[0]:
            _add_facing(rows, csv_path.with_name(f"{name}.track.npz"))
        with tp.open() as fh:
            out.append(make_scene(name, rows, json.load(fh)))
    return out


def _add_facing(rows: list[dict[str, float]], track: Path) -> None:
    """Her face's and shoulders' turn (``turnout.measure.image``) for rows analysed before those columns existed,
    from the analysis's own landmarks (``*.track.npz``)."""
    from turnout.measure.image import measure_image_series, to_pixels

    if not track.exists():
        return
    with np.load(track) as d:
        image, frames = d["image"], d["frame_index"]
    size = (rows[0]["frame_width_px"], rows[0]["frame_height_px"])
    values, _ = measure_image_series(to_pixels(image, size), size)
    at = {int(f): i for i, f in enumerate(frames)}
    for r in rows:
        i = at.get(int(r["frame"]))
        for k in ("face_yaw_deg", "shoulders_yaw_deg"):
            r[k] = float(values[k][i]) if i is not None else math.nan


def facing(rows: list[dict[str, float]]) -> float:
    """Her facing over ``rows`` as the tracker takes it (:func:`picture.facing_deg` of the medians)."""
    med = {k: float(np.nanmedian([r.get(k, math.nan) for r in rows])) for k in ("face_yaw_deg", "shoulders_yaw_deg")}
    return 0.0 if SQUARE else picture.facing_deg(med["face_yaw_deg"], med["shoulders_yaw_deg"])


#: ``--square``: take her as square to the camera (facing 0), as the product did before ``picture.facing_deg``
SQUARE = False


def point(row: dict[str, float], side: str, name: str) -> tuple[float, float]:
    return (row.get(f"{side}_{name}_x_px", math.nan), row.get(f"{side}_{name}_y_px", math.nan))


def standing_camera(s: Scene) -> picture.Camera | None:
    """The camera the product would estimate: her standing at the start (first :data:`STAND_S` s, reliable)."""
    sel = s.reliable & (s.t - s.t[0] <= STAND_S)
    rows = [r for r, ok in zip(s.rows, sel, strict=True) if ok]
    if not rows:
        return None
    med = {k: float(np.nanmedian([r[k] for r in rows])) for k in ("hip_y_px", "floor_y_px", "frame_width_px")}
    return picture.estimate_camera(med["hip_y_px"], med["floor_y_px"], med["frame_width_px"], facing=facing(rows))


def true_camera(s: Scene) -> picture.Camera:
    """The true camera in the picture module's terms (legs: the true standing hip height), for diagnostics."""
    cam = s.truth["camera"]
    k, r = np.array(cam["K"]), np.array(cam["rotation"])
    fwd = r[2]
    pitch = math.asin(-fwd[2])
    leg = s.truth["frames"]["standing_hip_height_m"]
    dist = math.hypot(cam["position_m"][0], cam["position_m"][1]) / leg
    return picture.Camera(float(k[0, 0]), cam["position_m"][2] / leg, pitch, dist)


def floor_camera(s: Scene) -> picture.Camera | None:
    """The camera of a floor calibration of the scene's sheet (its true corners, as a found sheet gives them to about
    a pixel), through ``turnout.floor``, then :func:`picture.camera_from_floor` with her standing rows."""
    from turnout.floor.floormode import FloorCamera
    from turnout.floor.reference import FloorCalibration

    refs = s.truth["floor"]["references"]
    if not refs:
        return None
    size = {"A4": (0.210, 0.297), "letter": (0.2159, 0.2794)}[refs[0]["kind"]]
    w, h = s.truth["video"]["width"], s.truth["video"]["height"]
    corners = np.array(refs[0]["corners_px"], float) + 0.5  # pixel centres at integers -> the pipeline's pixels
    cal = FloorCalibration.from_corners(corners, size[0], size[1], (w, h), reference=refs[0]["kind"])
    focal, height_m, pitch = picture.floor_camera_numbers(FloorCamera.from_calibration(cal))
    sel = s.reliable & (s.t - s.t[0] <= STAND_S)
    rows = [r for r, ok in zip(s.rows, sel, strict=True) if ok]
    if not rows:
        return None
    med = {k: float(np.nanmedian([r[k] for r in rows])) for k in ("hip_y_px", "floor_y_px", "frame_width_px")}
    return picture.camera_from_floor(
        focal, height_m, pitch, med["hip_y_px"], med["floor_y_px"], med["frame_width_px"], facing(rows)
    )


def landmark_table(scenes: list[Scene]) -> None:
    """Where MediaPipe puts its foot, ankle and knee points, with the true camera: each foot point's ray met with the
    foot's own upright plane (heel to toe) gives its height and place along the foot; the knee and ankle points'
    rays against their true joints give their height offsets (the ray's nearest point to the joint). Legs: the
    true standing hip height. First and second position (feet 30 or more: the foot's plane then crosses the rays
    well), flat feet, by the hips' drop."""
    foot: dict[tuple[str, str], list[tuple[float, float]]] = {}
    joint: dict[tuple[str, str], list[float]] = {}
    # the knee point at a plié's bottom against the knee joint's own picture point, in the picture: (outward, down)
    # in her standing leg's picture height (the product's camera's floor row less its hip row), what the knee
    # verdict's ray through the point needs (picture.KNEE_POINT_BENT_PX)
    knee_px: dict[tuple[str, str, int], list[tuple[float, float]]] = {}  # per leg of each plié, its bottom's frames
    for s in scenes:
        cam = s.truth["camera"]
        k, r_, pos = np.array(cam["K"]), np.array(cam["rotation"]), np.array(cam["position_m"])
        fr = s.truth["frames"]
        leg = fr["standing_hip_height_m"]
        est = standing_camera(s)
        leg_px = est.floor_y - est.hip_y if est is not None else math.nan
        for i, r in enumerate(s.rows):
            j = s.frame[i]
            if not s.reliable[i] or fr["action"][j] not in ("stand", "hold", "demi"):
                continue
            d = fr["hip_drop_frac"][j]
            band = "standing (drop < 0.02)" if d < 0.02 else ("drop 0.02-0.06" if d < 0.06 else "drop >= 0.06")
            for side in SIDES:
                rays = {}
                for name in ("toe", "ankle", "heel", "knee"):
                    x, y = point(r, side, name)
                    if math.isfinite(x):
                        ray = r_.T @ np.linalg.solve(k, np.array([x + k[0, 2], y + k[1, 2], 1.0]))
                        rays[name] = ray / np.linalg.norm(ray)
                heel = np.array(fr["points"][f"{side}_heel"]["world_m"][j])
                toe = np.array(fr["points"][f"{side}_toe"]["world_m"][j])
                u = (toe - heel)[:2] / np.linalg.norm((toe - heel)[:2])
                n = np.array([-u[1], u[0], 0.0])
                if s.info["position"] in ("first", "second") and s.info["feet"] >= 30:
                    for name in ("toe", "ankle", "heel"):
                        if name in rays and abs(n @ rays[name]) > 1e-6:
                            p = pos + (n @ (heel - pos)) / (n @ rays[name]) * rays[name]
                            foot.setdefault((name, band), []).append((p[2] / leg, ((p - heel)[:2] @ u) / leg))
                if s.info["position"] != "fifth":
                    for name in ("knee", "ankle"):
                        if name in rays:
                            jw = np.array(fr["points"][f"{side}_{name}"]["world_m"][j])
                            p = pos + ((jw - pos) @ rays[name]) * rays[name]
                            joint.setdefault((name, band), []).append((p - jw)[2] / leg)
                            if fr["phase"][j] == "bottom":  # what the knee verdict reads
                                joint.setdefault((name, "a plié's bottom"), []).append((p - jw)[2] / leg)
                    x, y = point(r, side, "knee")
                    jx, jy = fr["points"][f"{side}_knee"]["px"][j]
                    if fr["phase"][j] == "bottom" and math.isfinite(x) and leg_px > 0:
                        out = 1.0 if side == "left" else -1.0  # her left is the picture's right
                        rep = sum(1 for a, b in zip(fr["phase"][:j], fr["phase"][1 : j + 1], strict=True)
                                  if a != "bottom" and b == "bottom")  # fmt: skip
                        knee_px.setdefault((s.name, side, rep), []).append(
                            (out * (x + k[0, 2] - jx) / leg_px, (y + k[1, 2] - jy) / leg_px)
                        )
    print("\nWhere MediaPipe puts its points (legs; median [p10 p90]), true camera")
    print("| point | hips | n | height above the floor | along the foot from the heel |\n|---|---|---|---|---|")
    for (name, band), v in sorted(foot.items()):
        a = np.array(v)
        q = [np.percentile(a[:, c], (50, 10, 90)) for c in (0, 1)]
        print(f"| {name} | {band} | {len(a)} | {q[0][0]:.3f} [{q[0][1]:.3f} {q[0][2]:.3f}] "
              f"| {q[1][0]:.3f} [{q[1][1]:.3f} {q[1][2]:.3f}] |")  # fmt: skip
    print("| point | hips | n | above its joint |\n|---|---|---|---|")
    for (name, band), offsets in sorted(joint.items()):
        o = np.percentile(offsets, (50, 10, 90))
        print(f"| {name} point | {band} | {len(offsets)} | {o[0]:+.3f} [{o[1]:+.3f} {o[2]:+.3f}] |")
    if knee_px:
        a = np.array([np.median(np.array(v), axis=0) for v in knee_px.values()])  # each leg's bottom, as the verdict
        q = [np.percentile(a[:, c], (50, 10, 90)) for c in (0, 1)]
        print(
            f"\nThe knee point at a plié's bottom in the picture against its joint's picture point (legs of her "
            f"standing leg's picture height; each leg's median over its bottom, first, second, parallel; {len(a)} "
            f"legs): outward {q[0][0]:+.4f} [{q[0][1]:+.4f} {q[0][2]:+.4f}], down {q[1][0]:+.4f} "
            f"[{q[1][1]:+.4f} {q[1][2]:+.4f}]"
        )


def running_median(x: np.ndarray, t: np.ndarray, width_s: float) -> np.ndarray:
    out = np.full_like(x, np.nan)
    for i in range(len(x)):
        w = x[np.abs(t - t[i]) <= width_s / 2]
        w = w[np.isfinite(w)]
        if w.size:
            out[i] = np.median(w)
    return out


def stats(errors: Iterable[float]) -> tuple[int, float, float, float]:
    e = np.array([x for x in errors if math.isfinite(x)])
    if not e.size:
        return 0, math.nan, math.nan, math.nan
    return e.size, float(np.median(e)), float(np.median(np.abs(e))), float(np.percentile(np.abs(e), 95))


def table(title: str, groups: dict[str, list[float]], unit: str = "deg") -> None:
    print(f"\n{title}\n| group | n | bias | median abs | p95 abs |\n|---|---|---|---|---|")
    for g, errs in groups.items():
        n, b, m, p = stats(errs)
        print(f"| {g} | {n} | {b:+.1f} | {m:.1f} | {p:.1f} |")


def _bucket(key: str, v: Any) -> str:
    if key == "cam_h":
        return "0.5-0.8 m" if v < 0.85 else ("0.9-1.1 m" if v < 1.15 else "1.2-1.5 m")
    if key == "cam_d":
        return "2.0-2.5 m" if v <= 2.55 else ("2.6-3.0 m" if v <= 3.05 else "3.1-3.5 m")
    if key == "yaw":
        return "0" if v == 0 else ("15" if v <= 15 else "20")
    return str(v)


def foot_study(scenes: list[Scene], cam_of: Callable[[Scene], picture.Camera | None]) -> dict[str, Any]:
    """Per-frame foot errors (measured minus true), raw and smoothed, by phase and by scene parameters."""
    res: dict[str, dict[str, list[float]]] = {}
    totals: dict[str, list[float]] = {}
    inside = 0
    count = 0

    def add(group: str, key: str, e: float) -> None:
        res.setdefault(group, {}).setdefault(key, []).append(e)

    for s in scenes:
        cam = cam_of(s)
        fr = s.truth["frames"]
        per_side = {}
        for side in SIDES:
            vals = np.full(len(s.rows), np.nan)
            lows, highs = vals.copy(), vals.copy()
            for i, r in enumerate(s.rows):
                if not s.reliable[i] or cam is None:
                    continue
                heel = point(r, side, "heel")
                drop = picture.hips_drop(cam, r["hip_y_px"])
                rd = picture.foot_turnout_picture(cam, point(r, side, "toe"), point(r, side, "ankle"), heel, side, drop)
                vals[i], lows[i], highs[i] = rd
            per_side[side] = (vals, running_median(vals, s.t, SMOOTH_S), lows, highs)
        for side in SIDES:
            vals, smooth, lows, highs = per_side[side]
            true = np.array([fr[side]["foot_turnout_deg"][j] for j in s.frame], float)
            action = [fr["action"][j] for j in s.frame]
            phase = [fr["phase"][j] for j in s.frame]
            for i in range(len(s.rows)):
                if action[i] not in FLAT or not math.isfinite(vals[i]):
                    continue
                if s.info["position"] == "fifth":
                    pass  # crossed legs: counted, and shown apart
                e, es = vals[i] - true[i], smooth[i] - true[i]
                ph = "standing" if phase[i] == "standing" else ("bottom" if phase[i] == "bottom" else "moving")
                add("frame, raw", ph, e)
                add("frame, smoothed", ph, es)
                add("frame, smoothed", "all", es)
                add("frame, raw", "all", e)
                if ph in ("standing", "bottom"):
                    for key in ("position", "feet", "cam_h", "cam_d", "yaw", "look"):
                        add(f"smoothed (standing + bottom) by {key}", _bucket(key, s.info[key]), es)
                    add("smoothed (standing + bottom) by scene", s.name, es)
                count += 1
                inside += bool(lows[i] <= true[i] <= highs[i])
        # total turnout ordering: the standing frames' median of left + right
        tot = per_side["left"][1] + per_side["right"][1]
        stand_sel = np.array([fr["phase"][j] == "standing" and fr["action"][j] in FLAT for j in s.frame])
        if np.any(np.isfinite(tot[stand_sel])):
            totals[s.name] = [float(np.nanmedian(tot[stand_sel])), float(fr["total_foot_turnout_deg"][0])]
    return {"groups": res, "totals": totals, "range_cover": inside / max(count, 1)}


def _twice(module: Any, heights: picture.Heights) -> Callable[..., picture.KneeVerdict]:
    """The knee verdict as the tracker would call it passing the standing heel and the bottom's foot and hip row
    (``bottom_foot``, ``bottom_hip_y``): the frames come from the calls the tracker makes to its ``_median_point``
    just before (standing: knee, ankle, toe; bottom: knee, ankle), which this wraps."""
    frames: dict[tuple[str, str], Any] = {}
    median_point = module._median_point

    def spy(fr: Any, side: str, name: str) -> tuple[float, float]:
        frames[(side, name)] = fr
        return median_point(fr, side, name)

    module._median_point = spy

    def verdict(
        hip_y: float, floor_y: float, width: float, st: Any, bt: Any, side: str, **_: Any
    ) -> picture.KneeVerdict:
        standing, bottom = frames[(side, "toe")], frames[(side, "knee")]
        hips = [f.hip_y for f in bottom if math.isfinite(f.hip_y)]
        return picture.knee_verdict(
            hip_y, floor_y, width, st, bt, side,
            heel=median_point(standing, side, "heel"), heights=heights,
            bottom_foot=(median_point(bottom, side, "toe"), median_point(bottom, side, "heel")),
            bottom_hip_y=float(np.median(hips)) if hips else math.nan,
        )  # fmt: skip

    return verdict


def _once(heights: picture.Heights) -> Callable[..., picture.KneeVerdict]:
    """The knee verdict with the foot read once, standing, without its heel, at ``heights`` (whatever the caller
    passes besides)."""

    def verdict(
        hip_y: float, floor_y: float, width: float, st: Any, bt: Any, side: str, **_: Any
    ) -> picture.KneeVerdict:
        return picture.knee_verdict(hip_y, floor_y, width, st, bt, side, heights=heights)

    return verdict


def knee_study(
    scenes: list[Scene], heights: picture.Heights | None = None, twice: bool = False
) -> list[dict[str, Any]]:
    """The tracker's pliés: each leg's knee against its foot at the bottom, against the truth's. ``heights``: the
    tracker's knee verdict run with these foot-point heights instead of its own default; ``twice``: and given the
    standing heel and the bottom's foot (:func:`_twice`); neither: the tracker as it is (since the change of
    2026-12: :data:`picture.MEDIAPIPE`, the standing heel and the foot read again at the bottom)."""
    out = []
    settings = Settings()
    # the module that calls knee_verdict (the tracker, or the plié module it was moved into)
    users = [
        m for m in (tracker, sys.modules.get("turnout.practice.plie")) if m is not None and hasattr(m, "knee_verdict")
    ]
    originals = [(getattr(m, "knee_verdict"), getattr(m, "_median_point", None)) for m in users]  # noqa: B009
    for m in users:
        if heights is not None and twice and hasattr(m, "_median_point"):
            setattr(m, "knee_verdict", _twice(m, heights))  # noqa: B010
        elif heights is not None:  # the foot read once, standing, without its heel (the tracker's first call)
            setattr(m, "knee_verdict", _once(heights))  # noqa: B010
    try:
        results = [analyze_rows(s.t.tolist(), s.rows, s.reliable.tolist(), settings) for s in scenes]
    finally:
        for m, (verdict, median_point) in zip(users, originals, strict=True):
            setattr(m, "knee_verdict", verdict)  # noqa: B010
            if median_point is not None:
                setattr(m, "_median_point", median_point)  # noqa: B010
    for s, result in zip(scenes, results, strict=True):
        fr = s.truth["frames"]
        tt = np.array(fr["t_s"])
        for rep in result.reps:
            sel = (tt >= rep.t_bottom_start_s - 1e-6) & (tt <= rep.t_bottom_end_s + 1e-6)
            if not np.any(sel):
                sel = np.abs(tt - rep.t_bottom_s) == np.min(np.abs(tt - rep.t_bottom_s))
            rec: dict[str, Any] = {"scene": s.name, "t": rep.t_bottom_s, **s.info}
            for side in SIDES:
                kd = np.array([np.nan if v is None else v for v in fr[side]["knee_direction_deg"]], float)[sel]
                fd = np.array(fr[side]["foot_turnout_deg"], float)[sel]
                forced = np.array(fr[side]["forced_turnout_deg"], float)[sel]
                st = rep.side(side)
                rec[side] = {
                    "rel": st.knee_vs_foot_deg,
                    "low": st.knee_vs_foot_low_deg,
                    "high": st.knee_vs_foot_high_deg,
                    "knee": st.knee_direction_deg,
                    "foot": st.foot_direction_deg,
                    "true_rel": float(np.nanmedian(kd - fd)),
                    "true_knee": float(np.nanmedian(kd)),
                    "true_foot": float(np.nanmedian(fd)),
                    "forced": float(np.nanmedian(forced)),
                }
            out.append(rec)
    return out


def flag_study(scenes: list[Scene], limit: float | None = None) -> None:
    """The tracker's flags (its knee verdict as it is) with its knee limit (``flags.knees_inside_toes.warn``) set
    to ``limit`` (default: the settings' own): forced pliés (a foot 20 degrees or more beyond its hip) flagged,
    correct ones not."""
    import dataclasses

    from turnout.settings import FlagLimit

    base = Settings()
    if limit is None:
        limit = base.flags.knees_inside_toes.warn
    bad = max(base.flags.knees_inside_toes.bad, limit)
    settings = dataclasses.replace(
        base, flags=dataclasses.replace(base.flags, knees_inside_toes=FlagLimit(True, limit, bad))
    )
    counts = {"forced": [0, 0], "correct": [0, 0]}
    wrong = []
    for s in scenes:
        fr = s.truth["frames"]
        forced = any((x or 0) >= 20 for side in SIDES for x in fr[side]["forced_turnout_deg"])
        for rep in analyze_rows(s.t.tolist(), s.rows, s.reliable.tolist(), settings).reps:
            flagged = bool({f.code for f in rep.flags} & {"knees_inside_toes", "forced_turnout"})
            c = counts["forced" if forced else "correct"]
            c[0], c[1] = c[0] + flagged, c[1] + 1
            if flagged != forced:
                wrong.append(f"{s.name} at {rep.t_bottom_s:.1f} s ({'missed' if forced else 'false'})")
    print(f"\nFlags of the tracker as it is with a knee limit of {limit:g} degrees: forced pliés "
          f"flagged {counts['forced'][0]} of {counts['forced'][1]}, correct {counts['correct'][0]} of "
          f"{counts['correct'][1]}; " + ("; ".join(wrong) or "none wrong"))  # fmt: skip


def report_knees(reps: list[dict[str, Any]]) -> None:
    errs: dict[str, list[float]] = {}
    within = {"all": [0, 0]}
    for r in reps:
        for side in SIDES:
            x = r[side]
            e = x["rel"] - x["true_rel"]
            for g in ("all", f"position {r['position']}", f"feet {r['feet']}", f"cam_h {_bucket('cam_h', r['cam_h'])}",
                      f"yaw {_bucket('yaw', r['yaw'])}"):  # fmt: skip
                errs.setdefault(g, []).append(e)
                w = within.setdefault(g, [0, 0])
                w[1] += 1
                w[0] += bool(abs(e) <= 10.0)
            errs.setdefault("knee alone", []).append(x["knee"] - x["true_knee"])
            errs.setdefault("foot (standing before)", []).append(x["foot"] - x["true_foot"])
    table("Knee against its foot at plié bottoms, per leg (measured minus true)", errs)
    print("\n| group | legs | within 10 deg |\n|---|---|---|")
    for g, (k, n) in within.items():
        print(f"| {g} | {n} | {k / max(n, 1):.0%} ({k}) |")
    # forced vs correct: the most-inside leg of each plié
    print("\nForced against correct pliés (the more-inside leg's reading, degrees; negative = knee inside its foot)")
    print("| position | correct (highest-inside .. ) | forced | separated |\n|---|---|---|---|")
    by: dict[str, dict[str, list[float]]] = {}
    for r in reps:
        kind = "forced" if max(r[s]["forced"] for s in SIDES) >= 20 else "correct"
        read = [r[s]["rel"] for s in SIDES if math.isfinite(r[s]["rel"])]
        v = min(read) if read else math.nan  # (a leg with no verdict: its knee's forward travel not known)
        by.setdefault(r["position"], {"correct": [], "forced": []})[kind].append(v)
    for pos, d in sorted(by.items()):
        c, f = np.array(d["correct"]), np.array(d["forced"])
        sep = "n/a"
        if c.size and f.size:
            cf, ff = c[np.isfinite(c)], f[np.isfinite(f)]
            sep = "yes" if cf.size and ff.size and ff.max() < cf.min() else "NO"
            if sep == "yes" and ff.size < f.size:
                sep = f"yes ({f.size - ff.size} forced with no verdict)"
        fmt = lambda a: " ".join(f"{x:+.0f}" for x in sorted(a))  # noqa: E731
        print(f"| {pos} | {fmt(c)} | {fmt(f)} | {sep} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--half", choices=("A", "B"))
    ap.add_argument("--floor", action="store_true")
    ap.add_argument("--true-camera", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-knees", action="store_true")
    ap.add_argument("--landmarks", action="store_true", help="where MediaPipe puts its points (true camera)")
    ap.add_argument("--knee-limit", type=float, help="knee limit for the flags (default: the settings')")
    ap.add_argument("--square", action="store_true", help="take her as square to the camera (no facing)")
    a = ap.parse_args(argv)
    global SQUARE
    SQUARE = a.square
    scenes = load_scenes("floor" if a.floor else "uncal")
    if a.half:
        scenes = scenes[(0 if a.half == "A" else 1) :: 2]
    if not scenes:
        print("no cached studio analyses: run `make accuracy` first", file=sys.stderr)
        return 2
    print(f"{len(scenes)} scenes ({'floor' if a.floor else 'uncal'} runs{', half ' + a.half if a.half else ''}): "
          + " ".join(s.name for s in scenes))  # fmt: skip
    if a.landmarks:
        landmark_table(scenes)
        return 0
    cam_of = true_camera if a.true_camera else (floor_camera if a.floor else standing_camera)
    feet = foot_study(scenes, cam_of)
    for title, groups in feet["groups"].items():
        table(f"Foot turnout per foot, {title} (measured minus true, flat feet)", groups)
    print(f"\nThe reading's range holds the truth on {feet['range_cover']:.0%} of frames (raw)")
    print("\nTotal turnout, standing (measured, true):")
    order = sorted(feet["totals"].items(), key=lambda kv: kv[1][1])
    for name, (m, t) in order:
        print(f"  {name:22s} {m:6.1f} {t:6.1f}")
    ok = all(order[i][1][0] < order[j][1][0] for i in range(len(order)) for j in range(len(order))
             if order[i][1][1] + 20 <= order[j][1][1])  # fmt: skip
    print(f"  ordering right (totals 20 deg or more apart): {ok}")
    reps = [] if a.no_knees else knee_study(scenes)
    if reps:
        print("\n## The first rule (knee verdict's feet: picture.JOINTS, the foot read once)")
        report_knees(knee_study(scenes, picture.JOINTS))
        print("\n## The measured foot points (picture.MEDIAPIPE), the foot read once")
        report_knees(knee_study(scenes, picture.MEDIAPIPE))
        print("\n## The tracker as it is: MEDIAPIPE, the standing heel and the foot read again at the bottom")
        report_knees(reps)
        flag_study(scenes, a.knee_limit)
    if a.json:
        a.json.write_text(json.dumps({"feet": feet, "reps": reps}, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
