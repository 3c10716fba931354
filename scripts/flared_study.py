"""Study: feet under flared trousers, rendered with exact truth (the studio's "flared" look) and seen by the real pose
model, and the heel -> tip fallback (turnout.measure.shoe) measured end to end where the product shows no number.

The real teacher of ballet_plie wears black flared trousers over black shoes: MediaPipe puts her heel point on the hem
and her toe point mid-shoe, the product's fit gate (picture.foot_points_fit) refuses her feet and shows nothing. This
renders six scenes in that look (not in the catalogue; cached under build/studio/), runs ``turnout analyze`` on each
(build/flared_study/<scene>/), and per frame (standing and in the demi-plié):

* where MediaPipe's heel point is: on the trousers' cloth (the garment's silhouette from the posed scene) or not,
  its offset from the true heel pixel, and the heel -> toe distance on the floor that the fit gate compares with
  ``picture.FOOT_MIN_LEGS`` (and the same on ballet_plie);
* whether the product reads the foot (``{side}_foot_picture_deg``);
* the fallback: the heel point to the foot's tip found in the picture (shoe.feet_mask / shoe.toe_tip, the heel put
  on the floor at ``picture.MEDIAPIPE``'s heel height for the hips' drop, the tip on the floor), against the true
  turnout: median, p95, bias, per frame and over the product's 0.4 s median; how often a band of the fallback's
  own p95 (measured on the other half of the scenes) holds the truth; and on ballet_plie / tendu_tutorial against
  their labels (60-75 per foot).

    python scripts/flared_study.py [--png N] [--only a b ...]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import shoe_study as ss  # noqa: E402
from turnout.practice import picture as pic  # noqa: E402
from turnout.testing.studio import cached  # noqa: E402
from turnout.testing.studio.garments import garment_silhouette  # noqa: E402
from turnout.testing.studio.render import SceneRenderer  # noqa: E402
from turnout.testing.studio.scenes import scene_from_dict  # noqa: E402

OUT = ROOT / "build" / "flared_study"
SIDES = ("left", "right")
SMOOTH_S = 0.4  # the product's feet median (session.pipeline.FEET_SMOOTH_S)
_BASE = {"fps": 12, "width": 960, "height": 540, "look": "flared", "skin": "medium",
         "script": ["stand 1.5", "demi 3", "stand 1"]}  # fmt: skip
#: name -> position, feet, body, camera (height, distance)
SCENES: dict[str, dict[str, Any]] = {
    "flared_first45": {"position": "first", "feet": 45, "camera": {"height": 1.0, "distance": 2.8}},
    "flared_first60": {"position": "first", "feet": 60, "camera": {"height": 1.3, "distance": 3.2}},
    "flared_first60_petite": {"position": "first", "feet": 60, "body": "f_petite",
                              "camera": {"height": 0.8, "distance": 2.4}},
    "flared_second45": {"position": "second", "feet": 45, "camera": {"height": 1.1, "distance": 2.6}},
    "flared_parallel_tall": {"position": "parallel", "feet": 0, "body": "f_tall",
                             "camera": {"height": 1.2, "distance": 3.0}},
    "flared_first45_tall": {"position": "first", "feet": 45, "body": "f_tall",
                            "camera": {"height": 0.9, "distance": 3.0}},
    # framed about as ballet_plie is (nearer than the others, a low camera; feet 60-75 there; at 2.2 m her head leaves
    # the picture and the pose model gives 3 reliable frames of 66)
    "flared_first65_near": {"position": "first", "feet": 65, "camera": {"height": 0.9, "distance": 2.5}},
    # the same framing through a narrower lens from further back (the product assumes a 70 degree webcam)
    "flared_first65_tele": {"position": "first", "feet": 65, "camera": {"height": 0.9, "distance": 3.6, "hfov": 50}},
}  # fmt: skip
#: real clips: stem -> (frame ranges of her standing for the camera, frame ranges measured, phase of each range)
REAL = {
    "ballet_plie": ([(40, 101)], [(40, 101, "standing"), (104, 138, "plie")]),
    "tendu_tutorial": ([(75, 111)], [(75, 111, "standing")]),
}
LABEL = (60.0, 75.0)


def spec(name: str) -> dict[str, Any]:
    return {**_BASE, **SCENES[name], "description": f"flared trousers: {name}", "tags": ["flared"]}


def analyse(video: Path, out: Path) -> Path:
    rows = out / f"{video.stem}.frames.csv"
    if not rows.exists():
        cli = str(Path(sys.executable).with_name("turnout"))
        cmd = [cli, "analyze", str(video), "--out", str(out), "--json", "--no-store", "--quiet", "--jobs", "1"]
        subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ})
    return rows


def floor_dist(
    cam: pic.Camera, size: tuple[int, int], a: tuple[float, float], za: float, b: tuple[float, float], zb: float
) -> float:
    """Floor distance (legs) between two absolute picture points taken ``za`` and ``zb`` legs up."""
    w, h = size
    ax, ay = cam.to_plane(a[0] - w / 2, a[1] - h / 2, za)
    bx, by = cam.to_plane(b[0] - w / 2, b[1] - h / 2, zb)
    return math.hypot(bx - ax, by - ay)


def points(foot: tuple[Any, Any, Any]) -> dict[str, float]:
    return {f"pt_{p}_{c}": float(foot[k][j]) for k, p in enumerate(("ankle", "toe", "heel"))
            for j, c in enumerate("uv")}  # fmt: skip


def fallback(
    image: np.ndarray, cam: pic.Camera, feet: dict[str, Any], drop: float
) -> tuple[dict[str, float], dict[str, Any], Any]:
    """side -> heel -> tip degrees (nan where no tip), the tips, the mask: the heel point put on the floor at the
    product's MediaPipe heel height for the hips' drop, the tip on the floor."""
    h, w = image.shape[:2]
    _, z_ankle, z_heel = pic.MEDIAPIPE.at(drop)
    out = {s: math.nan for s in SIDES}
    tips, made = ss.find_tips(image, cam, feet, z_ankle)
    for s in SIDES:
        hl, tip = feet[s][2], tips[s]
        if tip is not None and all(map(math.isfinite, hl)):
            out[s] = pic._direction(cam, ss.centred(hl, w, h), z_heel, ss.centred((tip.u, tip.v), w, h), 0.0, s)
    return out, tips, made


def gate_fit(recs: list[dict[str, Any]], cam: pic.Camera | None, size: tuple[int, int]) -> None:
    """The product's fit gate as the tracker applies it (``PracticeTracker.feet_fit``): each foot's points' medians
    over her standing frames through ``picture.foot_points_fit``; written into every record as ``gate_fit``."""
    w, h = size
    for s in SIDES:
        mine = [r for r in recs if r["side"] == s]
        st = [r for r in mine if r["phase"] == "standing"]
        fit = math.nan
        if cam is not None and st:
            med = {k: float(np.nanmedian([r[k] for r in st])) for k in st[0] if k.startswith("pt_")}
            pts = [(med[f"pt_{p}_u"] - w / 2, med[f"pt_{p}_v"] - h / 2) for p in ("toe", "ankle", "heel")]
            fit = float(pic.foot_points_fit(cam, pts[0], pts[1], pts[2], 0.0, pic.MEDIAPIPE))
        for r in mine:
            r["gate_fit"] = fit


def smooth(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The product's per-foot median over the last SMOOTH_S seconds of readings."""
    out = np.full(len(v), np.nan)
    for i in range(len(v)):
        sel = (t > t[i] - SMOOTH_S) & (t <= t[i]) & np.isfinite(v)
        if sel.any():
            out[i] = float(np.median(v[sel]))
    return out


