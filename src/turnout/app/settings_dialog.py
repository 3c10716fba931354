"""The settings dialog: the window's preferences, and every threshold of :mod:`turnout.settings`.

The threshold form is built from the settings dataclasses themselves (their units, ranges, meanings and
sources), so it never drifts from the TOML file. Values are validated by :func:`turnout.settings.parse_settings`
(ranges and the rules between settings) as they are edited; OK stays disabled while they are invalid, and the
reason is shown in one line naming the setting.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from turnout.app import theme
from turnout.app.context import AppContext
from turnout.app.prefs import AppPrefs
from turnout.pose.model import VARIANTS
from turnout.settings import Settings, SettingsError, parse_settings

Editor = QCheckBox | QComboBox | QSpinBox | QDoubleSpinBox


def _editor(value: Any, meta: dict[str, Any], on_change: Any) -> Editor:
    if isinstance(value, bool):
        box = QCheckBox()
        box.setChecked(value)
        box.toggled.connect(on_change)
        return box
    if isinstance(value, str):
        combo = QComboBox()
        combo.addItems(list(meta.get("choices") or (value,)))
        combo.setCurrentText(value)
        combo.currentTextChanged.connect(on_change)
        return combo
    if isinstance(value, int):
        spin = QSpinBox()
        spin.setRange(int(meta.get("lo", 0)), int(meta.get("hi", 10**6)))
        spin.setValue(value)
        spin.valueChanged.connect(on_change)
        return spin
    dspin = QDoubleSpinBox()
    dspin.setDecimals(3)
    dspin.setRange(float(meta.get("lo", 0.0)), float(meta.get("hi", 1e6)))
    dspin.setSingleStep(max(0.001, (dspin.maximum() - dspin.minimum()) / 200))
    dspin.setValue(float(value))
    dspin.valueChanged.connect(on_change)
    return dspin


def _value(editor: Editor) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QComboBox):
        return editor.currentText()
    return editor.value()


class ThresholdsForm(QTabWidget):
    """One tab per settings section; one editor per setting, keyed by its dotted name."""

    def __init__(self, settings: Settings, on_change: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, Editor] = {}
        for section in fields(settings):
            page = QWidget()
            form = QFormLayout(page)
            self._add(form, getattr(settings, section.name), section.name, None, on_change)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            self.addTab(scroll, section.name.capitalize())

    def _add(self, form: QFormLayout, obj: Any, prefix: str, limit_hi: float | None, on_change: Any) -> None:
        for f in fields(obj):
            value = getattr(obj, f.name)
            key = f"{prefix}.{f.name}"
            meta = dict(f.metadata)
            if is_dataclass(value):
                title = QLabel(f"<b>{f.name.replace('_', ' ')}</b> [{meta.get('unit', '')}]")
                title.setToolTip(f"{meta.get('doc', '')}. Source: {meta.get('source', '')}")
                form.addRow(title)
                self._add(form, value, key, float(meta.get("limit_hi", 1e6)), on_change)
                continue
            if limit_hi is not None:
                meta = {"lo": 1.0, "hi": 10.0} if f.name == "grand_factor" else {"lo": 0.0, "hi": limit_hi}
            editor = _editor(value, meta, on_change)
            unit = f" [{meta['unit']}]" if meta.get("unit") else ""
            label = QLabel(f"{f.name.replace('_', ' ')}{unit}")
            tip = f"{meta.get('doc', '')}. Source: {meta.get('source', 'design')}." if meta.get("doc") else key
            label.setToolTip(tip)
            editor.setToolTip(tip)
            form.addRow(label, editor)
            self.editors[key] = editor

    def data(self) -> dict[str, Any]:
        """The nested mapping :func:`parse_settings` reads."""
        out: dict[str, Any] = {}
        for key, editor in self.editors.items():
            node = out
            *parents, name = key.split(".")
            for p in parents:
                node = node.setdefault(p, {})
            node[name] = _value(editor)
        return out

    def settings(self) -> Settings:
        """Validated settings; raises :class:`SettingsError` naming the setting that is wrong."""
        return parse_settings(self.data())


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Turnout settings")
        self.resize(760, 620)
        self.ctx = ctx
        p = ctx.prefs
        general = QWidget()
        form = QFormLayout(general)
        self.camera = QSpinBox()
        self.camera.setRange(0, 63)
        self.camera.setValue(p.camera)
        self.camera_mirrored = QCheckBox("The camera sends mirrored (selfie) images")
        self.camera_mirrored.setChecked(p.camera_mirrored)
        self.mirror_display = QCheckBox("Show the image like a studio mirror")
        self.mirror_display.setChecked(p.mirror_display)
        self.mirror_delay = QSpinBox()
        self.mirror_delay.setRange(0, 10)
        self.mirror_delay.setSuffix(" s late")
        self.mirror_delay.setSpecialValueText("off")
        self.mirror_delay.setValue(p.mirror_delay_s)
        self.mirror_delay.setToolTip("The camera's picture shown this many seconds late, so you can watch your plié "
                                     "just after doing it (the figures and cues stay live)")  # fmt: skip
        self.model_variant = QComboBox()
        self.model_variant.addItems(list(VARIANTS))
        self.model_variant.setCurrentText(p.model_variant)
        self.model_path = QLineEdit(p.model_path)
        self.model_path.setPlaceholderText("default: models/pose_landmarker_<variant>.task")
        self.sound = QCheckBox("Sound a cue when a fault is flagged")
        self.sound.setChecked(p.sound)
        self.spoken = QCheckBox("Speak the cue (when a speech program is installed)")
        self.spoken.setChecked(p.spoken)
        self.data_dir = QLineEdit(p.data_dir)
        self.data_dir.setPlaceholderText(str(ctx.db_path.parent))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_dir, 1)
        data_row.addWidget(browse)
        self.dancer = QLineEdit(p.dancer)
        self.dancer.setPlaceholderText("optional: keeps her hip-turnout profile across sessions")
        self.autostart = QCheckBox("Start the camera when Turnout opens")
        self.autostart.setChecked(p.autostart)
        form.addRow("Camera", self.camera)
        form.addRow("", self.camera_mirrored)
        form.addRow("Display", self.mirror_display)
        form.addRow("Delayed mirror", self.mirror_delay)
        form.addRow("Pose model", self.model_variant)
        form.addRow("Model file", self.model_path)
        form.addRow("Sound", self.sound)
        form.addRow("", self.spoken)
        form.addRow("Data folder", data_row)
        form.addRow("Dancer", self.dancer)
        form.addRow("", self.autostart)
        self.thresholds = ThresholdsForm(ctx.settings, self.validate)
        tabs = QTabWidget()
        tabs.addTab(general, "General")
        tabs.addTab(self.thresholds, "Thresholds")
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.BAD}; font-weight: bold;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )  # fmt: skip
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        lay = QVBoxLayout(self)
        lay.addWidget(tabs, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.data_dir.text() or str(Path.home()))
        if folder:
            self.data_dir.setText(folder)

    def prefs(self) -> AppPrefs:
        return replace(
            self.ctx.prefs, camera=self.camera.value(), camera_mirrored=self.camera_mirrored.isChecked(),
            mirror_display=self.mirror_display.isChecked(), model_variant=self.model_variant.currentText(),
            model_path=self.model_path.text().strip(), sound=self.sound.isChecked(), spoken=self.spoken.isChecked(),
            data_dir=self.data_dir.text().strip(), dancer=self.dancer.text().strip(),
            autostart=self.autostart.isChecked(), mirror_delay_s=self.mirror_delay.value(),
        )  # fmt: skip

    def validate(self, *_: Any) -> Settings | None:
        """Check the thresholds; show why they are invalid and disable OK until they are fixed."""
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            settings = self.thresholds.settings()
        except SettingsError as exc:
            self.error.setText(str(exc))
            ok_button.setEnabled(False)
            return None
        self.error.setText("")
        ok_button.setEnabled(True)
        return settings

    def restore_defaults(self) -> None:
        defaults = ThresholdsForm(Settings(), lambda *_: None)
        for key, editor in self.thresholds.editors.items():
            value = _value(defaults.editors[key])
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            else:
                editor.setValue(value)
        defaults.deleteLater()
        self.validate()

    def accept(self) -> None:
        settings = self.validate()
        if settings is None:
            return
        try:
            self.ctx.save_settings(settings)
        except SettingsError as exc:
            self.error.setText(str(exc))
            return
        self.ctx.prefs = self.prefs()
        self.ctx.save_prefs()
        super().accept()
