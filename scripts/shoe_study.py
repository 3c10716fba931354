"""Study: each foot's direction from the foot seen in the picture (its toe tip, turnout.measure.shoe) against the
product's reading from MediaPipe's foot points (``{side}_foot_picture_deg``).

Studio: the standing frames of the first, second and parallel scenes (cached renders build/studio/, cached model
rows build/accuracy/uncal/), errors against the truth. Real clips: ballet_plie, simple_step, tendu_tutorial
(cached rows build/eval/shared-<clip>/). Writes per-frame rows and a summary to build/shoe_study/ and, with
``--png``, crops with the feet's outline, the tip and the ankle-to-tip axis drawn.

    python scripts/shoe_study.py [--scenes a b ...] [--real] [--studio] [--png N] [--step K]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from turnout.measure import shoe  # noqa: E402
from turnout.practice import picture as pic  # noqa: E402

SIDES = ("left", "right")
BAND = [shoe.TIP_BAND_LEGS]  # --band: the tip's band studied (0, 0.01, 0.02 legs)
METHODS = ("product", "product_raw", "shoe", "shoe_heel", "shoe_mean", "oracle", "oracle_heel", "fix_u", "fix_v")
OUT = ROOT / "build" / "shoe_study"
MEDIA = Path("/work/shared/media/commons")
#: real clips: (frames csv, video, frame ranges, expected per foot)
REAL = {
    "ballet_plie": ("ballet_plie", [(40, 101)], "60-75"),
    "simple_step": ("simple_step", [(0, 96)], "~0"),
    "tendu_tutorial": ("tendu_tutorial", [(75, 111)], "60-75 (first position)"),
}


def read_rows(path: Path) -> tuple[list[list[str]], dict[str, int]]:
    rows = list(csv.reader(path.open()))
    col: dict[str, int] = {}
    for i, c in enumerate(rows[0]):
        col.setdefault(c, i)  # the first of a repeated name: the centre-relative block of turnout.measure.image
    return rows[1:], col


def val(row: list[str], col: dict[str, int], name: str) -> float:
    v = row[col[name]] if name in col and col[name] < len(row) else ""
    try:
        return float(v) if v != "" else math.nan
    except ValueError:
        return math.nan


def camera(rows: list[list[str]], col: dict[str, int], standing: list[int]) -> pic.Camera | None:
    """The product's camera: medians of her hip and floor rows (and facing) over her standing frames."""
    sel = [rows[i] for i in standing if rows[i][col["reliable"]] == "1"]
    if not sel:
        return None
    med = {c: float(np.nanmedian([val(r, col, c) for r in sel])) for c in ("hip_y_px", "floor_y_px")}
    face = float(np.nanmedian([val(r, col, "face_yaw_deg") for r in sel]))
    shoulders = float(np.nanmedian([val(r, col, "shoulders_yaw_deg") for r in sel]))
    width = val(sel[0], col, "frame_width_px")
    return pic.estimate_camera(med["hip_y_px"], med["floor_y_px"], width, facing=pic.facing_deg(face, shoulders))


def feet_points(row: list[str], col: dict[str, int], w: float, h: float) -> dict[str, tuple[Any, Any, Any]]:
    """side -> (ankle, toe, heel) in absolute px (the centre-relative columns plus the centre)."""
    out = {}
    for s in SIDES:
        pts = []
        for p in ("ankle", "toe", "heel"):
            pts.append((val(row, col, f"{s}_{p}_x_px") + w / 2, val(row, col, f"{s}_{p}_y_px") + h / 2))
        out[s] = (pts[0], pts[1], pts[2])
    return out


def centred(p: tuple[float, float], w: float, h: float) -> tuple[float, float]:
    return (p[0] - w / 2, p[1] - h / 2)


