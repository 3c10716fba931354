"""Playing a video file in Live the way a teacher expects: real speed, pause, seek, frame step, slow motion, and a
loop over a rep.

Two things happen to a file in Live: it is *analysed* (every frame, in order, through the pipeline: the counts,
flags and a recorded session depend on it) and it is *shown*. The analysis is paced by the controller's
:class:`~turnout.capture.pacing.PlaybackGate` (each frame at its own time in the file, ``rate`` for slow motion,
held while paused), so the newest analysed frame is what plays. Every analysed frame's result is kept (without its
pixels: ``LiveController.history``), so what has been analysed can be shown again:

- **pause / play** (Space): the analysis waits while paused.
- **seek back, frame step back, the loop over a rep**: the picture is decoded from the file again and drawn with
  the kept landmarks and figures (a *replay*: nothing is analysed twice, the counts and a recorded session are
  unchanged). Playing on from there replays at the chosen speed up to the newest analysed frame, then the analysis
  continues where it stopped.
- **seek forward** past what has been analysed: every frame up to there is analysed first, as fast as the model
  goes (the picture runs fast meanwhile), then it plays on from there: counts stay true for the whole file.
- **frame step forward**: the next kept frame, or the next frame analysed.
- **loop over a rep**: a rep's span (from the reps counted so far) is replayed again and again.

When the file ends the run stops (a recorded session is stored) and everything stays on screen for replaying.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from turnout.app.clip_player import FrameReader
from turnout.app.controller import LiveController
from turnout.capture.pacing import RATES
from turnout.session.pipeline import FrameResult

#: the replay clock's tick (ms): frames whose time has passed are skipped, never shown fast
TICK_MS = 15


def _clock(t_s: float) -> str:
    m, s = divmod(max(t_s, 0.0), 60)
    return f"{int(m)}:{s:05.2f}"


def _button(text: str, tip: str) -> QToolButton:
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setMinimumHeight(32)
    return b


class FilePlayback(QWidget):
    """The controls under Live's picture while a video file plays, and the replay of what has been analysed."""

    #: a kept result with its frame decoded again, to show (a replay: no events, no cues)
    replay = Signal(object)

    def __init__(self, controller: LiveController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.path: Path | None = None
        self.reader: FrameReader | None = None
        #: position shown while replaying (an index into the history); None: the newest analysed frame
        self.replaying: int | None = None
        self.paused = False
        self.rate = 1.0
        #: the reps counted so far: (index, start s, end s)
        self.reps: list[tuple[int, float, float]] = []
        #: the loop's span in the file's time (seconds), None: no loop
        self.loop: tuple[float, float] | None = None
        self._anchor: tuple[float, int] = (0.0, 0)  # (clock, frame time ms) of the replay's clock
        self._times_ms: list[int] = []
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

        self.back_button = _button("◀|", "One frame back (Left)")
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.play_button = _button("❚❚ Pause", "Pause or play the video (Space)")
        self.play_button.setMinimumWidth(90)
        self.play_button.clicked.connect(self.toggle_play)
        self.forward_button = _button("|▶", "One frame forward (Right)")
        self.forward_button.clicked.connect(lambda: self.step(1))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slider.setToolTip("Seek: back shows what was analysed again; forward analyses every frame up to there")
        self.slider.valueChanged.connect(self._slider_moved)
        self.time_label = QLabel("")
        self.time_label.setMinimumWidth(150)
        self.speed = QComboBox()
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed.setToolTip("Slow motion ([ slower, ] faster)")
        for r in RATES:
            self.speed.addItem(f"{r:g}x", r)
        self.speed.setCurrentIndex(len(RATES) - 1)
        self.speed.activated.connect(lambda i: self.set_rate(float(self.speed.itemData(i))))
        self.loop_box = QComboBox()
        self.loop_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.loop_box.setToolTip("Loop over a rep (A-B): its span plays again and again")
        self.loop_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.loop_box.addItem("Loop: off", None)
        self.loop_box.activated.connect(self._loop_chosen)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        for w in (self.back_button, self.play_button, self.forward_button):
            lay.addWidget(w)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.time_label)
        lay.addWidget(self.speed)
        lay.addWidget(self.loop_box)
        controller.state_changed.connect(self._sync)

    # -- the file ------------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.path is not None

    def start(self, path: Path) -> None:
        """A new file plays (the controller has just started it)."""
        self.stop()
        self.path = path
        self.reader = FrameReader(path)
        self.paused, self.replaying = False, None
        self.set_rate(self.rate)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(self.reader.n_frames - 1, 0))
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self._sync()

    def stop(self) -> None:
        """Forget the file (a camera starts)."""
        self.timer.stop()
        if self.reader is not None:
            self.reader.close()
        self.reader, self.path, self.replaying, self.loop = None, None, None, None
        self._times_ms = []
        self.reps = []
        self.loop_box.blockSignals(True)
        while self.loop_box.count() > 1:
            self.loop_box.removeItem(1)
        self.loop_box.setCurrentIndex(0)
        self.loop_box.blockSignals(False)
        self.time_label.setText("")
        self.setVisible(False)

    @property
    def history(self) -> list[FrameResult]:
        return self.controller.history()

    @property
    def head(self) -> int:
        """Position of the newest analysed frame (-1 before the first)."""
        return len(self.history) - 1

    @property
    def position(self) -> int:
        return self.head if self.replaying is None else self.replaying

    @property
    def analysing(self) -> bool:
        """The file's analysis is still running (frames remain to analyse)."""
        return self.active and self.controller.running and self.controller.gate is not None

    # -- what the analysis shows -----------------------------------------------------------------------
    def on_live(self, result: FrameResult) -> bool:
        """A newly analysed frame: True if the window should show it (False while replaying)."""
        if not self.active:
            return True
        if self.replaying is not None:
            return False
        if self.loop is not None and not self.paused and result.timestamp_ms / 1000.0 > self.loop[1]:
            self._start_loop()
            return False
        self._show_position(result.index, result.timestamp_ms)
        return True

    def add_rep(self, index: int, t_start_s: float, t_end_s: float) -> None:
        """A rep ended: it can be looped over."""
        self.reps.append((index, t_start_s, t_end_s))
        self.loop_box.addItem(f"Loop rep {index} ({_clock(t_start_s)}-{_clock(t_end_s)})", (t_start_s, t_end_s))

    # -- controls ------------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.active and not self.paused and (self.timer.isActive() or self.analysing)

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def pause(self) -> None:
        self.paused = True
        self.timer.stop()
        gate = self.controller.gate
        if gate is not None:
            gate.pause()
        self._sync()

    def play(self) -> None:
        if not self.active or (not self.analysing and not self.history):  # a file that could not be read
            return
        self.paused = False
        if self.replaying is None and not self.analysing:  # at the end of a finished file: from the start again
            self.replaying = 0 if self.loop is None else self._index_at(self.loop[0])
            self._show_replay(self.replaying)
        if self.replaying is not None:
            self._anchor = (time.monotonic(), self.history[self.replaying].timestamp_ms)
            self.timer.start()
        else:
            gate = self.controller.gate
            if gate is not None:
                gate.play()
        self._sync()

    def set_rate(self, rate: float) -> None:
        self.rate = rate
        self.speed.setCurrentIndex(max(0, self.speed.findData(rate)))
        gate = self.controller.gate
        if gate is not None:
            gate.set_rate(rate)
        if self.replaying is not None and self.history:
            self._anchor = (time.monotonic(), self.history[self.replaying].timestamp_ms)

    def faster(self, steps: int) -> None:
        """``]`` (+1) or ``[`` (-1): the next speed of 0.25x, 0.5x, 1x."""
        i = RATES.index(self.rate) if self.rate in RATES else len(RATES) - 1
        self.set_rate(RATES[min(max(i + steps, 0), len(RATES) - 1)])

    def step(self, frames: int) -> None:
        """Pause and show the frame ``frames`` away (forward past the analysed frames: analyse the next one)."""
        if not self.active:
            return
        self.pause()
        target = self.position + frames
        if target <= self.head:
            self.replaying = max(target, 0)
            self._show_replay(self.replaying)
        elif self.analysing:
            self.replaying = None
            gate = self.controller.gate
            if gate is not None:
                gate.step()
        elif self.head >= 0:
            self.replaying = self.head
            self._show_replay(self.head)

    def seek(self, index: int) -> None:
        """Show frame ``index``: replayed if analysed, else analysed up to it first (see the module's text)."""
        if not self.active:
            return
        if index <= self.head or not self.analysing:
            self.replaying = min(max(index, 0), max(self.head, 0))
            if self.head < 0:
                return
            gate = self.controller.gate
            if gate is not None:
                gate.pause()
            self._show_replay(self.replaying)
            if not self.paused:
                self._anchor = (time.monotonic(), self.history[self.replaying].timestamp_ms)
                self.timer.start()
        else:
            self.timer.stop()
            self.replaying = None
            gate = self.controller.gate
            if gate is not None:
                gate.pause() if self.paused else gate.play()
                gate.release_until(index)
        self._sync()

    def set_loop(self, span: tuple[float, float] | None) -> None:
        """Loop over ``span`` (seconds of the file), or stop looping."""
        self.loop = span
        spans = [self.loop_box.itemData(i) for i in range(self.loop_box.count())]
        found = [i for i, d in enumerate(spans) if d is not None and span is not None and tuple(d) == span]
        self.loop_box.setCurrentIndex(found[0] if found else 0)
        if span is not None:
            self._start_loop()

    def _loop_chosen(self, i: int) -> None:
        data = self.loop_box.itemData(i)
        self.set_loop(None if data is None else (float(data[0]), float(data[1])))

    def _start_loop(self) -> None:
        assert self.loop is not None
        self.paused = False
        self.seek(self._index_at(self.loop[0]))

    # -- replay --------------------------------------------------------------------------------------
    def _times(self) -> list[int]:
        """The kept frames' times (ms), grown as the history grows."""
        history = self.history
        if len(self._times_ms) > len(history) or (self._times_ms and history[0].timestamp_ms != self._times_ms[0]):
            self._times_ms = []  # another file's history
        self._times_ms.extend(r.timestamp_ms for r in history[len(self._times_ms) :])
        return self._times_ms

    def _index_at(self, t_s: float) -> int:
        times = self._times()
        return min(max(bisect.bisect_left(times, round(t_s * 1000)), 0), max(len(times) - 1, 0))

    def _tick(self) -> None:
        if self.replaying is None or not self.history:
            self.timer.stop()
            return
        t0, ms0 = self._anchor
        now_ms = ms0 + (time.monotonic() - t0) * 1000.0 * self.rate
        if self.loop is not None and now_ms > self.loop[1] * 1000.0:
            self._start_loop()
            return
        history = self.history
        times = self._times()
        target = bisect.bisect_right(times, now_ms) - 1
        if target >= len(history) - 1 and self.analysing:  # caught up with the analysis: it goes on
            self.timer.stop()
            self.replaying = None
            gate = self.controller.gate
            if gate is not None:
                gate.play()
            self._sync()
            return
        if target >= len(history) - 1:  # the end of a finished file
            self._show_replay(len(history) - 1)
            self.pause()
            return
        if target > self.replaying:
            self.replaying = target
            self._show_replay(target)

    def _show_replay(self, position: int) -> None:
        history = self.history
        if not 0 <= position < len(history) or self.reader is None:
            return
        kept = history[position]
        bgr = self.reader.read(kept.index)
        if bgr is None:
            return
        self.replay.emit(replace(kept, bgr=bgr))
        self._show_position(kept.index, kept.timestamp_ms)

    def _show_position(self, index: int, t_ms: int) -> None:
        if index > self.slider.maximum():
            self.slider.setMaximum(index)
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        total = self.slider.maximum() / (self.reader.fps if self.reader is not None else 30.0)
        analysed = ""
        if self.analysing and self.replaying is not None and self.history:
            analysed = f"  (analysed to {_clock(self.history[-1].timestamp_ms / 1000)})"
        self.time_label.setText(f"{_clock(t_ms / 1000)} / {_clock(total)}{analysed}")

    def _slider_moved(self, value: int) -> None:
        self.seek(value)

    def _sync(self) -> None:
        self.setVisible(self.active)
        self.play_button.setText("❚❚ Pause" if self.playing else "▶ Play")
        if self.active and not self.analysing and self.head >= 0:
            self.slider.setMaximum(self.head)  # the file's real end (its header may promise more frames)
