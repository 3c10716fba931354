#!/usr/bin/env python3
"""The live half of ``scripts/bench.py``: the real window, fed by a looping 30 fps camera, measured from inside.

    xvfb-run -a .venv/bin/python scripts/bench_live.py CLIP OUT.json --t0 MONOTONIC [--soak-s S | --startup-only]

``bench.py`` runs it in a fresh process under Xvfb and reads ``OUT.json``. The camera is
:class:`turnout.capture.sources.CameraSource` in real time over ``CLIP`` (rewound at its end, reporting 30 fps), opened
by the real engine's :class:`~turnout.session.processor.RealProcessor` with the real model, so everything but the
webcam driver is the app a dancer runs. ``--t0`` is the parent's ``time.monotonic()`` just before it started
this process (the clock is system-wide), so start-up includes the interpreter and every import.

Measured: start-up to the first painted frame; then, while recording a session: frames captured, processed,
dropped and painted, capture-to-paint latency of every painted frame (``VideoWidget.latencies_ms``), the GUI
thread's longest pause (a 10 ms heartbeat), resident memory once a second, the session's database and clips, and
the CPU each thread used a processed frame (the model's stage, the rest's, the GUI thread, capture, MediaPipe's own).
"""

from __future__ import annotations

import time

T_MAIN = time.monotonic()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from array import array  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def thread_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds so far of each thread of this process: native id -> (name, seconds). Python threads by their
    ``threading`` name, MediaPipe's by their system name ("drishti..." counted as "mediapipe")."""
    import threading

    tick = os.sysconf("SC_CLK_TCK")
    names = {t.native_id: t.name for t in threading.enumerate()}
    out: dict[int, tuple[str, float]] = {}
    for entry in os.listdir("/proc/self/task"):
        tid = int(entry)
        try:
            fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
            comm = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
        except OSError:  # ended meanwhile
            continue
        name = names.get(tid) or comm
        out[tid] = ("mediapipe" if name.startswith("drishti") else name, (int(fields[11]) + int(fields[12])) / tick)
    return out


