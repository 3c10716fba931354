#!/usr/bin/env python3
"""CPU of the live second stage per frame, by component, from cached pose tracks (no model, no camera, no window).

    .venv/bin/python scripts/bench_stage.py                       # the live bench's clip and a few studio scenes
    .venv/bin/python scripts/bench_stage.py --tracks a.track.npz --rounds 5
    .venv/bin/python scripts/bench_stage.py --dump build/stage-before.pkl --all    # every output, for --compare
    .venv/bin/python scripts/bench_stage.py --compare build/stage-before.pkl build/stage-after.pkl

The live second stage (``RealProcessor.complete`` on the runner's second thread) is
``Pipeline.process_pose`` on the model's raw landmarks: smoothing, the guidance checks, the 3D and picture
measurements, the practice tracker (rolling reference, pliés, holds), the profile tracker, each foot's picture
reading and the display's range hold. A pose track (``*.track.npz``, ``docs/track-format.md``) keeps those raw
landmarks, so replaying it through a fresh :class:`~turnout.session.pipeline.Pipeline` (smoothing on, as live)
does exactly that work. The picture is a grey frame of the track's size (the guidance's light check reads it).

CPU is ``time.thread_time`` of this thread (the host is shared: wall time drifts with the other jobs, CPU time
much less); components are timed by wrapping the pipeline's calls, so their sum is a little under the total
(the wrappers' own cost, ~1 us each, is in the total). Printed per track and over all: median and p95 of the
CPU per frame, and each component's mean and median.

``--dump`` writes every output of every frame (the result's fields, the measurement row, the smoothed
landmarks, events, and at the end the reps, holds, baseline and hip samples) for ``--compare``, which says
whether two dumps are identical (``--tol`` for float round-off).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import math
import os
import pickle
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
#: the Turnout to measure: this tree's, or another's (``BENCH_STAGE_SRC=/path/to/worktree/src``: an older commit)
sys.path.insert(0, os.environ.get("BENCH_STAGE_SRC", str(ROOT / "src")))

#: The live bench's clip (``ballet_plie.mp4`` at 1280x720 in the bench; its track here is of the 1280x720 file
#: as the CLI analysed it) and studio scenes covering plié, hold, relevé, tendu, a stretch and the profile.
DEFAULT_TRACKS = (
    "build/barre/real/ballet_plie.track.npz",
    "build/barre/real/simple_step.track.npz",
    "build/accuracy/uncal/first45_demi.track.npz",
    "build/accuracy/uncal/first45_hold.track.npz",
    "build/accuracy/uncal/first45_releve.track.npz",
    "build/accuracy/uncal/first45_tendu.track.npz",
    "build/accuracy/uncal/stretch_butterfly.track.npz",
    "build/accuracy/uncal/profile_arch_right.track.npz",
)


def all_tracks() -> list[str]:
    """Every cached track of the studio's scenes (uncalibrated analyses) and of the real clips."""
    paths = sorted((ROOT / "build/accuracy/uncal").glob("*.track.npz"))
    paths += sorted((ROOT / "build/barre/real").glob("*.track.npz"))
    return [str(p.relative_to(ROOT)) for p in paths]


def poses(path: Path) -> tuple[Any, list[Any]]:
    from turnout.pose.estimator import PoseFrame
    from turnout.pose.track import load_track

    track = load_track(path)
    out = []
    for i in range(len(track.frame_index)):
        idx, ts = int(track.frame_index[i]), int(track.timestamp_ms[i])
        image, world = track.image[i], track.world[i]
        if int(track.people[i]) > 0 and np.isfinite(image[:, :2]).any():
            out.append(PoseFrame(idx, ts, image.copy(), world.copy(), int(track.people[i])))
        else:
            out.append(PoseFrame(idx, ts, people=int(track.people[i])))
    return track, out


