#!/usr/bin/env python3
"""Does Turnout keep up with the camera at the model's own speed? Every figure of issue 7, measured.

    .venv/bin/python scripts/bench.py [--quick] [--soak-s S] [--repeat N] [--json PATH]

``make bench`` runs the full benchmark (a 10-minute live soak); ``--quick`` soaks 60 s and repeats less.
Without a display the script re-runs itself under ``xvfb-run`` so the live part uses the real window on a
real (virtual) X server. Footage: ``simple_step.mp4`` (1280x720) and ``ballet_plie.mp4`` scaled to 1280x720,
from ``../shared/media/commons``; the full pose model.

1. Side by side, interleaved ``--repeat`` times on the same frames, best of each: bare
   ``PoseLandmarker.detect_for_video`` on pre-decoded images; the whole pipeline as ``turnout analyze`` runs
   it (decoding on a thread, the model one frame ahead, smoothing, geometry, reps, flags, the session store
   with clips); the same pipeline one frame at a time (the live processing thread); ``analyze_file``.
2. A batch of eight files (the two clips, four times): one after another in this process, then
   :func:`turnout.session.analysis.analyze_batch` (two worker processes); CPU time over wall time says how many cores
   were used.
3. The real window (``scripts/bench_live.py``) in fresh processes: start-up to the first painted frame,
   then a recorded session over a looping 30 fps real-time camera: frame rate, drops, capture-to-paint latency
   of every painted frame, GUI pauses, resident memory, database and clip sizes.

Prints the machine, a table of every figure with its target and PASS/FAIL, and a stage-by-stage breakdown.
The machine may be shared: the load average at the start and the end is printed with the results, and
``--nice=-10`` (root) measures what Turnout does with the machine to itself, as on a dancer's laptop.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MEDIA = ROOT.parent / "shared" / "media" / "commons"
SIZE = (1280, 720)
XVFB_FLAG = "TURNOUT_BENCH_UNDER_XVFB"
#: The batch is this many copies of each clip (8 files, 1080 frames).
BATCH_COPIES = 4
#: Seconds after recording starts before memory counts as steady: the clip ring (the last 20 s of frames) is full.
SETTLE_S = 30.0
#: A fitted memory slope is only judged over a steady span at least this long (a short one amplifies noise).
SLOPE_MIN_SPAN_S = 300.0


# -- the machine and the footage ------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    import cv2
    import mediapipe
    import PySide6

    return {
        "cpu": first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory": first("/proc/meminfo", "MemTotal"),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": f"mediapipe {mediapipe.__version__}, opencv {cv2.__version__}, numpy {np.__version__}, "
        f"PySide6 {PySide6.__version__}",
        "load_start": os.getloadavg(),
    }


def prepare_clips(tmp: Path) -> list[Path]:
    """simple_step.mp4 as it is, and ballet_plie.mp4 scaled to 1280x720 (mp4v, the one encoder OpenCV has)."""
    import cv2

    from turnout.capture.sources import VideoFileSource

    step = MEDIA / "simple_step.mp4"
    plie = tmp / "ballet_plie_1280x720.mp4"
    with VideoFileSource(MEDIA / "ballet_plie.mp4") as src:
        writer = cv2.VideoWriter(str(plie), cv2.VideoWriter.fourcc(*"mp4v"), src.info.fps, SIZE)
        writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 95)
        for f in src:
            writer.write(cv2.resize(f.bgr, SIZE, interpolation=cv2.INTER_LINEAR))
        writer.release()
    return [step, plie]


def decode(clips: list[Path]) -> tuple[list[np.ndarray], float]:
    """Every frame of ``clips`` and the decoding time per frame (ms, one thread)."""
    from turnout.capture.sources import VideoFileSource

    frames: list[np.ndarray] = []
    t0 = time.perf_counter()
    for clip in clips:
        with VideoFileSource(clip) as src:
            frames += [f.bgr for f in src]
    return frames, (time.perf_counter() - t0) * 1e3 / len(frames)


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class ThreadCpu:
    """CPU seconds spent by each thread of this process while in the ``with`` block, by thread name.

    Sampled from ``/proc/self/task`` every 20 ms on a thread of its own, so threads that start and end inside
    the block count too (up to their last sample). Python threads are named by ``threading``; MediaPipe's own
    threads keep their system names ("drishti...")."""

    def __init__(self) -> None:
        import threading

        self._threading = threading
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)
        self.cpu: dict[str, float] = {}

    def _sample(self, initial: bool = False) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        names = {t.native_id: t.name for t in self._threading.enumerate()}
        for entry in os.listdir("/proc/self/task"):
            tid = int(entry)
            try:
                fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
                comm = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
            except OSError:  # ended meanwhile
                continue
            value = (int(fields[11]) + int(fields[12])) / tick
            self._first.setdefault(tid, value if initial else 0.0)  # a thread started since counts from 0
            self._last[tid] = value
            self._names.setdefault(tid, names.get(tid) or comm)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._sample()

    def __enter__(self) -> ThreadCpu:
        self._sample(initial=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        for tid, last in self._last.items():
            name = self._names[tid]
            if name == "bench-sampler":
                continue
            name = "mediapipe" if name.startswith("drishti") else name
            self.cpu[name] = self.cpu.get(name, 0.0) + last - self._first.get(tid, 0.0)


def children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# -- 1. side by side ----------------------------------------------------------------------------------
def bare(frames: list[np.ndarray], model: Path, direct: bool = False) -> dict[str, float]:
    """Bare detect_for_video on pre-decoded, pre-converted images (a fresh landmarker, like the pipeline's).
    ``direct``: the same C function called on this thread as the pipeline calls it (``DirectDetector``), not
    through MediaPipe's executor (for information: the target is against the public API)."""
    import cv2
    from mediapipe.tasks.python.core.base_options import BaseOptions
    from mediapipe.tasks.python.vision import pose_landmarker as pl
    from mediapipe.tasks.python.vision.core.image import Image, ImageFormat
    from mediapipe.tasks.python.vision.core.vision_task_running_mode import VisionTaskRunningMode

    from turnout.pose.estimator import DirectDetector
    from turnout.pose.runtime import captured_native_stderr

    images = [Image(ImageFormat.SRGB, cv2.cvtColor(f, cv2.COLOR_BGR2RGB)) for f in frames]
    opts = pl.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model)), running_mode=VisionTaskRunningMode.VIDEO
    )
    with captured_native_stderr():
        lm = pl.PoseLandmarker.create_from_options(opts)
        lm.detect_for_video(images[0], 0)  # set-up chatter and the one-off first-person warning
    call = DirectDetector.of(lm) if direct else lm.detect_for_video
    assert call is not None, "DirectDetector does not fit this MediaPipe"
    with ThreadCpu() as sampler:
        c0, t0 = cpu_s(), time.perf_counter()
        for i, img in enumerate(images):
            call(img, 40 * (i + 1))
        wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    lm.close()
    n = len(images)
    threads = {k: v * 1e3 / n for k, v in sorted(sampler.cpu.items(), key=lambda kv: -kv[1])}
    result: dict[str, Any] = {"ms": wall * 1e3 / n, "cpu_ms": cpu * 1e3 / n, "threads_cpu_ms": threads}
    return result


