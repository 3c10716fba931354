"""Pliés in views outside the catalogue, drawn at random within issue 16's target range (camera 0.6-1.4 m up,
2.2-3.4 m away, up to 15 degrees to her side; every body, look and skin of the studio), correct and forced (feet 20
degrees or more beyond the hips) in first, second and parallel: what the tracker counts and flags through the real
pose model (``turnout analyze``). A check of the principle on views nobody tuned for, not a tuning set: a seed is a
sample, and every seed's result is reported as it is (docs/measurements.md, "Views outside the catalogue").

    python scripts/variant_sweep.py [--seed N] [--scenes N] [--yaw LO HI]

``--yaw LO HI`` puts the camera LO to HI degrees to her side, either side, instead of within 15 either side: beyond
the issue's range, toward a three-quarter view (her pliés are counted there, her knees judged while she reads as
facing the camera; docs/measurements.md). Without it a seed draws the scenes it always drew.

Renders are 640x360 at 12 fps (two demi-pliés each, 100 frames), cached under build/studio/ like the catalogue's.
At the end, each leg's knee against its foot at the plié's bottom against the truth, per position, correct and forced
(as ``make accuracy`` reports the catalogue's, ``studio_compare.rep_errors``): the reading's error, and its knee's and
its foot's parts.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from studio_compare import rep_errors
from turnout.testing.studio import cached
from turnout.testing.studio.scenes import scene_from_dict

BODIES = ("f_avg", "f_tall", "f_petite", "f_strong", "m_avg")
LOOKS = ("leotard", "trousers", "bare_legs", "leggings")
SKINS = ("light", "medium", "dark")
#: (position, feet, hips): correct ones and forced ones (feet 25 or 30 beyond the hips)
KINDS = (("first", 45, 45), ("first", 60, 60), ("first", 30, 30), ("first", 60, 35), ("first", 55, 30),
         ("second", 45, 45), ("second", 60, 35), ("parallel", 0, 0))  # fmt: skip
FAULTS = frozenset({"knees_inside_toes", "forced_turnout"})


def draw(rng: random.Random, yaw: tuple[float, float] | None = None) -> dict[str, Any]:
    pos, feet, hips = rng.choice(KINDS)
    spec: dict[str, Any] = {
        "fps": 12, "width": 640, "height": 360, "position": pos, "feet": feet, "hips": hips,
        "body": rng.choice(BODIES), "look": rng.choice(LOOKS), "skin": rng.choice(SKINS),
        "camera": {"height": round(rng.uniform(0.6, 1.4), 2), "distance": round(rng.uniform(2.2, 3.4), 2),
                   "yaw": round(rng.uniform(-15.0, 15.0), 1)},
        "script": ["stand 1.5", "demi 3", "stand 0.8", "demi 3", "stand 1"], "seed": rng.randrange(1000),
    }  # fmt: skip
    if yaw is not None:  # drawn last: without it a seed draws the scenes it always drew
        spec["camera"]["yaw"] = round(rng.uniform(*yaw) * rng.choice((-1.0, 1.0)), 1)
    return spec


def _deg(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def analyze(video: Path) -> dict[str, Any]:
    cli = str(Path(sys.executable).with_name("turnout"))
    cmd = [cli, "analyze", str(video), "--json", "--no-store", "--quiet", "--jobs", "1"]
    result: dict[str, Any] = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    return result


def _spread(values: list[float], q: tuple[float, ...] = (50, 5, 95)) -> str:
    """The finite ``values``' percentiles ``q`` (median, p5, p95) as table cells; "-" where there are none."""
    v = np.array([x for x in values if math.isfinite(x)])
    return " | ".join(f"{np.percentile(v, p):+.1f}" if v.size else "-" for p in q)


def knee_table(legs: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    """Per position and kind (correct / forced): legs, legs with a number, the reading's error (median, p5, p95:
    negative = read further inside than true), its knee's part and its foot's part (medians)."""
    out = ["| position | pliés | legs | with a number | error median | p5 | p95 | knee part | foot part |",
           "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for pos in sorted({p for p, _, _ in legs}):
        for kind in ("correct", "forced"):
            sel = [k for p, c, k in legs if p == pos and c == kind]
            if not sel:
                continue
            n = sum(math.isfinite(k["err"]) for k in sel)
            err, knee, foot = ([k[f] for k in sel] for f in ("err", "knee_err", "foot_err"))
            out.append(f"| {pos} | {kind} | {len(sel)} | {n} | {_spread(err)} | {_spread(knee, (50,))} | "
                       f"{_spread(foot, (50,))} |")  # fmt: skip
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--scenes", type=int, default=16)
    ap.add_argument("--yaw", type=float, nargs=2, metavar=("LO", "HI"), help="camera LO-HI degrees to her side")
    a = ap.parse_args()
    if a.yaw is not None and not 0.0 <= a.yaw[0] <= a.yaw[1] <= 60.0:
        ap.error(f"--yaw {a.yaw[0]:g} {a.yaw[1]:g}: give 0 <= LO <= HI <= 60 (degrees to her side)")
    rng = random.Random(a.seed)
    found = expected = 0
    counts = {"forced": [0, 0], "correct": [0, 0]}  # [pliés, flagged]
    legs: list[tuple[str, str, dict[str, Any]]] = []  # (position, kind, the leg's errors)
    turned = "" if a.yaw is None else f"yaw{a.yaw[0]:g}_{a.yaw[1]:g}_"
    for i in range(a.scenes):
        spec = draw(rng, None if a.yaw is None else (a.yaw[0], a.yaw[1]))
        name = f"x_sweep_{turned}{i:02d}_{spec['position']}{spec['feet']}_{spec['hips']}"
        clip = cached(scene_from_dict(name, {**spec, "description": name, "tags": ["sweep"]}))
        result = analyze(clip.video)
        reps = result["reps"]
        expected, found = expected + 2, found + len(reps)
        kind = "forced" if spec["feet"] - spec["hips"] >= 20 else "correct"
        for m in rep_errors(json.loads(clip.truth.read_text()), result)["matched"]:
            legs += [(spec["position"], kind, k) for k in (m.get("knees") or {}).values()]
        for rep in reps:
            counts[kind][0] += 1
            counts[kind][1] += bool({f["code"] for f in rep["flags"]} & FAULTS)
        rel = [{s: _deg(v.get("knee_vs_foot")) for s, v in r["knees_deg"].items()} for r in reps]
        flags = [sorted(f"{f['code']}:{f.get('side')}" for f in r["flags"]) for r in reps]
        print(f"{name:26s} {spec['body']:8s} {spec['look']:9s} {spec['skin']:6s} camera {spec['camera']}: "
              f"{len(reps)} of 2 pliés, knee vs foot {rel}, flags {flags}", flush=True)  # fmt: skip
    print(
        f"seed {a.seed}: pliés {found} of {expected}; forced flagged {counts['forced'][1]} of {counts['forced'][0]}; "
        f"correct flagged {counts['correct'][1]} of {counts['correct'][0]}"
    )
    print("\nEach knee against its foot at the bottom, measured - true (degrees):")
    print("\n".join(knee_table(legs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