def run_scene(name: str, png: int) -> list[dict[str, Any]]:
    scene = scene_from_dict(name, spec(name))
    clip = cached(scene)
    rows_path = analyse(clip.video, OUT / name)
    truth = json.loads(clip.truth.read_text())
    fr = truth["frames"]
    rows, col = ss.read_rows(rows_path)
    n = min(len(rows), len(fr["t_s"]))
    standing = [i for i in range(n) if fr["phase"][i] == "standing"]
    cam = ss.camera(rows, col, standing)
    renderer = SceneRenderer(scene)
    tcam = renderer.camera
    height = renderer.dancer.shape.height_m
    recs: list[dict[str, Any]] = []
    drawn = 0
    for i, image, w, h, feet in ss.reliable_frames(clip.video, rows, col, range(n) if cam is not None else ()):
        assert cam is not None  # (no frame is wanted without one)
        drop = pic.hips_drop(cam, ss.val(rows[i], col, "hip_y_px"))
        got, tips, made = fallback(image, cam, feet, drop)
        legs = float(fr["standing_hip_height_m"])
        _, posed = renderer.dancer.pose(i / scene.fps)
        mask = garment_silhouette(posed, "flared", height, tcam.project, (w, h))
        assert mask is not None
        z_toe, z_ankle, z_heel = pic.MEDIAPIPE.at(drop)
        for s in SIDES:
            a, t, hl = feet[s]
            th = fr["points"][f"{s}_heel"]["px"][i]
            on_cloth = math.nan
            hem_dv = math.nan
            if all(map(math.isfinite, hl)):
                u, v = int(round(hl[0])), int(round(hl[1]))
                if 0 <= u < w and 0 <= v < h:
                    on_cloth = float(mask[v, u])
                    colm = np.flatnonzero(mask[:, u])
                    hem_dv = float(hl[1] - (colm.max() + 1)) if colm.size else math.nan
            # the error's parts: the true heel (its pixel and height) to the tip found; the true heel to the true toe
            true_heel = (ss.centred((th[0], th[1]), w, h), fr[s]["heel_height_m"][i] / legs)
            tt = fr["points"][f"{s}_toe"]["px"][i]
            tip_c = ss.centred((tips[s].u, tips[s].v), w, h) if tips[s] else (math.nan, math.nan)
            recs.append({
                "oracle_heel": pic._direction(cam, *true_heel, tip_c, 0.0, s),
                "oracle_both": pic._direction(cam, *true_heel, ss.centred((tt[0], tt[1]), w, h),
                                              fr[s]["toe_height_m"][i] / legs, s),
                "product_low": ss.val(rows[i], col, f"{s}_foot_picture_low_deg"),
                "product_high": ss.val(rows[i], col, f"{s}_foot_picture_high_deg"),
                "scene": name, "frame": i, "t": i / scene.fps, "side": s, "phase": fr["phase"][i],
                "position": scene.dancer.position, "body": scene.dancer.body, "cam_h": scene.camera.height_m,
                "true": fr[s]["foot_turnout_deg"][i], "product": ss.val(rows[i], col, f"{s}_foot_picture_deg"),
                "fallback": got[s], "heel_on_cloth": on_cloth, "heel_below_hem_px": hem_dv,
                "heel_du": hl[0] - th[0], "heel_dv": hl[1] - th[1], **points(feet[s]),
                "heel_toe_legs": floor_dist(cam, (w, h), hl, z_heel, t, z_toe) if all(map(math.isfinite, hl))
                else math.nan,
                "ankle_toe_legs": floor_dist(cam, (w, h), a, z_ankle, t, z_toe),
                "tip_du": (tips[s].u - fr["points"][f"{s}_toe"]["px"][i][0]) if tips[s] else math.nan,
                "tip_dv": (tips[s].v - fr["points"][f"{s}_toe"]["px"][i][1]) if tips[s] else math.nan,
            })  # fmt: skip
        if png and drawn < png and i % 12 == 6:
            lab = (f"{name} f{i} {fr['phase'][i]} true L {fr['left']['foot_turnout_deg'][i]:.0f} R "
                   f"{fr['right']['foot_turnout_deg'][i]:.0f}: heel->tip L {got['left']:.0f} "
                   f"R {got['right']:.0f}")  # fmt: skip
            ss.draw(image, feet, tips, made, lab, OUT / "png" / f"{name}_{i}.png")
            drawn += 1
    gate_fit(recs, cam, (scene.width, scene.height))
    # the product's smoothing over each foot's readings
    for s in SIDES:
        mine = [r for r in recs if r["side"] == s]
        sm = smooth(np.array([r["t"] for r in mine]), np.array([r["fallback"] for r in mine], float))
        for r, v in zip(mine, sm, strict=True):
            r["fallback_smooth"] = float(v)
    print(name, "done", flush=True)
    return recs


