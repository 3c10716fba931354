"""Relevés in views outside the catalogue, drawn at random (camera 0.7-1.4 m up, 2.2-3.4 m away, up to 15 degrees to
her side; every body, look and skin of the studio; feet 30, 45 or 60): three relevés each, straight or with the knees
bent 20-40 degrees, counted by ``turnout.practice.barre`` over ``turnout analyze``'s rows through the real pose model,
against each scene's truth. A check of the principle on views nobody tuned for, like ``scripts/variant_sweep.py``:
every seed's result is reported as it comes (docs/thresholds.md, "Relevé").

    python scripts/releve_sweep.py [--seed N] [--scenes N]

Renders are 640x360 at 12 fps (about 95 frames each), cached under build/studio/ like the catalogue's; the analyses
go to build/releve_sweep/.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from turnout.practice.barre import count_rows
from turnout.testing.frames_csv import read_frame_rows
from turnout.testing.studio import cached
from turnout.testing.studio.scenes import CATALOGUE, scene_from_dict

ROOT = Path(__file__).resolve().parents[1]
BODIES = ("f_avg", "f_tall", "f_petite", "f_strong", "m_avg")
LOOKS = ("leotard", "trousers", "bare_legs", "leggings")
SKINS = ("light", "medium", "dark")
BENDS = (0, 0, 20, 25, 30, 40)


def draw(rng: random.Random) -> dict[str, Any]:
    script = ["stand 1.5"]
    for bend in [rng.choice(BENDS) for _ in range(3)]:
        script += [f"releve 1.6 bend={bend}" if bend else "releve 1.6", "stand 0.5"]
    return {
        "width": 640, "height": 360, "fps": 12, "body": rng.choice(BODIES), "look": rng.choice(LOOKS),
        "skin": rng.choice(SKINS), "feet": rng.choice((30, 45, 60)),
        "camera": {"height": round(rng.uniform(0.7, 1.4), 2), "distance": round(rng.uniform(2.2, 3.4), 2),
                   "yaw": round(rng.uniform(-15.0, 15.0), 1)},
        "script": script, "seed": rng.randrange(1000),
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--scenes", type=int, default=10)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    defaults = tomllib.loads(CATALOGUE.read_text()).get("defaults", {})
    cli = str(Path(sys.executable).with_name("turnout"))
    counted = expected = 0
    right = {"bent": [0, 0], "straight": [0, 0]}  # [right, of]
    for i in range(a.scenes):
        spec = draw(rng)
        name = f"x_rsweep_{a.seed}_{i:02d}"
        clip = cached(scene_from_dict(name, {**spec, "description": name, "tags": ["sweep"]}, defaults))
        out = ROOT / "build" / "releve_sweep" / name
        subprocess.run([cli, "analyze", str(clip.video), "--no-store", "--quiet", "--out", str(out), "--jobs", "1"],
                       check=True, capture_output=True)  # fmt: skip
        rows = read_frame_rows(out / f"{clip.video.stem}.frames.csv")
        times = [r["timestamp_ms"] / 1000.0 for r in rows]
        releves, _, _ = count_rows(times, rows, [r["reliable"] == 1.0 for r in rows])
        truth = json.loads(clip.truth.read_text())["expected"]["releves"]
        counted, expected = counted + len(releves), expected + len(truth)
        if len(releves) == len(truth):
            for want, got in zip(truth, releves, strict=True):
                right[want["knees"]][0] += got.knees == want["knees"]
                right[want["knees"]][1] += 1
        print(f"{name} {spec['body']:8s} {spec['look']:9s} feet {spec['feet']} camera {spec['camera']}: "
              f"truth {[(x['knees'], x['bend_deg']) for x in truth]}, "
              f"read {[(r.knees, round(r.knee_bend_deg, 1)) for r in releves]}", flush=True)  # fmt: skip
    print(
        f"seed {a.seed}: relevés {counted} of {expected}; knees right (scenes counted in full): bent "
        f"{right['bent'][0]} of {right['bent'][1]}, straight {right['straight'][0]} of {right['straight'][1]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