def pipeline_pass(clips: list[Path], model: Path, tmp: Path, serial: bool) -> dict[str, Any]:
    """The whole pipeline without display over ``clips``, recording a session with clips into a fresh store.

    ``serial``: one frame at a time (the live processing thread); else :meth:`Pipeline.run` (``turnout
    analyze``'s loop, with the conversion for the model on the decoding thread). Decoding runs on its own thread
    either way. The store is closed (every write done)
    inside the timed span."""
    from turnout.capture import cores
    from turnout.capture.sources import prefetch
    from turnout.pose.estimator import PoseEstimator
    from turnout.session.analysis import PEOPLE_ANSWER_AFTER
    from turnout.session.pipeline import Pipeline
    from turnout.settings import Settings
    from turnout.storage.store import SessionInfo, SessionRecorder, Store

    settings = Settings()
    stages: dict[str, list[float]] = {}
    frames = 0
    people_ms = 0.0
    wall = cpu = 0.0
    threads: dict[str, float] = {}
    for clip in clips:
        from turnout.capture.sources import VideoFileSource

        db = Path(tempfile.mkdtemp(dir=tmp)) / "s.sqlite3"
        # the second-person look as each runs it: live on its own thread, answer taken when ready; analyze beside
        # the model, answer taken a fixed number of frames later (repeatable)
        looks: dict[str, Any] = {"people_background": True,
                                 "people_answer_after": None if serial else PEOPLE_ANSWER_AFTER}  # fmt: skip
        # the model on a core of its own, as `turnout analyze` and the window run it (turnout.capture.cores)
        with (
            cores.reserving() as plan,
            Store.open(db) as store,
            PoseEstimator(model, **looks, model_cores=plan.model if plan else None) as est,
            VideoFileSource(clip) as src,
        ):
            sid = store.create_session(SessionInfo(source=clip.name, settings=settings))
            recorder = SessionRecorder(store, sid, clip_settings=settings.clips)
            pipeline = Pipeline(est, settings, recorder=recorder)
            with ThreadCpu() as sampler:
                c0, t0 = cpu_s(), time.perf_counter()
                # as `turnout analyze`: the conversion for the model on the decoding thread; serial as the live
                # processing thread, which converts its own frames
                stream = prefetch(iter(src)) if serial else prefetch(iter(src), prepare=est.prepare)
                results = (pipeline.process(f) for f in stream) if serial else pipeline.run(stream)
                for r in results:
                    frames += 1
                    for k, v in r.stage_ms.items():
                        stages.setdefault(k, []).append(v)
                pipeline.finish()
                recorder.close()
                wall += time.perf_counter() - t0
                cpu += cpu_s() - c0
            for name, sec in sampler.cpu.items():
                threads[name] = threads.get(name, 0.0) + sec
            people = getattr(est, "people", None)
            people_ms += getattr(people, "total_ms", 0.0) if people is not None else 0.0
    return {
        "ms": wall * 1e3 / frames,
        "cpu_ms": cpu * 1e3 / frames,
        "frames": frames,
        "stages": {k: float(np.mean(v)) for k, v in stages.items()},
        "stages_p95": {k: float(np.percentile(v, 95)) for k, v in stages.items()},
        "people_ms": people_ms / frames,
        "threads_cpu_ms": {k: v * 1e3 / frames for k, v in sorted(threads.items(), key=lambda kv: -kv[1])},
    }


