"""Fifth position seen in more ways than the catalogue's two scenes: the front knee's verdict (issue 16;
docs/measurements.md, "Fifth position"). Each view renders a correct fifth (feet 45, knees over them) and a forced
one (feet 60, hips 35) with one demi-plié, 640x360 at 12 fps, cached under build/studio/ like the catalogue's
scenes; each video is analysed twice with ``turnout analyze`` through the real pose model: as rendered (her right
foot in front) and with ``--mirrored`` (flipped before the pose model: a dancer with her left foot in front). It
prints each plié's knees and flags, and the totals: forced pliés flagged, correct pliés flagged (must be none),
and the verdicts given.

    python scripts/fifth_study.py [VIEW ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from turnout.testing.studio import cached
from turnout.testing.studio.scenes import scene_from_dict

BASE: dict[str, Any] = {
    "fps": 12, "width": 640, "height": 360, "position": "fifth", "script": ["stand 1.5", "demi 3", "stand 1"],
}  # fmt: skip
VIEWS: dict[str, dict[str, Any]] = {
    "low": {"camera": {"height": 0.6, "distance": 2.8}},
    "high": {"camera": {"height": 1.4, "distance": 3.2}},
    "near": {"camera": {"height": 0.9, "distance": 2.2}},
    "petite": {"body": "f_petite", "look": "leggings"},
    "tall": {"body": "f_tall", "look": "trousers"},
    "yaw": {"camera": {"height": 1.0, "distance": 2.8, "yaw": 12}},
}
KINDS: dict[str, dict[str, Any]] = {"correct": {"feet": 45}, "forced": {"feet": 60, "hips": 35}}


def analyze(video: Path, mirrored: bool) -> dict[str, Any]:
    cli = str(Path(sys.executable).with_name("turnout"))
    cmd = [cli, "analyze", str(video), "--json", "--no-store", "--quiet", "--jobs", "1"]
    proc = subprocess.run(cmd + (["--mirrored"] if mirrored else []), capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def main(argv: list[str]) -> int:
    views = argv or list(VIEWS)
    unknown = [v for v in views if v not in VIEWS]
    if unknown:
        print(f"unknown view {unknown[0]!r}: choose from {', '.join(VIEWS)}", file=sys.stderr)
        return 2
    flagged = {kind: 0 for kind in KINDS}
    pliés = {kind: 0 for kind in KINDS}
    verdicts = {kind: 0 for kind in KINDS}
    for view in views:
        for kind, feet in KINDS.items():
            name = f"x_fifth_{kind}_{view}"
            spec = {**BASE, **VIEWS[view], **feet, "description": name, "tags": ["fifth"]}
            clip = cached(scene_from_dict(name, spec))
            for mirrored in (False, True):
                reps = analyze(clip.video, mirrored)["reps"]
                for rep in reps:
                    rel = {s: (v or {}).get("knee_vs_foot") for s, v in rep["knees_deg"].items()}
                    codes = sorted(f"{f['code']}:{f.get('side')}" for f in rep["flags"])
                    faults = [c for c in codes if c.split(":")[0] in ("knees_inside_toes", "forced_turnout")]
                    pliés[kind] += 1
                    flagged[kind] += bool(faults)
                    verdicts[kind] += sum(v is not None for v in rep["knees"].values())
                    shown = {s: None if v is None else round(v, 1) for s, v in rel.items()}
                    print(f"{name:26s} {'left' if mirrored else 'right'} in front: {rep['knees']} {shown} {codes}")
                if not reps:
                    print(f"{name:26s} {'left' if mirrored else 'right'} in front: no plié found")
    print(
        f"forced pliés flagged {flagged['forced']} of {pliés['forced']}; correct pliés flagged {flagged['correct']} "
        f"of {pliés['correct']}; knee verdicts given: forced {verdicts['forced']}, correct {verdicts['correct']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
