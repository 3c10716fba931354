"""The Review tab: sessions, a session's reps (flagged first), the clip of a rep with its overlay, the angles
over time, export and delete."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from turnout.app import theme
from turnout.app.angles_plot import AnglesPlot
from turnout.app.clip_player import ClipPlayer
from turnout.app.file_analysis import source_file
from turnout.errors import TurnoutError
from turnout.practice.reps import RepSummary
from turnout.session import display
from turnout.session.export import export_session
from turnout.session.review_data import SessionData, reps_flagged_first
from turnout.storage.store import SessionRow, Store, StoredExercise, StoredRep

Confirm = Callable[[QWidget, str], bool]
AskPath = Callable[[QWidget, str], Path | None]
#: asks for a session's corrected date and time (local), given the stored one; None: cancelled
AskDate = Callable[[QWidget, datetime], datetime | None]


def ask_confirm(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(parent, "Turnout", text)
    return answer == QMessageBox.StandardButton.Yes


#: the export dialog's file types, as (filter, suffix)
EXPORT_TYPES: Final = (("HTML report (*.html)", ".html"), ("JSON (*.json)", ".json"), ("CSV reps (*.csv)", ".csv"))


def export_target(path: str, chosen_filter: str) -> Path | None:
    """The file to write for the name typed in the save dialog (``path``) and the file type chosen there
    (``chosen_filter``): the chosen type wins. A name with no suffix, or with one that is not the chosen type's, gets
    that type's suffix (another export type's suffix is replaced: ``s.html`` as CSV is ``s.csv``; any other suffix
    is kept: ``week.2`` as JSON is ``week.2.json``). No name: None."""
    if not path:
        return None
    target = Path(path)
    suffix = next((sfx for flt, sfx in EXPORT_TYPES if flt == chosen_filter), None)
    if suffix is None or target.suffix.lower() == suffix:
        return target
    if target.suffix.lower() in {sfx for _flt, sfx in EXPORT_TYPES}:
        return target.with_suffix(suffix)
    return target.with_name(target.name + suffix)


def ask_export_path(parent: QWidget, suggested: str) -> Path | None:
    path, chosen = QFileDialog.getSaveFileName(
        parent, "Export session", str(Path.home() / suggested), ";;".join(flt for flt, _sfx in EXPORT_TYPES)
    )
    return export_target(path, chosen)


def ask_date(parent: QWidget, current: datetime) -> datetime | None:
    """A small dialog with the session's date and time (local) to correct; None if cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Correct the session's date")
    local = current.astimezone()
    edit = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int(local.timestamp())))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd MMM yyyy HH:mm")
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    lay = QVBoxLayout(dialog)
    lay.addWidget(QLabel("When was this session recorded? (your local time)"))
    lay.addWidget(edit)
    lay.addWidget(buttons)
    if not dialog.exec():
        return None
    picked = edit.dateTime()
    d, t = picked.date(), picked.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second()).astimezone()


def load_rep(player: ClipPlayer, data: SessionData, stored: StoredRep) -> bool:
    """Put ``stored``'s rep in ``player``: the whole video of a session from a video file (analysed, or played in
    Live and recorded; while the file is there) at the rep, else the rep's clip; False (the player says why) when
    neither can be played."""
    rep = stored.rep
    whole = source_file(data.session)
    if whole is not None and (player.path == whole or player.load_video(whole, data.on_video)):
        player.seek_time(rep.t_start_s)
        return True
    clip = data.clip_for(stored.id)
    player.close_clip()
    if clip is None:
        gone = data.session.source_path
        player.video.placeholder = (
            f"No clip for this rep, and its video {gone} is no longer there (put it back to play the whole session)"
            if gone
            else "No clip for this rep (clips are kept for flagged reps; a session from a video file plays the "
            "whole video)"
        )
        player.video.update()
        return False
    return player.load(data.clip_path(clip), clip.t_start_ms / 1000, clip.t_end_ms / 1000, data.result_at)