def analyze_pass(clips: list[Path], model: Path, tmp: Path) -> dict[str, float]:
    """``turnout analyze``'s own figure: frames over processing seconds, storing into a session database."""
    from turnout.session.analysis import analyze_file
    from turnout.storage.store import Store

    frames, seconds = 0, 0.0
    with Store.open(Path(tempfile.mkdtemp(dir=tmp)) / "s.sqlite3") as store:
        for clip in clips:
            r = analyze_file(clip, model, store=store)
            frames += r.frames
            seconds += r.seconds
    return {"fps": frames / seconds, "ms": seconds * 1e3 / frames}


def clip_encode_ms(frames: list[np.ndarray]) -> float:
    from turnout.storage.clips import FrameRing

    ring = FrameRing()
    t0 = time.perf_counter()
    for i, f in enumerate(frames[:60]):
        ring.push(i / 30, f)
    return (time.perf_counter() - t0) * 1e3 / min(60, len(frames))


def side_by_side(
    clips: list[Path], frames: list[np.ndarray], model: Path, tmp: Path, repeat: int, log: Callable[[str], None]
) -> dict[str, Any]:
    runs: dict[str, list[Any]] = {"bare": [], "bare_direct": [], "pipeline": [], "serial": [], "analyze": []}
    for i in range(repeat):
        runs["bare"].append(bare(frames, model))
        runs["bare_direct"].append(bare(frames, model, direct=True))
        runs["pipeline"].append(pipeline_pass(clips, model, tmp, serial=False))
        runs["serial"].append(pipeline_pass(clips, model, tmp, serial=True))
        runs["analyze"].append(analyze_pass(clips, model, tmp))
        log(
            f"  round {i + 1}/{repeat}: bare {runs['bare'][-1]['ms']:.2f}"
            f" (direct {runs['bare_direct'][-1]['ms']:.2f}), pipeline {runs['pipeline'][-1]['ms']:.2f},"
            f" serial {runs['serial'][-1]['ms']:.2f}, analyze {runs['analyze'][-1]['ms']:.2f} ms/frame"
        )
    best = {k: min(v, key=lambda r: r["ms"]) for k, v in runs.items()}
    ratios = [p["ms"] / b["ms"] for p, b in zip(runs["pipeline"], runs["bare"], strict=True)]
    return {"runs": runs, "best": best, "paired_ratios": ratios}


