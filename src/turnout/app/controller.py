"""The live controller: owns the :class:`~turnout.capture.live.LiveRunner`, publishes its results, starts and stops
recording. Capture and inference run on the runner's threads; this object lives on the GUI thread.

A result is published as soon as it is ready: the processing thread wakes the GUI thread with a queued signal
(at most one wake-up in flight, so a slow GUI never piles them up), and the window paints it at once instead
of waiting for the next timer tick (the 30 ms timer would add 15 ms of latency on average). The timer still
publishes the status a few times a second and notices a finished file or a failed run.

Commands that change the processor (start or stop recording) are queued and applied on the runner's second
thread (the one that completes every frame after the model) before its next frame, so the processor's state is
only ever touched by one thread at a time (the first thread touches only the pose model). Practice events
are collected after every processed frame (not only for the frames the timer happens to see), so no cue and
no finished rep is missed when the display skips frames.
"""

from __future__ import annotations

import gc
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from turnout.capture.live import Captured, LiveRunner, RunnerStats
from turnout.capture.pacing import PlaybackGate
from turnout.capture.sources import FrameSource
from turnout.session.engine import (
    Detected,
    Engine,
    FloorControl,
    Processor,
    SourceSpec,
    first_stage,
    frame_preparer,
    second_stage,
)
from turnout.session.pipeline import FrameResult
from turnout.session.routine_run import RoutineProgress, RoutineRun

if TYPE_CHECKING:
    from turnout.practice.routine import Routine
    from turnout.storage.store import SessionRecorder

Command = Callable[[Processor], None]
#: Put among the events by the processing thread once a session has really ended (its last rep stored).
SESSION_ENDED = object()
#: The pixels a kept result of a video file drops (the window decodes the frame from the file again to replay it).
NO_PIXELS = np.zeros((0, 0, 3), np.uint8)


@dataclass(frozen=True, slots=True)
class LiveStatus:
    """What the status bar shows; emitted a few times a second."""

    running: bool
    recording: bool
    source: str
    fps: float
    captured: int
    processed: int
    dropped: int
    camera_lost: bool
    finished: bool
    status: str
    #: capture-to-processed latency of the latest result, milliseconds (nan before the first)
    latency_ms: float
    recording_s: float
    error: str | None = None

    def summary(self) -> str:
        parts = [self.status if self.running or self.error else "stopped"]
        if self.running:
            parts.append(f"{self.fps:4.1f} fps")
            parts.append(f"dropped {self.dropped}")
            if self.latency_ms == self.latency_ms:
                parts.append(f"latency {self.latency_ms:.0f} ms")
        return "  ·  ".join(parts)


@runtime_checkable
class StoresSessions(Protocol):
    """A processor whose recording goes to the session store (the real one; test fakes need not): its recorder while
    a session is being recorded, else None."""

    recorder: SessionRecorder | None


def note_source_file(processor: Processor, path: Path) -> None:
    """Processing thread, just after a recording started on a video file: its session keeps the file's full path, so
    Review plays the whole file (the session stays a live one: it may hold only part of the file)."""
    from turnout.session.analysis import source_path

    recorder = processor.recorder if isinstance(processor, StoresSessions) else None
    if recorder is not None:
        recorder.set_source_file(source_path(path))


def _start(routine: RoutineRun) -> RoutineProgress:
    """The first progress of a routine started mid-run (what the panel shows before the next frame)."""
    return routine.progress_now()


_frozen = threading.Event()


def _freeze_once() -> None:
    """On the first run's first frame: what exists then (Qt, the model, the modules: ~140,000 objects) lives as
    long as the app. Out of the cyclic collector's way, its full collections (80 ms and more, holding the GIL: a
    frozen picture and dropped frames) only look at newer objects.

    Only once: a later run would freeze the garbage of the runs before it (a closed run and its runner refer to
    each other, so only the collector frees them), and frozen objects are never collected. Freezing on every
    opened video kept each earlier run's processor, frames and results for good (issue 19, item 10: 1-3 MB a
    video, ``scripts/window_memory.py``)."""
    if not _frozen.is_set():
        _frozen.set()
        gc.freeze()


