"""Measure floor calibration on rendered scenes: detection rate, false positives, total-turnout error.

Renders N random scenes per reference (fixed seed; 1280x720 and 960x540 alternately) in the envelope of
issue 4 (webcam 60-78 degrees, lens 0.5-1.5 m high, dancer 2-3.5 m away, reference 0.2-1 m in front of her
feet, turned up to 40 degrees), detects the reference, maps exact heel/toe projections back to the floor and
compares the angle between the feet with the truth. A second column adds 1 px of noise to heel and toe.
The yoga mat is coloured, so it is not detected: its corners are "clicked" (truth + 1.5 px noise) and then
refined by the same edge fit. Negatives: scenes without a reference but with 1-4 distractors.

    .venv/bin/python scripts/calibration_report.py [--n 300] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from turnout.calibration import REFERENCES, FloorCalibration, find_sheet, refine_corners
from turnout.calibration.floor import angle_between_deg
from turnout.calibration.render import Rendered, random_scene, render

SIZES = ((1280, 720), (960, 540))


def turnout_errors(cal: FloorCalibration, r: Rendered, rng: np.random.Generator) -> tuple[float, float]:
    """(exact points, points with 1 px noise) absolute total-turnout error in degrees."""
    out = []
    for noise in (0.0, 1.0):
        heels = cal.image_to_floor(r.heels_px + rng.normal(0, noise, (2, 2)))
        toes = cal.image_to_floor(r.toes_px + rng.normal(0, noise, (2, 2)))
        out.append(abs(angle_between_deg(toes[0] - heels[0], toes[1] - heels[1]) - r.scene.total_turnout_deg))
    return out[0], out[1]


def calibrate(r: Rendered, reference: str, rng: np.random.Generator) -> FloorCalibration | None:
    if reference != "yoga-mat":
        return find_sheet(r.image, reference)
    assert r.corners_px is not None
    clicked = r.corners_px + rng.normal(0, 1.5, (4, 2))
    refined = refine_corners(r.image, clicked)
    if refined is None:
        return None
    corners, sd, _ = refined
    w, length = REFERENCES[reference]
    return FloorCalibration.from_corners(corners, w, length, r.image.shape[1::-1], reference, float(np.max(sd)))


def run_reference(reference: str, n: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    errs, noisy, corner_err, expected = [], [], [], []
    found = 0
    for i in range(n):
        scene = random_scene(rng, SIZES[i % 2], reference=reference, distractors=int(rng.integers(0, 3)))
        r = render(scene)
        cal = calibrate(r, reference, rng)
        if cal is None:
            continue
        assert r.corners_px is not None
        dist = np.linalg.norm(cal.corners_px[:, None] - r.corners_px[None], axis=2).min(axis=1)
        found += 1
        e, en = turnout_errors(cal, r, rng)
        errs.append(e)
        noisy.append(en)
        corner_err.append(float(dist.max()))
        if i < 60:
            expected.append(cal.expected_turnout_error_deg(behind_m=0.6, samples=100)[1])
    a, b = np.array(errs), np.array(noisy)
    return {
        "found": found / n,
        "median": float(np.median(a)),
        "p95": float(np.percentile(a, 95)),
        "max": float(a.max()),
        "median_1px": float(np.median(b)),
        "p95_1px": float(np.percentile(b, 95)),
        "corner_median": float(np.median(corner_err)),
        "corner_p95": float(np.percentile(corner_err, 95)),
        "expected_p95": float(np.median(expected)),
    }


def run_negatives(n: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng(seed + 1000)
    hits = {"A4": 0, "letter": 0}
    for i in range(n):
        r = render(random_scene(rng, SIZES[i % 2], reference=None, distractors=int(rng.integers(1, 5))))
        for sheet in hits:
            hits[sheet] += find_sheet(r.image, sheet) is not None
    return {k: v / n for k, v in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="scenes per reference and negatives")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--references", default="A4,letter,A4-pair,yoga-mat")
    args = parser.parse_args()
    t0 = time.time()
    print(f"{args.n} scenes per row, seed {args.seed}; errors are |total turnout| in degrees")
    print(
        f"{'reference':22s} {'found':>6s} {'median':>7s} {'p95':>6s} {'max':>6s} {'med@1px':>8s} {'p95@1px':>8s}"
        f" {'corner med/p95 px':>18s} {'predicted p95':>13s}"
    )
    for ref in args.references.split(","):
        m = run_reference(ref, args.n, args.seed)
        label = ref + (" (clicked+refined)" if ref == "yoga-mat" else "")
        print(
            f"{label:22s} {m['found']:6.1%} {m['median']:7.2f} {m['p95']:6.2f} {m['max']:6.1f}"
            f" {m['median_1px']:8.2f} {m['p95_1px']:8.2f} {m['corner_median']:8.3f} / {m['corner_p95']:.3f}"
            f" {m['expected_p95']:13.2f}",
            flush=True,
        )
    fp = run_negatives(args.n, args.seed)
    print(f"false positives on {args.n} scenes without a sheet: A4 {fp['A4']:.1%}, letter {fp['letter']:.1%}")
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
