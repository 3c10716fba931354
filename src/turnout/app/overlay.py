"""Drawing one :class:`~turnout.session.pipeline.FrameResult` over its camera image: pure functions, no widgets.

The display is a studio mirror by default: the image *and* the landmark x are flipped, but every label stays
the dancer's own (her left knee is marked "L" wherever it appears on screen). At each foot a small top-down
gauge shows where the foot points as a fan from straight ahead (down on the screen is toward the camera): the fan
is the range that holds the truth for 95 % of feet as measured end to end, its line the reading, and its label
what the live figure says (``turnout.session.display``). No gauge where the rule says "calibrate": the range would
tell her nothing. The knee's direction is not drawn per frame: it reads 43-76 degrees off (95 %) on the studio,
against a 6-degree decision (knees over toes is judged per plié, from the picture).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable
from typing import Any, Final, NamedTuple

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

from turnout.app import theme
from turnout.measure.measures import SIDES
from turnout.pose import landmarks as lm
from turnout.pose.estimator import PoseFrame
from turnout.session import display
from turnout.session.pipeline import FrameResult

#: A landmark is drawn only when the model is at least this sure it is visible.
MIN_VISIBILITY: Final = 0.5
#: Which flags colour which part of the body.
FOOT_CODES: Final = frozenset({"forced_turnout", "feet_rolling_in", "heels_lift"})
KNEE_CODES: Final = frozenset({"knees_inside_toes"})
PELVIS_CODES: Final = frozenset({"pelvis_tilt"})
TORSO_CODES: Final = frozenset({"torso_tilt"})
_RANK: Final = {"none": 0, "ok": 1, "info": 2, "warn": 3, "bad": 4}

#: Per side: the chain coloured as the knee line, and the foot line.
KNEE_LINE: Final = {s: (lm.LEG[s][0], lm.LEG[s][1], lm.LEG[s][2]) for s in SIDES}
FOOT_LINE: Final = {s: (lm.LEG[s][3], lm.LEG[s][4]) for s in SIDES}


def bgr_to_qimage(bgr: np.ndarray, mirrored: bool) -> QImage:
    """A QImage owning a copy of ``bgr`` (H, W, 3 uint8), flipped left-right when ``mirrored``."""
    if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
        raise ValueError(f"expected a (H, W, 3) uint8 BGR image, got shape={bgr.shape} dtype={bgr.dtype}")
    arr = np.ascontiguousarray(bgr[:, ::-1] if mirrored else bgr)
    h, w = arr.shape[:2]
    return QImage(arr.data, w, h, 3 * w, QImage.Format.Format_BGR888).copy()


def display_points(pose: PoseFrame, mirrored: bool) -> np.ndarray | None:
    """(33, 3): display x, y (normalised, flipped when mirrored) and visibility; None without a person."""
    if pose.image is None:
        return None
    pts = np.array(pose.image[:, (0, 1, 3)], dtype=np.float64)
    if mirrored:
        pts[:, 0] = 1.0 - pts[:, 0]
    return pts


def _worst(statuses: Iterable[str]) -> str:
    return max(statuses, key=lambda s: _RANK.get(s, 0), default="none")


def _flag_status(flags: Iterable[Any], codes: frozenset[str], side: str | None) -> str | None:
    found = [
        str(f.severity)
        for f in flags
        if f.code in codes and (side is None or getattr(f, "side", None) in (side, "both", None))
    ]
    return _worst(found) if found else None


def part_status(result: FrameResult) -> dict[str, str]:
    """Status of each drawn part: ``left_knee``, ``left_foot``, ``right_*``, ``pelvis``, ``torso``.

    A part with an active flag takes the flag's severity; otherwise "ok" when the frame is judged (reliable and
    seen from the front: ``FrameResult.judged``) and that part is measured, else "none" (grey: nothing is judged).
    """
    m = result.measurement if result.judged else None
    flags = result.active_flags if result.judged else ()
    out: dict[str, str] = {}
    for side in SIDES:
        sm = m.side(side) if m is not None else None
        measured = {
            "knee": sm is not None and math.isfinite(sm.knee_flexion_deg),
            "foot": sm is not None and math.isfinite(sm.foot_turnout_deg),
        }
        for part, codes in (("knee", KNEE_CODES), ("foot", FOOT_CODES)):
            flagged = _flag_status(flags, codes, side)
            out[f"{side}_{part}"] = flagged or ("ok" if measured[part] else "none")
    for part, codes in (("pelvis", PELVIS_CODES), ("torso", TORSO_CODES)):
        out[part] = _flag_status(flags, codes, None) or ("ok" if m is not None else "none")
    return out


#: Pens made so far, by colour, width and style (the overlay draws the same few every frame; cleared when full).
_PENS: dict[tuple[int, float, Qt.PenStyle], QPen] = {}


def _pen(colour: QColor | str, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    c = QColor(colour)
    key = (c.rgba(), width, style)
    pen = _PENS.get(key)
    if pen is None:
        if len(_PENS) >= 256:
            _PENS.clear()
        pen = QPen(c, width, style)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        _PENS[key] = pen
    return pen


@functools.lru_cache(maxsize=8)
def _disc(radius: float) -> QImage:
    """A gauge's dark disc of ``radius`` (pixels), antialiased, on a transparent square ``2 radius + 2`` wide, drawn
    once per size: blending it is a fraction of antialiasing a translucent ellipse every frame (a third of the
    overlay's time)."""
    side = math.ceil(2.0 * radius) + 2
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 150))
    painter.drawEllipse(QPointF(side / 2.0, side / 2.0), radius, radius)
    painter.end()
    return image


