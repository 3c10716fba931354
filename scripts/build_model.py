#!/usr/bin/env python3
"""Build models/pose_landmarker_full.task offline from the pinned mediapipe 0.10.21 wheel (`make model`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    from turnout.pose.modelbuild import build

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, default=ROOT / "models" / "pose_landmarker_full.task")
    p.add_argument("--cache", type=Path, default=ROOT / "models" / ".cache")
    p.add_argument("--no-verify", action="store_true", help="skip loading the bundle once to check it")
    args = p.parse_args()
    try:
        digest = build(args.out, args.cache, verify=not args.no_verify)
    except RuntimeError as exc:
        print(f"turnout: model build failed: {exc}", file=sys.stderr)
        return 2
    print(f"built {args.out} sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
