"""End-to-end accuracy on the studio: every scene through the real pose model and the real pipeline.

Renders the catalogue (or reads it from the cache, build/studio/), runs the ``turnout analyze`` command line on
every clip (uncalibrated; and floor-calibrated with ``--floor`` on the scenes with a sheet), and compares the
per-frame measurements, the reps and the flags with the scene's truth; where MediaPipe puts its heel (29/30)
and foot_index (31/32) landmarks comes from the ``*.track.npz`` files. Writes ``docs/accuracy.md`` and a figure.

    python scripts/studio_accuracy.py [--scenes a b ...] [--jobs 2] [--turnout PATH]

Only the command line, its JSON and its ``--out`` files (docs/track-format.md) are used, never Turnout's modules.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # rendering workers: one thread each
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "src"))

from studio_compare import compare_scene, frames_again  # noqa: E402
from studio_tables import write_report  # noqa: E402
from turnout.testing.studio import cached, load_catalogue  # noqa: E402

FLOOR_REFS = {"A4": "A4", "letter": "letter", "yoga-mat": "yoga-mat"}


def _render(name: str) -> tuple[str, str, str, int, float, bool]:
    result = cached(load_catalogue()[name])
    return name, str(result.video), str(result.truth), result.frames, result.seconds, result.cached


def _analyze(turnout: str, videos: list[str], out: Path, extra: list[str], jobs: int) -> dict[str, Any]:
    """One ``turnout analyze`` run over several clips; JSON documents by clip stem."""
    out.mkdir(parents=True, exist_ok=True)
    cmd = [turnout, "analyze", *videos, "--json", "--no-store", "--quiet", "--out", str(out), "--jobs", str(jobs),
           *extra]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 2) or not proc.stdout.strip():
        raise SystemExit(f"turnout analyze failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    doc = json.loads(proc.stdout)
    docs = doc.get("videos", [doc])
    return {Path(d["source"]).stem: d for d in docs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenes", nargs="*", help="scene names (default: the whole catalogue)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--turnout", default=os.environ.get("TURNOUT_CLI", str(ROOT / ".venv" / "bin" / "turnout")))
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "accuracy")
    parser.add_argument("--md", type=Path, default=ROOT / "docs" / "accuracy.md")
    parser.add_argument("--figure", type=Path, default=ROOT / "docs" / "figures" / "studio_accuracy.png")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from the last results.json and frames CSVs"
    )
    args = parser.parse_args()
    if args.report_only:
        saved = json.loads((args.out / "results.json").read_text())
        catalogue = load_catalogue()
        for result in saved["results"]:  # the per-frame errors again from the frames CSVs (cheap; no analysis)
            if result["scene"] in catalogue:
                truth = json.loads(cached(catalogue[result["scene"]]).truth.read_text())
                frames_again(result, truth, args.out / result["mode"])
        (args.out / "results.json").write_text(json.dumps(saved, indent=1))
        write_report(saved["results"], saved["timing"], args.md, args.figure)
        return
    start = time.perf_counter()
    catalogue = load_catalogue()
    names = args.scenes or list(catalogue)
    clips: dict[str, tuple[str, str]] = {}
    render_s, render_frames, rendered = 0.0, 0, 0
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for name, video, truth, frames, seconds, was_cached in pool.map(_render, names):
            clips[name] = (video, truth)
            if not was_cached:
                render_s, render_frames, rendered = render_s + seconds, render_frames + frames, rendered + 1
    t_render = time.perf_counter() - start
    print(f"rendered {rendered} scenes ({render_frames} frames, {render_s / max(render_frames, 1):.3f} s/frame of "
          f"one core), {len(names) - rendered} cached; {t_render:.0f} s", flush=True)  # fmt: skip
    # one analyze run per (mirrored, floor reference) group, so the CLI shares the cores among its workers
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    groups: dict[tuple[bool, str], list[str]] = {}
    for name in names:
        sc = catalogue[name]
        groups.setdefault((sc.mirrored, ""), []).append(name)
        if sc.refs:
            groups.setdefault((sc.mirrored, sc.refs[0].kind), []).append(name)
    for (mirrored, ref), members in groups.items():
        mode = "floor" if ref else "uncal"
        extra = (["--mirrored"] if mirrored else []) + (["--floor", FLOOR_REFS[ref]] if ref else [])
        out = args.out / mode
        docs = _analyze(args.turnout, [clips[n][0] for n in members], out, extra, args.jobs)
        for n in members:
            runs[(n, mode)] = {"doc": docs.get(n), "out": out}
    t_analyze = time.perf_counter() - start - t_render
    print(f"analysed {len(runs)} runs in {t_analyze:.0f} s", flush=True)
    results = []
    for (name, mode), run in runs.items():
        truth = json.loads(Path(clips[name][1]).read_text())
        results.append(compare_scene(name, mode, truth, run["doc"], run["out"], catalogue[name]))
    total = time.perf_counter() - start
    timing = {"render_s": round(t_render, 1), "analyze_s": round(t_analyze, 1), "total_s": round(total, 1),
              "rendered_scenes": rendered, "render_frames": render_frames,
              "render_s_per_frame": round(render_s / render_frames, 3) if render_frames else None,
              "scenes": len(names), "runs": len(runs)}  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"timing": timing, "results": results}, indent=1))
    write_report(results, timing, args.md, args.figure)
    print(f"wrote {args.md} and {args.figure}; total {total:.0f} s", flush=True)


if __name__ == "__main__":
    main()