class _Mapper:
    """Normalised display coordinates -> pixels of ``rect``."""

    def __init__(self, pts: np.ndarray, rect: QRectF) -> None:
        self.pts, self.rect = pts, rect

    def visible(self, *idx: int) -> bool:
        return all(
            self.pts[i, 2] >= MIN_VISIBILITY and math.isfinite(self.pts[i, 0]) and math.isfinite(self.pts[i, 1])
            for i in idx
        )

    def at(self, i: int) -> QPointF:
        r = self.rect
        return QPointF(r.x() + self.pts[i, 0] * r.width(), r.y() + self.pts[i, 1] * r.height())


def draw_overlay(painter: QPainter, rect: QRectF, result: FrameResult, mirrored: bool) -> list[Gauge]:
    """Draw the legs and pelvis, status-coloured knee and foot lines, and the foot gauges into ``rect``
    (the rectangle where the camera image was drawn); the gauges drawn (:func:`foot_gauges`) are returned."""
    pts = display_points(result.pose, mirrored)
    if pts is None:
        return []
    status = part_status(result)
    mp = _Mapper(pts, rect)
    scale = max(rect.height(), 1.0) / 720.0
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    # 1. The skeleton: thin, light lines under everything else.
    coloured = {b for s in SIDES for b in _chain_pairs(KNEE_LINE[s])} | {FOOT_LINE[s] for s in SIDES}
    for a, b in lm.LEG_BONES:
        if (a, b) in coloured or not mp.visible(a, b):
            continue
        part = "pelvis" if {a, b} == {lm.LEFT_HIP, lm.RIGHT_HIP} else "torso"
        colour = theme.SKELETON if status[part] in ("ok", "none") else theme.colour(status[part])
        painter.setPen(_pen(colour, 3.0 * scale))
        painter.drawLine(mp.at(a), mp.at(b))
    # 2. Knee lines (hip-knee-ankle) and foot lines (heel-toe), coloured by status.
    for side in SIDES:
        knee_col = theme.colour(status[f"{side}_knee"])
        for a, b in _chain_pairs(KNEE_LINE[side]):
            if mp.visible(a, b):
                painter.setPen(_pen(knee_col, 7.0 * scale))
                painter.drawLine(mp.at(a), mp.at(b))
        heel, toe = FOOT_LINE[side]
        if mp.visible(heel, toe):
            painter.setPen(_pen(theme.colour(status[f"{side}_foot"]), 8.0 * scale))
            painter.drawLine(mp.at(heel), mp.at(toe))
    # 3. Joints and the dancer's own L / R at each knee.
    painter.setPen(Qt.PenStyle.NoPen)
    for i in (*lm.LEG["left"][:3], *lm.LEG["right"][:3]):
        if mp.visible(i):
            painter.setBrush(QBrush(QColor(theme.SKELETON)))
            painter.drawEllipse(mp.at(i), 5.0 * scale, 5.0 * scale)
    label_font = QFont()
    label_font.setPixelSize(max(10, round(26 * scale)))
    label_font.setBold(True)
    painter.setFont(label_font)
    for side in SIDES:
        knee = lm.LEG[side][1]
        if mp.visible(knee):
            p = mp.at(knee)
            box = QRectF(
                p.x() + _outward(pts, side) * 30 * scale - 20 * scale, p.y() - 20 * scale, 40 * scale, 40 * scale
            )
            # a dark halo first: white alone vanished against a light wall or floor
            painter.setPen(QColor(0, 0, 0, 200))
            halo = max(1.0, 2.0 * scale)
            for dx, dy in ((-halo, 0.0), (halo, 0.0), (0.0, -halo), (0.0, halo)):
                painter.drawText(box.translated(dx, dy), Qt.AlignmentFlag.AlignCenter, side[0].upper())
            painter.setPen(QColor(theme.TEXT))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, side[0].upper())
    # 4. The foot gauges, by the display rule: the foot's honest range as a fan, and what the figure says. None where
    # the rule says "calibrate" (uncalibrated 3D alone reads 17-23 degrees low, 95 % within 37: docs/accuracy.md).
    gauges = foot_gauges(result, rect, mirrored)
    for g in gauges:
        draw_foot_gauge(painter, g.centre, g.radius, g.outward, g.reading, g.text, g.status)
    painter.restore()
    return gauges


