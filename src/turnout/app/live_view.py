"""The live view: the mirrored camera image with the overlay, a large warning banner, guidance, and figures."""

from __future__ import annotations

import html
import itertools
import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Final

import cv2
import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from turnout.app import theme
from turnout.app.guide import COLOURS, tooltip
from turnout.app.overlay import draw_overlay, foot_gauges, part_status
from turnout.practice.profile import NOT_JUDGED
from turnout.practice.tracker import LiveFlag, RepEnded
from turnout.session import display
from turnout.session.pipeline import SET_GAP_S, FrameResult

#: The banner's first words per flag code; the flag's own cue follows.
HEADLINES: Final = {
    "forced_turnout": "Turnout is coming from your feet",
    "knees_inside_toes": "Knees are falling inside your toes",
    "heels_lift": "Heels are lifting",
    "feet_rolling_in": "Feet are rolling in",
    "torso_tilt": "Torso is leaning",
    "pelvis_tilt": "Hips are not level",
    "rushed": "Too quick",
}
_SEVERITY_RANK: Final = {"info": 1, "warn": 2, "bad": 3}


def banner_lines(flag: Any) -> tuple[str, str]:
    """The headline, e.g. "Turnout is coming from your feet (left)", and the flag's cue."""
    head = HEADLINES.get(flag.code, str(flag.code).replace("_", " ").capitalize())
    side = getattr(flag, "side", None)
    where = f" ({side})" if side in ("left", "right") else ""
    return f"{head}{where}", str(flag.cue)


def banner_text(flag: Any) -> str:
    """The banner as one line: "Turnout is coming from your feet (left): turn your feet in to match your hips"."""
    head, cue = banner_lines(flag)
    return f"{head}: {cue[:1].lower()}{cue[1:]}"


def flags_of_events(events: Iterable[Any]) -> list[Any]:
    """Flags raised by practice events: live cues mid-rep and the final flags of a rep that ended."""
    out: list[Any] = []
    for e in events:
        if isinstance(e, LiveFlag):
            out.append(e.flag)
        elif isinstance(e, RepEnded):
            out.extend(e.rep.flags)
    return out


class FlagMemory:
    """Keeps a flag on the banner for ``hold_s`` seconds after it was last seen (the pipeline already holds a
    cue for a few seconds; this bridges frames the display skipped), and tells which flags are new (to sound
    a cue)."""

    def __init__(self, hold_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.hold_s, self._clock = hold_s, clock
        self._seen: dict[tuple[str, str | None], tuple[float, Any]] = {}

    def note(self, flags: Iterable[Any]) -> list[Any]:
        """Record ``flags`` as seen now; return those not seen within the last ``hold_s`` seconds."""
        now = self._clock()
        new = []
        for f in flags:
            key = (str(f.code), getattr(f, "side", None))
            last = self._seen.get(key)
            if last is None or now - last[0] > self.hold_s:
                new.append(f)
            self._seen[key] = (now, f)
        return new

    def current(self) -> Any | None:
        """The most severe flag seen within ``hold_s`` seconds (the most recent among equals)."""
        now = self._clock()
        self._seen = {k: v for k, v in self._seen.items() if now - v[0] <= self.hold_s}
        if not self._seen:
            return None
        return max(self._seen.values(), key=lambda tv: (_SEVERITY_RANK.get(tv[1].severity, 0), tv[0]))[1]

    def clear(self) -> None:
        self._seen.clear()


#: Paints remembered for the latency figures (about a minute at 30 fps).
LATENCY_RING: Final = 2048


def display_image(bgr: np.ndarray, size: tuple[int, int], mirrored: bool) -> tuple[QImage, np.ndarray]:
    """``bgr`` scaled to ``size`` (w, h) and flipped when ``mirrored``, as an RGB32 QImage ready to blit.

    One OpenCV pass that scales and mirrors at once, and one colour conversion per frame (about a millisecond), so
    painting is an unscaled copy instead of a smooth QPainter scale of the full camera frame. The QImage shares the
    returned array's memory: keep the array as long as the image.
    """
    bgra = display_pixels(bgr, size, mirrored)
    h, w = bgra.shape[:2]
    return QImage(bgra.data, w, h, 4 * w, QImage.Format.Format_RGB32), bgra


def display_pixels(bgr: np.ndarray, size: tuple[int, int], mirrored: bool) -> np.ndarray:
    """The pixels of :func:`display_image`: (h, w, 4) uint8 BGRA, contiguous.

    Scaling and mirroring are one bilinear ``cv2.warpAffine`` (each output pixel samples the camera frame where
    ``cv2.resize`` would, then ``cv2.flip``; within one level of them): 0.8 ms for a 1280x720 frame shown 930x523
    on the 2-core bench machine, where ``cv2.resize`` and ``cv2.flip`` took 1.5-3.0 ms (OpenCV on one thread)."""
    if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
        raise ValueError(f"expected a (H, W, 3) uint8 BGR image, got shape={bgr.shape} dtype={bgr.dtype}")
    w, h = max(1, size[0]), max(1, size[1])
    src_h, src_w = bgr.shape[:2]
    if (w, h) != (src_w, src_h):
        # Bilinear, like QPainter's smooth transform; OpenCV's INTER_AREA is 7x slower at such ratios (1.35x).
        # The map from an output pixel to the frame, pixel centres kept: x_src = sx (x + 0.5) - 0.5, mirrored
        # x -> w - 1 - x.
        sx, sy = src_w / w, src_h / h
        row_x = [-sx, 0.0, sx * (w - 0.5) - 0.5] if mirrored else [sx, 0.0, 0.5 * sx - 0.5]
        to_frame = np.array([row_x, [0.0, sy, 0.5 * sy - 0.5]])
        flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
        bgr = cv2.warpAffine(bgr, to_frame, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
    elif mirrored:
        bgr = cv2.flip(bgr, 1)
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA))


