"""The floor-calibration step of the Live tab: choose the reference, then let the app find it or click its corners.

The accuracy it states first is end to end, as measured on the studio's rendered dancers with the pose model
(:func:`turnout.session.display.floor_end_to_end`, docs/accuracy.md): what a dancer gets. The sheet's own share
comes second, from the core: what each reference typically gives
(:func:`turnout.floor.reference.typical_turnout_error_deg`, in the typical set-up) and what the calibration she
made gives (:meth:`~turnout.floor.reference.FloorCalibration.expected_turnout_error_deg`). Both are Monte Carlo
runs of tens of milliseconds, so they are computed on a helper thread and shown when ready.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from turnout.app import theme
from turnout.floor.reference import REFERENCES, FloorCalibration
from turnout.floor.state import CLICK_SIGMA_PX, describe_reference
from turnout.session.display import floor_end_to_end

#: The choices, in the order offered: (key, what the list says). "custom": a rectangle of the size she types.
CHOICES: Final = (
    ("A4", "A4 sheet"),
    ("letter", "US letter sheet"),
    ("A4-pair", "Two A4 sheets, end to end"),
    ("letter-pair", "Two letter sheets, end to end"),
    ("yoga-mat", "Yoga mat"),
    ("custom", "Another rectangle (type its size)"),
)
#: References the app can find by itself: white paper (a coloured mat or any other rectangle: click its corners).
AUTOMATIC: Final = frozenset({"A4", "letter", "A4-pair", "letter-pair"})
#: How exact found or refined corners are (px): the accuracy offered before calibrating assumes this.
FOUND_SIGMA_PX: Final = 0.2
#: Short names for the messages ("Floor calibrated with A4").
SHORT: Final = {"A4": "A4", "letter": "a letter sheet", "A4-pair": "two A4 sheets", "letter-pair": "two letter sheets",
                "yoga-mat": "your yoga mat"}  # fmt: skip


def pm(deg: float) -> str:
    """ "±0.5°", "±3°"."""
    return f"±{deg:.1f}°" if deg < 2 else f"±{deg:.0f}°"


def accuracy_text(median_p95: tuple[float, float]) -> str:
    """The sheet's own share of the error: "±1.2° (95%: ±4°)"."""
    median, p95 = median_p95
    return f"{pm(median)} (95%: {pm(p95)})"


def reference_name(cal: FloorCalibration) -> str:
    """What she calibrated with, for a message: "A4", "your yoga mat", "a 50 x 80 cm rectangle"."""
    return SHORT.get(cal.reference) or describe_reference(cal.reference, cal.reference_size_m)


def calibrated_text(
    cal: FloorCalibration, accuracy: tuple[float, float] | None, prefix: str = "", pending: bool = False
) -> str:
    """What she calibrated with and what it gives a foot end to end (the pose model included, measured on the
    studio), then the sheet's own share: "Floor calibrated with A4: a foot within 17° standing, 6° in a plié (95%:
    33°, 31°; end to end); the sheet alone ±0.4° (95%: ±1.6°)" (or ``prefix`` with the reference); ``pending``: the
    sheet's share is still being worked out."""
    head = f"{prefix} ({reference_name(cal)})" if prefix else f"Floor calibrated with {reference_name(cal)}"
    head = f"{head}: {floor_end_to_end(cal.reference, brief=True)}"
    if accuracy is not None:
        return f"{head}; the sheet alone {accuracy_text(accuracy)}"
    return f"{head} (working out the sheet's own share…)" if pending else head


class TypicalAccuracy:
    """What each reference typically gives, found or refined and as plain clicks; computed once on a helper
    thread from the first :meth:`start` (``ready`` tells when), so that opening the window costs nothing."""

    _shared: TypicalAccuracy | None = None

    def __init__(self) -> None:
        self.figures: dict[tuple[str, float], tuple[float, float]] = {}
        self.ready = threading.Event()
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            threading.Thread(target=self._work, name="turnout-accuracy", daemon=True).start()

    @classmethod
    def shared(cls) -> TypicalAccuracy:
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def _work(self) -> None:
        from turnout.floor.reference import typical_turnout_error_deg

        try:
            for sigma in (FOUND_SIGMA_PX, CLICK_SIGMA_PX):
                for key in REFERENCES:
                    self.figures[(key, sigma)] = typical_turnout_error_deg(key, sigma)
        finally:
            self.ready.set()

    def get(self, key: str, sigma: float = FOUND_SIGMA_PX) -> tuple[float, float] | None:
        return self.figures.get((key, sigma))


def choice_info(key: str, typical: TypicalAccuracy) -> str:
    """What a choice is worth, for the line under the list."""
    if key == "custom":
        return ("Type its width and length, then click its 4 corners. Its accuracy is shown once calibrated: "
                "the larger the rectangle, the more accurate.")  # fmt: skip
    how = "found automatically" if key in AUTOMATIC else "not found automatically (not white paper): click its corners"
    found, clicked = typical.get(key), typical.get(key, CLICK_SIGMA_PX)
    if found is None or clicked is None:
        return (f"{_upper(describe_reference(key, REFERENCES[key]))}, {how}. With the pose model: "
                f"{floor_end_to_end(key)}. Working out the sheet's own share…")  # fmt: skip
    return (
        f"{_upper(describe_reference(key, REFERENCES[key]))}, {how}. With the pose model: "
        f"{floor_end_to_end(key)}. The sheet's own share: typically {accuracy_text(found)} when found or its clicked "
        f"corners are refined; {pm(clicked[0])} (95%: {pm(clicked[1])}) from rough clicks alone. Larger references "
        "are more accurate."
    )


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def choice_label(key: str, label: str, typical: TypicalAccuracy) -> str:
    """The list entry: "A4 sheet · 21 x 29.7 cm · sheet alone ±0.5°" (its own share; the end-to-end accuracy is in
    the line under the list)."""
    if key == "custom":
        return label
    w, length = (f"{v * 100:.1f}".removesuffix(".0") for v in REFERENCES[key])
    found = typical.get(key)
    return f"{label} · {w} × {length} cm" + (f" · sheet alone {pm(found[0])}" if found is not None else "")


