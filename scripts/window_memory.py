#!/usr/bin/env python3
"""The window's memory over many opened videos (issue 19, item 10): a benchmark, not a test.

    .venv/bin/python scripts/window_memory.py [--videos 40] [--frames 40] [--clip PATH] [--json OUT.json]

Opens the real window offscreen (``QT_QPA_PLATFORM=offscreen``; its preferences, database and settings in a
temporary folder), makes short clips with OpenCV from ``ballet_plie.mp4`` (``--frames`` frames each, from a
different point of the clip each time, each its own file), and plays them one after another through the window's
own "Play a video in Live" path (``MainWindow.open_video``: the real engine, processor and pose model), each to
its end. After each video it prints the process's resident size (``VmRSS``), how many processors, pose
estimators, pipelines and runs the collector still tracks (frozen objects are not among them: ``frozen`` is
``gc.get_freeze_count()``), the threads, and glibc's ``mallinfo2`` (``malloc_used_mb``: what malloc has handed
out; ``malloc_free_mb``: what it holds free inside its arenas), nothing collected by hand unless ``--collect``
asks for it. ``--trim`` calls ``malloc_trim(0)`` after each video, ``--no-pool`` gives each video new models (as
before issue 19), ``--rest S`` reports again after S seconds with the window left alone (idle models are closed
after 60 s). Figures and their reading: docs/reliability.md (issue 19, item 10).

The issue's target: under 20 MB of growth after the first 10 videos.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CLIP = ROOT.parent / "shared" / "media" / "commons" / "ballet_plie.mp4"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_live import rss_mb  # noqa: E402  (the live benchmark's resident-size reader)


def make_clips(src: Path, folder: Path, n: int, frames: int) -> list[Path]:
    """``n`` short clips of ``frames`` frames each, starting at different points of ``src`` (its own size)."""
    import cv2

    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    all_frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        all_frames.append(frame)
    cap.release()
    if len(all_frames) < frames:
        raise SystemExit(f"{src}: only {len(all_frames)} frames, {frames} asked for")
    h, w = all_frames[0].shape[:2]
    step = max(1, (len(all_frames) - frames) // max(1, n - 1))
    out = []
    for i in range(n):
        start = (i * step) % (len(all_frames) - frames + 1)
        path = folder / f"clip-{i + 1:02d}.mp4"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
        for frame in all_frames[start : start + frames]:
            writer.write(frame)
        writer.release()
        out.append(path)
    return out


class _MallInfo2:
    """glibc's ``mallinfo2()``: what malloc holds, summed over its arenas (None where there is no glibc)."""

    def __init__(self) -> None:
        import ctypes
        import ctypes.util

        class Info(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in (
                "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                "keepcost")]  # fmt: skip

        self._libc = None
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            libc.mallinfo2.restype = Info
            self._libc = libc
        except (OSError, AttributeError):
            pass

    def __call__(self) -> dict[str, float]:
        """MB in use (small blocks + mmapped ones) and MB free inside malloc's heaps."""
        if self._libc is None:
            return {}
        info = self._libc.mallinfo2()
        return {
            "malloc_used_mb": round((info.uordblks + info.hblkhd) / 2**20, 1),
            "malloc_free_mb": round(info.fordblks / 2**20, 1),
        }

    def trim(self) -> None:
        if self._libc is not None:
            self._libc.malloc_trim(0)


def threads() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


def alive(kinds: tuple[str, ...]) -> dict[str, int]:
    """How many objects of each class name are alive (tracked by the collector)."""
    counts = dict.fromkeys(kinds, 0)
    for obj in gc.get_objects():
        name = type(obj).__name__
        if name in counts:
            counts[name] += 1
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--videos", type=int, default=40)
    ap.add_argument("--frames", type=int, default=40, help="frames per short clip")
    ap.add_argument("--clip", type=Path, default=DEFAULT_CLIP)
    ap.add_argument("--collect", action="store_true", help="gc.collect() after each video (to tell leaks from garbage)")
    ap.add_argument("--trim", action="store_true", help="malloc_trim(0) after each video (measurement aid)")
    ap.add_argument("--no-pool", action="store_true", help="a new model per video, as before (to compare)")
    ap.add_argument(
        "--rest",
        type=float,
        default=0.0,
        help="after the last video, leave the window alone this many seconds and report again",
    )
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="turnout-window-memory-"))
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache")):
        os.environ[var] = str(tmp / sub)
    os.environ["TURNOUT_DATA_DIR"] = str(tmp / "data" / "turnout")
    os.environ.setdefault("MPLCONFIGDIR", str(tmp / "cache" / "matplotlib"))
    clips = make_clips(args.clip, tmp, args.videos, args.frames)

    from turnout.app.guide import SEEN_KEY
    from turnout.app.main import create_window
    from turnout.app.prefs import default_qsettings
    from turnout.capture import cores

    if args.no_pool:
        from turnout.pose.runtime import POOL

        POOL.idle_per_key = 0  # every model given back is closed: a new one per video, as before issue 19
    qs = default_qsettings()  # no camera at start, no first-run card: only the videos
    qs.setValue("autostart", False)
    qs.setValue(SEEN_KEY, True)
    qs.sync()
    cores.reserve()
    app, window, controller = create_window(argparse.Namespace(db=None, model=None, camera=None))
    app.processEvents()

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    kinds = ("RealProcessor", "PoseEstimator", "Pipeline", "_Run", "LiveRunner")
    rows = []
    mallinfo = _MallInfo2()
    base = rss_mb()
    print(f"start: {base:.1f} MB resident", flush=True)
    t_all = time.monotonic()
    for i, clip in enumerate(clips, 1):
        t0 = time.monotonic()
        window.open_video(clip)
        while controller.running:  # the controller stops itself at the file's end
            app.processEvents()
            time.sleep(0.005)
            if time.monotonic() - t0 > 120:
                print(f"video {i}: not finished after 120 s", file=sys.stderr)
                return 1
        controller.wait_closed()
        settle(0.3)  # the last results and status reach the window
        if args.collect:
            gc.collect()
        if args.trim:
            mallinfo.trim()
        counts: dict[str, float] = dict(alive(kinds))
        counts["frozen"] = gc.get_freeze_count()  # objects the collector never looks at again
        counts["threads"] = threads()
        counts.update(mallinfo())
        rss = rss_mb()
        rows.append({"video": i, "rss_mb": round(rss, 1), "seconds": round(time.monotonic() - t0, 2), **counts})
        print(f"video {i:2d}: {rss:7.1f} MB  (+{rss - base:6.1f})  {time.monotonic() - t0:5.1f} s  "
              + "  ".join(f"{k} {v}" for k, v in counts.items()), flush=True)  # fmt: skip
    rested = None
    if args.rest > 0:  # the pool closes models idle for IDLE_TIMEOUT_S (60 s) and gives their memory back
        settle(args.rest)
        rested = round(rss_mb(), 1)
        print(f"after {args.rest:g} s at rest: {rested:.1f} MB  " + json.dumps(mallinfo()), flush=True)
    window.close()
    app.processEvents()
    tenth = rows[min(9, len(rows) - 1)]["rss_mb"]
    last = rows[-1]["rss_mb"]
    summary = {
        "start_mb": round(base, 1), "after_first_mb": rows[0]["rss_mb"], "after_10_mb": tenth, "last_mb": last,
        "growth_after_10_mb": round(last - tenth, 1), "videos": len(rows), "frames_per_video": args.frames,
        "rest_s": args.rest, "after_rest_mb": rested,
        "collect": args.collect, "trim": args.trim, "pool": not args.no_pool,
        "malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX"), "seconds": round(time.monotonic() - t_all, 1),
    }  # fmt: skip
    print(json.dumps(summary), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