# -- 2. a batch -----------------------------------------------------------------------------------------
def batch(clips: list[Path], model: Path, tmp: Path) -> dict[str, float]:
    from turnout.session.analysis import analyze_batch, analyze_file
    from turnout.storage.store import Store

    files = clips * BATCH_COPIES
    c0, t0 = cpu_s(), time.perf_counter()
    with Store.open(Path(tempfile.mkdtemp(dir=tmp)) / "s.sqlite3") as store:
        frames = sum(analyze_file(f, model, store=store).frames for f in files)
    seq_wall, seq_cpu = time.perf_counter() - t0, cpu_s() - c0
    db = Path(tempfile.mkdtemp(dir=tmp)) / "s.sqlite3"
    Store.open(db).close()
    k0, c0, t0 = children_cpu_s(), cpu_s(), time.perf_counter()
    outcomes = list(analyze_batch(files, model, db_path=db, workers=2))
    par_wall = time.perf_counter() - t0
    par_cpu = children_cpu_s() - k0 + cpu_s() - c0
    errors = [str(o) for _, o in outcomes if isinstance(o, Exception)]
    return {
        "files": len(files),
        "frames": frames,
        "seq_s": seq_wall,
        "seq_cores": seq_cpu / seq_wall,
        "batch_s": par_wall,
        "batch_cores": par_cpu / par_wall,
        "speedup": seq_wall / par_wall,
        "errors": len(errors),
    }


# -- 3. the live window -----------------------------------------------------------------------------------
def live_child(clip: Path, tmp: Path, extra: list[str], timeout: float) -> dict[str, Any]:
    """Run scripts/bench_live.py in a fresh process on the current display; its measurements."""
    work = Path(tempfile.mkdtemp(dir=tmp))
    out = work / "live.json"
    env = dict(os.environ, TURNOUT_CONFIG=str(work / "settings.toml"), TURNOUT_DATA_DIR=str(work))
    env.pop("QT_QPA_PLATFORM", None)
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "bench_live.py"),
        str(clip),
        str(out),
        "--db",
        str(work / "sessions.sqlite3"),
    ]
    t0 = time.monotonic()
    proc = subprocess.run([*cmd, "--t0", repr(t0), *extra], env=env, capture_output=True, text=True, timeout=timeout)
    if not out.exists():
        tail = "\n".join(proc.stderr.splitlines()[-15:])
        raise RuntimeError(f"bench_live.py wrote nothing (exit {proc.returncode}):\n{tail}")
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def live(
    clip: Path, tmp: Path, soak_s: float, startups: int, log: Callable[[str], None], extra: list[str] | None = None
) -> dict[str, Any]:
    starts = []
    for i in range(startups):
        starts.append(live_child(clip, tmp, ["--startup-only"], 180)["startup_s"])
        log(f"  start-up {i + 1}/{startups}: {starts[-1]:.2f} s")
    log(f"  live session: {soak_s:.0f} s of a looping 30 fps camera, recording...")
    soak = live_child(clip, tmp, ["--soak-s", str(soak_s), *(extra or [])], soak_s + 240)
    soak["startups_s"] = starts
    return soak