#: A foot gauge's radius at 720 picture pixels.
GAUGE_RADIUS: Final = 58.0
#: A gauge's label is never smaller than this (pixels): a 1280x720 window shows the picture about 430 px high, where
#: the label's share of the radius gave 10 px, too small to read.
LABEL_MIN_PX: Final = 12
#: Pixels kept between two gauges moved apart (feet close together).
GAUGE_GAP_PX: Final = 4.0


class Gauge(NamedTuple):
    """One foot gauge as drawn: where, how big, what it shows; :attr:`bounds` holds its disc and its label."""

    side: str
    centre: QPointF
    radius: float
    outward: float
    reading: display.Reading
    text: str
    status: str

    @property
    def bounds(self) -> QRectF:
        return gauge_bounds(self.centre, self.radius, self.text)


def foot_gauges(result: FrameResult, rect: QRectF, mirrored: bool) -> list[Gauge]:
    """The foot gauges :func:`draw_overlay` draws into ``rect`` (none without a person, or where the rule says
    "calibrate")."""
    pts = display_points(result.pose, mirrored)
    if pts is None:
        return []
    status = part_status(result)
    mp = _Mapper(pts, rect)
    scale = max(rect.height(), 1.0) / 720.0
    out = []
    for side in SIDES:
        heel, toe = FOOT_LINE[side]
        shown = display.foot_shown(result, side)
        if shown.kind not in ("number", "range") or not (mp.visible(heel, toe) or mp.visible(lm.LEG[side][2], toe)):
            continue
        out.append(Gauge(side, _gauge_centre(mp, side, scale), GAUGE_RADIUS * scale, _outward(pts, side),
                         display.foot_reading(result, side), f"foot {shown.text}", status[f"{side}_foot"]))  # fmt: skip
    return _apart(out, rect, 70.0 * scale)


def _apart(gauges: list[Gauge], rect: QRectF, pad: float) -> list[Gauge]:
    """Two gauges whose discs or labels would overlap (her feet close together, or one pushed in from the picture's
    edge) moved apart sideways, each by half (one alone when the other is at the picture's edge), kept ``pad`` inside
    the picture."""
    if len(gauges) != 2 or not gauges[0].bounds.intersects(gauges[1].bounds):
        return gauges
    a, b = sorted(gauges, key=lambda g: g.centre.x())
    need = a.bounds.right() - b.bounds.left() + GAUGE_GAP_PX
    apart = b.centre.x() - a.centre.x() + need
    lo, hi = rect.left() + pad, rect.right() - pad
    ax, bx = a.centre.x() - need / 2, b.centre.x() + need / 2
    if ax < lo:
        ax, bx = lo, min(lo + apart, hi)
    elif bx > hi:
        ax, bx = max(hi - apart, lo), hi
    moved = {a.side: QPointF(ax, a.centre.y()), b.side: QPointF(bx, b.centre.y())}
    return [g._replace(centre=moved[g.side]) for g in gauges]


def _label_font(radius: float) -> QFont:
    f = QFont()
    f.setPixelSize(max(LABEL_MIN_PX, round(radius * 0.3)))
    f.setBold(True)
    return f


