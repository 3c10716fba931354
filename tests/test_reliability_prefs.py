"""One bad value in ``app.ini`` (issue 19, item 8), on a real INI file through QSettings.

Before: one bad value (``camera=99``, ``model_variant=enormous``) reset every window preference, so the window
opened the default database (her sessions looked gone), and closing rewrote ``app.ini`` with the defaults,
forgetting her data folder. Now each key is checked alone: a bad one is dropped with one line naming it, the
others are kept, and saving writes only what differs from the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

from turnout.app.prefs import AppPrefs, load_prefs, save_prefs

HER_INI = """[General]
camera=99
camera_mirrored=maybe
mirror_display=false
model_variant=enormous
sound=false
data_dir={data}
dancer=Anna
autostart=false
"""


def _ini(tmp_path: Path) -> Path:
    path = tmp_path / "app.ini"
    path.write_text(HER_INI.format(data=tmp_path / "her data"), encoding="utf-8")
    return path


def test_a_bad_value_drops_that_key_only(qapp: Any, tmp_path: Path) -> None:
    prefs = load_prefs(QSettings(str(_ini(tmp_path)), QSettings.Format.IniFormat))
    assert (
        prefs.data_dir == str(tmp_path / "her data") and prefs.db_path() == tmp_path / "her data" / "sessions.sqlite3"
    )
    assert (prefs.dancer, prefs.sound, prefs.mirror_display, prefs.autostart) == ("Anna", False, False, False)
    assert (prefs.camera, prefs.camera_mirrored, prefs.model_variant) == (0, False, "full")
    assert len(prefs.problems) == 3
    for name, line in zip(("camera", "camera_mirrored", "model_variant"), prefs.problems, strict=True):
        assert line.startswith(f"app.ini: {name} = ") and "\n" not in line and "using" in line


def test_closing_rewrites_no_key_she_did_not_change(qapp: Any, tmp_path: Path) -> None:
    path = _ini(tmp_path)
    before = path.read_text(encoding="utf-8")
    qs = QSettings(str(path), QSettings.Format.IniFormat)
    save_prefs(load_prefs(qs), qs)
    del qs
    assert path.read_text(encoding="utf-8") == before

    qs = QSettings(str(path), QSettings.Format.IniFormat)
    from dataclasses import replace

    save_prefs(replace(load_prefs(qs), dancer="Beth"), qs)  # she changes one thing
    del qs
    after = QSettings(str(path), QSettings.Format.IniFormat)
    assert after.value("dancer") == "Beth" and after.value("data_dir") == str(tmp_path / "her data")
    assert after.value("camera") == "99" and after.value("model_variant") == "enormous"  # left as she wrote them
    assert not after.contains("spoken")  # no default filled in


def test_good_preferences_still_round_trip(qapp: Any, tmp_path: Path) -> None:
    prefs = AppPrefs(camera=2, camera_mirrored=True, model_variant="lite", data_dir=str(tmp_path / "a, b"))
    save_prefs(prefs, QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat))
    again = load_prefs(QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat))
    assert again == prefs and again.problems == ()


def test_the_window_says_which_keys_it_dropped(qapp: Any, tmp_path: Path) -> None:
    """The lines reach the window's context, whose warnings the status bar shows at start."""
    from turnout.app.context import AppContext

    ctx = AppContext.load(QSettings(str(_ini(tmp_path)), QSettings.Format.IniFormat))
    assert [w for w in ctx.warnings if w.startswith("app.ini: ")] == list(ctx.prefs.problems)
    assert len(ctx.prefs.problems) == 3 and ctx.db_path == tmp_path / "her data" / "sessions.sqlite3"
