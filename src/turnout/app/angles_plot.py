"""Angles over a session's time (pyqtgraph): reps shaded by their worst flag, flags marked, a cursor linked
to the clip being played. Knee bends from her standing (straight reads 0); each foot from the picture with its 95 %
range shaded (turnout.session.review_data, turnout.session.display)."""

from __future__ import annotations

import html
from collections.abc import Collection, Sequence
from typing import Any, Final

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from turnout.app import theme
from turnout.practice.reps import RepSummary
from turnout.session.display import FEET_NEVER_READ, NOT_READ
from turnout.session.review_data import PLOT_SERIES, SessionData

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True, background=theme.PANEL, foreground=theme.MUTED)

SERIES_COLOURS: Final = ("#4fc3f7", "#0288d1", "#aed581", "#558b2f")
#: What the feet's curves are, under the key (the picture's with their range, or 3D for an older session).
FEET_PICTURE: Final = "feet from the picture, shaded: the range that holds the truth for 95 % of frames"
FEET_3D: Final = "feet from 3D (stored before the picture's readings): they read 17-23° low, 95 % within 37°"
#: The knees' bend is 3D's (docs/accuracy.md): its shape over a plié, not its degrees (how deep: the rep's hips down).
KNEES_3D: Final = "knee bends from 3D: their shape over time; at a plié's bottom they read 6-49° shallow"
SHORT: Final = {
    "forced_turnout": "forced", "knees_inside_toes": "knees", "heels_lift": "heels", "feet_rolling_in": "rolling",
    "torso_tilt": "torso", "pelvis_tilt": "pelvis", "rushed": "rushed",
}  # fmt: skip


def _held(values: np.ndarray) -> np.ndarray:
    """A fill needs finite values: each gap takes the last value before it (the first value before any)."""
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v)
    if not ok.any():
        return np.zeros_like(v)
    last = np.maximum.accumulate(np.where(ok, np.arange(len(v)), -1))
    last[last < 0] = int(np.flatnonzero(ok)[0])
    return v[last]


def _severity_colour(severity: str | None, alpha: int) -> QColor:
    c = QColor(theme.colour(severity or "ok"))
    c.setAlpha(alpha)
    return c