def rep_title(data: SessionData, stored: StoredRep) -> str:
    """'Session #3 (02 Mar), rep 2: demi · 17 %, knees inside toes' (the depth as the hips' drop: the knees' 3D
    degrees read 6-49 degrees shallow, docs/accuracy.md)."""
    rep = stored.rep
    flags = ", ".join(f.code.replace("_", " ") for f in rep.flags) or "no faults"
    return (f"Session #{data.session.id} ({_when(data.session.started_at)}), rep {rep.index}: "
            f"{display.depth_text(rep)}, {flags}")  # fmt: skip


#: A rep whose knees were judged on neither side (turned three-quarter from the camera, or both legs hidden): not "no
#: faults", since the fault that matters most was not looked at.
NOT_JUDGED: Final = (
    "No fault found, but the knees were not judged in this rep (she was turned from the camera, or her legs were "
    "hidden): face the camera to have them judged."
)


#: The same where a foot was hidden (:func:`feet_unread`: trousers over it).
FEET_NOT_READ: Final = (
    "No fault found, but the knees were not judged in this rep: her feet were hidden (trousers to the floor cover "
    "the heels and move the feet's points with the legs). Wear something that shows the feet to have the knees "
    "judged."
)


def feet_unread(rep: RepSummary, side: str) -> bool:
    """The rep's knee on ``side`` was read against its foot's points, but the foot itself was not read: its points
    rode on trousers over it (``RepSummary.foot_hidden``), or were not a foot's (``RepSummary.foot_read``: her
    silhouette's hem, ``turnout.practice.plie.HEM_LEGS``; points too short for a foot). Turned from the camera no
    knee is read at all."""
    return rep.foot_hidden(side) or (not rep.foot_read(side) and math.isfinite(rep.side(side).knee_vs_foot_deg))


