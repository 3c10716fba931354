"""Plays a stored clip of a rep with the live overlay rebuilt from the stored landmarks, with a scrubber.

Frames are decoded one at a time as they are shown (a clip is a few hundred small frames; decoding one
takes a couple of milliseconds), so memory stays flat. Times are session times in seconds, the same axis
as the angles plot: ``position_changed`` drives the plot's cursor and :meth:`seek_time` follows it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from turnout.app.live_view import VideoWidget
from turnout.capture.pacing import RATES
from turnout.session.pipeline import FrameResult

ResultAt = Callable[[float, np.ndarray], FrameResult]


class ClipPlayer(QWidget):
    position_changed = Signal(float)

    def __init__(self, mirrored: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.video = VideoWidget()
        self.video.mirrored = mirrored
        self.video.placeholder = "Choose a flagged rep to play its clip"
        self.play_button = QToolButton()
        self.play_button.setText("▶ Play")
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_button.clicked.connect(self.toggle_play)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self._slider_moved)
        self.time_label = QLabel("")
        self.time_label.setMinimumWidth(120)
        self.back_button = QToolButton()
        self.back_button.setText("◀|")
        self.back_button.setToolTip("One frame back")
        self.back_button.clicked.connect(lambda: self.step(-1))
        self.forward_button = QToolButton()
        self.forward_button.setText("|▶")
        self.forward_button.setToolTip("One frame forward")
        self.forward_button.clicked.connect(lambda: self.step(1))
        for b in (self.back_button, self.forward_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.rate = 1.0
        self.speed = QComboBox()
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed.setToolTip("Slow motion ([ slower, ] faster)")
        for r in RATES:
            self.speed.addItem(f"{r:g}x", r)
        self.speed.setCurrentIndex(len(RATES) - 1)
        self.speed.activated.connect(lambda i: self.set_rate(float(self.speed.itemData(i))))
        #: play ``loop`` (session seconds) again and again; None: play to the end
        self.loop: tuple[float, float] | None = None
        controls = QHBoxLayout()
        controls.addWidget(self.back_button)
        controls.addWidget(self.play_button)
        controls.addWidget(self.forward_button)
        controls.addWidget(self.slider, 1)
        controls.addWidget(self.time_label)
        controls.addWidget(self.speed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.video, 1)
        lay.addLayout(controls)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._advance)
        self._cap: Any = None
        self._pos = -1  # index of the frame last read from the decoder
        self.path: Path | None = None
        self.n_frames = 0
        self.fps = 30.0
        self.t_start_s = 0.0
        self.t_end_s = 0.0
        self._result_at: ResultAt | None = None

    # -- loading -------------------------------------------------------------------------------------
    def load(self, path: Path, t_start_s: float, t_end_s: float | None, result_at: ResultAt | None = None) -> bool:
        """Open a clip spanning ``t_start_s``..``t_end_s`` of the session (None: as long as the video lasts at
        its frame rate: a whole recording); False (and a message) if unreadable."""
        import cv2

        from turnout.capture.sources import display_name, opencv_path

        self.close_clip()
        with opencv_path(path) as name:  # a folder whose name is not valid UTF-8 crashed OpenCV (SIGSEGV)
            cap = cv2.VideoCapture(name)  # FFmpeg keeps a descriptor of its own: the name may go after this
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if cap.isOpened() else 0
        if n <= 0:
            cap.release()
            self.video.placeholder = f"The clip {display_name(path.name)} cannot be read (missing or damaged)"
            self.video.update()
            return False
        self._cap, self.path, self.n_frames = cap, path, n
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 30.0) or 30.0
        if t_end_s is None:
            t_end_s = t_start_s + (n - 1) / self.fps
        self.t_start_s, self.t_end_s = t_start_s, max(t_end_s, t_start_s)
        self._result_at = result_at
        self.set_rate(self.rate)
        self.slider.blockSignals(True)
        self.slider.setRange(0, n - 1)
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self.slider.setEnabled(True)
        self.show_frame(0)
        return True

    def close_clip(self) -> None:
        self.pause()
        if self._cap is not None:
            self._cap.release()
        self._cap, self.path, self.n_frames, self._pos = None, None, 0, -1
        self.slider.setEnabled(False)
        self.video.set_result(None)
        self.time_label.setText("")

    def set_mirrored(self, on: bool) -> None:
        self.video.set_mirrored(on)

    def set_rate(self, rate: float) -> None:
        """Slow motion: 0.25, 0.5 or 1 (the clip's own frame rate)."""
        self.rate = rate
        self.speed.setCurrentIndex(max(0, self.speed.findData(rate)))
        self.timer.setInterval(max(10, round(1000 / self.fps / rate)))

    def faster(self, steps: int) -> None:
        """``]`` (+1) or ``[`` (-1): the next speed of 0.25x, 0.5x, 1x."""
        i = RATES.index(self.rate) if self.rate in RATES else len(RATES) - 1
        self.set_rate(RATES[min(max(i + steps, 0), len(RATES) - 1)])

    def set_loop(self, span: tuple[float, float] | None) -> None:
        """Play ``span`` (session seconds) again and again (A-B), or to the end (None)."""
        self.loop = span
        if span is not None and not span[0] <= self.time_of(self.frame) <= span[1]:
            self.seek_time(span[0])

    # -- time ----------------------------------------------------------------------------------------
    def time_of(self, frame: int) -> float:
        if self.n_frames <= 1:
            return self.t_start_s
        return self.t_start_s + (self.t_end_s - self.t_start_s) * frame / (self.n_frames - 1)

    def frame_of(self, t_s: float) -> int:
        span = self.t_end_s - self.t_start_s
        if self.n_frames <= 1 or span <= 0:
            return 0
        return int(round((t_s - self.t_start_s) / span * (self.n_frames - 1)))

    @property
    def frame(self) -> int:
        return self.slider.value()

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    # -- playback ------------------------------------------------------------------------------------
    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def play(self) -> None:
        if self._cap is None:
            return
        if self.frame >= self.n_frames - 1:
            self.slider.setValue(0)
        if self.loop is not None and not self.loop[0] <= self.time_of(self.frame) < self.loop[1]:
            self.seek_time(self.loop[0])
        self.timer.start()
        self.play_button.setText("❚❚ Pause")

    def pause(self) -> None:
        self.timer.stop()
        self.play_button.setText("▶ Play")

    def step(self, frames: int) -> None:
        """Pause and move ``frames`` frames (negative: back)."""
        if self._cap is None:
            return
        self.pause()
        self.slider.setValue(min(max(self.frame + frames, 0), self.n_frames - 1))

    def _advance(self) -> None:
        if self.loop is not None and (self.time_of(self.frame + 1) > self.loop[1] or self.frame >= self.n_frames - 1):
            self.seek_time(self.loop[0])
            return
        if self.frame >= self.n_frames - 1:
            self.pause()
            return
        self.slider.setValue(self.frame + 1)

    def _slider_moved(self, value: int) -> None:
        self.show_frame(value)

    def seek_time(self, t_s: float) -> None:
        """Show the frame at session time ``t_s`` (clamped to the clip)."""
        if self._cap is not None:
            self.slider.setValue(min(max(self.frame_of(t_s), 0), self.n_frames - 1))

    def show_frame(self, index: int) -> None:
        bgr = self._read(index)
        if bgr is None:
            return
        t = self.time_of(index)
        result = self._result_at(t, bgr) if self._result_at is not None else None
        if result is None:
            from turnout.pose.estimator import PoseFrame

            result = FrameResult(index, round(t * 1000), bgr, PoseFrame(index, round(t * 1000)), None, False)
        self.video.set_result(result)
        self.time_label.setText(f"{index + 1}/{self.n_frames}  ·  {t:6.2f} s")
        self.position_changed.emit(t)

    def _read(self, index: int) -> np.ndarray | None:
        import cv2

        if self._cap is None:
            return None
        if index != self._pos + 1:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            self._pos = -1
            return None
        self._pos = index
        return np.asarray(bgr)
