"""A video file's frames released at their own times (Qt-free): the gate between the file and the analysis.

The window plays a video file through the same pipeline as the camera. Without a gate the capture thread hands
over frames as fast as the model takes them, so a 13.2 s clip played in 8 s. :class:`PlaybackGate` holds each
frame until its time in the file (``Frame.timestamp_ms``, the container's own frame times) has come on a clock
that runs at ``rate`` (0.25, 0.5 or 1: slow motion), and stops releasing while paused.

Every frame still goes to the analysis, in order: the gate only decides *when*. When the analysis falls behind
(a slow machine), a frame comes late; the clock is then set again from that frame, so the video never speeds up
to catch up (it plays slower instead, and the window shows the newest analysed frame).

:meth:`release_until` lets frames through without waiting up to a given frame (a seek forward past what has been
analysed: every frame before it is analysed first, as fast as the model goes), and :meth:`step` lets exactly one
more frame through while paused (frame step forward).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from turnout.capture.sources import Frame

#: A frame released this much later than its time re-sets the clock (seconds, at rate 1): no catching up.
LATE_S = 0.1
RATES = (0.25, 0.5, 1.0)


class PlaybackGate:
    """Paces one video file's frames for the capture thread (:meth:`wait`); controlled from any thread."""

    def __init__(self, rate: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._cond = threading.Condition()
        self._clock = clock
        self._rate = rate
        self._paused = False
        self._closed = False
        #: (clock, frame time in ms) the frames' times are counted from; None: the next frame sets it
        self._anchor: tuple[float, int] | None = None
        #: frames up to this index go without waiting (a seek forward, a frame step), then the gate pauses if it was
        self._until: int | None = None
        #: index of the last frame let through (-1 before the first)
        self.released = -1

    # -- control (any thread) ------------------------------------------------------------------------
    @property
    def rate(self) -> float:
        return self._rate

    @property
    def paused(self) -> bool:
        return self._paused

    def set_rate(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError(f"playback rate must be positive, got {rate}")
        with self._cond:
            self._rate, self._anchor = rate, None
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._paused, self._until = True, None
            self._cond.notify_all()

    def play(self) -> None:
        with self._cond:
            self._paused, self._anchor, self._until = False, None, None
            self._cond.notify_all()

    def step(self) -> None:
        """While paused: let the next frame through (a frame step forward)."""
        with self._cond:
            self._until = self.released + 1
            self._cond.notify_all()

    def release_until(self, index: int) -> None:
        """Let every frame up to ``index`` through at once (analysed in order, as fast as the model goes); then play
        on at the frames' own times, or stay paused if paused."""
        with self._cond:
            self._until = max(index, self.released)
            self._cond.notify_all()

    @property
    def catching_up(self) -> bool:
        with self._cond:
            return self._until is not None and self._until > self.released

    def close(self) -> None:
        """The run stops: :meth:`wait` returns False from now on."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # -- the capture thread --------------------------------------------------------------------------
    def wait(self, frame: Frame, stop: threading.Event | None = None) -> bool:
        """Block until ``frame`` may go to the analysis; False if the run stops first."""
        with self._cond:
            while not self._closed and not (stop is not None and stop.is_set()):
                if self._until is not None:
                    if frame.index <= self._until:
                        self._anchor = None  # the clock starts again from where the jump ends
                        return self._let(frame)
                    self._until = None
                if self._paused:
                    self._cond.wait(0.1)
                    continue
                now = self._clock()
                if self._anchor is None:
                    self._anchor = (now, frame.timestamp_ms)
                    return self._let(frame)
                t0, ms0 = self._anchor
                due = t0 + (frame.timestamp_ms - ms0) / 1000.0 / self._rate
                if due <= now:
                    if now - due > LATE_S:  # late: the clock goes on from here, never faster to catch up
                        self._anchor = (now, frame.timestamp_ms)
                    return self._let(frame)
                self._cond.wait(min(due - now, 0.1))
            return False

    def _let(self, frame: Frame) -> bool:
        self.released = max(self.released, frame.index)
        return True
