"""The main window: tabs Live / Review / Progress, menus, keyboard shortcuts and the status bar."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QTabWidget, QWidget

from turnout.app import theme
from turnout.app.context import AppContext
from turnout.app.controller import LiveController, LiveStatus
from turnout.app.guide import FirstRunCard, HelpDialog, first_run_seen, mark_first_run_seen
from turnout.app.live_tab import LiveTab
from turnout.app.progress import ProgressTab
from turnout.app.resources import app_icon
from turnout.app.review import ReviewTab
from turnout.app.sound import CuePlayer
from turnout.session.engine import SourceSpec

VIDEO_FILTER = "Videos (*.mp4 *.mov *.avi *.mkv *.webm *.m4v);;All files (*)"


class MainWindow(QMainWindow):
    """The window. ``controller`` runs the live side; ``ctx`` holds preferences, thresholds and the database."""

    def __init__(self, controller: LiveController, ctx: AppContext, cues: CuePlayer | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
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
        self.live.open_file_requested.connect(self.open_video_dialog)
        self.review = ReviewTab(lambda: ctx.db_path, mirrored=ctx.prefs.mirror_display)
        self.progress = ProgressTab(lambda: ctx.db_path)
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
        self.statusBar().addPermanentWidget(self.db_label)
        controller.status_changed.connect(self.show_status)
        controller.session_finished.connect(self._session_finished)
        self.live.act_mirror.toggled.connect(self.review.set_mirrored)
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
        file.addAction(self.live.act_start)
        self.act_space = self._action("Record / stop (Live) · play / pause (Review)", self.on_space, "Space")
        file.addAction(self.act_space)
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
            "Space record/stop · Ctrl+K camera · Ctrl+O video · B baseline · C calibrate floor · M mirror · S sound · "
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
        else:
            self.tabs.setCurrentWidget(self.live)
            self.live.toggle_recording()

    def open_video_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", str(Path.home()), VIDEO_FILTER)
        if path:
            self.open_video(Path(path))

    def open_video(self, path: Path) -> None:
        """Play a video file through the same pipeline as the camera (every frame processed)."""
        self.tabs.setCurrentWidget(self.live)
        self.live.start_source(SourceSpec(path=path))

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
        self.review.player.close_clip()
        self.cues.close()
        camera = self.live.current_spec().camera
        self.ctx.prefs = replace(
            self.ctx.prefs,
            mirror_display=self.live.act_mirror.isChecked(),
            sound=self.live.act_sound.isChecked(),
            camera=self.ctx.prefs.camera if camera is None else camera,
        )
        self.ctx.save_prefs()
        event.accept()
