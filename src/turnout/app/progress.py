"""The Progress tab: what can be judged across sessions (issue 16 item 6, issue 18 item 6). Each foot's turnout as
the picture reads it, with the range that holds the truth for 95 % of frames (turnout.session.display); the reps
and the flagged reps of each session; the knees' verdicts in words. A change is stated only where it is wider than
the ranges ("no change that the camera can tell" otherwise). Uncalibrated 3D feet (17-23 degrees low, 95 % within
37) and forced turnout per frame (51-100 off at p95) are not plotted: they cannot tell one week from the next.
Sessions stored before the picture's readings say so."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from turnout.app import theme
from turnout.errors import TurnoutError
from turnout.measure.measures import SIDES
from turnout.session import display
from turnout.session.display import NO_READING, Reading
from turnout.storage.store import FrameTable, Store, StoredExercise, StoredRep, stores_picture_feet

#: The practice advised: three to five sessions a week (docs/routines.md).
WEEKLY_AIM: Final = (3, 5)
#: What a session stored before the picture's per-frame readings shows instead of its feet.
NO_PICTURE: Final = "stored before the picture's readings"
#: What a session with the picture's columns but no foot read shows (she was turned from the camera throughout).
NOT_FACING: Final = "no foot read: not facing the camera"
#: A change the ranges cannot tell from no change.
NO_CHANGE: Final = "no change that the camera can tell"


@dataclass(frozen=True, slots=True)
class SessionPoint:
    """One session: its reps and flagged reps, each foot's turnout from the picture over the session (medians of the
    stored per-frame reading and its 95 % range; absent for a session stored before these readings), and how many
    reps each knee was inside its foot."""

    session_id: int
    started: datetime
    n_reps: int
    n_flagged: int = 0
    feet: dict[str, Reading] = field(default_factory=dict)
    #: per leg: (reps with the knee inside its foot, reps with a verdict)
    knees_inside: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: the session stored the picture's per-frame foot readings (its columns), even if no frame had one (turned from
    #: the camera throughout); ``None``: not known (read as: stored them when it has a reading)
    pictured: bool | None = None

    def foot(self, side: str) -> Reading:
        return self.feet.get(side, NO_READING)

    @property
    def has_picture(self) -> bool:
        return any(r.ok for r in self.feet.values())

    @property
    def stored_before(self) -> bool:
        """Stored before the picture's readings (rather than with none read: she never faced the camera)."""
        return not self.pictured if self.pictured is not None else not self.has_picture


