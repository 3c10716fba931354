"""``python -m turnout.testing.studio list | render SCENE... --out DIR``."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .render import cache_root, cached
from .scenes import CATALOGUE, load_catalogue


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m turnout.testing.studio", description=__doc__)
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE, help="scene file (default: scenes.toml)")
    sub = parser.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="the scenes of the catalogue")
    ls.add_argument("--tag", help="only scenes with this tag")
    rn = sub.add_parser("render", help="render scenes (or copy them from the cache)")
    rn.add_argument("scenes", nargs="+", metavar="SCENE", help="scene names, or 'all'")
    rn.add_argument("--out", type=Path, required=True, help="folder for SCENE.mp4 and SCENE.truth.json")
    rn.add_argument("--refresh", action="store_true", help="render again even when cached")
    rn.add_argument("--cache", type=Path, default=None, help=f"cache folder (default: {cache_root()})")
    args = parser.parse_args(argv)
    try:
        scenes = load_catalogue(args.catalogue)
    except (OSError, ValueError) as exc:
        print(f"studio: {exc}", file=sys.stderr)
        return 2
    if args.command == "list":
        for name, sc in scenes.items():
            if args.tag and args.tag not in sc.tags:
                continue
            d, c = sc.dancer, sc.camera
            dur = sum(it.seconds for it in d.items())
            print(f"{name:24s} {d.position:8s} feet {d.feet_deg[0]:g}/{d.feet_deg[1]:g} hips {d.hips_deg[0]:g}/"
                  f"{d.hips_deg[1]:g}  {dur:4.1f} s  {d.body}/{d.look}/{d.skin}  cam {c.height_m:g} m, "
                  f"{c.distance_m:g} m, yaw {c.yaw_deg:g}{_pelvis(d.pelvis_deg)}  {sc.description}")  # fmt: skip
        return 0
    names = list(scenes) if args.scenes == ["all"] else args.scenes
    missing = [n for n in names if n not in scenes]
    if missing:
        print(f"studio: no scene {', '.join(missing)} in {args.catalogue.name} (see `list`)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for name in names:
        result = cached(scenes[name], args.cache, refresh=args.refresh)
        for path in (result.video, result.truth):
            if path.parent.resolve() != args.out.resolve():
                shutil.copy2(path, args.out / path.name)
        how = (
            "cached"
            if result.cached
            else f"rendered in {result.seconds:.1f} s ({result.seconds / result.frames:.3f} s/frame)"
        )
        print(f"{name}: {result.frames} frames, {how} -> {args.out / result.video.name}")
    return 0


def _pelvis(deg: float) -> str:
    return "" if not deg else f"  pelvis {'arch' if deg > 0 else 'tuck'} {abs(deg):g}"


if __name__ == "__main__":
    sys.exit(main())
