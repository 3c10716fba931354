"""Colours, fonts and the style sheet: one dark studio theme, readable from 2-3 m away."""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QColor, QFont

#: Status colours: measurement fine, a warning, a bad fault, not measurable now.
OK: Final = "#37d67a"
WARN: Final = "#ffb020"
BAD: Final = "#ff4d4f"
NEUTRAL: Final = "#b0bec5"
SKELETON: Final = "#eceff1"
ACCENT: Final = "#4fc3f7"
KNEE_RAY: Final = "#ce93d8"
BACKGROUND: Final = "#121417"
PANEL: Final = "#1c2026"
TEXT: Final = "#eceff1"
MUTED: Final = "#8a96a3"
RECORDING: Final = "#ff3b30"

STATUS_COLOURS: Final = {"ok": OK, "warn": WARN, "bad": BAD, "none": NEUTRAL, "info": ACCENT}

#: Point sizes. Figures and the banner are meant to be read across a studio.
LABEL_PT: Final = 13


def colour(status: str) -> QColor:
    """The colour of a status name ("ok", "warn", "bad", "info", "none")."""
    return QColor(STATUS_COLOURS.get(status, NEUTRAL))


def font(point_size: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSize(point_size)
    f.setBold(bold)
    return f


STYLE_SHEET: Final = f"""
QMainWindow, QDialog, QWidget {{ background: {BACKGROUND}; color: {TEXT}; }}
QTabWidget::pane {{ border: 0; }}
QTabBar::tab {{ background: {PANEL}; color: {MUTED}; padding: 8px 22px; font-size: 15px; }}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 3px solid {ACCENT}; }}
QFrame#panel, QGroupBox {{ background: {PANEL}; border-radius: 8px; }}
QGroupBox {{ margin-top: 22px; padding: 8px; font-weight: bold; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {MUTED}; }}
QLabel#figureName {{ color: {MUTED}; font-size: {LABEL_PT}pt; }}
QLabel#banner {{ border-radius: 10px; padding: 8px 18px; }}
QLabel#guidance {{ background: rgba(20, 24, 30, 215); border: 3px solid {ACCENT}; border-radius: 12px;
    padding: 14px 22px; font-weight: bold; color: {TEXT}; }}
QPushButton {{ background: #2a313a; border: 1px solid #3a434e; border-radius: 6px; padding: 8px 16px;
    font-size: 14px; }}
QPushButton:hover {{ background: #333c47; }}
QPushButton:checked {{ background: {RECORDING}; color: white; }}
QToolButton {{ background: #2a313a; border: 1px solid #3a434e; border-radius: 6px; padding: 7px 14px;
    font-size: 14px; }}
QToolButton:hover {{ background: #333c47; }}
QToolButton:checked {{ background: #2f4f6f; border-color: {ACCENT}; }}
QToolButton#record:checked {{ background: {RECORDING}; border-color: {RECORDING}; color: white; font-weight: bold; }}
QTableView, QListView, QTreeView {{ background: {PANEL}; alternate-background-color: #222831;
    selection-background-color: #2f4f6f; gridline-color: #2a313a; font-size: 14px; }}
QHeaderView::section {{ background: #232a32; color: {MUTED}; padding: 4px; border: 0; }}
QStatusBar {{ color: {MUTED}; font-size: 13px; }}
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox {{ background: #232a32; border: 1px solid #3a434e;
    border-radius: 4px; padding: 3px; }}
QToolTip {{ background: {PANEL}; color: {TEXT}; border: 1px solid {ACCENT}; }}
QCheckBox::indicator {{ width: 16px; height: 16px; border: 1px solid #6b7785; border-radius: 3px;
    background: #232a32; }}
QCheckBox::indicator:checked {{ background: {ACCENT}; border-color: {ACCENT}; }}
QCheckBox::indicator:disabled {{ border-color: #3a434e; }}
"""