class CompareDialog(QDialog):
    """Two reps side by side, each with its overlay, started together and each looping over its own rep."""

    def __init__(self, reps: list[tuple[SessionData, StoredRep]], mirrored: list[bool],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Compare reps")
        self.resize(1240, 600)
        self.players: list[ClipPlayer] = []
        self.titles: list[QLabel] = []
        self.spans: list[tuple[float, float]] = []
        row = QHBoxLayout()
        for (data, stored), mirror in zip(reps, mirrored, strict=True):
            player = ClipPlayer(mirror)
            title = QLabel(rep_title(data, stored))
            title.setWordWrap(True)
            title.setStyleSheet("font-size: 15px; font-weight: bold; padding: 4px;")
            span = (stored.rep.t_start_s, stored.rep.t_end_s)
            if load_rep(player, data, stored):
                player.set_loop(span)
            column = QVBoxLayout()
            column.addWidget(title)
            column.addWidget(player, 1)
            row.addLayout(column, 1)
            self.players.append(player)
            self.titles.append(title)
            self.spans.append(span)
        self.play_button = QPushButton("▶ Play both from the start")
        self.play_button.setToolTip("Both reps start together and loop, each over its own rep")
        self.play_button.clicked.connect(self.play_both)
        self.pause_button = QPushButton("❚❚ Pause both")
        self.pause_button.clicked.connect(self.pause_both)
        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.pause_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(row, 1)
        lay.addLayout(buttons)

    def play_both(self) -> None:
        """Both from their rep's start, at the same moment."""
        for player, (start, _end) in zip(self.players, self.spans, strict=True):
            player.pause()
            player.seek_time(start)
        for player in self.players:
            player.play()

    def pause_both(self) -> None:
        for player in self.players:
            player.pause()

    def closeEvent(self, event: Any) -> None:
        for player in self.players:
            player.close_clip()
        super().closeEvent(event)


def _item(text: str, colour: str | None = None, data: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if colour:
        item.setForeground(QColor(colour))
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def _when(iso: str) -> str:
    """ "21 Nov 18:05" in local time."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %H:%M")
    except ValueError:
        return iso


def _row_data(table: QTableWidget, row: int) -> int:
    item = table.item(row, 0)
    assert item is not None
    return int(item.data(Qt.ItemDataRole.UserRole))


def _table(headers: list[str], stretch: int) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().hide()
    t.setAlternatingRowColors(True)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return t


class ReviewTab(QWidget):
    def __init__(self, db_path: Callable[[], Path], mirrored: bool = True, confirm: Confirm = ask_confirm,
                 ask_path: AskPath = ask_export_path, dancer: Callable[[], str] = lambda: "",
                 ask_date: AskDate = ask_date, parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.db_path, self.confirm, self.ask_path, self.dancer = db_path, confirm, ask_path, dancer
        self.ask_date = ask_date
        self.data: SessionData | None = None
        self.sessions = _table(["#", "Started", "Dancer", "Source", "Reps", "Flagged", "Length"], 3)
        self.sessions.itemSelectionChanged.connect(self._session_chosen)
        self.reps = _table(["Rep", "Kind", "Hips down", "Worst", "Flags", "Video"], 4)
        self.reps.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # two reps: Compare
        self.reps.setToolTip("Ctrl+click a second rep to compare the two side by side")
        self.reps.itemSelectionChanged.connect(self._rep_chosen)
        #: a rep kept to compare with a rep of another session (Keep for compare)
        self.pinned: tuple[SessionData, StoredRep] | None = None
        self.compare_dialog: CompareDialog | None = None
        self._mirrored = mirrored
        self.player = ClipPlayer(mirrored)
        self.plot = AnglesPlot()
        self.player.position_changed.connect(self.plot.set_cursor)
        self.plot.cursor_moved.connect(self.player.seek_time)
        self.plot.rep_clicked.connect(self.select_rep)
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setStyleSheet("font-size: 15px; padding: 6px;")
        self.message = QLabel("")
        self.message.setStyleSheet(f"color: {theme.MUTED}; padding: 4px;")
        #: the session's routine, one line per exercise (hidden for a session without one)
        self.exercises = QLabel("")
        self.exercises.setObjectName("exercises")
        self.exercises.setWordWrap(True)
        self.exercises.setStyleSheet("padding: 4px;")
        self.exercises.hide()
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.export_dialog)
        self.delete_button = QPushButton("Delete session")
        self.delete_button.clicked.connect(self.delete_selected)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Two reps side by side: Ctrl+click two reps, or keep one for compare and choose "
                                       "another (of any session)")  # fmt: skip
        self.compare_button.clicked.connect(self.compare_selected)
        self.loop_button = QPushButton("⟳ Loop rep")
        self.loop_button.setCheckable(True)
        self.loop_button.setToolTip("Play the chosen rep again and again (A-B loop over its span)")
        self.loop_button.toggled.connect(self._loop_toggled)
        #: the rep shown in the player
        self.shown_rep: StoredRep | None = None
        self.pin_button = QPushButton("Keep for compare")
        self.pin_button.setToolTip("Keep this rep to compare it with a rep of another session")
        self.pin_button.clicked.connect(self.pin_selected)
        self.date_button = QPushButton("Edit date…")
        self.date_button.setToolTip("Correct when the session was recorded (e.g. a copied video's date)")
        self.date_button.clicked.connect(self.edit_date_dialog)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)

        details_scroll = QScrollArea()
        details_scroll.setWidgetResizable(True)
        details_scroll.setWidget(self.details)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("Sessions"))
        ll.addWidget(self.sessions, 3)
        buttons = QHBoxLayout()
        for b in (refresh, self.date_button, self.export_button, self.delete_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(b)
        ll.addLayout(buttons)
        ll.addWidget(QLabel("Reps (flagged first)"))
        ll.addWidget(self.reps, 2)
        rep_buttons = QHBoxLayout()
        for b in (self.loop_button, self.compare_button, self.pin_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            rep_buttons.addWidget(b)
        rep_buttons.addStretch(1)
        ll.addLayout(rep_buttons)
        ll.addWidget(details_scroll, 3)
        ll.addWidget(self.exercises)
        ll.addWidget(self.message)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.player)
        right.addWidget(self.plot)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(left)
        main.addWidget(right)
        main.setStretchFactor(0, 0)
        main.setStretchFactor(1, 1)
        main.setSizes([460, 1000])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(main)

    # -- sessions ------------------------------------------------------------------------------------
    def _open(self) -> Store | None:
        path = self.db_path()
        if not path.exists():
            return None
        return Store.open(path, create=False)

    def refresh(self) -> None:
        """Reload the session list, keeping the selected session if it still exists."""
        keep = self.data.session.id if self.data is not None else None
        error = None
        try:
            store = self._open()
            rows = []
            if store is not None:
                store.recover_interrupted()  # sessions whose recording process died are shown as interrupted
                rows = store.list_sessions(dancer=self.dancer() or None)
                store.close()
        except TurnoutError as exc:  # e.g. a database from a newer Turnout: say so, not "no sessions"
            error = str(exc)
            rows = []
        self.sessions.blockSignals(True)
        self.sessions.setRowCount(0)
        for r in rows:
            self._add_session_row(r)
        self.sessions.blockSignals(False)
        if not rows:
            who = f" for {self.dancer()}" if self.dancer() else ""
            self.message.setText(error or f"No sessions{who} yet: record one on the Live tab (Space), or open a "
                                          "video (Ctrl+O).")  # fmt: skip
            self._show_session(None)
        elif keep is not None and self.select_session(keep):
            return
        else:
            self.sessions.selectRow(0)

    def _add_session_row(self, r: SessionRow) -> None:
        i = self.sessions.rowCount()
        self.sessions.insertRow(i)
        flagged = theme.BAD if r.n_flagged_reps else None
        m, s = divmod(round(r.duration_s), 60)
        source = (r.source or "") + (" (Live)" if r.source_path and not r.analysis else "")
        source += " (interrupted)" if r.status == "interrupted" else ""
        for col, text in enumerate((f"#{r.id}", _when(r.started_at), r.dancer or "–", source, str(r.n_reps),
                                    str(r.n_flagged_reps), f"{m}:{s:02d}")):  # fmt: skip
            self.sessions.setItem(i, col, _item(text, flagged if col == 5 else None, r.id))
        where = {True: "analysed from", False: "recorded in Live while this video played:"}[r.analysis]
        tip = f"{r.source or ''}\n{where} {r.source_path}" if r.source_path else (r.source or "")
        source_item = self.sessions.item(i, 3)
        if source_item is not None:
            source_item.setToolTip(tip)

    def session_ids(self) -> list[int]:
        return [_row_data(self.sessions, i) for i in range(self.sessions.rowCount())]

    def select_session(self, session_id: int) -> bool:
        ids = self.session_ids()
        if session_id not in ids:
            return False
        self.sessions.selectRow(ids.index(session_id))
        return True

    def _session_chosen(self) -> None:
        rows = self.sessions.selectionModel().selectedRows()
        if not rows:
            return
        session_id = _row_data(self.sessions, rows[0].row())
        try:
            store = self._open()
            data = SessionData.load(store, session_id) if store is not None else None
            exercises = store.exercises(session_id) if store is not None else []
            if store is not None:
                store.close()
        except TurnoutError as exc:
            self.message.setText(str(exc))
            return
        self._show_session(data)
        self.show_exercises(exercises)

    def show_exercises(self, exercises: Sequence[StoredExercise]) -> None:
        """The session's routine: "Barre basics: demi-pliés: 2 of 2 sets, 20 reps; ..." (none: hidden)."""
        if not exercises:
            self.exercises.setText("")
            self.exercises.hide()
            return
        name = exercises[0].routine or "Routine"
        self.exercises.setText(f"<b>{escape(name)}</b><br>" + "<br>".join(f"• {escape(e.line)}" for e in exercises))
        self.exercises.show()

    def _show_session(self, data: SessionData | None) -> None:
        self.data = data
        self.player.close_clip()
        # a camera's session shows as the studio mirror she chose; a video file as it was filmed
        self.player.set_mirrored(self._mirrored and (data is None or source_file(data.session) is None))
        self.reps.setRowCount(0)
        self.show_exercises([])
        self.details.setText("")
        self.plot.clear()
        if data is None:
            return
        n = data.session.n_reps
        self.message.setText(f"Session #{data.session.id}: {n} rep{'s' if n != 1 else ''}, "
                             f"{data.session.n_flagged_reps} flagged")  # fmt: skip
        for stored in reps_flagged_first(data.reps):
            self._add_rep_row(stored, data)
        self.plot.set_session(data)
        if self.reps.rowCount():
            self.reps.selectRow(0)

    # -- reps ----------------------------------------------------------------------------------------
    def _add_rep_row(self, stored: StoredRep, data: SessionData) -> None:
        rep = stored.rep
        i = self.reps.rowCount()
        self.reps.insertRow(i)
        worst = rep.worst_severity
        colour = theme.colour(worst).name() if worst else None
        codes = ", ".join(f.code.replace("_", " ") for f in rep.flags) or "–"
        clip = "▶" if data.clip_for(stored.id) is not None or source_file(data.session) is not None else ""
        for col, text in enumerate((f"#{rep.index}", rep.kind, display.drop_text(rep), worst or "ok", codes, clip)):
            self.reps.setItem(i, col, _item(text, colour if col in (3, 4) else None, rep.index))

    def rep_order(self) -> list[int]:
        """Rep indices in table order (flagged first)."""
        return [_row_data(self.reps, i) for i in range(self.reps.rowCount())]

    def select_rep(self, index: int) -> None:
        order = self.rep_order()
        if index in order:
            self.reps.selectRow(order.index(index))

    def selected_reps(self) -> list[StoredRep]:
        """The selected reps, in table order."""
        if self.data is None:
            return []
        rows = sorted(i.row() for i in self.reps.selectionModel().selectedRows())
        by_index = {s.rep.index: s for s in self.data.reps}
        return [by_index[_row_data(self.reps, r)] for r in rows if _row_data(self.reps, r) in by_index]

    def _rep_chosen(self) -> None:
        rows = self.reps.selectionModel().selectedRows()
        if not rows or self.data is None:
            return
        current = self.reps.currentRow()
        row = current if any(r.row() == current for r in rows) else rows[0].row()
        index = _row_data(self.reps, row)
        stored = next(s for s in self.data.reps if s.rep.index == index)
        if len(rows) == 1 or self.player.path is None:
            self.show_rep(stored)

    # -- compare -------------------------------------------------------------------------------------
    def pin_selected(self) -> None:
        chosen = self.selected_reps()
        if self.data is None or not chosen:
            self.message.setText("Choose a rep to keep for compare")
            return
        self.pinned = (self.data, chosen[0])
        self.message.setText(f"Kept session #{self.data.session.id}, rep {chosen[0].rep.index}: now choose another "
                             "rep (of any session) and press Compare")  # fmt: skip

    def compare_selected(self) -> CompareDialog | None:
        """Two selected reps, or the kept one and the selected one, side by side."""
        chosen = self.selected_reps()
        if self.data is None or not chosen:
            self.message.setText("Choose two reps (Ctrl+click), or keep one for compare and choose another")
            return None
        pairs: list[tuple[SessionData, StoredRep]]
        if len(chosen) >= 2:
            pairs = [(self.data, chosen[0]), (self.data, chosen[1])]
        elif self.pinned is not None and not (self.pinned[0].session.id == self.data.session.id
                                              and self.pinned[1].id == chosen[0].id):  # fmt: skip
            pairs = [self.pinned, (self.data, chosen[0])]
        else:
            self.message.setText("Choose a second rep (Ctrl+click), or keep this one for compare and choose another")
            return None
        self.player.pause()
        if self.compare_dialog is not None:
            self.compare_dialog.close()
        mirrored = [self._mirrored and source_file(d.session) is None for d, _s in pairs]
        self.compare_dialog = CompareDialog(pairs, mirrored, self)
        self.compare_dialog.show()
        self.compare_dialog.play_both()
        return self.compare_dialog

    def show_rep(self, stored: StoredRep) -> None:
        data = self.data
        assert data is not None
        rep = stored.rep
        drop = display.drop_text(rep)
        lines = [f"<b>Rep {rep.index}</b> · {rep.kind}-plié · hips {drop} down · {rep.duration_s:.1f} s"]
        for f in rep.flags:
            side = f" ({f.side})" if f.side else ""
            lines.append(f'<span style="color:{theme.colour(f.severity).name()}"><b>{f.code.replace("_", " ")}'
                         f"{side}</b></span>: {f.reason}.<br><i>{f.cue}</i>")  # fmt: skip
        knees = rep.knees()
        if not rep.flags and any(v is not None for v in knees.values()):
            lines.append(f'<span style="color:{theme.OK}">No faults in this rep.</span>')
        elif not rep.flags:
            lines.append(FEET_NOT_READ if any(feet_unread(rep, s) for s in ("left", "right")) else NOT_JUDGED)
        if any(v is not None for v in knees.values()):
            lines.append("Knees: " + ", ".join(rep.knee_words(s) for s in ("left", "right")) + ".")
        self.details.setText("<br><br>".join(lines))
        self.plot.focus_rep(rep)
        # the recording itself, while it exists (a file's session: the whole video, from this rep), else the clip
        self.shown_rep = stored
        self.player.set_loop(None)
        if not load_rep(self.player, data, stored):
            self.plot.set_cursor(rep.t_start_s)
        elif self.loop_button.isChecked():
            self.player.set_loop((rep.t_start_s, rep.t_end_s))

    def _loop_toggled(self, on: bool) -> None:
        stored = self.shown_rep
        if not on or stored is None or self.player.path is None:
            self.player.set_loop(None)
            return
        self.player.set_loop((stored.rep.t_start_s, stored.rep.t_end_s))
        self.player.play()

    def set_mirrored(self, on: bool) -> None:
        self._mirrored = on
        self.player.set_mirrored(on and (self.data is None or source_file(self.data.session) is None))

    # -- export and delete ---------------------------------------------------------------------------
    def export_dialog(self) -> None:
        if self.data is None:
            self.message.setText("Choose a session to export")
            return
        path = self.ask_path(self, f"turnout-session-{self.data.session.id}.html")
        if path is not None:
            self.export(path)

    def export(self, path: Path) -> Path | None:
        assert self.data is not None
        try:
            store = self._open()
            if store is None:
                return None
            with store:
                out = export_session(store, self.data.session.id, path)
        except (TurnoutError, OSError, ValueError) as exc:
            self.message.setText(f"Export failed: {exc}")
            return None
        self.message.setText(f"Exported to {out}")
        return out

    def edit_date_dialog(self) -> None:
        """Ask for the selected session's corrected date and store it."""
        if self.data is None:
            self.message.setText("Choose a session whose date to correct")
            return
        try:
            current = datetime.fromisoformat(self.data.session.started_at)
        except ValueError:
            current = datetime.now().astimezone()
        when = self.ask_date(self, current)
        if when is not None:
            self.set_date(when)

    def set_date(self, when: datetime) -> bool:
        """Store ``when`` as the selected session's date (a time without a zone is local); the list is re-sorted."""
        assert self.data is not None
        sid = self.data.session.id
        try:
            store = self._open()
            if store is None:
                return False
            with store:
                store.set_started_at(sid, when.isoformat())
        except (TurnoutError, ValueError) as exc:
            self.message.setText(f"The date was not changed: {exc}")
            return False
        self.refresh()
        self.message.setText(f"Session #{sid} dated {when.astimezone().strftime('%d %b %Y %H:%M')}")
        return True

    def delete_selected(self) -> None:
        if self.data is None:
            return
        sid = self.data.session.id
        if not self.confirm(self, f"Delete session #{sid} with its reps and clips? This cannot be undone."):
            return
        try:
            store = self._open()
            if store is not None:
                with store:
                    store.delete_session(sid)
        except TurnoutError as exc:
            self.message.setText(f"Delete failed: {exc}")
            return
        self.data = None
        self.refresh()
        self.message.setText(f"Session #{sid} deleted")