# -- timing by component ----------------------------------------------------------------------------------
class Clock:
    """Accumulates thread CPU per component for the frame in progress."""

    def __init__(self) -> None:
        self.now: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        tt = time.thread_time

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = tt()
            try:
                return fn(*args, **kwargs)
            finally:
                self.now[name] += tt() - t0

        return timed


#: (label, how to wrap it): module-level names the pipeline calls, and its own or its trackers' methods.
MODULE_PARTS = (
    ("guidance (assess)", "assess"),
    ("3D measurements (measure_frame)", "measure_frame"),
    ("picture measurements (measure_image)", "measure_image"),
)
METHOD_PARTS = (
    ("smoothing", "", "_smoothed"),
    ("practice tracker", "tracker", "update"),
    ("profile tracker", "profile", "update"),
    ("feet from the picture", "", "_feet_picture"),
    ("feet range hold", "", "_feet_range"),
)


def instrument(pipeline: Any, clock: Clock) -> Callable[[], None]:
    """Wrap the pipeline's parts with ``clock``; returns the undo."""
    import turnout.session.pipeline as mod

    undo: list[Callable[[], None]] = []
    for label, name in MODULE_PARTS:
        orig = getattr(mod, name)
        setattr(mod, name, clock.wrap(label, orig))
        undo.append(functools.partial(setattr, mod, name, orig))

    def method(obj: Any, name: str, label: str) -> None:
        try:
            setattr(obj, name, clock.wrap(label, getattr(obj, name)))
        except AttributeError:  # slots: the class's function, for this run
            cls = type(obj)
            orig = cls.__dict__[name]
            setattr(cls, name, clock.wrap(label, orig))
            undo.append(lambda: setattr(cls, name, orig))

    for label, owner, name in METHOD_PARTS:
        method(getattr(pipeline, owner) if owner else pipeline, name, label)
    # the tracker's rolling reference, inside "practice tracker" (reported on its own too)
    ref = pipeline.tracker._ref
    for name in ("add", "value", "noise", "releve", "planted"):
        if hasattr(ref, name):
            method(ref, name, "  of which rolling reference")
    method(pipeline.tracker._plies, "update", "  of which pliés")

    def restore() -> None:
        for u in undo:
            u()

    return restore


def run_track(path: Path, parts: bool, frames: list[Any] | None = None, size: tuple[int, int] | None = None
              ) -> tuple[list[float], dict[str, list[float]]]:  # fmt: skip
    """One replay of ``path``: CPU per frame (ms) and per component (ms per frame)."""
    from turnout.session.pipeline import Pipeline

    if frames is None or size is None:
        track, frames = poses(path)
        size = (track.width, track.height)
    bgr = np.full((size[1], size[0], 3), 128, np.uint8)
    pipeline = Pipeline(None)
    clock = Clock()
    restore = instrument(pipeline, clock) if parts else (lambda: None)
    total: list[float] = []
    comps: dict[str, list[float]] = defaultdict(list)
    tt = time.thread_time
    try:
        gc.collect()
        for pose in frames:
            clock.now.clear()
            t0 = tt()
            pipeline.process_pose(pose, bgr)
            total.append((tt() - t0) * 1e3)
            for k, v in clock.now.items():
                comps[k].append(v * 1e3)
            for k in comps:
                if k not in clock.now:
                    comps[k].append(0.0)
        pipeline.finish()
    finally:
        restore()
    return total, comps


def p95(xs: list[float]) -> float:
    return float(np.percentile(xs, 95)) if xs else math.nan


