"""The Live tab: source and recording controls over the live view and its figures, wired to the controller."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from turnout.app import theme
from turnout.app.controller import LiveController, LiveStatus
from turnout.app.delay import MAX_DELAY_S, DelayBuffer
from turnout.app.floor_panel import Background, FloorPanel, calibrated_text, finite_pair
from turnout.app.live_view import FiguresPanel, FlagMemory, SetTracker, VideoWidget, flags_of_events
from turnout.app.playback import FilePlayback
from turnout.app.routine_panel import RoutinePanel
from turnout.app.sound import CuePlayer
from turnout.floor.reference import FloorCalibration
from turnout.floor.state import FloorCalibrated, calibrate_from_clicks, describe_reference
from turnout.practice.routine import DEFAULT_ROUTINE, SELF_CHECK_ROUTINE, Routine, RoutineError, load_routine
from turnout.practice.tracker import RepEnded
from turnout.session.engine import SourceSpec
from turnout.session.floor_memory import FloorNotice
from turnout.session.pipeline import FrameResult
from turnout.session.routine_run import RoutineProgress, to_say

CAMERAS = 4
#: Shown over the picture while the camera gives no frames (the runner keeps retrying).
CAMERA_LOST = "Camera lost: no picture is coming. Check the cable, or close other apps using it. Retrying…"
#: ... and, while recording, what happens to her session.
SESSION_KEPT = "Everything recorded so far is kept; the session goes on when the camera is back."
#: Floor calibration needs a running source.
START_FIRST = "Start the camera first (Ctrl+K), then calibrate the floor"
#: How long a passing message about the floor calibration stays (s).
MESSAGE_S = 8.0
#: How long a set's summary stays over the picture (s).
SET_MESSAGE_S = 8.0
#: The Mirror button while a video file shows: off, and why.
FILE_NOT_MIRRORED = "A video file shows as it was filmed: mirror is off while it is on screen"
MIRROR_TIP = "Show the image like a studio mirror (M)"
#: The routine list's last item: open a routine file.
OPEN_ROUTINE = "Open routine file…"
_LEVEL_COLOURS = {"ok": theme.OK, "warn": theme.WARN, "bad": theme.BAD, "info": theme.TEXT}


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
    #: her mirror preference for the camera changed (a bool)
    mirror_pref_changed = Signal(bool)
    #: she chose another delay for the delayed mirror (seconds, 0: off)
    delay_changed = Signal(int)
    #: the user asked to open a routine file (the window shows the file dialog)
    open_routine_requested = Signal()

    def __init__(self, controller: LiveController, cues: CuePlayer, mirrored: bool = True, camera: int = 0,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.controller = controller
        self.cues = cues
        self.memory = FlagMemory()
        self.sets = SetTracker()
        #: the summary of the set that ended last ("10 pliés, 2 flagged: knees inside the toes")
        self.set_message = ""
        self.mirrored_input = False
        #: her choice for the camera (a video file is never mirrored: the button shows off meanwhile)
        self.mirror_pref = mirrored
        #: a video file is on screen (playing, paused or ended)
        self.file_shown = False
        self.video = VideoWidget()
        self.video.mirrored = mirrored
        #: a video file's controls (pause, seek, step, speed, loop), under the picture while a file is on screen
        self.playback = FilePlayback(controller)
        self.playback.hide()
        self.playback.replay.connect(self.show_replay)
        #: the delayed mirror: the camera's picture this many seconds late (0: off)
        self.delay_s = 0
        self.delay_buffer = DelayBuffer(0)
        self.delay_timer = QTimer(self)
        self.delay_timer.setInterval(15)
        self.delay_timer.timeout.connect(self._show_delayed)
        self.delay = QComboBox()
        self.delay.setObjectName("delay")
        self.delay.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.delay.setMinimumHeight(38)
        self.delay.setToolTip("Delayed mirror: the camera's picture shown seconds late, so you can watch your plié "
                              "just after doing it (the figures and cues stay live)")  # fmt: skip
        for seconds in (0, 2, 3, 5, 8, MAX_DELAY_S):
            self.delay.addItem("No delay" if seconds == 0 else f"{seconds} s late", seconds)
        self.delay.activated.connect(lambda i: self.set_delay(int(self.delay.itemData(i)), by_her=True))
        self.figures = FiguresPanel()
        #: the routine walked through: its chooser (the window puts it beside the dancer's), its panel, and her
        #: previous self-check (the window reads it from the store: the matched total turnout, or None)
        self.routine_panel = RoutinePanel()
        self.routine_panel.hide()
        self.routine_panel.skip_requested.connect(self.controller.skip_exercise)
        self.routine_panel.end_requested.connect(self.end_routine)
        self.last_selfcheck: Callable[[], float | None] = lambda: None
        #: the routine is at a stretch (on the floor): the pipeline's standing guidance is not shown
        self.routine_stretching = False
        #: her previous figure per stretch (the window reads it from the store), for "knees lower than last time"
        self.earlier_stretches: Callable[[], dict[str, float]] = dict
        self.routine_prompt = ""
        self.routine = QComboBox()
        self.routine.setObjectName("routine")
        self.routine.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.routine.setToolTip("A routine to walk through: the count, the hold's countdown, the rests, what is next "
                                "(a TOML file you can edit: docs/routines.md)")  # fmt: skip
        self.routine.addItem("No routine", None)
        self.routine.addItem(DEFAULT_ROUTINE.name, DEFAULT_ROUTINE)
        self.routine.addItem(SELF_CHECK_ROUTINE.name, SELF_CHECK_ROUTINE)
        self.routine.addItem(OPEN_ROUTINE, OPEN_ROUTINE)
        self.routine.activated.connect(self._routine_chosen)
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
        self.act_open.setToolTip("Analyse a video file into a stored session, then review it (Ctrl+O)")
        self.act_open.triggered.connect(self.open_file_requested)
        self.act_mirror = QAction("Mirror", self, shortcut=QKeySequence("M"), checkable=True, checked=mirrored)
        self.act_mirror.setToolTip(MIRROR_TIP)
        self.act_mirror.toggled.connect(self._mirror_toggled)
        self.act_sound = QAction("Sound cues", self, shortcut=QKeySequence("S"), checkable=True, checked=cues.enabled)
        self.act_sound.setToolTip("Speak or sound a cue when a fault is flagged (S)")
        self.act_sound.toggled.connect(self._sound_toggled)
        self.act_baseline = QAction("Retake baseline", self, shortcut=QKeySequence("B"))
        self.act_baseline.setToolTip("Stand still in first position: your standing baseline is taken again (B)")
        self.act_baseline.triggered.connect(self.controller.request_baseline)
        self.act_floor = QAction("Calibrate floor", self, shortcut=QKeySequence("C"), checkable=True)
        self.act_floor.setToolTip("Calibrate the floor with a sheet of paper or a rectangle of known size (C)")
        self.act_floor.toggled.connect(self.show_floor_panel)
        self.act_clear_floor = QAction("Clear floor calibration", self)
        self.act_clear_floor.setToolTip("Measure without the floor calibration again; the saved one is forgotten")
        self.act_clear_floor.triggered.connect(self.clear_floor)
        self.act_clear_floor.setEnabled(False)
        #: the floor calibration in use (from the processing thread's events), its accuracy, how it was announced
        self.floor_cal: FloorCalibration | None = None
        self.floor_accuracy: tuple[float, float] | None = None
        self._floor_prefix = ""
        self._click_choice: tuple[str, float, float] | None = None
        self._searching = False
        self.floor_panel = FloorPanel()
        self.floor_panel.hide()
        self.floor_panel.set_calibrated(False)
        self.floor_panel.find_requested.connect(self.find_floor)
        self.floor_panel.click_requested.connect(self.click_floor)
        self.floor_panel.clear_requested.connect(self.clear_floor)
        self.floor_panel.close_requested.connect(lambda: self.act_floor.setChecked(False))
        #: one line about the floor calibration (found, reused, dropped, a bad click)
        self.floor_line = QLabel("")
        self.floor_line.setWordWrap(True)
        self.floor_line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.floor_line.hide()
        self.floor_level = "info"
        self._accuracy = Background(self)
        self._accuracy.done.connect(self._accuracy_ready)
        self.video.corners_clicked.connect(self.corners_clicked)
        self.video.clicking_cancelled.connect(self._clicking_cancelled)
        self.rec_label = QLabel("")
        self.rec_label.setStyleSheet("color: #ff3b30; font-size: 13pt; font-weight: bold;")
        #: why the session is not being stored in full (a full disk); kept until the next recording starts
        self.storage_label = QLabel("")
        self.storage_label.setStyleSheet("color: #ff3b30; font-weight: bold;")
        self.storage_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.storage_label.hide()
        self._recording = False
        self._running = False

        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 6)
        bar.setSpacing(4)  # the bar fits a 1280-pixel window while a video is recorded
        bar.addWidget(self.source)
        for act in (self.act_start, self.act_open, self.act_record, self.act_baseline, self.act_floor, self.act_mirror,
                    self.act_sound):  # fmt: skip
            button = _button(act)
            if act is self.act_record:
                button.setObjectName("record")
            bar.addWidget(button)
        bar.addWidget(self.delay)
        bar.addStretch(1)
        bar.addWidget(self.storage_label, 4)
        bar.addWidget(self.rec_label)
        # the calibration step sits over the picture only: the figures keep the full height
        left = QVBoxLayout()
        left.setSpacing(4)
        left.addWidget(self.floor_panel)
        left.addWidget(self.routine_panel)  # over the picture, like the calibration step
        floor_row = QHBoxLayout()
        floor_row.setContentsMargins(4, 0, 4, 0)
        floor_row.addWidget(self.floor_line)
        left.addLayout(floor_row)
        left.addWidget(self.video, 1)
        left.addWidget(self.playback)
        body = QHBoxLayout()
        body.setContentsMargins(8, 0, 8, 8)
        body.addLayout(left, 3)
        body.addWidget(self.figures, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addLayout(body, 1)

        controller.frame_ready.connect(self._frame_ready)
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
        elif spec.camera is not None and spec.camera < CAMERAS:
            self.source.setCurrentIndex(spec.camera)  # the list says what plays
        # a video file shows as it was filmed; a camera as the studio mirror she chose
        self._show_file(spec.is_file)
        self.memory.clear()
        self.end_set()
        self.set_message = ""  # said and spoken: the new source's picture starts clean
        self.sets = SetTracker()
        self.video.stop_clicking()
        self.video.set_result(None)
        self.delay_buffer.clear()
        self.video.show_banner(None)  # nothing of the previous source stays on screen
        self.video.show_guidance(())
        self.figures.clear()
        self.video.placeholder = f"Opening {spec.label}…"
        if self.delay_s and not spec.is_file:
            self.video.placeholder = f"Delayed mirror: your picture appears {self.delay_s} s late…"
        if self.controller.routine is not None:  # each run walks the routine from its start
            self.routine_panel.clear(self.controller.routine.name)
            self.routine_prompt, self.routine_stretching = "", False
        self._set_floor(None)  # a new run has its own calibration (a camera's saved one is checked again)
        self.say_floor("")
        self.controller.start(spec)
        if spec.path is not None:
            self.playback.start(spec.path)
        else:
            self.playback.stop()

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
        """Her mirror preference for the camera (shown at once unless a video file is on screen)."""
        changed = on != self.mirror_pref
        self.mirror_pref = on
        if not self.file_shown:
            self.video.set_mirrored(on)
            self._check_mirror(on)
        if changed:
            self.mirror_pref_changed.emit(on)

    def _mirror_toggled(self, on: bool) -> None:
        if not self.file_shown:
            self.set_mirrored(on)

    def _check_mirror(self, on: bool) -> None:
        self.act_mirror.blockSignals(True)
        self.act_mirror.setChecked(on)
        self.act_mirror.blockSignals(False)

    def _show_file(self, is_file: bool) -> None:
        """A video file is never mirrored, and the Mirror button says so (off, disabled); a camera shows her
        choice again."""
        self.file_shown = is_file
        on = False if is_file else self.mirror_pref
        self.video.set_mirrored(on)
        self._check_mirror(on)
        self.act_mirror.setEnabled(not is_file)
        self.act_mirror.setText("Mirror off" if is_file else "Mirror")  # short: the bar fits 1280 px
        self.act_mirror.setToolTip(FILE_NOT_MIRRORED if is_file else MIRROR_TIP)

    def _sound_toggled(self, on: bool) -> None:
        self.cues.enabled = on

    # -- the delayed mirror ----------------------------------------------------------------------------
    def set_delay(self, seconds: int, by_her: bool = False) -> None:
        """Show the camera's picture ``seconds`` late (0: live)."""
        seconds = min(max(int(seconds), 0), MAX_DELAY_S)
        if self.delay.findData(seconds) < 0:
            self.delay.addItem(f"{seconds} s late", seconds)
        self.delay.setCurrentIndex(self.delay.findData(seconds))
        if seconds == self.delay_s:
            return
        self.delay_s = seconds
        self.delay_buffer = DelayBuffer(seconds)
        if seconds:
            self.delay_timer.start()
            if self.controller.running and not self.file_shown:
                self.video.set_result(None)
                self.video.placeholder = f"Delayed mirror: your picture appears {seconds} s late…"
        else:
            self.delay_timer.stop()
            self.video.delay_tag = None
            latest = self.controller.latest()
            if latest is not None and not self.file_shown:
                self.video.set_result(latest)
        if by_her:
            self.delay_changed.emit(seconds)

    @property
    def delaying(self) -> bool:
        """The picture is shown late now: a camera runs with a delay, and she is not calibrating the floor."""
        return bool(self.delay_s) and not self.file_shown and not self.floor_panel.isVisible()

    def _show_delayed(self) -> None:
        tag = f"{self.delay_s} s late" if self.delaying else None
        if self.video.delay_tag != tag:
            self.video.delay_tag = tag
            self.video.update()
        if not self.delaying:
            return
        result = self.delay_buffer.due()
        if result is not None:
            self.video.set_result(result)

    # -- display -------------------------------------------------------------------------------------
    def _frame_ready(self, result: FrameResult) -> None:
        if self.playback.on_live(result):
            self.show_result(result)

    def show_replay(self, result: FrameResult) -> None:
        """A video file's frame shown again with what its analysis found then (no cue, no count: already done)."""
        self.video.set_result(result)
        self.figures.show_result(result)
        self.video.show_banner(result.active_flags[0] if result.reliable and result.active_flags else None)
        self.video.show_guidance(() if result.judged else result.guidance)

    def show_result(self, result: FrameResult) -> None:
        if result.storage_error:
            self.show_storage_error(result.storage_error)
        if self.delaying:
            self.delay_buffer.push(result)
        else:
            self.video.set_result(result)
        ended = self.sets.tick(result.timestamp_ms / 1000.0)
        if ended:
            self._set_ended(ended)
        self.figures.show_result(result)
        if result.reliable:
            self._note(result.active_flags)
            guidance = result.guidance
        else:
            self.memory.clear()  # nothing is judged from an unreliable pose
            guidance = result.guidance or ("Step into view, facing the camera",)
        if result.judged and self.routine_prompt:  # the guided step's instruction, over the picture
            guidance = (self.routine_prompt,)
        if self.routine_stretching and result.measurement is not None:
            # on the floor: "stand tall" (her standing baseline) and "step into view" (a stretch hides a leg, so the
            # pose is called unreliable) would contradict the stretch; the routine panel says what to do
            guidance = ()
        if self.delaying and self.video.result is None:  # the delayed mirror fills: say why nothing shows yet
            guidance = (f"Delayed mirror: your picture appears {self.delay_s} s late…",)
        self.video.show_guidance((f"Set done: {self.set_message}",) if self.set_message else guidance)
        self.video.show_banner(self.memory.current())
        self.figures.summary.setText(self.sets.current())

    def end_set(self) -> None:
        """The run or the recording stopped: the current set's summary on screen (and spoken)."""
        ended = self.sets.end()
        if ended:
            self._set_ended(ended)
            self.figures.summary.setText(self.sets.current())
            self.video.show_guidance((f"Set done: {ended}",))

    def _set_ended(self, summary: str) -> None:
        self.set_message = summary
        self.cues.cue("set_summary", summary, "info")
        QTimer.singleShot(round(SET_MESSAGE_S * 1000), self, lambda: self._unsay_set(summary))

    def _unsay_set(self, summary: str) -> None:
        if self.set_message == summary:
            self.set_message = ""
            if self.video.guidance.text() == f"Set done: {summary}":
                self.video.show_guidance(())

    def on_events(self, events: list[Any]) -> None:
        self._note(flags_of_events(events))
        for event in events:
            if isinstance(event, RepEnded):
                ended = self.sets.add(event.rep)
                if ended:
                    self._set_ended(ended)
                self.figures.note_rep(event.rep)
                if self.playback.active:
                    self.playback.add_rep(event.rep.index, event.rep.t_start_s, event.rep.t_end_s)
            elif isinstance(event, FloorCalibrated):
                self._floor_event(event)
            elif isinstance(event, FloorNotice):
                self.say_floor(event.message, "warn" if event.warning else "info")
            elif isinstance(event, RoutineProgress):
                self.show_routine(event)

    # -- the routine ------------------------------------------------------------------------------------
    def _routine_chosen(self, index: int) -> None:
        data = self.routine.itemData(index)
        if data == OPEN_ROUTINE:
            self.open_routine_requested.emit()
            return
        self.choose_routine(data)

    def choose_routine(self, routine: Routine | None) -> None:
        """Walk ``routine`` from its start (None: none); the list shows it."""
        index = next((i for i in range(self.routine.count()) if self.routine.itemData(i) is routine), -1)
        if routine is not None and index < 0:
            self.routine.insertItem(self.routine.count() - 1, routine.name, routine)
            index = self.routine.count() - 2
        self.routine.setCurrentIndex(max(index, 0))
        self.routine_prompt, self.routine_stretching = "", False
        if routine is None:
            self.routine_panel.hide()
            self.routine_panel.clear()
        else:
            self.routine_panel.clear(routine.name)
            self.routine_panel.show()
        last = self.last_selfcheck() if routine is not None else None
        earlier = self.earlier_stretches() if routine is not None else {}
        self.controller.set_routine(routine, last, earlier)

    def open_routine_file(self, path: Path) -> Routine | None:
        """Read a routine file and walk it; a file that cannot be used is one line on the panel."""
        try:
            routine = load_routine(path)
        except RoutineError as exc:
            current = self.controller.routine
            index = next((i for i in range(self.routine.count()) if self.routine.itemData(i) is current), 0)
            self.routine.setCurrentIndex(index)
            self.routine_panel.show_error(f"{exc} (the routine in use is unchanged)")
            return None
        self.choose_routine(routine)
        return routine

    def open_routine_file_cancelled(self) -> None:
        """No file chosen: the list shows the routine in use again."""
        current = self.controller.routine
        self.routine.setCurrentIndex(next((i for i in range(self.routine.count())
                                           if self.routine.itemData(i) is current), 0))  # fmt: skip

    def end_routine(self) -> None:
        self.controller.end_routine()
        self.routine.setCurrentIndex(0)
        self.routine_prompt, self.routine_stretching = "", False

    def show_routine(self, progress: RoutineProgress) -> None:
        self.routine_panel.show()
        self.routine_panel.show_progress(progress)
        self.routine_prompt = progress.prompt
        ex = progress.status.exercise
        if ex is not None:  # at the end (no exercise) she is where the last one left her
            self.routine_stretching = ex.kind == "stretch"
        text = to_say(progress.said)
        if text:
            self.cues.cue(f"routine:{text}", text, "info")

    # -- the floor calibration -----------------------------------------------------------------------
    def show_floor_panel(self, on: bool) -> None:
        """Show or hide the calibration step (choose the reference, find it or click its corners)."""
        if self.act_floor.isChecked() != on:
            self.act_floor.setChecked(on)
            return
        self.floor_panel.setVisible(on)
        if not on:
            self.video.stop_clicking()
            if self._searching:  # closed before the sheet was found: stop looking
                self._searching = False
                self.controller.cancel_floor_search()
                self.say_floor("Stopped looking for the sheet", "info", for_s=MESSAGE_S)

    def say_floor(self, message: str, level: str = "info", for_s: float | None = None) -> None:
        """One line about the floor calibration over the picture ("" hides it); ``for_s``: only that long."""
        self.floor_level = level
        self.floor_line.setText(message)
        colour = _LEVEL_COLOURS.get(level, theme.TEXT)
        self.floor_line.setStyleSheet(f"color: {colour}; font-size: 19px; font-weight: bold;")
        self.floor_line.setVisible(bool(message))
        if message and for_s is not None:
            QTimer.singleShot(round(for_s * 1000), self, lambda: self._unsay(message))

    def _unsay(self, message: str) -> None:
        if self.floor_line.text() == message:
            self.say_floor("")

    def find_floor(self, key: str, width_m: float, length_m: float) -> None:
        """Let the app look for the sheet on the coming frames."""
        self.video.stop_clicking()
        if not self.controller.search_floor(key):
            self.say_floor(START_FIRST, "warn")
            return
        self._searching = True
        what = describe_reference(key, (width_m, length_m))
        self.say_floor(f"Looking for {what}: lay it flat about half a metre in front of your feet, long edge "
                       "pointing at the camera", "info")  # fmt: skip

    def click_floor(self, key: str, width_m: float, length_m: float) -> None:
        """Hold the picture and take her clicks on the reference's 4 corners."""
        what = describe_reference(key, (width_m, length_m))
        if not self.controller.running or not self.video.start_clicking(what):
            self.say_floor(START_FIRST, "warn")
            return
        self.controller.cancel_floor_search()
        self._searching = False
        self._click_choice = (key, width_m, length_m)
        self.say_floor(f"Click the 4 corners of {what}, going round it", "info")

    def corners_clicked(self, clicks: list[tuple[float, float]]) -> None:
        """4 corners clicked: calibrate, or say in one line what is wrong with them."""
        result = self.video.result
        if self._click_choice is None or result is None:
            return
        key, width_m, length_m = self._click_choice
        try:
            cal = calibrate_from_clicks(result.bgr, clicks, width_m, length_m, reference=key)
        except ValueError as exc:
            text = str(exc)
            self.say_floor(f"{text[:1].upper()}{text[1:]}", "bad")  # the picture says how to undo
            return
        frame = result.bgr
        self.video.stop_clicking()
        if not self.controller.set_floor(cal, frame):
            self.say_floor(START_FIRST, "warn")
            return
        self.say_floor(calibrated_text(cal, None, pending=True), "ok")

    def _clicking_cancelled(self) -> None:
        self.say_floor("Corner clicking cancelled", "info", for_s=MESSAGE_S)

    def clear_floor(self) -> None:
        self.video.stop_clicking()
        self.controller.cancel_floor_search()
        if not self.controller.clear_floor() or self.floor_cal is None:
            self._set_floor(None)  # nothing to announce (a camera-moved request to lay the sheet again ends)
            self.say_floor("")

    def _set_floor(self, cal: FloorCalibration | None) -> None:
        self._searching = False
        self.floor_cal = cal
        self.floor_accuracy = None
        self.video.set_floor(None if cal is None else cal.corners_px)
        self.floor_panel.set_calibrated(cal is not None)
        self.act_clear_floor.setEnabled(cal is not None)

    def _floor_event(self, event: FloorCalibrated) -> None:
        if event.calibration is None:
            self._set_floor(None)
            reason = event.reason[:1].upper() + event.reason[1:]
            cleared = event.kind == "cleared"
            self.say_floor(reason, "info" if cleared else "warn", for_s=MESSAGE_S if cleared else None)
            if event.kind == "moved":  # she may clear it to stop being asked to lay the sheet again
                self.act_clear_floor.setEnabled(True)
                self.floor_panel.set_calibrated(True)
            return
        cal = event.calibration
        self._set_floor(cal)
        self._floor_prefix = event.reason if event.kind == "restored" else ""
        self.say_floor(calibrated_text(cal, None, self._floor_prefix, pending=True), "ok")
        if event.kind in ("found", "set"):
            self.act_floor.setChecked(False)  # done: the panel goes away
        self._accuracy.run(cal, cal.expected_turnout_error_deg)

    def _accuracy_ready(self, cal: Any, value: Any) -> None:
        if cal is not self.floor_cal or self.floor_cal is None:
            return  # another calibration since
        self.floor_accuracy = finite_pair(value)
        self.say_floor(calibrated_text(self.floor_cal, self.floor_accuracy, self._floor_prefix), "ok")

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
        if (self._recording and not recording) or (self._running and not running):
            self.end_set()
        self._running = running
        self.act_start.setChecked(running)
        spec = self.controller.spec
        if running and spec is not None and spec.is_file:
            self.act_start.setText("Stop video")
            self.act_start.setToolTip("Stop playing the video (Ctrl+K)")
        else:
            self.act_start.setText("Stop camera" if running else "Start camera")
            self.act_start.setToolTip("Start or stop the selected camera (Ctrl+K)")
        self.act_record.setChecked(recording)
        self.act_record.setText("■ Stop recording" if recording else "● Record")
        if not recording:
            self.rec_label.setText("")
        elif not self._recording:  # a new recording: an earlier one's storage error no longer applies
            self.storage_label.setText("")
            self.storage_label.hide()
        self._recording = recording