def knee_counts(reps: Sequence[StoredRep]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for side in SIDES:
        verdicts = [s.rep.knees().get(side) for s in reps]
        judged = [v for v in verdicts if v is not None]
        out[side] = (sum(1 for v in judged if v == "inside"), len(judged))
    return out


def session_feet(frames: FrameTable | None) -> dict[str, Reading]:
    """Each foot's picture reading over the session's reliable frames (``{}`` for a session without them)."""
    if frames is None or not len(frames.t_s):
        return {}
    t = np.where(frames.reliable, frames.t_s, np.nan)  # unreliable frames fall outside any span
    return display.picture_feet_over(t, frames.values, -math.inf, math.inf)


def session_point(session_id: int, started: str, reps: Sequence[StoredRep], n_flagged: int = 0,
                  frames: FrameTable | None = None) -> SessionPoint:  # fmt: skip
    pictured = None if frames is None else stores_picture_feet(frames.values)
    return SessionPoint(session_id, datetime.fromisoformat(started), len(reps), n_flagged, session_feet(frames),
                        knee_counts(reps), pictured)  # fmt: skip


def progress_points(store: Store, dancer: str | None = None) -> list[SessionPoint]:
    """One point per session with reps, oldest first; only ``dancer``'s sessions when a name is given."""
    points = []
    for row in store.list_sessions(dancer=dancer or None):
        if row.n_reps:
            frames = store.frames(row.id) if row.n_frames else None
            points.append(session_point(row.id, row.started_at, store.reps(row.id), row.n_flagged_reps, frames))
    return sorted(points, key=lambda p: (p.started, p.session_id))


def weekly_practice(started: Sequence[datetime], now: datetime | None = None, weeks: int = 4) -> str:
    """Sessions per week against the advised 3-5: "This week: 2 sessions (aim: 3-5 a week) · the 4 weeks before:
    3, 4, 1, 0" (weeks from Monday, her local time)."""
    now = (now or datetime.now().astimezone()).astimezone()
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    counts = [0] * (weeks + 1)
    for t in started:
        local = t.astimezone(now.tzinfo)
        if local > now:
            continue
        back = int((monday - local).total_seconds() // (7 * 86400)) + 1 if local < monday else 0
        if back <= weeks:
            counts[back] += 1
    lo, hi = WEEKLY_AIM
    this = counts[0]
    text = f"This week: {this} session{'s' if this != 1 else ''} (aim: {lo}-{hi} a week)"
    if this >= lo:
        text += ", well done"
    before = counts[1:]
    return text + f" · the {weeks} weeks before (latest first): {', '.join(map(str, before))}"


def exercise_totals(history: Sequence[tuple[str, StoredExercise]]) -> list[str]:
    """Per exercise over the sessions: "demi-pliés: 40 reps in 3 sessions (latest 20)", "first position: 300 s
    held in 2 sessions (latest 120 s)"; the self-check: its latest answer."""
    by: dict[str, list[StoredExercise]] = {}
    for _, e in history:
        by.setdefault(e.label, []).append(e)
    lines = []
    for label, items in by.items():
        sessions = len({e.session_id for e in items})
        n = f"{sessions} session{'s' if sessions != 1 else ''}"
        last = items[-1]
        if last.kind == "selfcheck":
            answered = [e for e in items if e.detail.get("verdict") in ("over", "inside")]
            if not answered:
                lines.append(f"self-check: no answer yet ({n})")
                continue
            e = answered[-1]
            matched = e.detail.get("matched_total_deg")
            hips = f" (your hips gave about {5 * round(matched / 5):.0f}°)" if isinstance(matched, int | float) else ""
            lines.append(f"self-check, latest answer: {e.detail.get('words', '')}{hips}")
        elif last.kind in ("hold", "stretch"):
            lines.append(f"{label}: {sum(e.amount for e in items):.0f} s held in {n} (latest {last.amount:.0f} s)")
        else:
            lines.append(f"{label}: {sum(e.amount for e in items):.0f} reps in {n} (latest {last.amount:.0f})")
    return lines


#: (side, legend, colour, x offset in sessions, so that the two feet's ranges do not hide each other)
FEET_SERIES: Final = (
    ("left", "Left foot (picture), 95 % range", theme.ACCENT, -0.12),
    ("right", "Right foot (picture), 95 % range", theme.OK, 0.12),
)
#: At most this many session labels under the plots (every k-th session beyond).
MAX_TICKS: Final = 10


def session_ticks(points: Sequence[SessionPoint]) -> list[tuple[float, str]]:
    """The sessions in order along x (one step each, so that sessions of one day do not pile up), each labelled with
    its number and local date."""
    step = max(1, math.ceil(len(points) / MAX_TICKS))
    return [(float(i), f"#{p.session_id} {p.started.astimezone().strftime('%d %b')}")
            for i, p in enumerate(points) if i % step == 0 or i == len(points) - 1]  # fmt: skip


def foot_text(p: SessionPoint, side: str) -> str:
    """A session's foot by the display rule ("25–65°"), or why there is none."""
    if p.stored_before:
        return NO_PICTURE
    if not p.has_picture:
        return NOT_FACING
    return display.show(p.foot(side), "foot").text


def knees_text(p: SessionPoint) -> str:
    """ "left knee inside your foot in 1 of 3 reps; right knee over your foot in all 3" """
    parts = []
    for side in SIDES:
        inside, judged = p.knees_inside.get(side, (0, 0))
        if not judged:
            parts.append(f"{side} knee not measured")
        elif inside:
            parts.append(f"{side} knee inside your foot in {inside} of {judged} rep{'s' if judged != 1 else ''}")
        else:
            parts.append(f"{side} knee over your foot in {'all ' if judged > 1 else ''}{judged} "
                         f"rep{'s' if judged != 1 else ''}")  # fmt: skip
    return "; ".join(parts)


class ProgressTab(QWidget):
    def __init__(self, db_path: Callable[[], Path], dancer: Callable[[], str] = lambda: "",
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.db_path, self.dancer = db_path, dancer
        self.points: list[SessionPoint] = []
        self.plot = pg.PlotWidget()
        self.plot.setLabel("left", "foot turnout, degrees")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setTitle(f'<span style="color:{theme.ACCENT}">left foot</span> and <span style="color:{theme.OK}">'
                           "right foot</span> from the picture, per session: each bar the range that holds the truth "
                           "for 95 % of frames", color=theme.MUTED, size="10pt")  # fmt: skip
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.ranges: dict[str, pg.ErrorBarItem] = {}
        for side, name, colour, _dx in FEET_SERIES:
            self.ranges[side] = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), top=np.zeros(0), bottom=np.zeros(0),
                                                beam=0.0, pen=pg.mkPen(colour, width=6))  # fmt: skip
            self.plot.addItem(self.ranges[side])
            self.curves[side] = self.plot.plot([], [], name=name, symbol="o", symbolSize=9, symbolBrush=colour,
                                               pen=None)  # fmt: skip
        #: reps and flagged reps per session
        self.counts = pg.PlotWidget()
        self.counts.setLabel("left", "reps", units=None)
        self.counts.setTitle(f'reps per session (grey), <span style="color:{theme.BAD}">flagged</span> (red)',
                             color=theme.MUTED, size="10pt")  # fmt: skip
        self.counts.setXLink(self.plot)
        self.counts.showGrid(x=False, y=True, alpha=0.15)
        self.rep_bars = pg.BarGraphItem(x=[], height=[], width=1.0, brush=theme.MUTED)
        self.flag_bars = pg.BarGraphItem(x=[], height=[], width=1.0, brush=theme.BAD)
        self.counts.addItem(self.rep_bars)
        self.counts.addItem(self.flag_bars)
        self.message = QLabel("")
        self.message.setStyleSheet(f"color: {theme.MUTED}; font-size: 15px; padding: 4px;")
        self.message.setWordWrap(True)
        #: weekly practice against 3-5 a week, and each routine exercise's totals over the sessions
        self.practice = QLabel("")
        self.practice.setObjectName("practice")
        self.practice.setWordWrap(True)
        self.practice.setStyleSheet("font-size: 15px; padding: 4px;")
        self.table = QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels(
            ["Session", "Date", "Reps", "Flagged", "Left foot (95 %)", "Right foot (95 %)", "Knees"]
        )
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plot)
        split.addWidget(self.counts)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(self.message)
        lay.addWidget(self.practice)
        lay.addWidget(split, 1)

    def refresh(self) -> None:
        path = self.db_path()
        error = None
        try:
            if path.exists():
                with Store.open(path, create=False) as store:
                    self.points = progress_points(store, self.dancer())
                    sessions = store.list_sessions(dancer=self.dancer() or None)
                    history = store.exercise_history(self.dancer() or None)
                self.show_practice([datetime.fromisoformat(r.started_at) for r in sessions], history)
            else:
                self.points = []
                self.show_practice([], [])
        except TurnoutError as exc:  # e.g. a database from a newer Turnout: say so, not "no sessions"
            error = str(exc)
            self.points = []
        self.show_points(self.points)
        if error is not None:
            self.message.setText(error)

    def show_practice(self, started: Sequence[datetime], history: Sequence[tuple[str, StoredExercise]]) -> None:
        lines = [weekly_practice(started), *exercise_totals(history)]
        self.practice.setText("\n".join(lines))

    def show_points(self, points: list[SessionPoint]) -> None:
        x = np.arange(len(points), dtype=float)
        values: list[float] = []
        for side, _name, _colour, dx in FEET_SERIES:
            # only what the rule shows: a foot whose range is too wide to tell anything ("calibrate") is left out
            index = [i for i, p in enumerate(points) if display.show(p.foot(side), "foot").kind in ("number", "range")]
            fx = np.array([i + dx for i in index], dtype=float)
            deg = np.array([points[i].foot(side).deg for i in index], dtype=float)
            low = np.array([points[i].foot(side).low for i in index], dtype=float)
            high = np.array([points[i].foot(side).high for i in index], dtype=float)
            self.curves[side].setData(fx, deg)
            self.ranges[side].setData(x=fx, y=deg, top=high - deg, bottom=deg - low)
            values += [*low.tolist(), *high.tolist()]
        self.rep_bars.setOpts(x=x, height=[p.n_reps for p in points], width=0.5)
        self.flag_bars.setOpts(x=x, height=[p.n_flagged for p in points], width=0.25)
        ticks = [session_ticks(points)]
        for plot in (self.plot, self.counts):
            plot.getAxis("bottom").setTicks(ticks)
        self.table.setRowCount(0)
        for p in reversed(points):
            i = self.table.rowCount()
            self.table.insertRow(i)
            when = p.started.astimezone().strftime("%d %b %Y %H:%M")  # local time, like everywhere in the window
            cells = (f"#{p.session_id}", when, str(p.n_reps), str(p.n_flagged), foot_text(p, "left"),
                     foot_text(p, "right"), knees_text(p))  # fmt: skip
            for col, text in enumerate(cells):
                self.table.setItem(i, col, QTableWidgetItem(text))
        who = f" of {self.dancer()}" if self.dancer() else ""
        if not points:
            self.message.setText(f"No sessions{who} with reps yet. Record some pliés and come back.")
        else:
            self.message.setText(_trend(points, self.dancer()))
        if len(x):
            self.plot.setXRange(-0.6, len(points) - 0.4, padding=0)
            self.plot.setYRange(min([0.0, *values]) - 3.0, max([90.0, *values]) + 5.0, padding=0)
            most = max(1, *(p.n_reps for p in points))
            self.counts.setYRange(0.0, most * 1.1, padding=0)
            step = float(max(1, math.ceil(most / 4)))  # whole reps
            self.counts.getAxis("left").setTickSpacing(step, step)