def cpu_by_thread(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds between two :func:`thread_cpu` snapshots, summed by thread name (threads started in between
    count from zero; threads ended in between are missed)."""
    out: dict[str, float] = {}
    for tid, (name, sec) in after.items():
        out[name] = out.get(name, 0.0) + sec - before.get(tid, (name, 0.0))[1]
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


class LoopingCapture:
    """A ``cv2.VideoCapture`` look-alike over a video file that rewinds at its end and reports ``fps``."""

    def __init__(self, path: str, fps: float) -> None:
        import cv2

        self._cv2 = cv2
        self._cap = cv2.VideoCapture(path)
        self._fps = fps
        self.loops = 0

    def isOpened(self) -> bool:
        return bool(self._cap.isOpened())

    def read(self) -> tuple[bool, Any]:
        ok, frame = self._cap.read()
        if not ok:
            self._cap.set(self._cv2.CAP_PROP_POS_FRAMES, 0)
            self.loops += 1
            ok, frame = self._cap.read()
        return ok, frame

    def get(self, prop: int) -> float:
        return self._fps if prop == self._cv2.CAP_PROP_FPS else float(self._cap.get(prop))

    def set(self, prop: int, value: float) -> bool:
        return False

    def release(self) -> None:
        self._cap.release()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--t0", type=float, required=True, help="the parent's time.monotonic() at spawn")
    ap.add_argument("--fps", type=float, default=30.0)
    ap.add_argument("--soak-s", type=float, default=60.0)
    ap.add_argument("--warmup-s", type=float, default=5.0)
    ap.add_argument("--idle-s", type=float, default=15.0, help="GUI pauses measured without recording first")
    ap.add_argument("--startup-only", action="store_true")
    ap.add_argument(
        "--stages", choices=("1", "2", "2-split"), default=None,
        help="how live processing runs (turnout.capture.live.STAGES_ENV): 1 the model and the rest one after the "
        "other on one thread; 2 (default) the rest on its own thread on the model's core; 2-split on the other cores",
    )  # fmt: skip
    ap.add_argument("--db", type=Path, required=True)
    args = ap.parse_args()

    if args.stages is not None:
        from turnout.capture.live import STAGES_ENV

        os.environ[STAGES_ENV] = args.stages
    from turnout.app.collector import MainThreadCollector
    from turnout.app.main import create_window
    from turnout.capture.sources import CameraSource, FrameSource
    from turnout.session.processor import RealEngine

    class LoopingEngine(RealEngine):
        def open_source(self, spec: Any) -> FrameSource:
            return CameraSource(str(args.clip), realtime=True, opener=lambda d: LoopingCapture(str(d), args.fps))

    from turnout.capture import cores

    cores.reserve()  # as run_app does first
    app, window, controller = create_window(argparse.Namespace(camera="0", db=str(args.db)), LoopingEngine)
    t_window = time.monotonic()
    from PySide6.QtCore import QTimer

    video = window.live.video
    out: dict[str, Any] = {"t_main_s": T_MAIN - args.t0, "t_window_s": t_window - args.t0}
    state: dict[str, Any] = {"phase": "startup"}
    # Compact arrays: the measurement must not grow the memory it measures (8 bytes a value, ~2 MB in 10 min).
    latencies, paints, to_processed, to_gui, gaps, idle_gaps = (array("d") for _ in range(6))
    stage: dict[str, array[float]] = {}
    rss: list[tuple[float, float]] = []
    last_beat = [time.monotonic()]
    seen = [0]

    def on_frame(r: Any) -> None:
        if "t_first_result_s" not in out:
            out["t_first_result_s"] = time.monotonic() - args.t0
            out["t_first_processed_s"] = r.processed_at - args.t0
            out["t_first_captured_s"] = r.captured_at - args.t0
        if state["phase"] != "measure" or not r.captured_at:
            return
        now = time.monotonic()
        to_processed.append((r.processed_at - r.captured_at) * 1000.0)
        to_gui.append((now - r.processed_at) * 1000.0)
        for k, v in r.stage_ms.items():
            stage.setdefault(k, array("d")).append(v)

    controller.frame_ready.connect(on_frame)

    def beat() -> None:
        now = time.monotonic()
        if state["phase"] == "measure":
            gaps.append((now - last_beat[0]) * 1000.0)
        elif state["phase"] == "idle":
            idle_gaps.append((now - last_beat[0]) * 1000.0)
        last_beat[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()

    def collect() -> None:
        """Take the paints since the last call out of the widget's rings."""
        new = video.frames_painted - seen[0]
        seen[0] = video.frames_painted
        if new > 0 and state["phase"] == "measure":
            latencies.extend(list(video.latencies_ms)[-new:])
            paints.extend(list(video.paint_ms)[-new:])

    def poll() -> None:
        now = time.monotonic()
        phase = state["phase"]
        if phase == "startup":
            if video.first_painted_at is None:
                if now - args.t0 > 120:
                    out["error"] = "no frame painted within 120 s"
                    finish()
                return
            out["startup_s"] = video.first_painted_at - args.t0
            if args.startup_only:
                finish()
                return
            state.update(phase="warmup", until=now + args.warmup_s)
        elif phase == "warmup" and now >= state["until"]:
            # The GUI thread's pauses without recording, for comparison with those while recording.
            state.update(phase="idle", until=now + args.idle_s)
        elif phase == "idle" and now >= state["until"]:
            collect()
            controller.set_recording(True)  # the measured session is recorded throughout
            stats = controller.stats()
            assert stats is not None
            state.update(phase="measure", t=now, stats=stats, painted=video.frames_painted,
                         until=now + args.soak_s, next_rss=now, threads=thread_cpu(),
                         cpu=os.times())  # fmt: skip
        elif phase == "measure":
            collect()
            if now >= state["next_rss"]:
                rss.append((now - state["t"], rss_mb()))
                state["next_rss"] += 1.0
            if now >= state["until"]:
                end_measure(now)

    def end_measure(now: float) -> None:
        stats, s0 = controller.stats(), state["stats"]
        assert stats is not None
        c0, c1 = state["cpu"], os.times()
        processed = max(1, stats.processed - s0.processed)
        out["threads_cpu_ms"] = {
            k: v * 1e3 / processed for k, v in cpu_by_thread(state["threads"], thread_cpu()).items()
        }
        out["cpu_ms"] = (c1.user + c1.system - c0.user - c0.system) * 1e3 / processed
        gcs = MainThreadCollector.installed()
        if gcs is not None:  # the GUI thread's collections of cycles (turnout.app.collector), over the whole run
            out["gc"] = {"collections": list(gcs.collections), "total_ms": gcs.total_ms, "longest_ms": gcs.longest_ms}
        out.update(
            seconds=now - state["t"], captured=stats.captured - s0.captured,
            processed=stats.processed - s0.processed, dropped=stats.dropped - s0.dropped,
            painted=video.frames_painted - state["painted"], reconnects=stats.reconnects,
            latency_ms=list(latencies), paint_ms=list(paints), to_processed_ms=list(to_processed),
            to_gui_ms=list(to_gui),
            stage_ms={k: statistics.fmean(v) for k, v in stage.items()},
            stage_p95_ms={k: sorted(v)[int(0.95 * (len(v) - 1))] for k, v in stage.items()},
            gui_gap_max_ms=max(gaps, default=0.0), gui_gaps_over_50ms=sum(g > 50 for g in gaps),
            gui_gap_p99_ms=sorted(gaps)[int(0.99 * (len(gaps) - 1))] if gaps else 0.0,
            idle_gap_p99_ms=sorted(idle_gaps)[int(0.99 * (len(idle_gaps) - 1))] if idle_gaps else 0.0,
            idle_gap_max_ms=max(idle_gaps, default=0.0),
            rss_mb=rss, error=str(controller.runner.error) if controller.runner and controller.runner.error else None,
        )  # fmt: skip
        state["phase"] = "closing"
        controller.session_finished.connect(after_session)
        controller.set_recording(False)
        QTimer.singleShot(30000, finish)  # never hang on a session that does not close

    def after_session() -> None:
        from turnout.storage.store import Store

        with Store.open(args.db) as store:
            sessions = store.list_sessions()
            out["sessions"] = [
                {"id": s.id, "duration_s": s.duration_s, "frames": s.n_frames, "reps": s.n_reps,
                 "flagged": s.n_flagged_reps, "status": s.status,
                 "clips_bytes": sum((store.folder / c.path).stat().st_size for c in store.clips(s.id)),
                 "clips": len(store.clips(s.id))}
                for s in sessions
            ]  # fmt: skip
            store.integrity_check()
        db_bytes = sum(p.stat().st_size for p in args.db.parent.glob(args.db.name + "*"))
        out["db_bytes"] = db_bytes
        finish()

    def finish() -> None:
        if state.get("done"):
            return
        state["done"] = True
        out["rss_end_mb"] = rss_mb()
        args.out.write_text(json.dumps(out))
        window.close()
        app.quit()

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(poll)
    timer.start()
    status = app.exec()
    controller.wait_closed()
    os._exit(0 if status == 0 else 1)  # skip MediaPipe's slow interpreter teardown


if __name__ == "__main__":
    sys.exit(main())