class Background(QObject):
    """Runs a function on a helper thread; ``done(token, value)`` is delivered on the GUI thread."""

    done = Signal(object, object)

    def run(self, token: Any, fn: Callable[[], Any]) -> None:
        def work() -> None:
            try:
                value = fn()
            except Exception as exc:  # shown as "unknown", never a traceback
                value = exc
            with contextlib.suppress(RuntimeError):  # the window closed meanwhile
                self.done.emit(token, value)

        threading.Thread(target=work, name="turnout-floor-accuracy", daemon=True).start()


class FloorPanel(QFrame):
    """The calibration step's controls, shown above the picture while she calibrates."""

    #: "find" or "click", with (reference key, width_m, length_m)
    find_requested = Signal(str, float, float)
    click_requested = Signal(str, float, float)
    clear_requested = Signal()
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.typical = TypicalAccuracy.shared()
        self._shown_figures = False
        self.reference = QComboBox()
        self.reference.setMinimumHeight(36)
        self.reference.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for key, label in CHOICES:
            self.reference.addItem(choice_label(key, label, self.typical), key)
        self.width_cm = self._spin(61.0)
        self.length_cm = self._spin(173.0)
        self.times = QLabel("×")
        self.find_button = QPushButton("Find it automatically")
        self.click_button = QPushButton("Click its corners")
        self.clear_button = QPushButton("Clear calibration")
        self.close_button = QPushButton("Close")
        for b in (self.find_button, self.click_button, self.clear_button, self.close_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumHeight(36)
        self.find_button.setToolTip(
            "Lay the sheet on the floor in front of your feet, long edge pointing at the camera"
        )
        self.click_button.setToolTip("Click the 4 corners on the picture, going round; Backspace undoes, Esc cancels")
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setObjectName("floorInfo")
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        choose = QHBoxLayout()
        choose.setContentsMargins(0, 0, 0, 0)
        choose.addWidget(QLabel("Calibrate the floor with"))
        choose.addWidget(self.reference, 1)
        choose.addWidget(self.width_cm)
        choose.addWidget(self.times)
        choose.addWidget(self.length_cm)
        act = QHBoxLayout()
        act.setContentsMargins(0, 0, 0, 0)
        act.addWidget(self.find_button)
        act.addWidget(self.click_button)
        act.addStretch(1)
        act.addWidget(self.clear_button)
        act.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(6)
        lay.addLayout(choose)
        lay.addLayout(act)
        lay.addWidget(self.info)
        self.setStyleSheet(f"QLabel {{ font-size: 15px; }} QLabel#floorInfo {{ color: {theme.MUTED}; }}")
        self.reference.currentIndexChanged.connect(self._chosen)
        self.find_button.clicked.connect(lambda: self.find_requested.emit(*self.choice()))
        self.click_button.clicked.connect(lambda: self.click_requested.emit(*self.choice()))
        self.clear_button.clicked.connect(self.clear_requested)
        self.close_button.clicked.connect(self.close_requested)
        self._chosen()
        self._poll = QTimer(self)
        self._poll.setInterval(150)
        self._poll.timeout.connect(self._check_typical)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.typical.start()  # the figures are worked out the first time the step is opened
        if not self._poll.isActive() and not self._shown_figures:
            self._poll.start()

    def _spin(self, value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(5.0, 500.0)
        spin.setDecimals(1)
        spin.setSuffix(" cm")
        spin.setValue(value)
        spin.setMinimumHeight(36)
        return spin

    def _check_typical(self) -> None:
        if self.typical.ready.is_set():
            self._poll.stop()
            self._shown_figures = True
            for i, (key, label) in enumerate(CHOICES):
                self.reference.setItemText(i, choice_label(key, label, self.typical))
            self._chosen()

    def key(self) -> str:
        return str(self.reference.currentData())

    def choice(self) -> tuple[str, float, float]:
        """(reference key, width_m, length_m) of the current choice."""
        key = self.key()
        if key == "custom":
            return key, self.width_cm.value() / 100, self.length_cm.value() / 100
        w, length = REFERENCES[key]
        return key, w, length

    def select(self, key: str) -> None:
        index = self.reference.findData(key)
        if index >= 0:
            self.reference.setCurrentIndex(index)

    def _chosen(self, _index: int = 0) -> None:
        key = self.key()
        custom = key == "custom"
        for w in (self.width_cm, self.length_cm, self.times):
            w.setVisible(custom)
        self.find_button.setEnabled(key in AUTOMATIC)
        self.find_button.setToolTip(
            "Lay the sheet on the floor in front of your feet, long edge pointing at the camera"
            if key in AUTOMATIC
            else "Only white paper is found automatically: click the corners of this one"
        )
        self.info.setText(choice_info(key, self.typical))

    def set_calibrated(self, on: bool) -> None:
        self.clear_button.setEnabled(on)


def finite_pair(value: Any) -> tuple[float, float] | None:
    """A (median, p95) answer from the helper thread, or None when it failed."""
    if isinstance(value, tuple) and len(value) == 2 and all(math.isfinite(float(v)) for v in value):
        return float(value[0]), float(value[1])
    return None