def memory_figures(rss: list[list[float]], settle_s: float) -> dict[str, float]:
    """Steady state (after ``settle_s``): the largest resident size, and growth from its first 10 s to its
    last 10 s (medians, so one sample's noise does not count), and the fitted slope per 10 minutes."""
    t = np.array([r[0] for r in rss])
    mb = np.array([r[1] for r in rss])
    steady = t >= settle_s
    if steady.sum() < 10:
        steady = t >= t.max() / 2
    ts, ms = t[steady], mb[steady]
    head = ms[ts <= ts[0] + 10.0]
    tail = ms[ts >= ts[-1] - 10.0]
    slope = float(np.polyfit(ts, ms, 1)[0]) * 600.0 if len(ts) > 2 else float("nan")
    return {
        "max": float(ms.max()),
        "growth": float(np.median(tail) - np.median(head)),
        "slope_10min": slope,
        "span_s": float(ts[-1] - ts[0]),
        "first": float(np.median(head)),
        "last": float(np.median(tail)),
    }


# -- the report -----------------------------------------------------------------------------------------
Row = tuple[str, str, str, "bool | None"]


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def side_rows(side: dict[str, Any]) -> list[Row]:
    b, p, s, a = (side["best"][k] for k in ("bare", "pipeline", "serial", "analyze"))
    overhead, serial, ratio = p["ms"] / b["ms"], s["ms"] / b["ms"], a["fps"] / (1000.0 / b["ms"])
    runs = side["runs"]
    analyze_paired = [x["fps"] * y["ms"] / 1000.0 for x, y in zip(runs["analyze"], runs["bare"], strict=True)]
    d = side["best"].get("bare_direct")
    direct = (
        []
        if d is None
        else [
            (
                "  bare model called directly (DirectDetector) / bare",
                f"{d['ms'] / b['ms']:.3f}  ({d['ms']:.2f} ms); pipeline / it: {p['ms'] / d['ms']:.3f}",
                "(info)",
                None,
            )
        ]
    )
    return [
        ("Overhead: whole pipeline / bare detect_for_video per frame",
         f"{overhead:.3f}  ({p['ms']:.2f} / {b['ms']:.2f} ms)", "<= 1.10", overhead <= 1.10),
        ("  same, median of the paired rounds", f"{statistics.median(side['paired_ratios']):.3f}", "(info)", None),
        *direct,
        ("  live processing thread (one frame at a time) / bare", f"{serial:.3f}  ({s['ms']:.2f} ms)", "(info)", None),
        ("Offline: turnout analyze fps / bare fps", f"{ratio:.3f}  ({a['fps']:.1f} / {1000.0 / b['ms']:.1f} fps)",
         ">= 0.90", ratio >= 0.90),
        ("  same, median of the paired rounds", f"{statistics.median(analyze_paired):.3f}", "(info)", None),
    ]  # fmt: skip


def batch_rows(bat: dict[str, Any], cores: int) -> list[Row]:
    return [
        (f"Batch of {bat['files']} files: cores used (CPU time / wall time)",
         f"{bat['batch_cores']:.2f} of {cores}  (one by one: {bat['seq_cores']:.2f})", ">= 1.6 (both cores)",
         bat["batch_cores"] >= 1.6 and bat["errors"] == 0),
        ("  batch speed-up over one by one", f"{bat['speedup']:.2f}x  ({bat['seq_s']:.1f} s -> {bat['batch_s']:.1f} s)",
         "(info)", None),
    ]  # fmt: skip