def bench(paths: list[str], rounds: int, parts: bool) -> None:
    order = ["smoothing", "guidance (assess)", "3D measurements (measure_frame)",
             "picture measurements (measure_image)", "practice tracker", "  of which rolling reference",
             "  of which pliés", "profile tracker", "feet from the picture", "feet range hold"]  # fmt: skip
    everything: list[float] = []
    every_comp: dict[str, list[float]] = defaultdict(list)
    print(f"CPU of the second stage per frame (ms, time.thread_time), best of {rounds} rounds per track")
    print(f"{'track':44s} {'frames':>6s} {'median':>7s} {'p95':>7s} {'mean':>7s}")
    for p in paths:
        track, frames = poses(ROOT / p)
        best: tuple[list[float], dict[str, list[float]]] | None = None
        for _ in range(rounds):
            total, comps = run_track(ROOT / p, parts, frames, (track.width, track.height))
            if best is None or statistics.fmean(total) < statistics.fmean(best[0]):
                best = (total, comps)
        assert best is not None
        total, comps = best
        everything += total
        for k, v in comps.items():
            every_comp[k] += v
        print(f"{Path(p).name.removesuffix('.track.npz'):44s} {len(total):6d} {statistics.median(total):7.3f} "
              f"{p95(total):7.3f} {statistics.fmean(total):7.3f}")  # fmt: skip
    print(f"{'all':44s} {len(everything):6d} {statistics.median(everything):7.3f} {p95(everything):7.3f} "
          f"{statistics.fmean(everything):7.3f}")  # fmt: skip
    if parts:
        print("\nby component over all frames (ms per frame): mean, median, p95")
        for k in order + sorted(set(every_comp) - set(order)):
            if k in every_comp:
                v = every_comp[k]
                print(f"  {k:42s} {statistics.fmean(v):7.3f} {statistics.median(v):7.3f} {p95(v):7.3f}")
        known = sum(statistics.fmean(every_comp[k]) for k in every_comp if not k.startswith("  "))
        print(f"  {'rest (FrameResult, flags, guidance, timers)':42s} {statistics.fmean(everything) - known:7.3f}")


def profile(paths: list[str], out: str | None) -> None:
    import cProfile
    import pstats

    loaded = [(p, *poses(ROOT / p)) for p in paths]
    prof = cProfile.Profile()
    prof.enable()
    for p, track, frames in loaded:
        run_track(ROOT / p, False, frames, (track.width, track.height))
    prof.disable()
    st = pstats.Stats(prof)
    if out:
        st.dump_stats(out)
    st.sort_stats("tottime").print_stats(40)
    st.sort_stats("cumulative").print_stats(60)