def foot_change(first: Reading, last: Reading) -> str:
    """What the camera can say of a foot between two sessions: "turned out more (from 20–60° to 65–105°)" only where
    the two 95 % ranges do not overlap; else :data:`NO_CHANGE`."""
    a, b = display.range_text(first), display.range_text(last)
    if last.low > first.high:
        return f"turned out more (from {a} to {b})"
    if last.high < first.low:
        return f"turned out less (from {a} to {b})"
    return NO_CHANGE


def _trend(points: Sequence[SessionPoint], dancer: str = "") -> str:
    """What the readings can tell, and nothing more: each foot's change only where its 95 % ranges of the first and
    the latest session with the picture's readings do not overlap; the flagged reps as counted."""
    who = f"{dancer}: " if dancer else ""
    n = f"{len(points)} session{'s' if len(points) != 1 else ''}"
    first, last = points[0], points[-1]
    counts = (f"Flagged reps: {first.n_flagged} of {first.n_reps} in the first session"
              + (f", {last.n_flagged} of {last.n_reps} in the latest." if len(points) > 1 else "."))  # fmt: skip
    old = sum(1 for p in points if p.stored_before)
    older = (f" {old} older session{'s' if old != 1 else ''} {'were' if old != 1 else 'was'} {NO_PICTURE}: "
             "no feet shown for them." if old else "")  # fmt: skip
    pictured = [p for p in points if p.has_picture]
    if len(pictured) < 2:
        feet = "Your feet need two sessions with the picture's readings to compare."
    else:
        changes = {side: foot_change(pictured[0].foot(side), pictured[-1].foot(side)) for side in SIDES}
        if all(c == NO_CHANGE for c in changes.values()):
            feet = f"Your feet, first session to latest: {NO_CHANGE}."
        else:
            feet = "Your feet, first session to latest: " + "; ".join(f"{s} {c}" for s, c in changes.items()) + "."
    return f"{who}{n}. {feet} {counts}{older}"