def gauge_bounds(centre: QPointF, radius: float, text: str) -> QRectF:
    """The rectangle a gauge covers: its dark disc and its label under it (as wide as the text)."""
    disc = QRectF(centre.x() - radius * 1.12, centre.y() - radius * 1.12, radius * 2.24, radius * 2.24)
    metrics = QFontMetricsF(_label_font(radius))
    w = max(radius * 3.2, metrics.horizontalAdvance(text) + 4.0)
    label = QRectF(centre.x() - w / 2, centre.y() + radius * 1.14, w, metrics.height() + 2.0)
    return disc.united(label)


def _chain_pairs(chain: tuple[int, ...]) -> list[tuple[int, int]]:
    return list(itertools.pairwise(chain))


def _outward(pts: np.ndarray, side: str) -> float:
    """+1 when ``side``'s leg lies to the right of the midline on screen, else -1."""
    mid = (pts[lm.LEFT_HIP, 0] + pts[lm.RIGHT_HIP, 0]) / 2
    x = pts[lm.LEG[side][2], 0]
    if not (math.isfinite(x) and math.isfinite(mid)):
        return 1.0
    return 1.0 if x >= mid else -1.0


def _gauge_centre(mp: _Mapper, side: str, scale: float) -> QPointF:
    """Beside the foot, on its outer side, level with the heel."""
    heel, toe = FOOT_LINE[side]
    a, b = mp.at(heel), mp.at(toe)
    outward = _outward(mp.pts, side)
    x = (max(a.x(), b.x()) if outward > 0 else min(a.x(), b.x())) + outward * 78.0 * scale
    y = min(a.y(), b.y()) - 20.0 * scale
    r = mp.rect
    pad = 70.0 * scale
    below = GAUGE_RADIUS * scale * 1.14 + 30.0 * scale  # the label under the disc stays in the picture
    return QPointF(min(max(x, r.left() + pad), r.right() - pad), min(max(y, r.top() + pad), r.bottom() - below))


def _ray(centre: QPointF, radius: float, outward: float, deg: float) -> QPointF:
    """Point at ``radius`` from ``centre``: 0 deg points down the screen (toward the camera), 90 deg outward."""
    rad = math.radians(deg)
    return QPointF(centre.x() + outward * radius * math.sin(rad), centre.y() + radius * math.cos(rad))


def draw_foot_gauge(
    painter: QPainter,
    centre: QPointF,
    radius: float,
    outward: float,
    reading: display.Reading,
    text: str,
    status: str,
) -> None:
    """A top-down fan: straight ahead (dashed), the foot's range (the fan) and its reading (the line), and
    ``text`` under it."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    disc = _disc(radius * 1.12)
    painter.drawImage(QPointF(centre.x() - disc.width() / 2.0, centre.y() - disc.height() / 2.0), disc)
    painter.setPen(_pen(theme.MUTED, max(1.0, radius / 40), Qt.PenStyle.DashLine))
    painter.drawLine(centre, _ray(centre, radius, outward, 0.0))
    if reading.ok:
        fan = QPainterPath(centre)
        lo, hi = reading.low, reading.high
        steps = max(2, int(abs(hi - lo) / 3))
        for k in range(steps + 1):
            fan.lineTo(_ray(centre, radius * 0.95, outward, lo + (hi - lo) * k / steps))
        fan.closeSubpath()
        fill = theme.colour(status)
        fill.setAlpha(90)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawPath(fan)
        painter.setPen(_pen(theme.colour(status), max(3.0, radius / 9)))
        painter.drawLine(centre, _ray(centre, radius, outward, reading.deg))
    painter.setFont(_label_font(radius))
    box = QRectF(centre.x() - radius * 1.6, centre.y() + radius * 1.14, radius * 3.2, radius * 0.8)
    painter.setPen(QColor(theme.TEXT))
    flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextDontClip
    painter.drawText(box, flags, text)
    painter.restore()


def render_frame(result: FrameResult, mirrored: bool, overlay: bool = True) -> QImage:
    """The camera image with the overlay drawn at the image's own resolution (for tests and screenshots)."""
    image = bgr_to_qimage(result.bgr, mirrored)
    if overlay:
        painter = QPainter(image)
        try:
            draw_overlay(painter, QRectF(0, 0, image.width(), image.height()), result, mirrored)
        finally:
            painter.end()
    return image