def run_real(png: int) -> list[dict[str, Any]]:
    recs: list[dict[str, Any]] = []
    for stem, (cam_ranges, ranges) in REAL.items():
        rows, col = ss.read_rows(ROOT / "build" / "eval" / f"shared-{stem}" / f"{stem}.frames.csv")
        cam = ss.camera(rows, col, [i for a, b in cam_ranges for i in range(a, min(b, len(rows)))])
        if cam is None:
            continue
        phase = {i: p for a, b, p in ranges for i in range(a, min(b, len(rows)))}
        fps = 1000.0 / float(np.median(np.diff([float(r[col["timestamp_ms"]]) for r in rows[:20]])))
        drawn = 0
        for i, image, w, h, feet in ss.reliable_frames(ss.MEDIA / f"{stem}.mp4", rows, col, phase):
            drop = pic.hips_drop(cam, ss.val(rows[i], col, "hip_y_px"))
            got, tips, made = fallback(image, cam, feet, drop)
            z_toe, z_ankle, z_heel = pic.MEDIAPIPE.at(drop)
            for s in SIDES:
                a, t, hl = feet[s]
                recs.append({
                    "scene": stem, "frame": i, "t": i / fps, "side": s, "phase": phase[i], "fallback": got[s],
                    "product": ss.val(rows[i], col, f"{s}_foot_picture_deg"), **points(feet[s]),
                    "heel_toe_legs": floor_dist(cam, (w, h), hl, z_heel, t, z_toe) if all(map(math.isfinite, hl))
                    else math.nan,
                    "ankle_toe_legs": floor_dist(cam, (w, h), a, z_ankle, t, z_toe),
                })  # fmt: skip
            if png and drawn < png and i % 10 == 0:
                lab = f"{stem} f{i} {phase[i]}: heel->tip L {got['left']:.0f} R {got['right']:.0f}"
                ss.draw(image, feet, tips, made, lab, OUT / "png" / f"{stem}_{i}.png")
                drawn += 1
        for s in SIDES:
            mine = [r for r in recs if r["side"] == s and r["scene"] == stem]
            sm = smooth(np.array([r["t"] for r in mine]), np.array([r["fallback"] for r in mine], float))
            for r, v in zip(mine, sm, strict=True):
                r["fallback_smooth"] = float(v)
        gate_fit([r for r in recs if r["scene"] == stem], cam, (w, h))
        print(stem, "done", flush=True)
    return recs