# -- every output, for comparing two versions ---------------------------------------------------------------
def canon(obj: Any) -> Any:
    """A plain structure of ``obj`` (dataclasses by field, arrays as lists) for exact comparison."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__name__, {f.name: canon(getattr(obj, f.name)) for f in dataclasses.fields(obj)})
    if isinstance(obj, Mapping):
        return {str(k): canon(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [canon(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(canon(v) for v in obj)
    if isinstance(obj, np.ndarray):
        return ("ndarray", str(obj.dtype), list(obj.shape), [canon(v) for v in obj.ravel().tolist()])
    if isinstance(obj, (np.floating, float)):
        return float(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if obj is None or isinstance(obj, (str, int, bool)):
        return obj
    return ("repr", repr(obj))


def outputs(path: Path) -> dict[str, Any]:
    from turnout.session.pipeline import Pipeline

    track, frames = poses(path)
    bgr = np.full((track.height, track.width, 3), 128, np.uint8)
    pipeline = Pipeline(None)
    rows = []
    for pose in frames:
        r = pipeline.process_pose(pose, bgr)
        rows.append(canon({
            "index": r.index, "timestamp_ms": r.timestamp_ms, "reliable": r.reliable, "guidance": r.guidance,
            "active_flags": r.active_flags, "events": r.events, "reps": r.reps, "sets": r.sets, "phase": r.phase,
            "hold_s": r.hold_s, "hip_turnout_deg": r.hip_turnout_deg, "baseline_ready": r.baseline_ready,
            "feet_picture": r.feet_picture, "feet_range": r.feet_range, "feet_hidden": r.feet_hidden,
            "row": r.measurement.as_row() if r.measurement is not None else None,
            "measurement": r.measurement,
            "picture_row": r.picture_row(),
            "image": r.pose.image, "world": r.pose.world,
            "profile_hold_s": pipeline.profile.hold_s, "planted": pipeline.tracker.feet_planted(),
        }))  # fmt: skip
    end = pipeline.finish()
    t = pipeline.tracker
    return {"frames": rows, "finish": canon(end), "reps": canon(t.reps), "holds": canon(t.holds),
            "baseline": canon(t.baseline), "hip_samples": canon(t.hip_samples),
            "session_hip": canon(t.session_hip_estimate())}  # fmt: skip


def diff(a: Any, b: Any, tol: float, where: str = "") -> Iterator[str]:
    if isinstance(a, float) and isinstance(b, float):
        if a == b or (math.isnan(a) and math.isnan(b)):
            return
        if tol > 0 and math.isfinite(a) and math.isfinite(b) and abs(a - b) <= tol * max(1.0, abs(a), abs(b)):
            return
        yield f"{where}: {a!r} != {b!r}"
    elif isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            yield f"{where}: keys {sorted(set(a) ^ set(b))}"
        for k in a.keys() & b.keys():
            yield from diff(a[k], b[k], tol, f"{where}.{k}")
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            yield f"{where}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            yield from diff(x, y, tol, f"{where}[{i}]")
    elif a != b:
        yield f"{where}: {a!r} != {b!r}"


def compare(a_path: Path, b_path: Path, tol: float) -> int:
    a, b = pickle.loads(a_path.read_bytes()), pickle.loads(b_path.read_bytes())
    bad = 0
    frames = 0
    for name in sorted(a.keys() | b.keys()):
        if name not in a or name not in b:  # a track cached since: not compared
            print(f"{name}: only in {'the first' if name in a else 'the second'} (not compared)")
            continue
        frames += len(a[name]["frames"])
        found = list(diff(a[name], b[name], tol, name))
        if found:
            bad += 1
            print(f"{name}: {len(found)} differences, first: " + "; ".join(found[:5]))
    verdict = "identical" if not bad else f"{bad} differ"
    within = f" (tolerance {tol:g} relative)" if tol else ""
    print(f"{len(a.keys() & b.keys())} tracks, {frames} frames compared; {verdict}{within}")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tracks", nargs="*", default=None, help="pose tracks (default: the live clip and 7 scenes)")
    ap.add_argument("--all", action="store_true", help="every cached studio and real track")
    ap.add_argument("--rounds", type=int, default=3, help="replays per track, the best kept (default 3)")
    ap.add_argument("--no-parts", action="store_true", help="total only (no wrappers)")
    ap.add_argument("--profile", nargs="?", const="", default=None, metavar="OUT", help="cProfile instead")
    ap.add_argument("--dump", type=Path, default=None, help="write every output to this pickle")
    ap.add_argument("--compare", nargs=2, type=Path, default=None, metavar=("A", "B"))
    ap.add_argument("--tol", type=float, default=0.0, help="relative tolerance for --compare (default exact)")
    args = ap.parse_args()
    if args.compare:
        return compare(args.compare[0], args.compare[1], args.tol)
    paths = all_tracks() if args.all else (args.tracks or list(DEFAULT_TRACKS))
    if args.dump:
        out = {}
        for p in paths:
            out[Path(p).name.removesuffix(".track.npz") + f" ({Path(p).parent.name})"] = outputs(ROOT / p)
        args.dump.parent.mkdir(parents=True, exist_ok=True)
        args.dump.write_bytes(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
        print(f"{len(out)} tracks, {sum(len(v['frames']) for v in out.values())} frames -> {args.dump}")
        return 0
    if args.profile is not None:
        profile(paths, args.profile or None)
        return 0
    bench(paths, args.rounds, not args.no_parts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