def live_rows(lv: dict[str, Any], mem: dict[str, float]) -> list[Row]:
    secs, lat = lv["seconds"], lv["latency_ms"]
    fps = lv["painted"] / secs
    # counters are read at the window's two edges, so a frame processed just before it and painted inside it
    # counts as painted: "not painted" can come out one below zero, shown as 0
    drop_pct = 100.0 * max(0, lv["captured"] - lv["painted"]) / max(1, lv["captured"])
    unpainted = max(0, lv["processed"] - lv["painted"])
    starts = sorted([*lv["startups_s"], lv["startup_s"]])
    start = statistics.median(starts)
    rows: list[Row] = [
        ("Live: frames painted per second (30 fps camera)", f"{fps:.2f}  ({lv['painted']} in {secs:.0f} s)",
         ">= 29.7", fps >= 29.7),
        ("Live: frames dropped (not processed or not painted)",
         f"{drop_pct:.2f}%  ({lv['dropped']} by the runner, {unpainted} not painted)", "<= 1%",
         drop_pct <= 1.0),
        ("Live: capture-to-paint latency, median", f"{pct(lat, 50):.1f} ms", "<= 40 ms", pct(lat, 50) <= 40),
        ("Live: capture-to-paint latency, p95", f"{pct(lat, 95):.1f} ms  (p99 {pct(lat, 99):.1f}, max {max(lat):.0f})",
         "<= 60 ms", pct(lat, 95) <= 60),
        ("Start-up: process start to first painted frame, median",
         f"{start:.2f} s  (runs: " + ", ".join(f"{x:.2f}" for x in starts) + ")", "<= 3 s", start <= 3.0),
        ("Memory: resident size, steady state (max)", f"{mem['max']:.0f} MB", "<= 700 MB", mem["max"] <= 700),
        (f"Memory: growth over the {mem['span_s'] / 60:.1f}-minute steady session",
         f"{mem['growth']:+.1f} MB  (fit: {mem['slope_10min']:+.1f} MB / 10 min)", "< 20 MB",
         mem["growth"] < 20 and (mem["slope_10min"] < 20 or mem["span_s"] < SLOPE_MIN_SPAN_S)),
    ]  # fmt: skip
    sess = lv["sessions"][0] if lv.get("sessions") else None
    if sess is not None and sess["duration_s"] > 0:
        per_h = 3600.0 / sess["duration_s"]
        rows += [
            ("Storage: database per hour of session",
             f"{lv['db_bytes'] * per_h / 1e6:.0f} MB  ({sess['frames']} frames, {sess['reps']} reps in "
             f"{sess['duration_s']:.0f} s)", "(reported)", None),
            ("Storage: clips per hour of session",
             f"{sess['clips_bytes'] * per_h / 1e6:.0f} MB  ({sess['clips']} clips of {sess['flagged']} flagged reps)",
             "(reported)", None),
        ]  # fmt: skip
    gcs = lv.get("gc")
    if gcs is not None:
        n = sum(gcs["collections"])
        rows.append(
            ("  GUI thread's collections of cycles (turnout.app.collector), whole run",
             f"{n} ({'/'.join(str(c) for c in gcs['collections'])} by generation), {gcs['total_ms']:.0f} ms in all, "
             f"longest {gcs['longest_ms']:.1f} ms", "(info)", None)
        )  # fmt: skip
    rec, idle = lv["gui_gap_p99_ms"], lv["idle_gap_p99_ms"]
    rows.append(
        ("Storage: writes never stall the UI (GUI thread pauses, p99)",
         f"{rec:.1f} ms recording, {idle:.1f} not  (max {lv['gui_gap_max_ms']:.0f} / {lv['idle_gap_max_ms']:.0f})",
         "<= 33 ms or as idle", rec <= 33.4 or rec <= 1.2 * idle + 2.0)
    )  # fmt: skip
    return rows