def err_stats(err: np.ndarray) -> str:
    e = err[np.isfinite(err)]
    if e.size == 0:
        return "-"
    return f"{np.median(np.abs(e)):.1f} / {np.percentile(np.abs(e), 95):.1f} (bias {np.median(e):+.1f}, n {e.size})"


def gates(sel: list[dict[str, Any]]) -> str:
    got = {r["side"]: r.get("gate_fit", math.nan) for r in sel}
    return ", ".join("-" if not math.isfinite(got.get(s, math.nan)) else "yes" if got[s] else "no" for s in SIDES)


def summarise(recs: list[dict[str, Any]], real: list[dict[str, Any]]) -> list[str]:
    lines = ["## Where MediaPipe puts the heel, and the product's reading", "",
             "| scene | phase | feet | heel on cloth | heel below hem px (median) | heel - true heel px (du, dv) | "
             "heel->toe legs (median, min) | ankle->toe legs | gate passes (L, R) | product reads | fallback reads |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    groups = [(sc, ph) for sc in SCENES for ph in ("standing", "plie")]
    for sc, ph in groups:
        sel = [r for r in recs if r["scene"] == sc and (r["phase"] == "standing") == (ph == "standing")]
        if not sel:
            continue
        g = {k: np.array([r[k] for r in sel], float) for k in sel[0] if k not in ("scene", "side", "phase",
                                                                               "position", "body")}  # fmt: skip
        lines.append(
            f"| {sc} | {ph} | {len(sel)} | {np.nanmean(g['heel_on_cloth']):.0%}"
            f" | {np.nanmedian(g['heel_below_hem_px']):+.1f}"
            f" | {np.nanmedian(g['heel_du']):+.1f}, {np.nanmedian(g['heel_dv']):+.1f}"
            f" | {np.nanmedian(g['heel_toe_legs']):.3f}, {np.nanmin(g['heel_toe_legs']):.3f}"
            f" | {np.nanmedian(g['ankle_toe_legs']):.3f} | {gates(sel)} | {np.isfinite(g['product']).mean():.0%}"
            f" | {np.isfinite(g['fallback']).mean():.0%} |"
        )
    for stem in REAL:
        for ph in ("standing", "plie"):
            sel = [r for r in real if r["scene"] == stem and r["phase"] == ph]
            if sel:
                ht = np.array([r["heel_toe_legs"] for r in sel], float)
                at = np.array([r["ankle_toe_legs"] for r in sel], float)
                pr = np.array([r["product"] for r in sel], float)
                fb = np.array([r["fallback"] for r in sel], float)
                lines.append(f"| {stem} (real) | {ph} | {len(sel)} | (by eye: on the hem) | | | "
                             f"{np.nanmedian(ht):.3f}, "
                             f"{np.nanmin(ht):.3f} | {np.nanmedian(at):.3f} | {gates(sel)} | "
                             f"{np.isfinite(pr).mean():.0%} | "
                             f"{np.isfinite(fb).mean():.0%} |")  # fmt: skip
    lines += ["", f"fit gate: heel->toe >= {pic.FOOT_MIN_LEGS} legs (ankle->toe >= {pic.ANKLE_TOE_MIN_LEGS})", ""]
    # the fallback's errors
    lines += ["## The heel -> tip fallback against the truth (abs error median / p95, bias)", "",
              "| frames | per frame | 0.4 s median | product where it reads |", "|---|---|---|---|"]  # fmt: skip
    names = list(SCENES)
    halves = {"A": set(names[0::2]), "B": set(names[1::2])}

    def arr(sel: list[dict[str, Any]], k: str) -> np.ndarray:
        return np.array([r[k] for r in sel], float)

    cuts: list[tuple[str, Any]] = [
        ("all", lambda r: True), ("standing", lambda r: r["phase"] == "standing"),
        ("plie", lambda r: r["phase"] != "standing"), ("plie bottom", lambda r: r["phase"] == "bottom"),
        ("half A", lambda r: r["scene"] in halves["A"]), ("half B", lambda r: r["scene"] in halves["B"]),
        ("the gate refuses the foot", lambda r: r.get("gate_fit") == 0.0),
        ("the product shows nothing", lambda r: not math.isfinite(r["product"])),
    ] + [(f"{sc}", lambda r, sc=sc: r["scene"] == sc) for sc in SCENES]  # fmt: skip
    for lab, f in cuts:
        sel = [r for r in recs if f(r)]
        if not sel:
            continue
        t = arr(sel, "true")
        lines.append(f"| {lab} | {err_stats(arr(sel, 'fallback') - t)} | {err_stats(arr(sel, 'fallback_smooth') - t)}"
                     f" | {err_stats(arr(sel, 'product') - t)} |")  # fmt: skip
    lines += [
        "",
        "## The error's parts (the same frames): true heel -> tip found; true heel -> true toe "
        "(the product's camera); the product's shown range holds the truth",
        "",
    ]
    for lab, f in cuts:
        sel = [r for r in recs if f(r)]
        if not sel:
            continue
        t = arr(sel, "true")
        lo, hi, pr = arr(sel, "product_low"), arr(sel, "product_high"), arr(sel, "product")
        ok = np.isfinite(pr)
        held = np.mean((lo[ok] <= t[ok]) & (t[ok] <= hi[ok])) if ok.any() else math.nan
        lines.append(f"| {lab} | {err_stats(arr(sel, 'oracle_heel') - t)} | {err_stats(arr(sel, 'oracle_both') - t)}"
                     f" | range holds {held:.0%} (half-width median {np.nanmedian((hi - lo) / 2):.1f}) |")  # fmt: skip
    # the band: p95 of one half holds the other half's truth?
    lines += ["", "## A band of the fallback's own p95", ""]
    for key in ("fallback", "fallback_smooth"):
        for a, b in (("A", "B"), ("B", "A")):
            tr = [r for r in recs if r["scene"] in halves[a]]
            te = [r for r in recs if r["scene"] in halves[b]]
            e_tr = np.abs(arr(tr, key) - arr(tr, "true"))
            p95 = float(np.nanpercentile(e_tr, 95))
            e_te = arr(te, key) - arr(te, "true")
            e_te = e_te[np.isfinite(e_te)]
            held = np.mean(np.abs(e_te) <= p95)
            lines.append(f"{key}: p95 of half {a} {p95:.1f}; holds half {b}'s truth on {held:.1%}"
                         f" of {e_te.size} readings")  # fmt: skip
        e = arr(recs, key) - arr(recs, "true")
        e = e[np.isfinite(e)]
        p95 = float(np.percentile(np.abs(e), 95))
        lines.append(f"{key}: p95 of all {p95:.1f}; holds {np.mean(np.abs(e) <= p95):.1%} of {e.size}")
        # on the real clips: the band round each reading meets the label's range / the reading within the labels
        for stem in REAL:
            for ph in ("standing", "plie"):
                sel = [r for r in real if r["scene"] == stem and r["phase"] == ph]
                v = arr(sel, key)
                v = v[np.isfinite(v)]
                if not v.size:
                    continue
                inside = np.mean((v >= LABEL[0]) & (v <= LABEL[1]))
                meets = np.mean((v + p95 >= LABEL[0]) & (v - p95 <= LABEL[1]))
                q = np.percentile(v, [5, 50, 95])
                dist = np.maximum(0, np.maximum(LABEL[0] - v, v - LABEL[1]))
                lines.append(f"  {stem} {ph}: {v.size} readings, median {q[1]:.1f} (p5 {q[0]:.1f}, p95 {q[2]:.1f}); "
                             f"in {LABEL[0]:.0f}-{LABEL[1]:.0f} {inside:.0%}; band +-{p95:.1f} meets it {meets:.0%}; "
                             f"distance to the range median {np.median(dist):.1f}")  # fmt: skip
    for stem in REAL:
        for s in SIDES:
            sel = [r for r in real if r["scene"] == stem and r["side"] == s]
            v = arr(sel, "fallback")
            lines.append(f"  {stem} {s}: per-frame median {np.nanmedian(v):.1f}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--png", type=int, default=0, help="crops to draw per clip")
    ap.add_argument("--only", nargs="*", help="scenes to run (default all)")
    ap.add_argument("--report-only", action="store_true")
    args = ap.parse_args()
    (OUT / "png").mkdir(parents=True, exist_ok=True)
    if args.report_only:
        recs, real = json.loads((OUT / "studio.json").read_text()), json.loads((OUT / "real.json").read_text())
    else:
        recs = [r for name in (args.only or SCENES) for r in run_scene(name, args.png)]
        real = run_real(args.png)
        (OUT / "studio.json").write_text(json.dumps(recs))
        (OUT / "real.json").write_text(json.dumps(real))
    lines = summarise(recs, real)
    (OUT / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
