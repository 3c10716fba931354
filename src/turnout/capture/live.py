"""Live running, Qt-free: capture on one thread, processing on another, the latest result for display.

Capture thread -> one-slot queue -> processing thread -> ``latest()``. When processing falls behind, the
waiting frame is replaced by the newer one and the replaced frame is counted as dropped: the display always
shows the newest possible result and never waits on the model. When the camera stops delivering frames,
the runner says so (``status``), keeps the processing side (and so the session) alive, and reopens the
source until frames return.

Processing in two stages (``then``): the processing thread runs only the first stage (the pose model) on the
newest frame, and a third thread runs the second (smoothing, measurements, reps, storage) on its outputs, in
order, every one of them: a frame is dropped, if at all, before the model, never after it. The model no longer
waits for the rest of the previous frame: one after the other on one thread they took 25 + 6.5 ms of a 33 ms
frame. Where the model has a core of its own (:mod:`turnout.capture.cores`), the second stage runs there too, in
the time the model's threads wait (see :data:`STAGES_ENV` for why not on the other core).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from turnout.capture import cores
from turnout.capture.pacing import PlaybackGate
from turnout.capture.sources import Frame, FrameSource
from turnout.errors import SourceError

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Captured:
    frame: Frame
    #: ``time.monotonic()`` when the frame was read from the source (for capture-to-paint latency).
    captured_at: float


@dataclass(frozen=True, slots=True)
class RunnerStats:
    captured: int
    processed: int
    dropped: int
    reconnects: int
    camera_lost: bool
    finished: bool
    status: str


def _released_open() -> FrameSource:
    raise RuntimeError("this runner was released")


def _released_process(captured: Captured) -> Any:
    raise RuntimeError("this runner was released")


#: Outputs of the first stage waiting for the second, at most (``then``): the first stage takes the next frame
#: only when there is room, so what it works on is always the newest frame, not one that waited behind a full queue.
AHEAD = 1

#: Environment variable, for comparing the ways on one machine (``scripts/bench.py --live-stages``): ``1`` runs both
#: stages one after the other on the processing thread (as before there were two); ``2`` (the default) runs the second
#: on a thread of its own on the model's core (:mod:`turnout.capture.cores`), ``2-split`` on the other cores.
#:
#: Why the model's core: the second stage is Python, and the model's thread needs the GIL back after each model call.
#: On the other core, beside the window, capture and decoding, the second stage held the GIL while that core was
#: busy, and the model's thread waited for it: paired runs of the live window on this shared 2-core machine (load
#: 3-8), frames painted a second, one thread / split: 23.9/20.2, 22.9/17.8, 18.5/14.5, 21.0/16.6 (the model's stage
#: 27-38 ms a frame one thread, 45-63 split); one thread / model's core: 22.3/24.9, 24.9/28.9, 27.2/28.1 (the
#: model's stage 23-34 ms; dropped 9-26 % / 4-17 %). There the second stage runs while the model's threads wait
#: (for the next frame, for each other), and the GIL passes between threads of one core.
STAGES_ENV = "TURNOUT_LIVE_STAGES"


def _two_threads() -> bool:
    return os.environ.get(STAGES_ENV, "2").strip() != "1"


def _rest_beside_model() -> bool:
    return os.environ.get(STAGES_ENV, "2").strip() != "2-split"


#: The interpreter's switch interval while two stages run (seconds; Python's default is 0.005). The model's thread
#: needs the GIL for a moment around each model call (taking the frame, reading the landmarks). With the rest of the
#: previous frame running Python, it would wait up to a whole interval each time, and it waits right when the rest
#: has just started (a frame is handed on as the next one is taken): 5 ms twice a frame is 10 ms of a 33 ms frame.
#: At 1 ms the wait is bounded by 1 ms; the cost is a few more GIL hand-overs between the other threads.
SWITCH_INTERVAL_S = 0.001


def _shorten_switch_interval() -> None:
    if sys.getswitchinterval() > SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)


class LiveRunner(Generic[R]):
    """Run ``process`` on frames from ``open_source()`` off the calling thread.

    ``process(captured)`` runs on the processing thread only (so it may own the pose model);
    ``on_result(result)`` is called there too, after each frame; ``latest()`` is safe from any thread.
    ``then``: a second stage. ``process`` is then the first (its return value is handed on, not a result), and
    ``then(item)`` runs on a thread of its own on every item ``process`` returned, in order (nothing dropped or
    reordered between the stages; at most :data:`AHEAD` waiting): its return value is the result, and
    ``on_result`` is called on that thread.
    ``reconnect``: when a live source is lost, reopen it every ``retry_s`` seconds until ``stop()``.
    ``drop``: True for a live camera (a newer frame replaces a waiting one); False to process every frame
    (a video file played through the window: capture waits for processing instead).
    A finite source (a video file) simply ends: ``stats().finished`` becomes true.
    ``gate``: a video file played for watching: each frame waits for its own time in the file
    (:class:`~turnout.capture.pacing.PlaybackGate`: real speed, pause, slow motion); every frame is still processed.
    ``prepare``: applied to each frame on the capture thread (the conversion for the pose model,
    ``Frame.prepared``), so that the model's thread, once it has the GIL back from a model call, keeps it until it
    calls the model on the next frame: taking the GIL back after a conversion of its own, just as the second stage
    starts on the other core, cost it a switch interval a frame.
    """

    def __init__(
        self,
        open_source: Callable[[], FrameSource],
        process: Callable[[Captured], Any],
        *,
        then: Callable[[Any], R] | None = None,
        on_result: Callable[[R], None] | None = None,
        reconnect: bool = True,
        retry_s: float = 1.0,
        drop: bool = True,
        gate: PlaybackGate | None = None,
        prepare: Callable[[Frame], Frame] | None = None,
    ) -> None:
        self._drop = drop
        self.gate = gate
        self._prepare = prepare
        self._open_source = open_source
        self._process = process
        self._then = then
        self._on_result = on_result
        self._reconnect = reconnect
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._pending: Captured | None = None
        self._capture_done = False
        #: first-stage outputs for the second stage (``then``), oldest first; guarded by ``_cond``
        self._handoff: deque[Any] = deque()
        self._first_done = False
        self._latest: R | None = None
        self._lock = threading.Lock()
        self._captured = self._processed = self._dropped = self._reconnects = 0
        self._lost = False
        self._finished = False
        self._status = "starting"
        self._source: FrameSource | None = None
        self._continue_numbering = False
        self._index_offset = self._ms_offset = 0
        self._last_index, self._last_ms, self._period_ms = -1, -33, 33
        self._threads: list[threading.Thread] = []
        self.error: BaseException | None = None

    # -- control -------------------------------------------------------------------------------------
    def start(self) -> None:
        self._threads = [
            threading.Thread(target=self._capture_loop, name="turnout-capture", daemon=True),
            threading.Thread(target=self._process_loop, name="turnout-process", daemon=True),
        ]
        if self._then is not None and not _two_threads():
            first, then = self._process, self._then
            self._process, self._then = (lambda item: then(first(item))), None
        if self._then is not None:
            _shorten_switch_interval()  # process-wide and kept: a live run is what this process is for
            self._threads.append(threading.Thread(target=self._then_loop, name="turnout-after", daemon=True))
        for t in self._threads:
            t.start()

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop the threads; True if they ended within ``timeout`` seconds. What the first stage has done already
        still goes through the second (at most :data:`AHEAD` items), so no processed frame is lost."""
        self._stop.set()
        if self.gate is not None:
            self.gate.close()
        src = self._source
        if src is not None and hasattr(src, "stop"):
            src.stop()
        with self._cond:
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until a finite source is fully processed (or ``stop``); True if it finished."""
        for t in self._threads:
            t.join(timeout)
        return not any(t.is_alive() for t in self._threads)

    def latest(self) -> R | None:
        with self._lock:
            return self._latest

    def release(self) -> None:
        """After both threads have ended: drop the callbacks (bound methods of whoever made this runner, which
        often holds the runner: a reference loop only the garbage collector would free), the source, the frame
        waiting and the last result (its picture), so that they go as soon as nothing else holds them. The stats
        stay; :meth:`latest` gives None from now on. Does nothing while a thread still runs."""
        if any(t.is_alive() for t in self._threads):
            return
        self._open_source = _released_open
        self._process = _released_process
        self._then = None
        self._on_result = None
        self._source = None
        with self._cond:
            self._pending = None
            self._handoff.clear()
        with self._lock:
            self._latest = None
        self._threads = []

    def stats(self) -> RunnerStats:
        with self._lock:
            return RunnerStats(
                self._captured, self._processed, self._dropped, self._reconnects, self._lost, self._finished,
                self._status,
            )  # fmt: skip

    # -- threads -------------------------------------------------------------------------------------
    def _set_status(self, text: str, lost: bool | None = None) -> None:
        with self._lock:
            self._status = text
            if lost is not None:
                self._lost = lost

    def _capture_loop(self) -> None:
        try:
            first = True
            while not self._stop.is_set():
                try:
                    self._source = self._open_source()
                except SourceError as exc:
                    if first or not self._reconnect:
                        raise
                    self._set_status(f"camera lost: {exc}; retrying", lost=True)
                    self._stop.wait(self._retry_s)
                    continue
                if not first:
                    with self._lock:
                        self._reconnects += 1
                    self._continue_numbering = True
                first = False
                self._set_status(f"running: {self._source.info.name}", lost=False)
                with self._source:
                    for frame in self._source:
                        if self._stop.is_set():
                            break
                        if self.gate is not None and not self.gate.wait(frame, self._stop):
                            break
                        captured = Captured(self._numbered(frame), time.monotonic())
                        if self._prepare is not None:  # after the capture time: its cost counts in the latency
                            captured = Captured(self._prepare(captured.frame), captured.captured_at)
                        self._offer(captured)
                    lost = bool(getattr(self._source, "lost", False))
                if self._stop.is_set() or not (lost and self._reconnect) or self._source.info.kind != "camera":
                    break
                self._set_status("camera lost: no frames are coming; check the cable. Retrying...", lost=True)
                self._stop.wait(self._retry_s)
        except BaseException as exc:  # reported through .error and status; the processing side ends cleanly
            self.error = exc
            self._set_status(f"stopped: {exc}")
        finally:
            with self._cond:
                self._capture_done = True
                self._cond.notify_all()

    def _numbered(self, frame: Frame) -> Frame:
        """Frame numbers and times keep increasing across a reconnect (a reopened camera counts from 0
        again), so the session's frames never go back in time or overwrite earlier ones."""
        if self._continue_numbering:
            self._continue_numbering = False
            self._index_offset = self._last_index + 1 - frame.index
            self._ms_offset = self._last_ms + self._period_ms - frame.timestamp_ms
        index, ms = frame.index + self._index_offset, frame.timestamp_ms + self._ms_offset
        if index == self._last_index + 1 and ms > self._last_ms:
            self._period_ms = ms - self._last_ms
        self._last_index, self._last_ms = index, ms
        return frame if (index, ms) == (frame.index, frame.timestamp_ms) else Frame(index, ms, frame.bgr)

    def _offer(self, item: Captured) -> None:
        with self._cond:
            while not self._drop and self._pending is not None and not self._stop.is_set():
                self._cond.wait(0.1)
            if self._pending is not None:
                with self._lock:
                    self._dropped += 1
            self._pending = item
            with self._lock:
                self._captured += 1
            self._cond.notify_all()

    def _process_loop(self) -> None:
        staged = self._then is not None
        try:
            while True:
                with self._cond:
                    while not self._stop.is_set() and (
                        (self._pending is None and not self._capture_done)
                        or (staged and len(self._handoff) >= AHEAD)  # the second stage is behind: wait for room
                    ):
                        self._cond.wait(0.1)
                    if self._stop.is_set() or (self._pending is None and self._capture_done):
                        break
                    item, self._pending = self._pending, None
                    self._cond.notify_all()
                assert item is not None
                out = self._process(item)
                if staged:
                    with self._cond:
                        self._handoff.append(out)
                        self._cond.notify_all()
                else:
                    self._publish(out)
        except BaseException as exc:
            self.error = exc
            self._set_status(f"stopped: {exc}")
            self._stop.set()
        finally:
            with self._cond:
                self._first_done = True
                self._cond.notify_all()
            if not staged:
                with self._lock:
                    self._finished = True

    def _then_loop(self) -> None:
        """The second stage: every first-stage output, in order, until the first stage has ended and its last
        output is done (also after ``stop``: what the model has done is not thrown away)."""
        then = self._then
        assert then is not None
        plan = cores.reserved()
        if plan is not None and _rest_beside_model():
            cores.pin_this_thread(plan.model)
        try:
            while True:
                with self._cond:
                    while not self._handoff and not self._first_done:
                        self._cond.wait(0.1)
                    if not self._handoff:
                        break
                    item = self._handoff.popleft()
                    self._cond.notify_all()
                self._publish(then(item))
        except BaseException as exc:
            self.error = self.error or exc
            self._set_status(f"stopped: {exc}")
            self._stop.set()
            with self._cond:
                self._cond.notify_all()
        finally:
            with self._lock:
                self._finished = True

    def _publish(self, result: R) -> None:
        with self._lock:
            self._latest = result
            self._processed += 1
        if self._on_result is not None:
            self._on_result(result)