class _Run:
    """One open source with its processor (created lazily on the processing thread)."""

    def __init__(self, engine: Engine, spec: SourceSpec, on_event: Callable[[Any], None],
                 on_result: Callable[[], None] | None = None, routine: RoutineRun | None = None) -> None:  # fmt: skip
        self.spec = spec
        #: the routine walked through (touched on the processing thread only, like the processor)
        self.routine = routine
        self.engine = engine
        self.processor: Processor | None = None
        self.commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self.closed = threading.Event()
        self._close_lock = threading.Lock()
        self._on_event = on_event
        self._on_result = on_result
        #: a video file: its frames go at their own times (pause, slow motion, seek forward; every frame analysed)
        self.gate = PlaybackGate() if spec.is_file else None
        #: a video file: every frame's result in order, without its pixels (to replay what has been analysed)
        self.history: list[FrameResult] = []
        # two stages (turnout.session.engine.Staged): the model on the newest frame on the processing thread, the
        # rest of every such frame, in order, on the runner's second thread, where commands and the routine run too
        self.runner: LiveRunner[FrameResult] = LiveRunner(
            self._open,
            self._detect,
            then=self._complete,
            on_result=self._result,
            drop=not spec.is_file,
            gate=self.gate,
            prepare=frame_preparer(engine),
        )

    def _open(self) -> FrameSource:
        return self.engine.open_source(self.spec)

    def _detect(self, captured: Captured) -> Detected | Captured:
        if self.processor is None:
            self.processor = self.engine.create_processor(self.spec)
            _freeze_once()
        return first_stage(self.processor, captured)

    def _complete(self, item: Detected | Captured) -> FrameResult:
        assert self.processor is not None
        self._apply_commands()
        result = second_stage(self.processor, item)
        if self.routine is not None:
            progress = self.routine.follow(result)
            if progress is not None:
                result = replace(result, events=(*result.events, progress))
            if self.routine.dirty:
                self.routine.store(self.processor)
        return result

    def end_routine(self, processor: Processor | None) -> None:
        """Processing thread (or after it ended): the routine ends here, its summary shown and stored."""
        routine, self.routine = self.routine, None
        if routine is None:
            return
        self._on_event(routine.end())
        if processor is not None:
            routine.store(processor)

    def _apply_commands(self) -> None:
        assert self.processor is not None
        while True:
            try:
                command = self.commands.get_nowait()
            except queue.Empty:
                return
            command(self.processor)

    def _result(self, result: FrameResult) -> None:
        if self.gate is not None:
            self.history.append(replace(result, bgr=NO_PIXELS))
        for event in result.events:
            self._on_event(event)
        if self._on_result is not None:
            self._on_result()

    def close(self) -> None:
        """After the threads have ended: apply what is still queued, then close the processor once."""
        with self._close_lock:
            if self.closed.is_set():
                return
            if self.processor is not None:
                self._apply_commands()
                self.end_routine(self.processor)
                self.processor.close()
                # the run and its runner refer to each other (bound methods): let the processor (model, frames,
                # recorder) go now, not when the collector next looks at the run
                self.processor = None
            # and break the loop itself: the runner drops its callbacks (this run's bound methods), its source and
            # its last result (a frame's picture, ~1.5 MB), so the run and the runner go with the last reference
            self.runner.release()
            self.closed.set()