def find_tips(
    image: np.ndarray, cam: pic.Camera, feet: dict[str, tuple[Any, Any, Any]], z_ankle: float
) -> tuple[dict[str, Any], Any]:
    """(side -> the tip found, or None; the feet's mask and its origin, or None): both feet's ankle and toe points
    seen, the mask seeded by the points (the ankle point taken ``z_ankle`` legs up), each foot's tip on its side of
    the other ankle (``shoe.toe_tip`` with the band studied)."""
    h, w = image.shape[:2]
    usable = {s: f for s, f in feet.items() if all(map(math.isfinite, (*f[0], *f[1])))}
    tips: dict[str, Any] = {s: None for s in SIDES}
    if len(usable) < 2:
        return tips, None
    made = shoe.feet_mask(image, cam, {s: (a, t, hl if all(map(math.isfinite, hl)) else None)
                                       for s, (a, t, hl) in usable.items()}, z_ankle)  # fmt: skip
    if made is None:
        return tips, None
    fg, origin = made
    for s, o in (("left", "right"), ("right", "left")):
        a, t, _ = usable[s]
        tips[s] = shoe.toe_tip(fg, origin, (w, h), cam, s, a, usable[o][0], t, z_ankle, BAND[0])
    return tips, made


def measure_frame(
    image: np.ndarray, cam: pic.Camera, feet: dict[str, tuple[Any, Any, Any]]
) -> tuple[dict[str, float], dict[str, Any], Any]:
    """(side -> the shoe reading, side -> the tip, the mask and its origin)."""
    h, w = image.shape[:2]
    z_ankle = pic.MEDIAPIPE.ankle
    res: dict[str, float] = {s: math.nan for s in SIDES}
    tips, made = find_tips(image, cam, feet, z_ankle)
    for s in SIDES:
        a, tip = feet[s][0], tips[s]
        if tip is not None:
            t_c = centred((tip.u, tip.v), w, h)
            res[s] = pic._direction(cam, centred(a, w, h), z_ankle, t_c, 0.0, s)
            hl = feet[s][2]
            if all(map(math.isfinite, hl)):
                res[f"{s}_heel"] = pic._direction(cam, centred(hl, w, h), pic.MEDIAPIPE.heel, t_c, 0.0, s)
                res[f"{s}_mean"] = res[s] + pic.wrap_deg(res[f"{s}_heel"] - res[s]) / 2.0
    return res, tips, made


def product_raw(cam: pic.Camera, feet: dict[str, tuple[Any, Any, Any]], w: float, h: float) -> dict[str, float]:
    """The product's reading recomputed without its fit gate (foot_direction_deg, MEDIAPIPE heights, standing)."""
    out = {}
    for s, (a, t, hl) in feet.items():
        heel = centred(hl, w, h) if all(map(math.isfinite, hl)) else None
        out[s] = pic.foot_direction_deg(cam, centred(t, w, h), centred(a, w, h), s, heel, 0.0, pic.MEDIAPIPE)
    return out


