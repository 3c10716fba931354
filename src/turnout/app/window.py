"""The main window: tabs Live / Review / Progress, menus, keyboard shortcuts and the status bar."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from turnout.app import theme
from turnout.app.collector import MainThreadCollector
from turnout.app.context import AppContext
from turnout.app.controller import LiveController, LiveStatus
from turnout.app.file_analysis import AnalysisDone, FileAnalysis, file_date, same_file_sessions
from turnout.app.guide import FirstRunCard, HelpDialog, first_run_seen, mark_first_run_seen
from turnout.app.live_tab import LiveTab
from turnout.app.progress import ProgressTab
from turnout.app.resources import app_icon
from turnout.app.review import ReviewTab, ask_confirm
from turnout.app.sound import CuePlayer
from turnout.errors import TurnoutError
from turnout.session.engine import SourceSpec
from turnout.session.routine_run import earlier_stretches
from turnout.storage.store import SessionRow, Store

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;All files (*)"
VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v")


@dataclass
class FolderRun:
    """A folder's videos analysed one after the other: what is left, and what became of each."""

    folder: Path
    todo: list[Path]
    total: int
    #: (file name, what became of it), in order
    lines: list[str] = field(default_factory=list)
    stored: list[int] = field(default_factory=list)
    known: int = 0
    failed: int = 0
    cancelled: bool = False

    def summary(self) -> str:
        parts = [f"{len(self.stored)} analysed"]
        if self.known:
            parts.append(f"{self.known} analysed before (kept, not doubled)")
        if self.failed:
            parts.append(f"{self.failed} not analysed")
        if self.cancelled:
            parts.append(f"{len(self.todo)} left (cancelled)")
        return f"{self.folder.name}: {self.total} video{'s' if self.total != 1 else ''}: " + ", ".join(parts)


class FolderSummary(QDialog):
    """What a folder's analysis did, file by file (not modal: the window goes on)."""

    def __init__(self, run: FolderRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Folder analysed")
        self.resize(640, 360)
        self.headline = QLabel(f"<b>{html.escape(run.summary())}</b>")
        self.headline.setWordWrap(True)
        self.details = QPlainTextEdit("\n".join(run.lines))
        self.details.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.headline)
        lay.addWidget(self.details, 1)
        lay.addWidget(buttons)