#: The badge in the picture's corner: which measurement mode is in use.
#: (The feet are read from the picture through a camera estimated from her standing, or through the floor sheet's.)
FLOOR_BADGE: Final = "Floor-calibrated"
UNCALIBRATED_BADGE: Final = "Uncalibrated (camera estimated)"
#: The badge's font is the picture's height over this (12-22 px): it says the mode, it need not be read across the room.
BADGE_DIVISOR: Final = 36


class VideoWidget(QWidget):
    """Paints the latest frame, aspect kept, and the overlay on top; the banner and guidance float over it.

    The frame is scaled to the widget once per result (:func:`display_image`), then each paint is a plain copy.
    ``latencies_ms`` keeps, per result shown, the time from its capture (``FrameResult.captured_at``) to the end
    of the paint that first showed it, and ``paint_ms`` how long those paints took (read by ``scripts/bench.py``).

    Floor calibration: the calibrated reference's outline is drawn over the picture and a badge says which mode
    measures. While she clicks corners (:meth:`start_clicking`) the picture holds still, her clicks are marked
    (a magnified view follows the pointer), and ``corners_clicked`` gives the 4 corners in camera pixels;
    Backspace undoes one, R starts again, Esc cancels (``clicking_cancelled``).
    """

    #: the 4 clicked corners, camera pixels (x, y) of the held frame (a list of 4 tuples)
    corners_clicked = Signal(list)
    clicking_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # every paint covers the whole widget
        self.mirrored = True
        self.show_overlay = True
        self.result: FrameResult | None = None
        self._frame_size: tuple[int, int] | None = None  # (w, h) of the result's camera frame
        #: (result, (size, mirrored), image, its pixels): the scaled frame of the result last painted
        self._display: tuple[FrameResult, tuple[tuple[int, int], bool], QImage, np.ndarray] | None = None
        self._painted: FrameResult | None = None
        #: capture-to-paint latency (ms) of each result shown, newest last
        self.latencies_ms: deque[float] = deque(maxlen=LATENCY_RING)
        #: duration (ms) of the paints that first showed each result
        self.paint_ms: deque[float] = deque(maxlen=LATENCY_RING)
        #: results painted (each counted once)
        self.frames_painted = 0
        #: ``time.monotonic()`` at the end of the first paint that showed a frame (None until then)
        self.first_painted_at: float | None = None
        self.placeholder = "No camera running. Choose a camera or open a video file (Ctrl+O)."
        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.hide()
        #: the banner's words as one line (empty when hidden)
        self.banner_message = ""
        self._banner: tuple[str, str, str] | None = None
        self._banner_key: tuple[object, ...] = ()
        self._guidance_px = 0
        self.guidance = QLabel(self)
        self.guidance.setObjectName("guidance")
        self.guidance.setWordWrap(True)
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.guidance.hide()
        #: the calibrated reference's corners (camera pixels) to outline, None when not calibrated
        self.floor_corners: np.ndarray | None = None
        #: the mode badge's text (None: no badge)
        self.badge: str | None = UNCALIBRATED_BADGE
        #: the badge's text width, and the badge drawn, for the text and size they were made for
        self._badge_metrics: tuple[tuple[str, int], float] = (("", 0), 0.0)
        self._badge_image: tuple[tuple[str, float, float], QImage] = (("", 0.0, 0.0), QImage())
        #: a tag in the top-right corner (the delayed mirror: "3 s late"); None: none
        self.delay_tag: str | None = None
        #: while clicking corners: what is clicked ("the A4 sheet"), the clicks so far (camera pixels), the newest
        #: result (shown when clicking ends), the pointer (widget coordinates)
        self.clicking: str | None = None
        self.clicks: list[tuple[float, float]] = []
        self._newest: FrameResult | None = None
        self._pointer: QPointF | None = None
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(960, 540)

    def set_result(self, result: FrameResult | None) -> None:
        if self.clicking is not None:  # the picture holds still while she clicks
            self._newest = result
            return
        self.result = result
        bgr = None if result is None else result.bgr
        if bgr is not None and (bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8):
            raise ValueError(f"expected a (H, W, 3) uint8 BGR image, got shape={bgr.shape} dtype={bgr.dtype}")
        self._frame_size = None if bgr is None or not bgr.size else (bgr.shape[1], bgr.shape[0])
        self.update()

    def set_mirrored(self, on: bool) -> None:
        self.mirrored = on
        self.set_result(self.result)

    def image_rect(self) -> QRectF:
        """Where the frame is drawn: as large as fits, centred, aspect kept."""
        if self._frame_size is None:
            return QRectF(self.rect())
        iw, ih = self._frame_size
        s = min(self.width() / iw, self.height() / ih)
        w, h = iw * s, ih * s
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def _display_image(self, result: FrameResult, target: QRectF) -> QImage:
        """The result's frame at the target's size (made once per result, size and mirroring)."""
        size = (round(target.width()), round(target.height()))
        cached = self._display
        if cached is None or cached[0] is not result or cached[1] != (size, self.mirrored):
            image, pixels = display_image(result.bgr, size, self.mirrored)
            cached = self._display = (result, (size, self.mirrored), image, pixels)
        return cached[2]

    def paintEvent(self, event: QPaintEvent) -> None:
        t0 = time.monotonic()
        painter = QPainter(self)
        result = self.result
        if self._frame_size is None or result is None:
            painter.fillRect(self.rect(), QColor("black"))
            painter.setPen(QColor(theme.MUTED))
            painter.setFont(theme.font(16))
            painter.drawText(
                self.rect().adjusted(40, 40, -40, -40),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.placeholder,
            )
            painter.end()
            return
        target = self.image_rect()
        image = self._display_image(result, target)
        origin = QPointF(round(target.x()), round(target.y()))
        w, h = self.width(), self.height()
        black = QColor("black")
        # Only the bars around the picture need clearing: the picture covers the rest.
        if origin.x() > 0:
            painter.fillRect(0, 0, int(origin.x()), h, black)
            painter.fillRect(int(origin.x()) + image.width(), 0, w, h, black)
        if origin.y() > 0:
            painter.fillRect(0, 0, w, int(origin.y()), black)
            painter.fillRect(0, int(origin.y()) + image.height(), w, h, black)
        painter.drawImage(origin, image)
        if self.floor_corners is not None and self.clicking is None:
            self._draw_quad(painter, target, self.floor_corners, closed=True, colour=theme.ACCENT)
        gauges = None
        if self.show_overlay and self.clicking is None:
            gauges = [g.bounds for g in draw_overlay(painter, target, result, self.mirrored)]
        if self.clicking is not None:
            self._draw_clicking(painter, target, image, origin)
        elif self.badge:
            self._draw_badge(painter, target, gauges)
        if self.delay_tag and self.clicking is None:
            self._draw_tag(painter, target, self.delay_tag)
        painter.end()
        if result is not self._painted:
            self._painted = result
            now = time.monotonic()
            self.frames_painted += 1
            if self.first_painted_at is None:
                self.first_painted_at = now
            self.paint_ms.append((now - t0) * 1000.0)
            if result.captured_at > 0:
                self.latencies_ms.append((now - result.captured_at) * 1000.0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    # -- floor calibration ------------------------------------------------------------------------------
    def set_floor(self, corners_px: np.ndarray | None) -> None:
        """Outline the calibrated reference (camera pixels), or nothing; the badge follows."""
        self.floor_corners = None if corners_px is None else np.asarray(corners_px, float).reshape(4, 2)
        self.badge = FLOOR_BADGE if corners_px is not None else UNCALIBRATED_BADGE
        self.update()

    def to_widget(self, x: float, y: float, target: QRectF | None = None) -> QPointF:
        """Camera pixel (x, y) -> widget coordinates, mirroring as displayed."""
        r = target or self.image_rect()
        w, h = self._frame_size or (1, 1)
        u, v = (x + 0.5) / w, (y + 0.5) / h
        if self.mirrored:
            u = 1.0 - u
        return QPointF(r.x() + u * r.width(), r.y() + v * r.height())

    def to_camera(self, p: QPointF) -> tuple[float, float] | None:
        """Widget point -> camera pixel (x, y); None outside the picture."""
        if self._frame_size is None:
            return None
        r = self.image_rect()
        u, v = (p.x() - r.x()) / r.width(), (p.y() - r.y()) / r.height()
        if not (0.0 <= u <= 1.0 and 0.0 <= v <= 1.0):
            return None
        if self.mirrored:
            u = 1.0 - u
        w, h = self._frame_size
        return (u * w - 0.5, v * h - 0.5)

    def start_clicking(self, what: str) -> bool:
        """Hold the picture and take 4 corner clicks on it; False when there is no picture yet."""
        if self.result is None or self._frame_size is None:
            return False
        self.clicking, self.clicks, self._newest = what, [], None
        self.banner.hide()
        self.guidance.hide()
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.update()
        return True

    def stop_clicking(self) -> None:
        """Back to the live picture."""
        if self.clicking is None:
            return
        newest = self._newest
        self.clicking, self.clicks, self._newest, self._pointer = None, [], None, None
        self.unsetCursor()
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if self._banner is not None:
            self.banner.show()
        if newest is not None:
            self.set_result(newest)
        self.update()

    def click_at(self, x: float, y: float) -> None:
        """One corner clicked at camera pixel (x, y) (a fifth click starts again)."""
        if self.clicking is None:
            return
        if len(self.clicks) >= 4:
            self.clicks = []
        self.clicks.append((float(x), float(y)))
        self.update()
        if len(self.clicks) == 4:
            self.corners_clicked.emit(list(self.clicks))

    def point_at(self, x: float, y: float) -> None:
        """Put the pointer (for the magnified view) over camera pixel (x, y), as moving the mouse there does."""
        self._pointer = self.to_widget(x, y)
        self.update()

    def undo_click(self) -> None:
        if self.clicks:
            self.clicks.pop()
            self.update()

    def restart_clicks(self) -> None:
        self.clicks = []
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.clicking is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        point = self.to_camera(event.position())
        if point is not None:
            self.click_at(*point)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.clicking is not None:
            self._pointer = event.position()
            self.update()
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.clicking is None:
            super().keyPressEvent(event)
            return
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.stop_clicking()
            self.clicking_cancelled.emit()
        elif key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.undo_click()
        elif key == Qt.Key.Key_R:
            self.restart_clicks()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def clicking_prompt(self) -> str:
        """What to do now, one line."""
        n = len(self.clicks)
        if n < 4:
            return f"Click corner {n + 1} of 4   ·   Backspace: undo   ·   Esc: cancel"
        return "Backspace: undo   ·   R: start again   ·   Esc: cancel"

    def _draw_quad(self, painter: QPainter, target: QRectF, corners: np.ndarray, closed: bool, colour: str) -> None:
        pts = [self.to_widget(float(x), float(y), target) for x, y in corners]
        if not pts:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        width = max(2.0, target.height() / 300)
        if closed and len(pts) >= 3:
            fill = QColor(colour)
            fill.setAlpha(60)
            path = QPainterPath()
            path.addPolygon(QPolygonF([*pts, pts[0]]))
            painter.fillPath(path, fill)
        pen = QPen(QColor(colour), width)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for a, b in itertools.pairwise([*pts, pts[0]] if closed else pts):
            painter.drawLine(a, b)
        painter.restore()

    def _draw_clicking(self, painter: QPainter, target: QRectF, image: QImage, origin: QPointF) -> None:
        """The clicks so far (numbered), the quad they make, a magnified view at the pointer and the prompt. The
        prompt goes along the bottom of the picture, or the top when a click is under it (a corner near the bottom:
        the markers are never hidden), and the markers are drawn over it."""
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        r = max(6.0, target.height() / 90)
        text = self.clicking_prompt()
        band, _px = self.prompt_band(painter, target, text)
        painter.fillRect(band, QColor(0, 0, 0, 190))
        painter.setPen(QColor(theme.TEXT))
        painter.drawText(band, Qt.AlignmentFlag.AlignCenter, text)
        corners = np.array(self.clicks, float).reshape(-1, 2)
        self._draw_quad(painter, target, corners, closed=len(self.clicks) == 4, colour=theme.WARN)
        label = QFont()
        label.setPixelSize(max(14, round(r * 2.2)))
        label.setBold(True)
        painter.setFont(label)
        for k, (x, y) in enumerate(self.clicks):
            p = self.to_widget(x, y, target)
            painter.setPen(QPen(QColor("black"), 2))
            painter.setBrush(QColor(theme.WARN))
            painter.drawEllipse(p, r, r)
            painter.setPen(QColor(theme.TEXT))
            painter.drawText(QRectF(p.x() + r, p.y() - 3 * r, 4 * r, 3 * r), Qt.AlignmentFlag.AlignLeft, str(k + 1))
        if self._pointer is not None and target.contains(self._pointer):
            below = band.bottom() + 8 if band.top() <= target.top() else target.top() + 12
            self._draw_loupe(painter, target, image, origin, self._pointer, below)
        painter.restore()

    def marker_rects(self, target: QRectF | None = None) -> list[QRectF]:
        """Where each clicked corner's marker and its number are drawn (widget pixels)."""
        target = target or self.image_rect()
        r = max(6.0, target.height() / 90)
        out = []
        for x, y in self.clicks:
            p = self.to_widget(x, y, target)
            out.append(QRectF(p.x() - r, p.y() - 3 * r, 5 * r, 4 * r))
        return out

    def prompt_band(self, painter: QPainter | None = None, target: QRectF | None = None,
                    text: str | None = None) -> tuple[QRectF, int]:  # fmt: skip
        """The prompt's band while clicking (widget pixels) and its font's pixel size, as large as fits: along the
        bottom of the picture, or along the top when a clicked marker would be under it."""
        target = target or self.image_rect()
        text = self.clicking_prompt() if text is None else text
        px = self.text_px(22, 16, 34)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(px)
        room = target.width() - 24
        while px > 12 and QFontMetricsF(font).horizontalAdvance(text) > room:
            px -= 1
            font.setPixelSize(px)
        if painter is not None:
            painter.setFont(font)
        band = QRectF(target.left(), target.bottom() - px * 2.4, target.width(), px * 2.4)
        if any(m.intersects(band) for m in self.marker_rects(target)):
            band.moveTop(target.top())
        return band, px

    def _draw_loupe(self, painter: QPainter, target: QRectF, image: QImage, origin: QPointF, at: QPointF,
                    top: float) -> None:  # fmt: skip
        """A 4x view of the picture around the pointer, in the top corner away from it (from ``top``: under the
        prompt when the prompt is along the top), with cross-hairs."""
        size = min(220.0, target.height() / 3)
        zoom = 4.0
        src = QRectF(at.x() - origin.x() - size / zoom / 2, at.y() - origin.y() - size / zoom / 2, size / zoom,
                     size / zoom)  # fmt: skip
        left = at.x() > target.center().x()
        box = QRectF(target.left() + 12 if left else target.right() - size - 12, top, size, size)
        painter.drawImage(box, image, src)
        painter.setPen(QPen(QColor(theme.WARN), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box)
        c = box.center()
        painter.drawLine(QPointF(c.x() - size / 2, c.y()), QPointF(c.x() - 6, c.y()))
        painter.drawLine(QPointF(c.x() + 6, c.y()), QPointF(c.x() + size / 2, c.y()))
        painter.drawLine(QPointF(c.x(), c.y() - size / 2), QPointF(c.x(), c.y() - 6))
        painter.drawLine(QPointF(c.x(), c.y() + 6), QPointF(c.x(), c.y() + size / 2))

    def _badge_font(self) -> QFont:
        font = QFont()
        font.setPixelSize(self.text_px(BADGE_DIVISOR, 12, 22))
        font.setBold(True)
        return font

    def badge_rect(self, target: QRectF | None = None, gauges: list[QRectF] | None = None) -> QRectF:
        """Where the mode badge goes: the first of the picture's bottom-left, bottom-right, top-left and top-right
        corners (under the delay tag) that no foot gauge covers (else the one least covered). ``gauges``: the foot
        gauges' bounds as drawn (else worked out again from the result)."""
        target = self.image_rect() if target is None else target
        px = self.text_px(BADGE_DIVISOR, 12, 22)
        w = self._badge_width(self.badge or "", px) + px * 1.4
        h = px * 1.8
        m = 12.0
        top = target.top() + m + (h + m if self.delay_tag else 0.0)
        corners = [
            QRectF(target.left() + m, target.bottom() - h - m, w, h),
            QRectF(target.right() - w - m, target.bottom() - h - m, w, h),
            QRectF(target.left() + m, top, w, h),
            QRectF(target.right() - w - m, top, w, h),
        ]
        result = self.result
        if result is None or not self.show_overlay:
            return corners[0]
        if gauges is None:
            gauges = [g.bounds for g in foot_gauges(result, target, self.mirrored)]

        def covered(box: QRectF) -> float:
            areas = (box.intersected(g) for g in gauges)
            return sum(a.width() * a.height() for a in areas if not a.isEmpty())

        return min(corners, key=covered)  # min keeps the first of equals: the usual corner when none is covered

    def _badge_width(self, text: str, px: int) -> float:
        """The badge text's width at ``px`` (measured once per text and size)."""
        key = (text, px)
        if self._badge_metrics[0] != key:
            self._badge_metrics = (key, QFontMetricsF(self._badge_font()).horizontalAdvance(text))
        return self._badge_metrics[1]

    def _draw_badge(self, painter: QPainter, target: QRectF, gauges: list[QRectF] | None = None) -> None:
        """Which mode measures, in a corner of the picture no foot gauge covers (drawn once per text and size, then
        blended: the same few pixels every frame)."""
        text = self.badge or ""
        box = self.badge_rect(target, gauges)
        key = (text, box.width(), box.height())
        if self._badge_image[0] != key:
            image = QImage(math.ceil(box.width()), math.ceil(box.height()), QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(0)
            badge = QPainter(image)
            badge.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            badge.setFont(self._badge_font())
            inside = QRectF(0.0, 0.0, box.width(), box.height())
            h = box.height()
            calibrated = text == FLOOR_BADGE
            badge.setPen(Qt.PenStyle.NoPen)
            badge.setBrush(QColor(theme.OK) if calibrated else QColor(40, 46, 54, 220))
            badge.drawRoundedRect(inside, h / 4, h / 4)
            badge.setPen(QColor("#0b1a10") if calibrated else QColor(theme.NEUTRAL))
            badge.drawText(inside, Qt.AlignmentFlag.AlignCenter, text)
            badge.end()
            self._badge_image = (key, image)
        painter.drawImage(box.topLeft(), self._badge_image[1])

    def _draw_tag(self, painter: QPainter, target: QRectF, text: str) -> None:
        """A tag in the picture's top-right corner (the delayed mirror: "3 s late")."""
        px = self.text_px(26, 14, 30)
        font = QFont()
        font.setPixelSize(px)
        font.setBold(True)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setFont(font)
        w = painter.fontMetrics().horizontalAdvance(text) + px * 1.4
        h = px * 1.8
        box = QRectF(target.right() - w - 12, target.top() + 12, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.ACCENT))
        painter.drawRoundedRect(box, h / 4, h / 4)
        painter.setPen(QColor("#111111"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def text_px(self, divisor: int, lo: int, hi: int) -> int:
        """A font size that grows with the widget, so text stays readable across the room."""
        return max(lo, min(hi, self.height() // divisor))

    def _place(self) -> None:
        w = self.width()
        margin = 12
        self._render_banner()
        self.banner.setFixedWidth(max(200, w - 2 * margin))
        self.banner.adjustSize()
        self.banner.move(margin, margin)
        # side-on she watches her own line (turnout.practice.profile): its words go small, under her feet
        low = self.guidance.text().lower().startswith(NOT_JUDGED)
        px = self.text_px(36, 12, 26) if low else self.text_px(17, 18, 52)
        if px != self._guidance_px:
            self._guidance_px = px
            self.guidance.setStyleSheet(f"font-size: {px}px;")
        gw = min(max(300, int(w * 0.8)), w - 2 * margin)
        self.guidance.setFixedWidth(gw)
        self.guidance.adjustSize()
        h = self.guidance.height()
        y = self.height() - h - margin if low else max(margin, (self.height() - h) // 2)
        if low and self.badge:  # low, it would hide the mode badge in the picture's bottom corner: it goes above it
            badge = self.badge_rect()
            if badge.bottom() > y and badge.right() > (w - gw) // 2 and badge.left() < (w + gw) // 2:
                y = max(margin, int(badge.top()) - h - 6)
        self.guidance.move((w - gw) // 2, y)

    def show_banner(self, flag: Any | None) -> None:
        """Show ``flag``'s headline and cue (coloured by its severity), or hide the banner for None (hidden while
        she clicks corners: the picture is still)."""
        if flag is None or self.clicking is not None:
            self._banner, self.banner_message = None, ""
        else:
            head, cue = banner_lines(flag)
            self._banner, self.banner_message = (head, cue, str(flag.severity)), banner_text(flag)
        if self._render_banner():
            self._place()

    def _render_banner(self) -> bool:
        """Restyle the banner only when what it shows (or its size) changed; True if it did."""
        px = self.text_px(15, 20, 60)
        key = (self._banner, px)
        if key == self._banner_key:
            return False
        self._banner_key = key
        if self._banner is None:
            self.banner.hide()
            return True
        head, cue, severity = self._banner
        bg = theme.BAD if severity == "bad" else theme.WARN if severity == "warn" else theme.ACCENT
        fg = "white" if severity == "bad" else "#111111"
        self.banner.setStyleSheet(f"background: {bg}; color: {fg}; font-size: {px}px;")
        small = round(px * 0.8)
        self.banner.setText(
            f"<b>{html.escape(head)}</b><br><span style='font-size:{small}px'>{html.escape(cue)}</span>"
        )
        self.banner.show()
        return True

    def show_guidance(self, lines: Iterable[str]) -> None:
        """Show the guidance (hidden while she clicks corners: it would cover the floor)."""
        text = "\n".join(lines)
        if not text or self.clicking is not None:
            self.guidance.hide()
            return
        if text == self.guidance.text() and not self.guidance.isHidden():
            return  # as shown (every frame mostly): laying the label out again took a millisecond of each frame
        self.guidance.setText(text)
        self.guidance.show()
        self._place()


#: The live figures' smallest value font (px): the panel's font grows from it with the panel's height.
MIN_VALUE_PX: Final = 28


class _Value(QLabel):
    """A figure's value: as tall as its font where there is room, but its font (which grows with the panel,
    FiguresPanel.resizeEvent) never holds the panel, and so the window, at the size it grew to: a window made full
    screen could not be made 1280x720 again."""

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), MIN_VALUE_PX + 6)


class Figure(QWidget):
    """A caption and a large value."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.setSpacing(0)
        self.caption = QLabel(caption)
        self.caption.setObjectName("figureName")
        self.value = _Value("–")
        self.value.setObjectName("figureValue")
        self.status = "none"
        self._colour = ""
        #: the value's font size (px) set by the panel; a longer text (a range, "calibrate") is shrunk to fit
        self.base_px = 0
        lay.addWidget(self.caption)
        lay.addWidget(self.value)
        self.set("–")

    def fit(self) -> None:
        """The value at :attr:`base_px`, or smaller until it fits the figure's width ("20–65°" in a narrow column)."""
        if self.base_px <= 0:
            return
        f = self.value.font()
        avail = max(self.width() - 12, 40)
        px = self.base_px
        while px > 14:
            f.setPixelSize(px)
            if QFontMetrics(f).horizontalAdvance(self.value.text()) <= avail:
                break
            px -= 2
        f.setBold(True)
        if f.pixelSize() != self.value.font().pixelSize() or not self.value.font().bold():
            self.value.setFont(f)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def set(self, text: str, status: str = "ok") -> None:
        """Show ``text`` coloured by the one colour rule (:data:`turnout.app.guide.COLOURS`): "ok" white (measured,
        no fault), "warn" amber, "bad" red, "none" grey (cannot be judged now); a "–" is always grey."""
        if text != self.value.text():
            self.value.setText(text)
            self.fit()
        if text == "–":
            status = "none"
        self.status = status
        colour = FIGURE_COLOURS.get(status, theme.TEXT)
        if colour != self._colour:
            self._colour = colour
            self.value.setStyleSheet(f"color: {colour};")


#: The figures' colour rule (white measured, amber warning, red fault, grey not judged).
FIGURE_COLOURS: Final = {"ok": theme.TEXT, "warn": theme.WARN, "bad": theme.BAD, "none": theme.NEUTRAL}
#: The few words of a fault in a set's summary ("10 pliés, 2 flagged: knees inside the toes").
FAULT_WORDS: Final = {
    "forced_turnout": "turnout forced from the feet",
    "knees_inside_toes": "knees inside the toes",
    "heels_lift": "heels lifting",
    "feet_rolling_in": "feet rolling in",
    "torso_tilt": "torso leaning",
    "pelvis_tilt": "hips not level",
    "rushed": "too quick",
}


#: What a degree figure says where its measured error is larger than what it would tell (uncalibrated feet).
CALIBRATE: Final = "calibrate"


def _deg(v: float | None) -> str:
    return f"{v:.0f}°" if v is not None and math.isfinite(v) else "–"


def set_summary(reps: Iterable[Any]) -> str:
    """ "10 pliés, 2 flagged: knees inside the toes" (the most frequent fault among the flagged reps)."""
    reps = list(reps)
    n = len(reps)
    flagged = [r for r in reps if r.flags]
    words = f"{n} plié{'s' if n != 1 else ''}"
    if not flagged:
        return f"{words}, none flagged" if n else "no pliés yet"
    counts: dict[str, int] = {}
    for r in flagged:
        for code in dict.fromkeys(str(f.code) for f in r.flags):
            counts[code] = counts.get(code, 0) + 1
    top = max(counts, key=lambda c: counts[c])
    return f"{words}, {len(flagged)} flagged: {FAULT_WORDS.get(top, top.replace('_', ' '))}"


class SetTracker:
    """The pliés of the current set, from the rep events; a set ends after a pause longer than the pipeline's
    set gap (or when the run stops)."""

    def __init__(self, gap_s: float = SET_GAP_S) -> None:
        self.gap_s = gap_s
        self.reps: list[Any] = []
        self.last: str = ""

    def add(self, rep: Any) -> str | None:
        """Count a finished rep; returns the previous set's summary when this rep starts a new set."""
        ended = None
        if self.reps and rep.t_start_s - self.reps[-1].t_end_s > self.gap_s:
            ended = self.end()
        self.reps.append(rep)
        return ended

    def tick(self, t_s: float) -> str | None:
        """The set's summary once ``t_s`` (session time) is a set gap after its last rep; None otherwise."""
        if self.reps and t_s - self.reps[-1].t_end_s > self.gap_s:
            return self.end()
        return None

    def end(self) -> str | None:
        if not self.reps:
            return None
        self.last = set_summary(self.reps)
        self.reps = []
        return self.last

    def current(self) -> str:
        return set_summary(self.reps) if self.reps else (f"Last set: {self.last}" if self.last else "")


class FiguresPanel(QFrame):
    """Live figures in two columns (her left, her right), readable across the room: the values grow with
    the panel. Only what can be judged now is shown (a grey "–" otherwise); each figure has its tooltip from the
    glossary; the colour legend and the current set's summary sit below."""

    NAMES: Final = (
        ("foot_left", "Foot turnout L"), ("foot_right", "Foot turnout R"),
        ("forced_left", "Forced L"), ("forced_right", "Forced R"),
        ("total", "Total foot turnout"), ("hip", "Hip turnout"),
        ("reps", "Reps"), ("sets", "Sets"),
        ("depth", "Last plié depth"),
        ("phase", "Phase · hold"),
    )  # fmt: skip
    #: figures that take the whole row
    WIDE: Final = ("depth", "phase")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.setMinimumWidth(330)
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 10, 10, 10)
        grid.setVerticalSpacing(6)
        self.figures: dict[str, Figure] = {}
        row = col = 0
        for key, caption in self.NAMES:
            fig = Figure(caption, self)
            fig.setToolTip(tooltip(key))
            self.figures[key] = fig
            if key in self.WIDE:
                if col:
                    row, col = row + 1, 0
                grid.addWidget(fig, row, 0, 1, 2)
                row += 1
            else:
                grid.addWidget(fig, row, col)
                row, col = (row, 1) if col == 0 else (row + 1, 0)
        self.rows = row + (1 if col else 0)
        self.summary = QLabel("")
        self.summary.setObjectName("setSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {theme.TEXT}; font-size: 16px; font-weight: bold; padding: 4px 6px;")
        self.summary.setToolTip(tooltip("summary"))
        grid.addWidget(self.summary, self.rows, 0, 1, 2)
        legend = " ".join(
            f'<span style="color:{c}">■</span>&nbsp;{html.escape(n.split(",")[0].lower())}' for c, n, _ in COLOURS[:4]
        )
        self.legend = QLabel(f"{legend} · <i>F1: glossary</i>")
        self.legend.setObjectName("legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet(f"color: {theme.MUTED}; font-size: 13px; padding: 2px 6px;")
        self.legend.setToolTip("White: measured, no fault · amber: a warning · red: a fault · grey '–': cannot be "
                               "judged now. Help > Glossary (F1) explains every figure.")  # fmt: skip
        grid.addWidget(self.legend, self.rows + 1, 0, 1, 2)
        grid.setRowStretch(self.rows + 2, 1)
        self._px = 0
        #: the last finished plié's depth (relative to her standing baseline), degrees
        self.last_depth_deg: float | None = None
        #: how the last finished plié is shown: its kind and the hips' drop ("demi · 14 %")
        self.last_depth = "–"

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        px = max(MIN_VALUE_PX, min(96, int((self.height() - 50) / self.rows * 0.5), int(self.width() / 2 * 0.3)))
        if px != self._px:
            self._px = px
            for fig in self.figures.values():
                fig.base_px = px
                fig.fit()

    def clear(self) -> None:
        """A new source: nothing of the previous one stays."""
        self.last_depth_deg = None
        self.last_depth = "–"
        self.summary.setText("")
        self.show_result(None)

    def note_rep(self, rep: Any) -> None:
        self.last_depth_deg = float(rep.depth_deg)
        self.last_depth = display.depth_text(rep)  # the kind and the hips' drop: the knees' degrees read shallow
        self.figures["depth"].set(self.last_depth)

    def show_result(self, r: FrameResult | None) -> None:
        f = self.figures
        judged = r is not None and r.judged
        status = part_status(r) if judged and r is not None else {}
        # Degrees only where their measured error is smaller than what they would tell her, else a range or
        # "calibrate" (turnout.session.display: the one table of measured errors and the rule). Forced turnout reads
        # 11-15 degrees off against an 8-degree fault in either mode, so it is never a number (knees over toes judge
        # forcing); the hips' turnout (knees' direction from the picture) reads up to 50 off: not a number either.
        for side in ("left", "right"):
            shown = display.foot_shown(r if judged else None, side)
            text = CALIBRATE if shown.kind == "calibrate" else shown.text
            plain = shown.kind in ("calibrate", "hidden")  # no reading: grey, never a part's colour
            f[f"foot_{side}"].set(text, "none" if plain else status.get(f"{side}_foot", "ok"))
            f[f"forced_{side}"].set("–")
        total = display.total_shown(r if judged else None)
        f["total"].set(
            CALIBRATE if total.kind == "calibrate" else total.text,
            "none" if total.kind in ("calibrate", "hidden") else "ok",
        )
        f["hip"].set(display.hip_shown(r.hip_turnout_deg if r else None).text)
        f["depth"].set(self.last_depth)
        f["reps"].set(str(r.reps) if r else "0")
        f["sets"].set(str(r.sets) if r else "0")
        if r is not None and r.hold_s is not None:
            f["phase"].set(f"hold {r.hold_s:.1f} s")
        else:
            f["phase"].set(r.phase if judged and r is not None else "–")
