"""Plays a stored clip of a rep, or the whole video file a session came from, with the live overlay rebuilt from the
stored landmarks, with a scrubber.

Frames are decoded one at a time as they are shown (:class:`FrameReader`, which Live's replay of a video file uses
too), so memory stays flat. Times are session times in seconds, the same axis as the angles plot:
``position_changed`` drives the plot's cursor and :meth:`ClipPlayer.seek_time` follows it. How the player's frames
map to session times and to stored frames is its :class:`Timeline`: a clip spans its seconds evenly
(:class:`ClipSpan`); a whole video maps frame by frame (:class:`turnout.session.review_data.VideoFrames`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from turnout.app.live_view import VideoWidget
from turnout.capture.pacing import RATES
from turnout.session.pipeline import FrameResult

ResultAt = Callable[[float, np.ndarray], FrameResult]


class FrameReader:
    """Frames of a video file by index, decoded on the GUI thread (sequential reads are cheap, a jump seeks)."""

    def __init__(self, path: Path) -> None:
        import cv2

        from turnout.capture.sources import opencv_path

        with opencv_path(path) as name:  # a folder whose name is not valid UTF-8 crashed OpenCV (SIGSEGV)
            self._cap: Any = cv2.VideoCapture(name)  # FFmpeg keeps a descriptor of its own: the name may go
        self.ok = bool(self._cap.isOpened())
        self.n_frames = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if self.ok else 0
        fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0) if self.ok else 0.0
        self.fps = fps if 0 < fps < 1000 else 30.0
        self._pos = -1  # index of the frame last read from the decoder

    def read(self, index: int) -> np.ndarray | None:
        import cv2

        if self._cap is None or not self.ok:
            return None
        if index != self._pos + 1:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            self._pos = -1
            return None
        self._pos = index
        return np.asarray(bgr)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
        self._cap = None


class Timeline(Protocol):
    """How a player's frames map to session seconds and to what the session stored for them."""

    def time_of(self, frame: int) -> float: ...

    def frame_of(self, t_s: float) -> int: ...

    def result(self, frame: int, bgr: np.ndarray) -> FrameResult | None:
        """The frame with its stored landmarks and figures; None when the session holds nothing for it."""
        ...


@dataclass(frozen=True, slots=True)
class ClipSpan:
    """A clip of ``n_frames`` spanning ``t_start_s``..``t_end_s`` of the session evenly; each frame is shown with the
    stored frame nearest its time (``result_at``)."""

    t_start_s: float
    t_end_s: float
    n_frames: int
    result_at: ResultAt | None = None

    def time_of(self, frame: int) -> float:
        if self.n_frames <= 1:
            return self.t_start_s
        return self.t_start_s + (self.t_end_s - self.t_start_s) * frame / (self.n_frames - 1)

    def frame_of(self, t_s: float) -> int:
        span = self.t_end_s - self.t_start_s
        if self.n_frames <= 1 or span <= 0:
            return 0
        return int(round((t_s - self.t_start_s) / span * (self.n_frames - 1)))

    def result(self, frame: int, bgr: np.ndarray) -> FrameResult | None:
        return None if self.result_at is None else self.result_at(self.time_of(frame), bgr)


class ClipPlayer(QWidget):
    position_changed = Signal(float)

    def __init__(self, mirrored: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.video = VideoWidget()
        self.video.mirrored = mirrored
        self.video.placeholder = "Choose a rep to play it"
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
        self.reader: FrameReader | None = None
        self.path: Path | None = None
        self.n_frames = 0
        self.fps = 30.0
        self.timeline: Timeline = ClipSpan(0.0, 0.0, 0)
        #: the frame shown is one the session holds (drawn with its overlay)
        self.stored = False

    # -- loading -------------------------------------------------------------------------------------
    def load(self, path: Path, t_start_s: float, t_end_s: float | None, result_at: ResultAt | None = None) -> bool:
        """Open a clip spanning ``t_start_s``..``t_end_s`` of the session (None: as long as the video lasts at
        its frame rate); False (and a message) if unreadable."""

        def span(reader: FrameReader) -> Timeline:
            end = t_start_s + (reader.n_frames - 1) / reader.fps if t_end_s is None else max(t_end_s, t_start_s)
            return ClipSpan(t_start_s, end, reader.n_frames, result_at)

        return self._open(path, span)

    def load_video(self, path: Path, frames: Callable[[float], Timeline]) -> bool:
        """Open the whole video file a session came from; ``frames(fps)`` maps its frames to the session's
        (:meth:`turnout.session.review_data.SessionData.on_video`). False (and a message) if unreadable."""
        return self._open(path, lambda reader: frames(reader.fps))

    def _open(self, path: Path, timeline: Callable[[FrameReader], Timeline]) -> bool:
        from turnout.capture.sources import display_name

        self.close_clip()
        reader = FrameReader(path)
        if reader.n_frames <= 0:
            reader.close()
            self.video.placeholder = f"The video {display_name(path.name)} cannot be read (missing or damaged)"
            self.video.update()
            return False
        self.reader, self.path, self.n_frames, self.fps = reader, path, reader.n_frames, reader.fps
        self.timeline = timeline(reader)
        self.set_rate(self.rate)
        self.slider.blockSignals(True)
        self.slider.setRange(0, self.n_frames - 1)
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self.slider.setEnabled(True)
        self.show_frame(0)
        return True

    def close_clip(self) -> None:
        self.pause()
        if self.reader is not None:
            self.reader.close()
        self.reader, self.path, self.n_frames, self.stored = None, None, 0, False
        self.slider.setEnabled(False)
        self.video.set_result(None)
        self.time_label.setText("")

    def set_mirrored(self, on: bool) -> None:
        self.video.set_mirrored(on)

    def set_rate(self, rate: float) -> None:
        """Slow motion: 0.25, 0.5 or 1 (the video's own frame rate)."""
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
        """Session seconds of the player's frame ``frame``."""
        return self.timeline.time_of(frame)

    def frame_of(self, t_s: float) -> int:
        return self.timeline.frame_of(t_s)

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
        if self.reader is None:
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
        if self.reader is None:
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
        """Show the frame at session time ``t_s`` (clamped to the video)."""
        if self.reader is not None:
            self.slider.setValue(min(max(self.frame_of(t_s), 0), self.n_frames - 1))

    def show_frame(self, index: int) -> None:
        bgr = self.reader.read(index) if self.reader is not None else None
        if bgr is None:
            return
        t = self.time_of(index)
        result = self.timeline.result(index, bgr)
        self.stored = result is not None
        if result is None:
            from turnout.pose.estimator import PoseFrame

            result = FrameResult(index, round(t * 1000), bgr, PoseFrame(index, round(t * 1000)), None, False)
        self.video.set_result(result)
        held = "" if self.stored else "  ·  not recorded"
        self.time_label.setText(f"{index + 1}/{self.n_frames}  ·  {t:6.2f} s{held}")
        self.position_changed.emit(t)
