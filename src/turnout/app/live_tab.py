"""The Live tab: source and recording controls over the live view and its figures, wired to the controller."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from turnout.app.controller import LiveController, LiveStatus
from turnout.app.engine import SourceSpec
from turnout.app.live_view import FiguresPanel, FlagMemory, VideoWidget, flags_of_events
from turnout.app.sound import CuePlayer
from turnout.pipeline import FrameResult

CAMERAS = 4
#: Shown over the picture while the camera gives no frames (the runner keeps retrying).
CAMERA_LOST = "Camera lost: no picture is coming. Check the cable, or close other apps using it. Retrying…"
#: ... and, while recording, what happens to her session.
SESSION_KEPT = "Everything recorded so far is kept; the session goes on when the camera is back."


def _button(action: QAction) -> QToolButton:
    b = QToolButton()
    b.setDefaultAction(action)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setMinimumHeight(38)
    return b


class LiveTab(QWidget):
    """Shows what the controller publishes; its actions go into the window's menus too."""

    #: the user asked to open a video file (the window shows the file dialog)
    open_file_requested = Signal()

    def __init__(self, controller: LiveController, cues: CuePlayer, mirrored: bool = True, camera: int = 0,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.controller = controller
        self.cues = cues
        self.memory = FlagMemory()
        self.mirrored_input = False
        self.video = VideoWidget()
        self.video.mirrored = mirrored
        self.figures = FiguresPanel()
        self.source = QComboBox()
        self.source.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.source.setMinimumHeight(38)
        for i in range(CAMERAS):
            self.source.addItem(f"Camera {i}", SourceSpec(camera=i))
        self.source.setCurrentIndex(min(max(camera, 0), CAMERAS - 1))
        self.source.activated.connect(self._source_chosen)

        self.act_start = QAction("Start camera", self, shortcut=QKeySequence("Ctrl+K"), checkable=True)
        self.act_start.setToolTip("Start or stop the selected camera (Ctrl+K)")
        self.act_start.triggered.connect(self._start_stop)
        self.act_record = QAction("● Record", self, checkable=True)
        self.act_record.setToolTip("Start or stop recording a session (Space)")
        self.act_record.triggered.connect(self._record)
        self.act_open = QAction("Open video…", self, shortcut=QKeySequence("Ctrl+O"))
        self.act_open.triggered.connect(self.open_file_requested)
        self.act_mirror = QAction("Mirror", self, shortcut=QKeySequence("M"), checkable=True, checked=mirrored)
        self.act_mirror.setToolTip("Show the image like a studio mirror (M)")
        self.act_mirror.toggled.connect(self.set_mirrored)
        self.act_sound = QAction("Sound cues", self, shortcut=QKeySequence("S"), checkable=True, checked=cues.enabled)
        self.act_sound.setToolTip("Speak or sound a cue when a fault is flagged (S)")
        self.act_sound.toggled.connect(self._sound_toggled)
        self.act_baseline = QAction("Retake baseline", self, shortcut=QKeySequence("B"))
        self.act_baseline.setToolTip("Stand still in first position: your standing baseline is taken again (B)")
        self.act_baseline.triggered.connect(self.controller.request_baseline)
        self.rec_label = QLabel("")
        self.rec_label.setStyleSheet("color: #ff3b30; font-size: 16pt; font-weight: bold;")
        #: why the session is not being stored in full (a full disk); kept until the next recording starts
        self.storage_label = QLabel("")
        self.storage_label.setStyleSheet("color: #ff3b30; font-weight: bold;")
        self.storage_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.storage_label.hide()
        self._recording = False

        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 6)
        bar.addWidget(self.source)
        for act in (self.act_start, self.act_open, self.act_record, self.act_baseline, self.act_mirror, self.act_sound):
            button = _button(act)
            if act is self.act_record:
                button.setObjectName("record")
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.storage_label, 4)
        bar.addWidget(self.rec_label)
        body = QHBoxLayout()
        body.setContentsMargins(8, 0, 8, 8)
        body.addWidget(self.video, 3)
        body.addWidget(self.figures, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addLayout(body, 1)

        controller.frame_ready.connect(self.show_result)
        controller.events_ready.connect(self.on_events)
        controller.status_changed.connect(self.show_status)
        controller.state_changed.connect(self.sync_state)
        self.sync_state()

    # -- actions -------------------------------------------------------------------------------------
    def current_spec(self) -> SourceSpec:
        spec: SourceSpec = self.source.currentData()
        if spec.camera is not None:
            return SourceSpec(camera=spec.camera, mirrored_input=self.mirrored_input)
        return spec

    def start_source(self, spec: SourceSpec | None = None) -> None:
        """Start ``spec`` (default: the selected camera); a file is added to the source list."""
        spec = spec or self.current_spec()
        if spec.is_file:
            index = self.source.findText(spec.label)
            if index < 0:
                self.source.addItem(spec.label, spec)
                index = self.source.count() - 1
            self.source.setCurrentIndex(index)
        self.memory.clear()
        self.video.set_result(None)
        self.video.placeholder = f"Opening {spec.label}…"
        self.controller.start(spec)

    def _source_chosen(self, _index: int) -> None:
        if self.controller.running:
            self.start_source()

    def _start_stop(self) -> None:
        if self.controller.running:
            self.controller.stop()
        else:
            self.start_source()

    def _record(self) -> None:
        self.toggle_recording()

    def toggle_recording(self) -> None:
        """Space: start recording (starting the camera first if nothing runs) or stop it."""
        if not self.controller.running:
            self.start_source()
        self.controller.toggle_recording()

    def set_mirrored(self, on: bool) -> None:
        self.video.set_mirrored(on)
        if self.act_mirror.isChecked() != on:
            self.act_mirror.setChecked(on)

    def _sound_toggled(self, on: bool) -> None:
        self.cues.enabled = on

    # -- display -------------------------------------------------------------------------------------
    def show_result(self, result: FrameResult) -> None:
        if result.storage_error:
            self.show_storage_error(result.storage_error)
        self.video.set_result(result)
        self.figures.show_result(result)
        if result.reliable:
            self._note(result.active_flags)
            self.video.show_guidance(result.guidance)
        else:
            self.memory.clear()  # nothing is judged from an unreliable pose
            self.video.show_guidance(result.guidance or ("Step into view, facing the camera",))
        self.video.show_banner(self.memory.current())

    def on_events(self, events: list[Any]) -> None:
        self._note(flags_of_events(events))

    def _note(self, flags: Any) -> None:
        for flag in self.memory.note(flags):
            self.cues.cue(str(flag.code), str(flag.cue), str(flag.severity))

    def show_storage_error(self, message: str) -> None:
        """Say that part of the session could not be saved (the session itself goes on)."""
        text = f"Not saved: {message}"
        if self.storage_label.text() != text:
            self.storage_label.setText(text)
            self.storage_label.setToolTip(message)
            self.storage_label.show()

    def show_status(self, status: LiveStatus) -> None:
        if status.camera_lost:
            lines = (CAMERA_LOST, SESSION_KEPT) if status.recording else (CAMERA_LOST,)
            if self.video.guidance.text() != "\n".join(lines) or not self.video.guidance.isVisible():
                self.video.show_guidance(lines)
        if status.recording:
            m, s = divmod(int(status.recording_s), 60)
            self.rec_label.setText(f"● REC {m:02d}:{s:02d}")
        else:
            self.rec_label.setText("")
        if status.error and self.video.result is None:
            self.video.placeholder = f"{status.error}\n\nChoose another camera or open a video file (Ctrl+O)."
            self.video.update()

    def sync_state(self) -> None:
        running, recording = self.controller.running, self.controller.recording
        self.act_start.setChecked(running)
        self.act_start.setText("Stop camera" if running else "Start camera")
        self.act_record.setChecked(recording)
        self.act_record.setText("■ Stop recording" if recording else "● Record")
        if not recording:
            self.rec_label.setText("")
        elif not self._recording:  # a new recording: an earlier one's storage error no longer applies
            self.storage_label.setText("")
            self.storage_label.hide()
        self._recording = recording