def breakdown(side: dict[str, Any] | None, lv: dict[str, Any] | None, decode_ms: float, encode_ms: float) -> list[str]:
    """Stage by stage, ms per frame: the analyze loop and the serial loop (best rounds) and the live session."""
    out = ["", "Stage by stage (ms per frame, mean; pipeline: best round; live: over the session):", "-" * 132]
    p = side["best"]["pipeline"] if side else {"stages": {}}
    s = side["best"]["serial"] if side else {"stages": {}}
    b = side["best"]["bare"] if side else None
    lv_st = lv["stage_ms"] if lv is not None else {}
    nan = float("nan")

    def line(name: str, cells: list[float]) -> None:
        out.append(f"  {name:62s}" + "".join(f"{c:12.3f}" for c in cells))

    out.append(f"  {'stage':62s}{'analyze':>12s}{'serial':>12s}{'live':>12s}")
    line("decode 1280x720 (a thread of its own)", [decode_ms])
    if b is not None:
        line("bare detect_for_video (the model alone)", [b["ms"]])
    stages = [("pose (RGB conversion, model, landmarks, second-person check)", "pose"),
              ("smoothing (One Euro, world and image landmarks)", "smoothing"),
              ("geometry (guidance checks, floor frame, measurements)", "geometry"),
              ("practice (baseline, reps, holds, flags)", "practice"),
              ("storage on the processing thread (queue the frame, hand it to clips)", "storage")]  # fmt: skip
    for name, key in stages:
        line(name, [p["stages"].get(key, nan), s["stages"].get(key, nan), lv_st.get(key, nan)])
        if key == "pose" and side:
            line("  of which the second-person check (pose.py, issue 8)", [p["people_ms"], s["people_ms"]])
    line("clip JPEG encoding (encoder thread, off the processing thread)", [encode_ms])
    if side and b is not None:
        line("whole pipeline, wall time per frame", [p["ms"], s["ms"]])
        line(f"CPU per frame, all threads (the bare model: {b['cpu_ms']:.2f})", [p["cpu_ms"], s["cpu_ms"]])
        for label, run in (("analyze loop", p), ("bare model", b)):
            cpu = ", ".join(f"{k} {v:.2f}" for k, v in run["threads_cpu_ms"].items() if v >= 0.05)
            out.append(f"  CPU by thread, {label} (ms per frame): {cpu}")
    if lv is not None:
        tp, tg, lat, paint = lv["to_processed_ms"], lv["to_gui_ms"], lv["latency_ms"], lv["paint_ms"]
        out += ["", "Live latency, capture to paint (ms, median / p95):"]
        for name, v in (("capture -> processed (waiting for the processing thread, the model, the rest)", tp),
                        ("processed -> on the GUI thread (queued signal)", tg),
                        ("paint (frame scaled once, blit, overlay)", paint), ("total", lat)):  # fmt: skip
            out.append(f"  {name:84s} {pct(v, 50):6.1f} / {pct(v, 95):6.1f}")
        if "threads_cpu_ms" in lv:
            cpu = ", ".join(f"{k} {v:.2f}" for k, v in lv["threads_cpu_ms"].items() if v >= 0.05)
            out += ["", f"Live CPU per processed frame, all threads {lv['cpu_ms']:.2f} ms; by thread: {cpu}"]
    return out