class AnglesPlot(QWidget):
    """``cursor_moved`` when the cursor is dragged; ``rep_clicked`` with a rep's index when its band is clicked."""

    cursor_moved = Signal(float)
    rep_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setLabel("left", "degrees")
        self.plot.setLabel("bottom", "time", units="s")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        self.curves: dict[str, pg.PlotDataItem] = {}
        #: each foot's 95 % range: (low curve, high curve, the fill between)
        self.bands_95: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem, pg.FillBetweenItem]] = {}
        for (key, label), colour in zip(PLOT_SERIES, SERIES_COLOURS, strict=True):
            dashed = key.startswith("right")
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            self.curves[key] = self.plot.plot([], [], pen=pg.mkPen(colour, width=2, style=style), name=label)
            if key.endswith("_foot_turnout_deg"):
                low, high = (self.plot.plot([], [], pen=pg.mkPen(None)) for _ in range(2))
                fill_colour = QColor(colour)
                fill_colour.setAlpha(40)
                fill = pg.FillBetweenItem(low, high, brush=fill_colour)
                fill.setZValue(-5)
                self.plot.addItem(fill)
                self.bands_95[key] = (low, high, fill)
        #: the key, above the plot so it never hides a curve or a flag
        self.legend = QLabel(self._key_line(()))
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.time_line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(theme.TEXT, width=2))
        self.time_line.setZValue(20)
        self.time_line.hide()
        self.time_line.sigPositionChanged.connect(self._cursor_dragged)
        self.plot.addItem(self.time_line, ignoreBounds=True)
        self.bands: list[tuple[RepSummary, pg.LinearRegionItem]] = []
        self.markers = pg.ScatterPlotItem(size=16, symbol="t")
        self.markers.setZValue(15)
        self.plot.addItem(self.markers)
        self._labels: list[pg.TextItem] = []
        self._setting_cursor = False
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.legend)
        lay.addWidget(self.plot, 1)

    @staticmethod
    def _key_line(unread: Collection[str]) -> str:
        """The key: each curve's line and name, "not read" after a foot whose curve is empty (``unread``)."""
        keys = []
        for (key, label), colour in zip(PLOT_SERIES, SERIES_COLOURS, strict=True):
            line = "╍╍" if key.startswith("right") else "━━"
            name = f"{label} ({NOT_READ})" if key in unread else label
            keys.append(f'<span style="color:{colour}">{line} {html.escape(name)}</span>')
        return "&nbsp;&nbsp;&nbsp;".join(keys)

    def clear(self) -> None:
        for curve in self.curves.values():
            curve.setData([], [])
        for low, high, _ in self.bands_95.values():
            low.setData([], [])
            high.setData([], [])
        for _, band in self.bands:
            self.plot.removeItem(band)
        for label in self._labels:
            self.plot.removeItem(label)
        self.bands, self._labels = [], []
        self.markers.setData([])
        self.time_line.hide()

    def set_session(self, data: SessionData) -> None:
        self.clear()
        t = data.t_s
        for key, curve in self.curves.items():
            curve.setData(t, data.series(key), connect="finite")
        for key, (low, high, _) in self.bands_95.items():
            band = data.band(key)
            if band is not None:
                low.setData(t, _held(band[0]))
                high.setData(t, _held(band[1]))
        feet = [key for key, _ in PLOT_SERIES if key.endswith("_foot_turnout_deg")]
        unread = [key for key in feet if not np.isfinite(data.series(key)).any()]
        note = (FEET_NEVER_READ if len(unread) == len(feet) else FEET_PICTURE) if data.has_picture_feet() else FEET_3D
        self.legend.setText(f"{self._key_line(unread)}<br><i>{html.escape(note)} · {html.escape(KNEES_3D)}</i>")
        low, high = self._span(data)
        top = high + 0.22 * (high - low)  # headroom for the one-line rep labels hanging from the top
        spots: list[dict[str, Any]] = []
        for stored in data.reps:
            rep = stored.rep
            band = pg.LinearRegionItem(
                (rep.t_start_s, rep.t_end_s), movable=False, brush=_severity_colour(rep.worst_severity, 45),
                pen=pg.mkPen(_severity_colour(rep.worst_severity, 160)),
            )  # fmt: skip
            band.setZValue(-10)
            self.plot.addItem(band)
            self.bands.append((rep, band))
            x = rep.t_bottom_start_s if np.isfinite(rep.t_bottom_start_s) else (rep.t_start_s + rep.t_end_s) / 2
            words = [f'<b style="color:{theme.TEXT}">#{rep.index}</b>']
            for f in rep.flags:
                name = html.escape(SHORT.get(f.code, f.code))
                words.append(f'<span style="color:{theme.colour(f.severity).name()}">{name}</span>')
            label = pg.TextItem(html="&nbsp;&nbsp;".join(words), anchor=(0.0, 0.0), color=theme.TEXT)
            label.setPos(rep.t_start_s, top)
            self.plot.addItem(label)
            self._labels.append(label)
            if rep.flags:
                spots.append({"pos": (x, high), "brush": _severity_colour(rep.worst_severity, 255),
                              "data": (rep.index, tuple(f.code for f in rep.flags))})  # fmt: skip
        self.markers.setData(spots)
        self.plot.setYRange(low, top, padding=0)
        if len(t):
            self.plot.setXRange(float(t[0]), float(t[-1]), padding=0.02)

    @staticmethod
    def _span(data: SessionData) -> tuple[float, float]:
        """The lowest and highest value of the curves and the feet's ranges."""
        bands = [b for k, _ in PLOT_SERIES if (b := data.band(k)) is not None]
        series = [v for k, _ in PLOT_SERIES if np.isfinite(v := data.series(k)).any()]
        series += [np.asarray(v, dtype=np.float64) for b in bands for v in b if np.isfinite(v).any()]
        if not series:
            return 0.0, 90.0
        low = float(min(np.nanmin(v) for v in series)) - 5.0
        return low, max(low + 10.0, float(max(np.nanmax(v) for v in series)))

    def focus_rep(self, rep: RepSummary) -> None:
        """Zoom to a rep with a little context on each side."""
        pad = max(1.0, 0.25 * (rep.t_end_s - rep.t_start_s))
        self.plot.setXRange(rep.t_start_s - pad, rep.t_end_s + pad, padding=0)

    def set_cursor(self, t_s: float) -> None:
        self._setting_cursor = True
        self.time_line.setValue(t_s)
        self.time_line.show()
        self._setting_cursor = False

    def _cursor_dragged(self) -> None:
        if not self._setting_cursor:
            self.cursor_moved.emit(float(self.time_line.value()))

    def rep_at(self, t_s: float) -> RepSummary | None:
        return next((rep for rep, _ in self.bands if rep.t_start_s <= t_s <= rep.t_end_s), None)

    def _clicked(self, event: Any) -> None:
        pos: QPointF = event.scenePos()
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            return
        rep = self.rep_at(float(vb.mapSceneToView(pos).x()))
        if rep is not None:
            self.rep_clicked.emit(rep.index)

    def visible_reps(self) -> Sequence[RepSummary]:
        return [rep for rep, _ in self.bands]
