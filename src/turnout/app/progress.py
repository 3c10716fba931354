"""The Progress tab: hip turnout, standing foot turnout and forced turnout across sessions, so she sees
whether the gap between what the hips give and what the feet show closes over the weeks."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from turnout.app import theme
from turnout.errors import TurnoutError
from turnout.storage.store import Store, StoredExercise, StoredRep

#: The practice advised: three to five sessions a week (docs/routines.md).
WEEKLY_AIM: Final = (3, 5)


@dataclass(frozen=True, slots=True)
class SessionPoint:
    """One session's turnout, each a median over its reps (degrees; ``nan`` when never measured)."""

    session_id: int
    started: datetime
    n_reps: int
    #: knee turnout at the bottom of her demi-pliés (what the hips give), both legs averaged
    hip_deg: float
    #: foot turnout at the start of the descent (her standing turnout), both feet averaged
    standing_deg: float
    #: per foot, standing foot turnout minus that leg's knee turnout at the bottom: turnout forced from the foot
    forced_left_deg: float
    forced_right_deg: float

    @property
    def forced_worse_deg(self) -> float:
        """The more forced foot (one forced foot is not hidden by the other)."""
        values = [v for v in (self.forced_left_deg, self.forced_right_deg) if math.isfinite(v)]
        return max(values) if values else math.nan


def _median(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(np.median(finite)) if finite else math.nan


def _mean2(a: float, b: float) -> float:
    vals = [v for v in (a, b) if math.isfinite(v)]
    return sum(vals) / len(vals) if vals else math.nan


def session_point(session_id: int, started: str, reps: Sequence[StoredRep]) -> SessionPoint:
    hip, standing, left, right = [], [], [], []
    for s in reps:
        r = s.rep
        if r.kind == "demi":
            hip.append(_mean2(r.left.knee_turnout_bottom_deg, r.right.knee_turnout_bottom_deg))
        standing.append(_mean2(r.left.foot_turnout_start_deg, r.right.foot_turnout_start_deg))
        left.append(r.left.foot_turnout_start_deg - r.left.knee_turnout_bottom_deg)
        right.append(r.right.foot_turnout_start_deg - r.right.knee_turnout_bottom_deg)
    return SessionPoint(session_id, datetime.fromisoformat(started), len(reps), _median(hip), _median(standing),
                        _median(left), _median(right))  # fmt: skip


def progress_points(store: Store, dancer: str | None = None) -> list[SessionPoint]:
    """One point per session with reps, oldest first; only ``dancer``'s sessions when a name is given."""
    points = []
    for row in store.list_sessions(dancer=dancer or None):
        if row.n_reps:
            points.append(session_point(row.id, row.started_at, store.reps(row.id)))
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


#: (field, legend, colour, dashed)
SERIES = (
    ("hip_deg", "Hip turnout", theme.OK, False),
    ("standing_deg", "Standing foot turnout", theme.ACCENT, False),
    ("forced_left_deg", "Forced turnout, left foot", theme.BAD, False),
    ("forced_right_deg", "Forced turnout, right foot", theme.BAD, True),
)


class ProgressTab(QWidget):
    def __init__(self, db_path: Callable[[], Path], dancer: Callable[[], str] = lambda: "",
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.db_path, self.dancer = db_path, dancer
        self.points: list[SessionPoint] = []
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem()})
        self.plot.setLabel("left", "degrees")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        legend = self.plot.addLegend(offset=(-10, 10), labelTextColor=theme.TEXT)
        legend.setBrush(pg.mkBrush(18, 20, 23, 200))
        self.curves = {
            key: self.plot.plot(
                [], [], name=name, symbol="o", symbolSize=10, symbolBrush=colour,
                pen=pg.mkPen(colour, width=3, style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine),
            )
            for key, name, colour, dashed in SERIES
        }  # fmt: skip
        self.plot.addItem(pg.InfiniteLine(0.0, angle=0, pen=pg.mkPen(theme.MUTED, width=1)))
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
            ["Session", "Date", "Reps", "Hip turnout", "Standing feet", "Forced left", "Forced right"]
        )
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
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
        x = np.array([p.started.timestamp() for p in points], dtype=float)
        for key, curve in self.curves.items():
            curve.setData(x, np.array([getattr(p, key) for p in points], dtype=float), connect="finite")
        self.table.setRowCount(0)
        for p in reversed(points):
            i = self.table.rowCount()
            self.table.insertRow(i)
            when = p.started.astimezone().strftime("%d %b %Y %H:%M")  # local time, like everywhere in the window
            cells = (f"#{p.session_id}", when, str(p.n_reps), _fmt(p.hip_deg), _fmt(p.standing_deg),
                     _fmt(p.forced_left_deg), _fmt(p.forced_right_deg))  # fmt: skip
            for col, text in enumerate(cells):
                self.table.setItem(i, col, QTableWidgetItem(text))
        who = f" of {self.dancer()}" if self.dancer() else ""
        if not points:
            self.message.setText(f"No sessions{who} with reps yet. Record some pliés and come back.")
        else:
            self.message.setText(_trend(points, self.dancer()))
        if len(x):
            pad = max(3600.0, 0.05 * float(x[-1] - x[0]))
            self.plot.setXRange(float(x[0]) - pad, float(x[-1]) + pad, padding=0)
            values = [getattr(p, k) for p in points for k, *_ in SERIES if math.isfinite(getattr(p, k))]
            self.plot.setYRange(min([0.0, *values]) - 3.0, max([10.0, *values]) + 5.0, padding=0)


def _fmt(v: float) -> str:
    return f"{v:.0f}°" if math.isfinite(v) else "–"


def _trend(points: Sequence[SessionPoint], dancer: str = "") -> str:
    """What the numbers say, and nothing more: "the gap went from 14° to -5°" (a gap that changes sign has not
    "closed by 19°": it closed and turned the other way)."""
    who = f"{dancer}: " if dancer else ""
    n = f"{len(points)} session{'s' if len(points) != 1 else ''}"
    forced = [p.forced_worse_deg for p in points if math.isfinite(p.forced_worse_deg)]
    if len(forced) < 2:
        return f"{who}{n}. The forced-turnout gap needs two sessions to show a trend."
    first, last = round(forced[0]), round(forced[-1])
    if first == last:
        change = "stayed at"
        return f"{who}{n}. The gap between your more forced foot and your hips {change} {first}°."
    return (f"{who}{n}. The gap between your more forced foot and your hips went from {first}° to {last}° "
            f"(first session to latest).")  # fmt: skip