class MainWindow(QMainWindow):
    """The window. ``controller`` runs the live side; ``ctx`` holds preferences, thresholds and the database."""

    def __init__(self, controller: LiveController, ctx: AppContext, cues: CuePlayer | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        # the window's worker threads (file analysis, live runner, second-person look) must never free its Qt
        # objects: reference cycles are collected on this thread only (turnout.app.collector)
        MainThreadCollector.install()
        self.setWindowTitle("Turnout")
        self.setWindowIcon(app_icon())
        self.first_run: FirstRunCard | None = None
        self.help_dialog: HelpDialog | None = None
        self.setStyleSheet(theme.STYLE_SHEET)
        self.resize(1280, 720)
        self.controller = controller
        self.ctx = ctx
        self.cues = cues or CuePlayer(enabled=ctx.prefs.sound, spoken=ctx.prefs.spoken)
        self.live = LiveTab(controller, self.cues, mirrored=ctx.prefs.mirror_display, camera=ctx.prefs.camera)
        self.live.mirrored_input = ctx.prefs.camera_mirrored
        self.live.set_delay(ctx.prefs.mirror_delay_s)
        self.live.delay_changed.connect(lambda s: setattr(self.ctx, "prefs", replace(self.ctx.prefs, mirror_delay_s=s)))
        self.live.open_file_requested.connect(self.open_video_dialog)
        self.live.open_routine_requested.connect(self.open_routine_dialog)
        self.live.last_selfcheck = self.last_selfcheck
        self.live.earlier_stretches = self.earlier_stretches
        self.review = ReviewTab(lambda: ctx.db_path, mirrored=ctx.prefs.mirror_display, dancer=lambda: ctx.prefs.dancer)
        self.progress = ProgressTab(lambda: ctx.db_path, dancer=lambda: ctx.prefs.dancer)
        #: asked before a file analysed before is analysed again (tests answer it)
        self.confirm: Callable[[QWidget, str], bool] = ask_confirm
        self.analysis: FileAnalysis | None = None
        #: a folder being analysed (None: one file, or nothing), and the summary of the last one
        self.folder_run: FolderRun | None = None
        self.folder_summary: FolderSummary | None = None
        self.dancer = QComboBox()
        self.dancer.setObjectName("dancer")
        self.dancer.setMinimumWidth(180)
        self.dancer.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dancer.setToolTip("Whose practice this is: new sessions (recorded or opened from a file) belong to her, "
                               "and Review and Progress show only hers. 'Everyone' shows all sessions.")  # fmt: skip
        self.dancer.activated.connect(self._dancer_chosen)
        corner = QWidget()
        corner_lay = QHBoxLayout(corner)
        corner_lay.setContentsMargins(4, 2, 8, 2)
        corner_lay.addWidget(QLabel("Routine"))  # Live's routine list: where it takes no room from Live's bar
        corner_lay.addWidget(self.live.routine)
        corner_lay.addSpacing(12)
        corner_lay.addWidget(QLabel("Dancer"))
        corner_lay.addWidget(self.dancer)
        self.dancer_corner = corner  # PySide does not hand the corner widget to the menu bar: keep it alive
        self.menuBar().setCornerWidget(corner)
        self.analysis_bar = QProgressBar()
        self.analysis_bar.setMaximumWidth(260)
        self.analysis_bar.setFormat("Analysing %p%")
        self.analysis_bar.hide()
        self.analysis_cancel = QPushButton("Cancel")
        self.analysis_cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.analysis_cancel.clicked.connect(self.cancel_analysis)
        self.analysis_cancel.hide()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.live, "Live")
        self.tabs.addTab(self.review, "Review")
        self.tabs.addTab(self.progress, "Progress")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)
        self.status_label = QLabel("stopped")
        self.statusBar().addWidget(self.status_label, 1)
        self.db_label = QLabel(str(ctx.db_path))
        self.statusBar().addPermanentWidget(self.analysis_bar)
        self.statusBar().addPermanentWidget(self.analysis_cancel)
        self.statusBar().addPermanentWidget(self.db_label)
        self.reload_dancers()
        controller.status_changed.connect(self.show_status)
        controller.session_finished.connect(self._session_finished)
        self.live.mirror_pref_changed.connect(self.review.set_mirrored)
        self._build_menus()
        for warning in ctx.warnings:
            self.statusBar().showMessage(warning, 15000)

    # -- menus and shortcuts -------------------------------------------------------------------------
    def _action(
        self, text: str, slot: object, shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
    ) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        self.addAction(act)  # shortcuts work whichever tab has focus
        return act

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addAction(self.live.act_open)
        self.act_play_file = self._action("Play a video in Live…", self.play_video_dialog, "Ctrl+Shift+O")
        self.act_play_file.setToolTip("Watch a video file in Live at its real speed (pause, seek, frame step), without "
                                      "storing it unless you record")  # fmt: skip
        file.addAction(self.act_play_file)
        self.act_folder = self._action("Analyse folder…", self.analyse_folder_dialog)
        self.act_folder.setToolTip("Analyse every video of a folder into sessions (files analysed before are kept, "
                                   "not doubled)")  # fmt: skip
        file.addAction(self.act_folder)
        self.act_new_dancer = self._action("New dancer…", self.new_dancer_dialog)
        file.addAction(self.act_new_dancer)
        file.addAction(self.live.act_start)
        self.act_space = self._action("Record / stop (Live) · play / pause (a video, Review)", self.on_space, "Space")
        file.addAction(self.act_space)
        play = bar.addMenu("&Playback")
        self.act_step_back = self._action("One frame back", lambda: self.on_step(-1), "Left")
        self.act_step_forward = self._action("One frame forward", lambda: self.on_step(1), "Right")
        self.act_slower = self._action("Slower (0.25x, 0.5x, 1x)", lambda: self.on_speed(-1), "[")
        self.act_faster = self._action("Faster", lambda: self.on_speed(1), "]")
        for act in (self.act_step_back, self.act_step_forward, self.act_slower, self.act_faster):
            play.addAction(act)
        file.addAction(self.live.act_baseline)
        file.addAction(self.live.act_floor)
        file.addAction(self.live.act_clear_floor)
        file.addSeparator()
        self.act_export = self._action("Export session…", self.review.export_dialog, "Ctrl+E")
        file.addAction(self.act_export)
        self.act_settings = self._action("Settings…", self.open_settings, QKeySequence.StandardKey.Preferences)
        self.act_settings.setShortcuts([QKeySequence("Ctrl+,")])
        file.addAction(self.act_settings)
        file.addSeparator()
        file.addAction(self._action("Quit", self.close, QKeySequence.StandardKey.Quit))
        view = bar.addMenu("&View")
        for i, (name, key) in enumerate((("Live", "Ctrl+L"), ("Review", "Ctrl+R"), ("Progress", "Ctrl+P"))):
            act = self._action(name, lambda _=False, i=i: self.tabs.setCurrentIndex(i), key)
            act.setShortcuts([QKeySequence(key), QKeySequence(f"Ctrl+{i + 1}")])
            view.addAction(act)
        view.addSeparator()
        view.addAction(self.live.act_mirror)
        view.addAction(self.live.act_sound)
        view.addAction(self._action("Full screen", self._toggle_full_screen, "F11"))
        for act in (self.live.act_open, self.live.act_start, self.live.act_mirror, self.live.act_sound,
                    self.live.act_baseline, self.live.act_floor):  # fmt: skip
            self.addAction(act)
        help_menu = bar.addMenu("&Help")
        self.act_guide = self._action("Getting started…", self.show_first_run)
        help_menu.addAction(self.act_guide)
        self.act_help = self._action("Glossary of figures and colours…", self.show_help, "F1")
        help_menu.addAction(self.act_help)
        help_menu.addAction(self._action("Keyboard shortcuts", self._show_shortcuts, "Shift+F1"))

    # -- help ----------------------------------------------------------------------------------------
    def show_first_run(self) -> FirstRunCard:
        """The getting-started card (non-modal: the picture behind it keeps running)."""
        if self.first_run is None:
            self.first_run = FirstRunCard(self)
            self.first_run.help_button.clicked.connect(self.show_help)
            self.first_run.finished.connect(lambda _=0: mark_first_run_seen(self.ctx.qsettings))
        self.first_run.show()
        self.first_run.raise_()
        return self.first_run

    def show_first_run_if_new(self) -> bool:
        """On the very first start only: the card. True if shown."""
        if first_run_seen(self.ctx.qsettings):
            return False
        self.show_first_run()
        return True

    def show_help(self) -> HelpDialog:
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self)
        self.help_dialog.show()
        self.help_dialog.raise_()
        return self.help_dialog

    def _show_shortcuts(self) -> None:
        self.statusBar().showMessage(
            "Space record/stop (a video: pause/play) · Left/Right frame step · [ ] speed · Ctrl+K camera · "
            "Ctrl+O video · B baseline · C calibrate floor · M mirror · S sound · "
            "Ctrl+R review · "
            "Ctrl+P progress · Ctrl+E export · F11 full screen · F1 glossary",
            15000,
        )

    def _toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # -- actions -------------------------------------------------------------------------------------
    def on_space(self) -> None:
        if self.tabs.currentWidget() is self.review:
            self.review.player.toggle_play()
        elif self.tabs.currentWidget() is self.live and self.live.playback.active:
            self.live.playback.toggle_play()  # a video file on screen: Space pauses it (Record is the button)
        else:
            self.tabs.setCurrentWidget(self.live)
            self.live.toggle_recording()

    def on_step(self, frames: int) -> None:
        """Left / Right: a frame back or forward, in the video of the tab shown."""
        if self.tabs.currentWidget() is self.review:
            self.review.player.step(frames)
        elif self.tabs.currentWidget() is self.live:
            self.live.playback.step(frames)

    def on_speed(self, steps: int) -> None:
        """[ / ]: slower or faster (0.25x, 0.5x, 1x)."""
        if self.tabs.currentWidget() is self.review:
            self.review.player.faster(steps)
        elif self.tabs.currentWidget() is self.live:
            self.live.playback.faster(steps)

    def open_video_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video to analyse", str(Path.home()), VIDEO_FILTER)
        if path:
            self.analyse_video(Path(path))

    def open_routine_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a routine", str(Path.home()), "Routines (*.toml);;All (*)")
        if path:
            self.live.open_routine_file(Path(path))
        else:
            self.live.open_routine_file_cancelled()

    def last_selfcheck(self) -> float | None:
        """Her previous self-check's matched total turnout (the dancer chosen; None: none, or no database)."""
        try:
            if not self.ctx.db_path.exists():
                return None
            with Store.open(self.ctx.db_path, create=False) as store:
                e = store.last_selfcheck(self.ctx.prefs.dancer or None)
        except TurnoutError:
            return None
        value = None if e is None else e.detail.get("matched_total_deg")
        return float(value) if isinstance(value, int | float) else None

    def earlier_stretches(self) -> dict[str, float]:
        """Her latest stored figure per stretch (the dancer chosen; none: no database), for "since last time"."""
        try:
            if not self.ctx.db_path.exists():
                return {}
            with Store.open(self.ctx.db_path, create=False) as store:
                return earlier_stretches(store.exercise_history(self.ctx.prefs.dancer or None))
        except TurnoutError:
            return {}

    def play_video_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Play a video in Live", str(Path.home()), VIDEO_FILTER)
        if path:
            self.open_video(Path(path))

    def open_video(self, path: Path) -> None:
        """Play a video file in Live through the same pipeline as the camera, at its real speed."""
        self.tabs.setCurrentWidget(self.live)
        self.live.start_source(SourceSpec(path=path))

    # -- a video file analysed into a session ------------------------------------------------------------
    # -- a folder of videos ------------------------------------------------------------------------------
    def analyse_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Analyse every video of a folder", str(Path.home()))
        if folder:
            self.analyse_folder(Path(folder))

    def analyse_folder(self, folder: Path) -> FolderRun | None:
        """Analyse the folder's videos one after the other (as Open video does, without asking): a file analysed
        before is kept as it is, never doubled; at the end a summary says what became of each."""
        if self.analysis is not None and self.analysis.running:
            self.statusBar().showMessage("A video is being analysed: wait for it, or cancel it", 8000)
            return None
        try:
            videos = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES),
                            key=lambda p: p.name.casefold())  # fmt: skip
        except OSError as exc:
            self.statusBar().showMessage(f"{folder}: cannot be read ({exc.strerror or exc}); choose another folder",
                                         15000)  # fmt: skip
            return None
        if not videos:
            self.statusBar().showMessage(f"{folder.name}: no videos ({', '.join(VIDEO_SUFFIXES)}) in this folder",
                                         15000)  # fmt: skip
            return None
        self.folder_run = FolderRun(folder, videos, len(videos))
        self._next_in_folder()
        return self.folder_run

    def _next_in_folder(self) -> None:
        run = self.folder_run
        assert run is not None
        while run.todo and not run.cancelled:
            path = run.todo.pop(0)
            try:
                earlier: list[SessionRow] = []
                if self.ctx.db_path.exists():
                    with Store.open(self.ctx.db_path, create=False) as store:
                        earlier = same_file_sessions(store, path)
            except (TurnoutError, OSError) as exc:
                run.failed += 1
                run.lines.append(f"{path.name}: {exc}")
                continue
            if earlier:
                run.known += 1
                n = earlier[0].n_reps
                run.lines.append(f"{path.name}: analysed before, kept as session #{earlier[0].id} "
                                 f"({n} rep{'s' if n != 1 else ''})")  # fmt: skip
                continue
            done = run.total - len(run.todo)
            if self._start_analysis(path, (), f"File {done} of {run.total}: %p%") is not None:
                return
        self._folder_finished()

    def _folder_finished(self) -> None:
        run, self.folder_run = self.folder_run, None
        if run is None:
            return
        self._analysis_finished()
        self.statusBar().showMessage(run.summary(), 20000)
        self.reload_dancers()
        self.tabs.setCurrentWidget(self.review)
        self.review.refresh()
        if run.stored:
            self.review.select_session(run.stored[-1])
        if self.folder_summary is not None:
            self.folder_summary.close()
        self.folder_summary = FolderSummary(run, self)
        self.folder_summary.show()

    def analyse_video(self, path: Path) -> FileAnalysis | None:
        """Analyse ``path`` into a stored session on a worker thread (progress in the status bar); a file analysed
        before is recognised: she is asked whether to replace that session (else it is shown)."""
        if self.analysis is not None and self.analysis.running:
            self.statusBar().showMessage("A video is being analysed: wait for it, or cancel it", 8000)
            return None
        if not path.is_file():
            self.statusBar().showMessage(f"{path.name}: no such file", 10000)
            return None
        replace: tuple[int, ...] = ()
        try:
            earlier: list[SessionRow] = []
            if self.ctx.db_path.exists():
                with Store.open(self.ctx.db_path, create=False) as store:
                    earlier = same_file_sessions(store, path)
        except (TurnoutError, OSError) as exc:
            self.statusBar().showMessage(str(exc), 15000)
            return None
        if earlier:
            ids = ", ".join(f"#{r.id}" for r in earlier)
            if not self.confirm(self, f"{path.name} was analysed before (session {ids}, {earlier[0].n_reps} reps). "
                                      "Analyse it again and replace that session?"):  # fmt: skip
                self._show_session(earlier[0].id)
                self.statusBar().showMessage(f"{path.name}: kept session {ids}", 8000)
                return None
            replace = tuple(r.id for r in earlier)
        return self._start_analysis(path, replace)

    def _start_analysis(self, path: Path, replace: tuple[int, ...], bar_format: str = "Analysing %p%"
                        ) -> FileAnalysis | None:  # fmt: skip
        if not path.is_file():
            if self.folder_run is not None:
                self.folder_run.failed += 1
                self.folder_run.lines.append(f"{path.name}: no such file")
            return None
        analysis = FileAnalysis(path, self.ctx.db_path, self.ctx.model_path(), self.ctx.settings,
                                self.ctx.prefs.dancer, replace, parent=self)  # fmt: skip
        analysis.progress.connect(self._analysis_progress)
        analysis.done.connect(self._analysis_done)
        analysis.failed.connect(self._analysis_failed)
        self.analysis = analysis
        self.analysis_bar.setRange(0, 0)
        self.analysis_bar.setFormat(bar_format)
        self.analysis_bar.show()
        self.analysis_cancel.show()
        when, where = file_date(path)
        self.statusBar().showMessage(f"Analysing {path.name} (recorded {when.strftime('%d %b %Y %H:%M')}, from "
                                     f"{where})…")  # fmt: skip
        analysis.start()
        return analysis

    def cancel_analysis(self) -> None:
        if self.folder_run is not None:
            self.folder_run.cancelled = True
        if self.analysis is not None:
            self.analysis.cancel()

    def _analysis_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.analysis_bar.setRange(0, total)
            self.analysis_bar.setValue(min(done, total))

    def _analysis_finished(self) -> None:
        self.analysis_bar.hide()
        self.analysis_cancel.hide()

    def _analysis_done(self, done: AnalysisDone) -> None:
        run = self.folder_run
        if run is not None:
            run.stored.append(done.session_id)
            reps = f"{done.n_reps} rep{'s' if done.n_reps != 1 else ''}"
            run.lines.append(f"{done.path.name}: {reps}, stored as session #{done.session_id}")
            self._next_in_folder()
            return
        self._analysis_finished()
        replaced = f", replacing #{', #'.join(map(str, done.replaced))}" if done.replaced else ""
        reps = f"{done.n_reps} rep{'s' if done.n_reps != 1 else ''}"
        self.statusBar().showMessage(f"{done.path.name}: {reps}, stored as session #{done.session_id}"
                                     f"{replaced}", 15000)  # fmt: skip
        self.reload_dancers()
        self._show_session(done.session_id)

    def _analysis_failed(self, message: str) -> None:
        run = self.folder_run
        if run is not None:
            run.failed += 0 if run.cancelled else 1
            run.lines.append(message)
            self._next_in_folder()
            return
        self._analysis_finished()
        self.statusBar().showMessage(message, 20000)

    def _show_session(self, session_id: int) -> None:
        self.tabs.setCurrentWidget(self.review)
        self.review.refresh()
        self.review.select_session(session_id)

    # -- dancers -------------------------------------------------------------------------------------
    def reload_dancers(self) -> None:
        """The dancer list from the database, her name selected ("Everyone" when none is chosen)."""
        names: list[str] = []
        try:
            if self.ctx.db_path.exists():
                with Store.open(self.ctx.db_path, create=False) as store:
                    names = [n for _i, n in store.dancers()]
        except TurnoutError as exc:
            self.statusBar().showMessage(str(exc), 15000)
        current = self.ctx.prefs.dancer
        if current and current not in names:
            names.append(current)
        self.dancer.blockSignals(True)
        self.dancer.clear()
        self.dancer.addItem("Everyone", "")
        for n in sorted(names, key=str.casefold):
            self.dancer.addItem(n, n)
        self.dancer.setCurrentIndex(max(0, self.dancer.findData(current)))
        self.dancer.blockSignals(False)

    def _dancer_chosen(self, index: int) -> None:
        self.set_dancer(str(self.dancer.itemData(index) or ""))

    def set_dancer(self, name: str) -> None:
        """Sessions from now on belong to ``name`` ("" nobody: Review and Progress show everyone's)."""
        name = name.strip()
        self.ctx.prefs = replace(self.ctx.prefs, dancer=name)
        self.ctx.save_prefs()
        self.reload_dancers()
        self.review.data = None
        self.review.refresh()
        self.progress.refresh()
        if self.controller.running and not self.controller.recording:
            self.live.start_source(self.live.current_spec())  # the next recording is hers

    def new_dancer_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "New dancer", "Her name:")
        if ok and name.strip():
            self.set_dancer(name)

    def open_settings(self) -> None:
        from turnout.app.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self)
        if dialog.exec():
            self.apply_prefs()

    def apply_prefs(self) -> None:
        """After the settings changed: sound, mirror, camera list; a new database is reloaded."""
        p = self.ctx.prefs
        self.cues.enabled, self.cues.spoken = p.sound, p.spoken
        self.live.act_sound.setChecked(p.sound)
        self.live.set_mirrored(p.mirror_display)
        self.live.mirrored_input = p.camera_mirrored
        self.live.set_delay(p.mirror_delay_s)
        if p.camera < self.live.source.count() and not self.controller.running:
            self.live.source.setCurrentIndex(p.camera)
        self.db_label.setText(str(self.ctx.db_path))
        self.review.refresh()
        self.progress.refresh()

    def _tab_changed(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if widget is self.review:
            self.review.refresh()
        elif widget is self.progress:
            self.progress.refresh()
        if widget is not self.review:
            self.review.player.pause()

    def _session_finished(self) -> None:
        self.statusBar().showMessage("Session saved: open Review (Ctrl+R) to see its reps", 8000)
        if self.tabs.currentWidget() is self.review:
            self.review.refresh()

    def show_status(self, status: LiveStatus) -> None:
        self.status_label.setText(status.summary())

    # -- closing -------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop the workers (within a second), end the session with its last rep, keep the preferences."""
        self.controller.stop(timeout=1.0)
        if self.analysis is not None and self.analysis.running:  # its partial session is removed, nothing else
            self.analysis.cancel()
            self.analysis.worker.join(10.0)
        self.review.player.close_clip()
        self.cues.close()
        camera = self.live.current_spec().camera
        self.ctx.prefs = replace(
            self.ctx.prefs,
            mirror_display=self.live.mirror_pref,
            sound=self.live.act_sound.isChecked(),
            camera=self.ctx.prefs.camera if camera is None else camera,
        )
        self.ctx.save_prefs()
        event.accept()