def draw(image: np.ndarray, feet: dict[str, Any], tips: dict[str, Any], made: Any, label: str, path: Path) -> None:
    k = 5
    pts = np.array([p for f in feet.values() for p in f if all(map(math.isfinite, p))])
    x0, y0 = int(max(0, pts[:, 0].min() - 60)), int(max(0, pts[:, 1].min() - 30))
    x1, y1 = int(min(image.shape[1], pts[:, 0].max() + 60)), int(min(image.shape[0], pts[:, 1].max() + 40))
    big = cv2.resize(image[y0:y1, x0:x1], None, fx=k, fy=k, interpolation=cv2.INTER_CUBIC)

    def z(p: Any) -> tuple[int, int]:
        return int((p[0] - x0) * k), int((p[1] - y0) * k)

    if made is not None:
        fg, (mx, my) = made
        full = np.zeros(image.shape[:2], np.uint8)
        full[my : my + fg.shape[0], mx : mx + fg.shape[1]] = fg
        sub = cv2.resize(full[y0:y1, x0:x1], None, fx=k, fy=k, interpolation=cv2.INTER_NEAREST)
        cs, _ = cv2.findContours(sub, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        cv2.drawContours(big, cs, -1, (255, 0, 255), 1)
    for s, (a, t, hl) in feet.items():
        tip = tips.get(s)
        if tip is not None:
            for q in tip.outline:
                cv2.circle(big, z(q), 1, (0, 255, 255), -1)
            cv2.line(big, z(a), z((tip.u, tip.v)), (0, 128, 0), 1)
            if all(map(math.isfinite, hl)):
                cv2.line(big, z(hl), z((tip.u, tip.v)), (0, 255, 0), 2)
            cv2.circle(big, z((tip.u, tip.v)), 5, (0, 255, 0), 1)
        cv2.line(big, z(a), z(t), (255, 255, 0), 1)
        if all(map(math.isfinite, hl)):
            cv2.line(big, z(hl), z(t), (255, 255, 0), 1)
        for p, c in ((a, (255, 0, 0)), (t, (0, 0, 255)), (hl, (0, 200, 0))):
            if all(map(math.isfinite, p)):
                cv2.circle(big, z(p), 3, c, -1)
    cv2.putText(big, label, (5, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
    cv2.imwrite(str(path), big)


def stats(err: np.ndarray) -> str:
    """'median / p95 (bias)' of the absolute errors."""
    err = err[np.isfinite(err)]
    if err.size == 0:
        return "-"
    e = np.abs(err)
    return f"{np.median(e):.1f} / {np.percentile(e, 95):.1f} ({np.median(err):+.1f})"


def studio_scenes() -> list[tuple[str, Path, Path, Any]]:
    from turnout.testing.studio import load_catalogue

    out = []
    for name, sc in load_catalogue().items():
        if name.startswith(("stretch_", "profile_", "fifth")) or sc.dancer.position not in (
            "first",
            "second",
            "parallel",
        ):
            continue
        dirs = sorted((ROOT / "build" / "studio").glob(f"{name}-*"))
        rows = ROOT / "build" / "accuracy" / "uncal" / f"{name}.frames.csv"
        if dirs and rows.exists() and (dirs[-1] / f"{name}.mp4").exists():
            out.append((name, dirs[-1], rows, sc))
    return out


def reliable_frames(
    video: Path, rows: list[list[str]], col: dict[str, int], wanted: Collection[int]
) -> Iterator[tuple[int, np.ndarray, int, int, dict[str, tuple[Any, Any, Any]]]]:
    """Each frame of ``video`` in ``wanted`` that the pose model found reliable (its row in ``rows``), decoded in
    order: (index, image, width, height, its feet's points, :func:`feet_points`)."""
    cap = cv2.VideoCapture(str(video))
    try:
        for i in range(max(wanted, default=-1) + 1):
            ok, image = cap.read()
            if not ok:
                break
            if i not in wanted or rows[i][col["reliable"]] != "1":
                continue
            h, w = image.shape[:2]
            yield i, image, w, h, feet_points(rows[i], col, w, h)
    finally:
        cap.release()


def run_studio(names: list[str] | None, step: int, png: int) -> list[dict[str, Any]]:
    recs: list[dict[str, Any]] = []
    for name, d, rows_path, sc in studio_scenes():
        if names and name not in names:
            continue
        truth = json.loads((d / f"{name}.truth.json").read_text())
        rows, col = read_rows(rows_path)
        fr = truth["frames"]
        n = min(len(rows), len(fr["t_s"]))
        standing = [i for i in range(n) if fr["phase"][i] == "standing"]
        cam = camera(rows, col, standing)
        if cam is None:
            continue
        drawn = 0
        for i, image, w, h, feet in reliable_frames(
            d / f"{name}.mp4", rows, col, {i for i in standing if not i % step}
        ):
            got, tips, made = measure_frame(image, cam, feet)
            raw = product_raw(cam, feet, w, h)
            for s in SIDES:
                tp = fr["points"][f"{s}_toe"]["px"][i]
                tz = fr[s]["toe_height_m"][i] / truth["frames"]["standing_hip_height_m"]
                tip = tips[s]
                a_c = centred(feet[s][0], w, h)
                if sc.mirrored:  # the truth's pixels are of the unmirrored picture
                    tp = [math.nan, math.nan]
                oracle = pic._direction(cam, a_c, pic.MEDIAPIPE.ankle, centred((tp[0], tp[1]), w, h), tz, s)
                hl = feet[s][2]
                oracle_h = pic._direction(
                    cam, centred(hl, w, h), pic.MEDIAPIPE.heel, centred((tp[0], tp[1]), w, h), tz, s
                )
                if tip is not None:
                    h_c = centred(hl, w, h)
                    fix_u = pic._direction(cam, h_c, pic.MEDIAPIPE.heel, centred((tp[0], tip.v), w, h), 0.0, s)
                    fix_v = pic._direction(cam, h_c, pic.MEDIAPIPE.heel, centred((tip.u, tp[1]), w, h), tz, s)
                else:
                    fix_u = fix_v = math.nan
                recs.append({
                    "fix_u": fix_u, "fix_v": fix_v, "tz": tz,
                    "tip_du": (tip.u - tp[0]) if tip else math.nan, "tip_dv": (tip.v - tp[1]) if tip else math.nan,
                    "oracle": oracle, "oracle_heel": oracle_h,
                    "scene": name, "frame": i, "side": s, "look": sc.dancer.look, "position": sc.dancer.position,
                    "cam_h": sc.camera.height_m, "true": fr[s]["foot_turnout_deg"][i],
                    "product": val(rows[i], col, f"{s}_foot_picture_deg"), "product_raw": raw[s], "shoe": got[s],
                    "shoe_heel": got.get(f"{s}_heel", math.nan), "shoe_mean": got.get(f"{s}_mean", math.nan),
                })  # fmt: skip
            if png and drawn < png and i % 20 == 0:
                lab = f"{name} f{i} true {fr['left']['foot_turnout_deg'][i]:.0f}: L heel-tip " \
                      f"{got.get('left_heel', math.nan):.0f} prod {raw['left']:.0f}; R heel-tip " \
                      f"{got.get('right_heel', math.nan):.0f} prod {raw['right']:.0f}"  # fmt: skip
                draw(image, feet, tips, made, lab, OUT / "png" / f"{name}_{i}.png")
                drawn += 1
        print(name, sc.dancer.look, sc.dancer.position, "done", flush=True)
    return recs


def run_real(png: int) -> list[dict[str, Any]]:
    recs: list[dict[str, Any]] = []
    for clip, (stem, ranges, expect) in REAL.items():
        rows, col = read_rows(ROOT / "build" / "eval" / f"shared-{stem}" / f"{stem}.frames.csv")
        frames = [i for a, b in ranges for i in range(a, min(b, len(rows)))]
        cam = camera(rows, col, frames)
        if cam is None:
            print(clip, "no camera")
            continue
        drawn = 0
        for i, image, w, h, feet in reliable_frames(MEDIA / f"{stem}.mp4", rows, col, set(frames)):
            got, tips, made = measure_frame(image, cam, feet)
            raw = product_raw(cam, feet, w, h)
            for s in SIDES:
                recs.append({
                    "scene": clip, "frame": i, "side": s, "expect": expect,
                    "product": val(rows[i], col, f"{s}_foot_picture_deg"), "product_raw": raw[s], "shoe": got[s],
                    "shoe_heel": got.get(f"{s}_heel", math.nan), "shoe_mean": got.get(f"{s}_mean", math.nan),
                })  # fmt: skip
            if png and drawn < png and i % 10 == 0:
                lab = f"{clip} f{i}: L heel-tip {got.get('left_heel', math.nan):.0f} prod {raw['left']:.0f}; " \
                      f"R heel-tip {got.get('right_heel', math.nan):.0f} prod {raw['right']:.0f}"  # fmt: skip
                draw(image, feet, tips, made, lab, OUT / "png" / f"{clip}_{i}.png")
                drawn += 1
    return recs


#: what the studio tables compare: name -> how a record's reading is made
COMPARED = {
    "product": lambda r: r["product"],
    "ankle->tip": lambda r: r["shoe"],
    "heel->tip": lambda r: r["shoe_heel"],
    "mean(ankle,heel->tip)": lambda r: r["shoe_mean"],
    "mean(product,heel->tip)": lambda r: (r["product"] + r["shoe_heel"]) / 2.0,
    "oracle heel->true toe": lambda r: r["oracle_heel"],
}


def summarise_studio(recs: list[dict[str, Any]]) -> list[str]:
    """Median / p95 absolute error (bias) per method, on the frames both the product and heel->tip read (the
    product reads only where its fit gate passes; the tip is not read where the foot leaves the picture)."""
    recs = [r for r in recs if math.isfinite(r["product"]) and math.isfinite(r["shoe_heel"])]
    true = np.array([r["true"] for r in recs], float)
    vals = {m: np.array([f(r) for r in recs], float) for m, f in COMPARED.items()}
    scenes = sorted({r["scene"] for r in recs})
    halves = {"half A": set(scenes[0::2]), "half B": set(scenes[1::2])}
    lines = ["| by | value | n | " + " | ".join(COMPARED) + " |", "|---|---|---|" + "---|" * len(COMPARED)]
    groups: list[tuple[str, str, np.ndarray]] = [("all", "", np.ones(len(recs), bool))]
    for key in ("position", "look", "cam_h"):
        for g in sorted({r[key] for r in recs}):
            groups.append((key, str(g), np.array([r[key] == g for r in recs])))
    for h, members in halves.items():
        groups.append(("scenes", h, np.array([r["scene"] in members for r in recs])))
    for key, g, sel in groups:
        cells = " | ".join(stats((v - true)[sel]) for v in vals.values())
        lines.append(f"| {key} | {g} | {int(sel.sum())} | {cells} |")
    lines += ["", "| scene | look | position | true | n | product | heel->tip |", "|---|---|---|---|---|---|---|"]
    for sc in scenes:
        sel = np.array([r["scene"] == sc for r in recs])
        r0 = recs[int(np.flatnonzero(sel)[0])]
        lines.append(
            f"| {sc} | {r0['look']} | {r0['position']} | {np.median(true[sel]):.0f} | {int(sel.sum())} | "
            f"{stats((vals['product'] - true)[sel])} | {stats((vals['heel->tip'] - true)[sel])} |"
        )
    return lines


def summarise_real(recs: list[dict[str, Any]]) -> list[str]:
    lines = []
    for clip in REAL:
        for s in SIDES:
            sel = [r for r in recs if r["scene"] == clip and r["side"] == s]
            if not sel:
                continue
            parts = []
            for m in METHODS:
                v = np.array([r.get(m, math.nan) for r in sel], float)
                v = v[np.isfinite(v)]
                q = np.percentile(v, [10, 50, 90]) if v.size else [math.nan] * 3
                parts.append(f"{m} n {v.size} median {q[1]:.1f} (p10 {q[0]:.1f}, p90 {q[2]:.1f})")
            lines.append(f"{clip} {s} expect {sel[0]['expect']}: " + "; ".join(parts))
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenes", nargs="*")
    ap.add_argument("--real", action="store_true")
    ap.add_argument("--studio", action="store_true")
    ap.add_argument("--png", type=int, default=0, help="crops to draw per clip")
    ap.add_argument("--step", type=int, default=1, help="every K-th standing frame of the studio")
    ap.add_argument("--tag", default="run")
    ap.add_argument("--band", type=float, help="override shoe.TIP_BAND_LEGS (a study of the constant)")
    ap.add_argument("--report-only", action="store_true", help="the tables again from the tag's saved rows")
    args = ap.parse_args()
    if args.report_only:
        out: list[str] = []
        for kind, summarise in (("real", summarise_real), ("studio", summarise_studio)):
            path = OUT / f"{args.tag}_{kind}.json"
            if path.exists():
                out += [*summarise(json.loads(path.read_text())), ""]
        print("\n".join(out))
        return
    if args.band is not None:
        BAND[0] = args.band
    (OUT / "png").mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    if args.real:
        recs = run_real(args.png)
        (OUT / f"{args.tag}_real.json").write_text(json.dumps(recs))
        lines += summarise_real(recs)
    if args.studio:
        recs = run_studio(args.scenes, args.step, args.png)
        (OUT / f"{args.tag}_studio.json").write_text(json.dumps(recs))
        lines += summarise_studio(recs)
    (OUT / f"{args.tag}_summary.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