class LiveController(QObject):
    """Start and stop a source, record sessions, and publish the latest result from a timer."""

    #: a new :class:`FrameResult` to display
    frame_ready = Signal(object)
    #: practice events since the last tick (a list, in order)
    events_ready = Signal(list)
    #: a :class:`LiveStatus`, a few times a second
    status_changed = Signal(object)
    #: running or recording changed
    state_changed = Signal()
    #: a recording ended (its session is stored)
    session_finished = Signal()
    #: emitted by the processing thread when a result is ready; delivered queued on the GUI thread
    _result_ready = Signal()

    def __init__(self, engine: Engine, parent: QObject | None = None, interval_ms: int = 30) -> None:
        super().__init__(parent)
        self.engine = engine
        self._run: _Run | None = None
        #: the results of the video file played last (kept after it ends, until the next source starts)
        self._history: list[FrameResult] = []
        self._last: FrameResult | None = None
        self._events: deque[Any] = deque()
        self._recording_since: float | None = None
        self._fps = 0.0
        self._fps_mark: tuple[float, int] = (time.monotonic(), 0)
        self._last_status = 0.0
        self._error: str | None = None
        self._closers: list[threading.Thread] = []
        #: the routine chosen (each run walks it from the start) and her previous self-check's matched turnout
        self._routine: tuple[Routine, float | None, dict[str, float]] | None = None
        self._wake_pending = threading.Event()
        self._result_ready.connect(self._publish_latest, Qt.ConnectionType.QueuedConnection)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)

    # -- state ---------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._run is not None

    @property
    def recording(self) -> bool:
        return self._recording_since is not None

    @property
    def spec(self) -> SourceSpec | None:
        return None if self._run is None else self._run.spec

    @property
    def runner(self) -> LiveRunner[FrameResult] | None:
        """The running :class:`LiveRunner` (None when stopped)."""
        return None if self._run is None else self._run.runner

    def latest(self) -> FrameResult | None:
        return self._last

    @property
    def gate(self) -> PlaybackGate | None:
        """The running video file's :class:`PlaybackGate` (None for a camera or when stopped)."""
        return None if self._run is None else self._run.gate

    def history(self) -> list[FrameResult]:
        """Every analysed frame of the video file playing (or played last), in order, without pixels."""
        return self._history

    def stats(self) -> RunnerStats | None:
        return None if self._run is None else self._run.runner.stats()

    # -- control -------------------------------------------------------------------------------------
    def start(self, spec: SourceSpec) -> None:
        """Open ``spec`` and start processing (stopping whatever ran before)."""
        self.stop()
        self._error = None
        self._last = None
        routine = RoutineRun(*self._routine) if self._routine is not None else None
        self._run = _Run(self.engine, spec, self._events.append, self._wake, routine)
        self._history = self._run.history
        self._fps, self._fps_mark = 0.0, (time.monotonic(), 0)
        self._run.runner.start()
        self.timer.start()
        self.state_changed.emit()

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop the workers (True if they ended within ``timeout`` s) and end any recording.

        The processor is closed (ending its stored session) once the processing thread is done; if that
        thread is still finishing a frame, a helper thread closes it as soon as it ends.
        """
        run, self._run = self._run, None
        if run is None:
            return True
        was_recording = self.recording
        self._recording_since = None
        stopped = run.runner.stop(timeout)
        if stopped:
            run.close()
        else:
            closer = threading.Thread(target=self._close_later, args=(run, was_recording), daemon=True)
            self._closers.append(closer)
            closer.start()
        self._drain_events()
        self.timer.stop()
        self.state_changed.emit()
        self._emit_status(force=True, run=run)
        if was_recording and stopped:
            self.session_finished.emit()
        return stopped

    def _close_later(self, run: _Run, was_recording: bool) -> None:
        run.runner.wait()
        run.close()
        if was_recording:
            self.session_finished.emit()  # queued to the GUI thread

    def set_recording(self, on: bool) -> None:
        """Start or end a stored session on the running source."""
        if self._run is None or on == self.recording:
            return
        events = self._events

        run = self._run

        def command(processor: Processor) -> None:
            if not on and run.routine is not None:
                run.routine.store(processor)  # what was done so far goes with the session that ends
            processor.set_recording(on)
            if on and run.spec.path is not None:
                note_source_file(processor, run.spec.path)
            if not on:
                events.append(SESSION_ENDED)

        self._run.commands.put(command)
        self._recording_since = time.monotonic() if on else None
        self.state_changed.emit()

    def toggle_recording(self) -> None:
        self.set_recording(not self.recording)

    # -- the routine (walked on the processing thread; its progress comes as a practice event) ---------------
    @property
    def routine(self) -> Routine | None:
        return None if self._routine is None else self._routine[0]

    def set_routine(self, routine: Routine | None, last_selfcheck_deg: float | None = None,
                    earlier_stretches: Mapping[str, float] | None = None) -> None:  # fmt: skip
        """Walk ``routine`` from its start (None: no routine; one under way ends with its summary);
        ``earlier_stretches``: her previous figure per stretch, for "knees lower than last time"."""
        earlier = dict(earlier_stretches or {})
        self._routine = None if routine is None else (routine, last_selfcheck_deg, earlier)
        run = self._run
        if run is None:
            return

        def command(processor: Processor) -> None:
            run.end_routine(processor)
            if routine is not None:
                run.routine = RoutineRun(routine, last_selfcheck_deg, earlier)
                self._events.append(_start(run.routine))

        run.commands.put(command)

    def skip_exercise(self) -> None:
        """On to the routine's next exercise."""
        run = self._run
        if run is None:
            return

        def command(_processor: Processor) -> None:
            if run.routine is not None:
                self._events.append(run.routine.skip())

        run.commands.put(command)

    def end_routine(self) -> None:
        """End the routine here: its summary is shown and stored with the session being recorded."""
        self._routine = None
        run = self._run
        if run is not None:
            run.commands.put(run.end_routine)

    def request_baseline(self) -> None:
        """Take her standing baseline again from the next still window."""
        if self._run is not None:
            self._run.commands.put(lambda p: p.request_baseline())

    # -- the floor calibration (applied on the processing thread before its next frame) ----------------------
    def _floor(self, call: Callable[[FloorControl], None]) -> bool:
        """Queue ``call`` for a processor that can calibrate the floor; False when nothing runs."""
        if self._run is None:
            return False

        def command(processor: Processor) -> None:
            if isinstance(processor, FloorControl):
                call(processor)

        self._run.commands.put(command)
        return True

    def search_floor(self, reference: str) -> bool:
        """Look for the sheet ``reference`` on the coming frames (the answer comes as a practice event)."""
        return self._floor(lambda p: p.search_floor(reference))

    def cancel_floor_search(self) -> bool:
        return self._floor(lambda p: p.cancel_floor_search())

    def set_floor(self, calibration: Any, frame_bgr: Any) -> bool:
        """Use a calibration made from clicked corners on ``frame_bgr`` (a frame of the running source)."""
        return self._floor(lambda p: p.set_floor(calibration, frame_bgr))

    def clear_floor(self) -> bool:
        return self._floor(lambda p: p.clear_floor())

    def wait_closed(self, timeout: float = 10.0) -> bool:
        """Wait for processors still being closed after a slow stop (so no rep is lost at exit)."""
        deadline = time.monotonic() + timeout
        for t in self._closers:
            t.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._closers)

    # -- publishing ----------------------------------------------------------------------------------
    def _wake(self) -> None:
        """Processing thread, after each result: wake the GUI thread unless a wake-up is already on its way."""
        if not self._wake_pending.is_set():
            self._wake_pending.set()
            self._result_ready.emit()

    def _publish_latest(self) -> None:
        """GUI thread, woken by the processing thread: show the newest result and the events so far."""
        self._wake_pending.clear()
        run = self._run
        if run is None:
            return
        result = run.runner.latest()
        if result is not None and result is not self._last:
            self._last = result
            self.frame_ready.emit(result)
        self._drain_events()

    # -- the timer -----------------------------------------------------------------------------------
    def tick(self) -> None:
        """Publish the latest result and pending events; notice a finished file or a failed run."""
        run = self._run
        if run is None:
            return
        # stats first: once they say "finished", the result read after them is the very last one
        stats = run.runner.stats()
        result = run.runner.latest()
        if result is not None and result is not self._last:
            self._last = result
            self.frame_ready.emit(result)
        self._drain_events()
        if run.runner.error is not None:
            self._error = str(run.runner.error)
        self._emit_status(run=run, stats=stats)
        if stats.finished:
            self.stop()

    def _drain_events(self) -> None:
        batch: list[Any] = []
        ended = False
        while self._events:
            event = self._events.popleft()
            if event is SESSION_ENDED:
                ended = True
            else:
                batch.append(event)
        if batch:
            self.events_ready.emit(batch)
        if ended:
            self.session_finished.emit()

    def _emit_status(self, force: bool = False, run: _Run | None = None, stats: RunnerStats | None = None) -> None:
        now = time.monotonic()
        if not force and now - self._last_status < 0.25:
            return
        self._last_status = now
        stats = stats or (run.runner.stats() if run is not None else None)
        if stats is not None:
            t0, n0 = self._fps_mark
            if now - t0 >= 1.0:
                self._fps = (stats.processed - n0) / (now - t0)
                self._fps_mark = (now, stats.processed)
        last = self._last
        latency = (
            (last.processed_at - last.captured_at) * 1000.0 if last is not None and last.captured_at else float("nan")
        )
        self.status_changed.emit(
            LiveStatus(
                running=self.running,
                recording=self.recording,
                source=run.spec.label if run is not None else "",
                fps=self._fps,
                captured=stats.captured if stats else 0,
                processed=stats.processed if stats else 0,
                dropped=stats.dropped if stats else 0,
                camera_lost=stats.camera_lost if stats else False,
                finished=stats.finished if stats else False,
                status=stats.status if stats else "stopped",
                latency_ms=latency,
                recording_s=now - self._recording_since if self._recording_since is not None else 0.0,
                error=self._error,
            )
        )