def report(m: dict[str, Any], side: dict[str, Any] | None, bat: dict[str, Any] | None, lv: dict[str, Any] | None,
           decode_ms: float, encode_ms: float, args: argparse.Namespace) -> tuple[str, list[Row]]:  # fmt: skip
    rows: list[Row] = []
    mem: dict[str, float] = {}
    if side is not None:
        rows += side_rows(side)
    if bat is not None:
        rows += batch_rows(bat, int(m["cores"] or 0))
    if lv is not None:
        mem = memory_figures(lv["rss_mb"], SETTLE_S)
        rows += live_rows(lv, mem)
    nice = f", niceness {args.nice}" if args.nice is not None else ""
    nice += f", live stages {args.live_stages}" if getattr(args, "live_stages", None) else ""
    lines = [
        "", f"Turnout benchmark ({'quick' if args.quick else 'full'}{nice}), {time.strftime('%Y-%m-%d %H:%M')}",
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM; {m['os']}; Python {m['python']}",
        f"         {m['versions']}",
        f"load average at the start {m['load_start'][0]:.2f}, at the end {os.getloadavg()[0]:.2f} (other jobs share "
        "this machine)", "",
        f"{'figure':62s} {'measured':46s} {'target':20s} result", "-" * 136,
    ]  # fmt: skip
    for name, value, target, ok in rows:
        lines.append(f"{name:62s} {value:46s} {target:20s} {'' if ok is None else ('PASS' if ok else 'FAIL')}")
    lines += breakdown(side, lv, decode_ms, encode_ms)
    if mem:
        lines.append(f"  resident size: {mem['first']:.0f} MB at the start of the steady state, {mem['last']:.0f} MB "
                     f"at its end, {lv['rss_end_mb']:.0f} MB at exit" if lv else "")  # fmt: skip
    met, missed = sum(r[3] is True for r in rows), sum(r[3] is False for r in rows)
    lines += ["", f"{met} targets met, {missed} missed"]
    return "\n".join(lines), rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="60 s soak, 3 rounds, 3 start-ups")
    ap.add_argument("--soak-s", type=float, default=None, help="live session length (default 600, quick 60)")
    ap.add_argument("--repeat", type=int, default=None, help="side-by-side rounds (default 5, quick 3)")
    ap.add_argument("--startups", type=int, default=None, help="start-up runs (default 5, quick 3)")
    ap.add_argument("--no-side", action="store_true", help="skip the side-by-side rounds")
    ap.add_argument("--no-batch", action="store_true", help="skip the batch of files")
    ap.add_argument("--no-live", action="store_true", help="skip the window (no X server needed)")
    ap.add_argument(
        "--live-stages", choices=("1", "2", "2-split"), default=None,
        help="live: 1 the model and the rest of each frame one after the other on one thread (as before the two "
        "stages); 2 (default) the rest on its own thread on the model's core; 2-split on the other cores",
    )  # fmt: skip
    ap.add_argument("--json", type=Path, default=None, help="also write every measurement here")
    ap.add_argument(
        "--nice", type=int, default=None,
        help="run at this niceness (negative needs root): on a machine shared with other jobs, measures what "
        "Turnout does with the machine to itself, as on a dancer's laptop",
    )  # fmt: skip
    args = ap.parse_args()
    args.soak_s = args.soak_s if args.soak_s is not None else (60.0 if args.quick else 600.0)
    args.repeat = args.repeat or (3 if args.quick else 5)
    args.startups = args.startups or (3 if args.quick else 5)
    if args.nice is not None and not os.environ.get(XVFB_FLAG):
        try:
            os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # inherited by the live and batch processes
        except OSError as exc:
            print(f"bench: cannot set niceness {args.nice} ({exc}); the normal priority it is", file=sys.stderr)
            args.nice = None
    if not args.no_live and not os.environ.get("DISPLAY") and not os.environ.get(XVFB_FLAG):
        xvfb = shutil.which("xvfb-run")
        if xvfb is None:
            print("bench: no display and no xvfb-run: the live part is skipped (--no-live)", file=sys.stderr)
            args.no_live = True
        else:
            argv = [a for a in sys.argv if not a.startswith("--nice")]
            if args.nice is not None:
                argv.append(f"--nice={args.nice}")  # reported; already in effect
            env = dict(os.environ, **{XVFB_FLAG: "1"})
            return subprocess.call([xvfb, "-a", "-s", "-screen 0 1920x1080x24", sys.executable, *argv], env=env)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    from turnout.pose.model import resolve_model_path
    from turnout.session.pipeline import limit_opencv_threads

    limit_opencv_threads()  # as `turnout analyze` and the window do
    model = resolve_model_path()
    m = machine()
    side = bat = lv = None
    with tempfile.TemporaryDirectory(prefix="turnout-bench-") as tmp_name:
        tmp = Path(tmp_name)
        log("bench: preparing 1280x720 clips")
        clips = prepare_clips(tmp)
        frames, decode_ms = decode(clips)
        encode_ms = clip_encode_ms(frames)
        if not args.no_side:
            log(f"bench: side by side on {len(frames)} frames, {args.repeat} rounds")
            side = side_by_side(clips, frames, model, tmp, args.repeat, log)
        del frames
        if not args.no_batch:
            log(f"bench: a batch of {BATCH_COPIES * len(clips)} files, one by one, then two at a time")
            bat = batch(clips, model, tmp)
        if not args.no_live:
            log("bench: the live window on the X server " + os.environ.get("DISPLAY", "?"))
            stages = ["--stages", args.live_stages] if args.live_stages else []
            lv = live(clips[1], tmp, args.soak_s, args.startups, log, stages)
        text, rows = report(m, side, bat, lv, decode_ms, encode_ms, args)
    print(text)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        doc = {"machine": m, "side_by_side": side, "batch": bat, "live": lv, "decode_ms": decode_ms,
               "clip_encode_ms": encode_ms, "rows": rows, "load_end": os.getloadavg(), "nice": args.nice}  # fmt: skip
        args.json.write_text(json.dumps(doc, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
