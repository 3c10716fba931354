"""Settings: the window's preferences (QSettings in tmp_path) and the thresholds (TOML), validated and
round-tripped through the dialog."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from app_fakes import forbid_dialogs
from turnout.app.context import AppContext
from turnout.app.prefs import AppPrefs, load_prefs, save_prefs
from turnout.app.settings_dialog import SettingsDialog
from turnout.session.engine import SourceSpec
from turnout.settings import Settings, load_settings

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)


def test_prefs_round_trip(qapp: Any, tmp_path: Path) -> None:
    prefs = AppPrefs(camera=2, camera_mirrored=True, mirror_display=False, model_variant="lite", sound=False,
                     spoken=False, data_dir=str(tmp_path / "data"), dancer="Anna", autostart=False)  # fmt: skip
    save_prefs(prefs, qsettings(tmp_path))
    assert load_prefs(qsettings(tmp_path)) == prefs
    assert prefs.db_path() == tmp_path / "data" / "sessions.sqlite3"


def test_bad_prefs_fall_back_to_defaults(qapp: Any, tmp_path: Path) -> None:
    qs = qsettings(tmp_path)
    qs.setValue("camera", "not a number")
    qs.setValue("model_variant", "enormous")
    qs.setValue("sound", "false")
    qs.sync()
    prefs = load_prefs(qsettings(tmp_path))
    assert prefs.camera == 0 and prefs.model_variant == "full"
    with pytest.raises(ValueError, match="model_variant"):
        AppPrefs(model_variant="enormous")


def test_source_spec() -> None:
    assert SourceSpec.parse("1") == SourceSpec(camera=1)
    spec = SourceSpec.parse("~/plies.mp4")
    assert spec.is_file and spec.label == "plies.mp4"
    with pytest.raises(ValueError, match="exactly one"):
        SourceSpec()


def _dialog(qtbot: Any, tmp_path: Path) -> tuple[SettingsDialog, AppContext]:
    ctx = AppContext.load(qsettings(tmp_path), settings_path=tmp_path / "settings.toml")
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    return dialog, ctx


def test_dialog_saves_thresholds_and_prefs_that_load_back(qtbot: Any, tmp_path: Path) -> None:
    dialog, ctx = _dialog(qtbot, tmp_path)
    editors = dialog.thresholds.editors
    assert {"reps.start_drop", "flags.forced_turnout.warn", "flags.rushed.grand_factor"} <= set(editors)
    editors["flags.forced_turnout.warn"].setValue(6.5)  # type: ignore[union-attr, arg-type]
    editors["clips.min_severity"].setCurrentText("bad")  # type: ignore[union-attr]
    dialog.sound.setChecked(False)
    dialog.camera.setValue(3)
    dialog.model_variant.setCurrentText("heavy")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    settings, warnings = load_settings(tmp_path / "settings.toml", strict=True)
    assert warnings == []
    assert settings.flags.forced_turnout.warn == 6.5 and settings.clips.min_severity == "bad"
    assert settings == replace(Settings(), flags=settings.flags, clips=settings.clips)
    again = AppContext.load(qsettings(tmp_path), settings_path=tmp_path / "settings.toml")
    assert again.settings == settings and ctx.settings == settings
    assert (again.prefs.sound, again.prefs.camera, again.prefs.model_variant) == (False, 3, "heavy")


def test_dialog_refuses_invalid_thresholds_and_says_why(qtbot: Any, tmp_path: Path) -> None:
    dialog, ctx = _dialog(qtbot, tmp_path)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    start = dialog.thresholds.editors["reps.start_drop"]
    end = dialog.thresholds.editors["reps.end_drop"]
    end.setValue(0.2)  # type: ignore[union-attr, arg-type]  # ends deeper than where a rep starts
    assert not ok.isEnabled()
    assert "reps.end_drop" in dialog.error.text() and "reps.start_drop" in dialog.error.text()
    dialog.accept()
    assert not (tmp_path / "settings.toml").exists() and dialog.result() != dialog.DialogCode.Accepted
    end.setValue(0.02)  # type: ignore[union-attr, arg-type]
    assert ok.isEnabled() and dialog.error.text() == ""
    dialog.restore_defaults()
    assert start.value() == Settings().reps.start_drop  # type: ignore[union-attr]
    assert ctx.settings == Settings()
