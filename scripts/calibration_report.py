"""Measure floor calibration on rendered scenes: detection rate, false positives, total-turnout error.

Renders N random scenes per reference (``turnout.testing.render_floor.scene_set``: scene i depends only on the
seed, the reference and i; 1280x720 and 960x540 alternately; 0-2 distractors) in the envelope of issue 4
(webcam 60-78 degrees, lens 0.5-1.5 m high, dancer 2-3.5 m away, reference 0.2-1 m in front of her feet,
turned up to 40 degrees), calibrates, maps the exact heel/toe projections back to the floor and compares the
angle between the feet with the truth. A second pair of columns adds 1 px of noise to every heel and toe.

A4, letter and A4-pair (two A4 sheets end to end) are detected automatically (``find_sheet``). The yoga mat is
coloured, so the paper detector does not look for it: its corners are given as the exact projections plus
0.5 px of noise, refined by ``refine_corners`` and passed to ``FloorCalibration.from_corners``. Negatives are
scenes without a reference but with 1-4 distractors (bright squares, strips, wrong-size boards, socks), and
the same scenes' bare floors (nothing lying on them); every paper reference is searched for in each.

"predicted" is what the app shows for a calibration: ``FloorCalibration.expected_turnout_error_deg()``
(median / p95 from the calibration's own corner uncertainty), medianed over the found scenes.

    .venv/bin/python scripts/calibration_report.py [--n 300] [--seed 0] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np

from turnout.floor import REFERENCES, FloorCalibration, find_sheet, refine_corners
from turnout.floor.reference import angle_between_deg
from turnout.testing.render_floor import Rendered, Scene, render, scene_set

AUTO = ("A4", "letter", "A4-pair")  # detected by find_sheet; the rest are given as corners


def turnout_errors(cal: FloorCalibration, r: Rendered, rng: np.random.Generator) -> tuple[float, float]:
    """(exact points, points with 1 px noise) absolute total-turnout error in degrees."""
    out = []
    for noise in (0.0, 1.0):
        heels = cal.image_to_floor(r.heels_px + rng.normal(0, noise, (2, 2)))
        toes = cal.image_to_floor(r.toes_px + rng.normal(0, noise, (2, 2)))
        out.append(abs(angle_between_deg(toes[0] - heels[0], toes[1] - heels[1]) - r.scene.total_turnout_deg))
    return out[0], out[1]


def calibrate(r: Rendered, reference: str, rng: np.random.Generator) -> FloorCalibration | None:
    if reference in AUTO:
        return find_sheet(r.image, reference)
    assert r.corners_px is not None
    given = r.corners_px + rng.normal(0, 0.5, (4, 2))
    refined = refine_corners(r.image, given)
    if refined is None:
        return None
    corners, sd, _ = refined
    w, length = REFERENCES[reference]
    sigma = float(np.sqrt(np.mean(sd**2)))
    try:
        return FloorCalibration.from_corners(corners, w, length, r.image.shape[1::-1], reference, sigma)
    except ValueError:  # the refined corners are no quad on the floor: a failed calibration, as in the app
        return None


def in_view(r: Rendered) -> bool:
    """Are all four corners of the reference inside the image (else nobody could click them)?"""
    assert r.corners_px is not None
    h, w = r.image.shape[:2]
    return bool(np.all((r.corners_px > 2) & (r.corners_px < [w - 3, h - 3])))


def one_positive(job: tuple[str, int, int]) -> dict[str, Any]:
    reference, seed, i = job
    scene = next(scene_set(reference, 1, seed, i))
    rng = np.random.default_rng([seed, i, 7])  # measurement noise, independent of the scene
    r = render(scene)
    if reference not in AUTO and not in_view(r):
        return {"found": False, "skip": True, "i": i}
    cal = calibrate(r, reference, rng)
    if cal is None:
        return {"found": False, "i": i}
    assert r.corners_px is not None
    corner = float(np.linalg.norm(cal.corners_px[:, None] - r.corners_px[None], axis=2).min(axis=1).max())
    e, en = turnout_errors(cal, r, rng)
    med, p95 = cal.expected_turnout_error_deg(behind_m=0.6, samples=100)
    return {"found": True, "i": i, "err": e, "err1": en, "corner": corner, "pred_med": med, "pred_p95": p95}


def one_negative(job: tuple[int, int, bool]) -> dict[str, Any]:
    """Search a scene without a reference for every paper reference; ``plain``: the same scene's floor, light
    and camera with nothing lying on it."""
    seed, i, plain = job
    scene: Scene = next(scene_set(None, 1, seed, i))
    image = render(replace(scene, patches=()) if plain else scene).image
    return {sheet: find_sheet(image, sheet) is not None for sheet in AUTO}


def run(fn: Callable[[Any], dict[str, Any]], jobs: Iterable[Any], n: int, workers: int, label: str) -> list[dict]:
    """Map ``fn`` over ``jobs`` in ``workers`` processes, printing progress to stderr."""
    out: list[dict[str, Any]] = []
    t0 = time.time()
    with ProcessPoolExecutor(workers) as pool:
        for res in pool.map(fn, jobs, chunksize=4):
            out.append(res)
            if len(out) % 25 == 0 or len(out) == n:
                print(f"  {label}: {len(out)}/{n} ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    return out


def summary(rows: list[dict[str, Any]]) -> str:
    rows = [r for r in rows if not r.get("skip")]
    found = [r for r in rows if r["found"]]
    rate = f"{len(found)}/{len(rows)} {len(found) / len(rows):6.1%}"
    if not found:
        return f"{rate:>14s}"
    e, e1 = np.array([r["err"] for r in found]), np.array([r["err1"] for r in found])
    c = np.array([r["corner"] for r in found])
    pm, pp = np.median([r["pred_med"] for r in found]), np.median([r["pred_p95"] for r in found])
    return (
        f"{rate:>14s} {np.median(e):7.2f} {np.percentile(e, 95):6.2f} {e.max():6.1f}"
        f" {np.median(e1):8.2f} {np.percentile(e1, 95):8.2f} {np.median(c):8.3f} /{np.percentile(c, 95):6.3f}"
        f" {pm:8.2f} /{pp:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="scenes per reference and negatives")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--references", default="A4,letter,A4-pair,yoga-mat")
    parser.add_argument("--no-negatives", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="list the scenes missed and falsely found")
    args = parser.parse_args()
    t0 = time.time()
    print(f"{args.n} scenes per row, seed {args.seed}; errors: |total turnout| in degrees, corners in px")
    print(
        f"{'reference':22s} {'found':>14s} {'median':>7s} {'p95':>6s} {'max':>6s} {'med@1px':>8s} {'p95@1px':>8s}"
        f" {'corner med/p95':>15s} {'predicted med/p95':>17s}"
    )
    for ref in args.references.split(","):
        if ref not in REFERENCES:
            raise SystemExit(f"unknown reference {ref!r}; use some of {sorted(REFERENCES)}")
        rows = run(one_positive, ((ref, args.seed, i) for i in range(args.n)), args.n, args.jobs, ref)
        label = ref + ("" if ref in AUTO else " (given+refined)")
        print(f"{label:22s} {summary(rows)}", flush=True)
        skipped = [r["i"] for r in rows if r.get("skip")]
        if skipped:
            print(f"{'':22s} ({len(skipped)} scenes left out: a corner outside the image, nothing to click)")
        if args.verbose:
            print(f"{'':22s} missed: {[r['i'] for r in rows if not r['found'] and not r.get('skip')]}")
    if not args.no_negatives:
        for plain, what in ((False, "1-4 distractors each"), (True, "bare floor, nothing on it")):
            jobs = ((args.seed, i, plain) for i in range(args.n))
            rows = run(one_negative, jobs, args.n, args.jobs, "bare floors" if plain else "negatives")
            hits = {sheet: sum(r[sheet] for r in rows) for sheet in AUTO}
            if args.verbose:
                print("false positives at:", {s: [i for i, r in enumerate(rows) if r[s]] for s in AUTO})
            print(
                f"false positives on {args.n} scenes without a reference ({what}): "
                + ", ".join(f"{k} {v}" for k, v in hits.items())
            )
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
