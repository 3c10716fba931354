"""Issue 18, items 2, 6 and 7: the first-run card (shown once, reachable from Help), the glossary of every figure
and colour, tooltips on every figure, only judged figures shown under one colour rule, the end-of-set summary,
and the packaged pictures."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu

from app_fakes import FakeEngine, black_frame, forbid_dialogs, forced_flag, make_result, plie_seq, rep_summary
from conftest import media_file
from turnout.app import guide, theme
from turnout.app.context import AppContext
from turnout.app.controller import LiveController
from turnout.app.live_view import SetTracker, set_summary
from turnout.app.resources import CAMERA_PLACEMENT, ICON, asset_bytes, pixmap
from turnout.app.sound import CuePlayer
from turnout.app.window import MainWindow
from turnout.practice.flags import CUES, Flag
from turnout.practice.tracker import RepEnded
from turnout.session import display

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_dialogs(monkeypatch)


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    qs = QSettings(str(tmp_path / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=tmp_path / "settings.toml", db=str(tmp_path / "sessions.sqlite3"))
    w = MainWindow(LiveController(FakeEngine(media_file("commons/ballet_plie.mp4"))), ctx,
                   cues=CuePlayer(which=lambda name: None))  # fmt: skip
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def test_first_run_card_once_then_from_help(qtbot: Any, window: MainWindow) -> None:
    assert window.show_first_run_if_new()
    card = window.first_run
    assert card is not None and card.isVisible() and not card.isModal()
    assert not card.picture.pixmap().isNull(), "the camera-placement picture is shown"
    text = " ".join(label.text() for label in card.steps)
    for words in ("hip height", "2.5 to 3 m", "whole body", "feet", "Face the camera", "first position",
                  "forced", "Record", "Review"):  # fmt: skip
        assert words in text, words
    card.start_button.click()
    assert not card.isVisible()
    assert not window.show_first_run_if_new(), "shown on the first start only"
    help_menu = window.menuBar().actions()[-1].menu()
    assert isinstance(help_menu, QMenu) and window.act_guide in help_menu.actions()
    window.act_guide.trigger()
    assert card.isVisible()
    card.help_button.click()
    assert window.help_dialog is not None and window.help_dialog.isVisible()


def test_glossary_names_every_figure_and_colour_and_every_figure_has_a_tooltip(window: MainWindow) -> None:
    window.act_help.trigger()
    dialog = window.help_dialog
    assert dialog is not None
    page = dialog.browser.toPlainText()
    for key, fig in window.live.figures.figures.items():
        caption = fig.caption.text()
        assert fig.toolTip(), f"{caption} has no tooltip"
        name = guide.FIGURES[key][0]
        assert name in page, name
        assert caption.split(" ")[0] in name, (caption, name)
    for _colour, name, _meaning in guide.COLOURS:
        assert name in page
    for words in ("Uncalibrated (camera estimated)", "Floor-calibrated", "Baseline", "Hips down", "Progress: feet"):
        assert words in page
    assert "Uncalibrated 3D" not in page and "Forced turnout" not in page  # the feet come from the picture
    assert window.live.figures.legend.isVisible() and "glossary" in window.live.figures.legend.text()


def test_only_judged_figures_are_shown_under_one_colour_rule(window: MainWindow) -> None:
    figures = window.live.figures
    seq = plie_seq()
    standing = next(i for i in range(len(seq.phase)) if seq.phase[i] == "stand")
    bottom = next(i for i in range(len(seq.phase)) if seq.phase[i] == "bottom")
    # Uncalibrated, a foot's degrees are less certain than what they would tell: "calibrate", grey. Forced turnout
    # is never a number (its error is larger than the fault), standing or at the bottom of a plié.
    figures.show_result(make_result(black_frame(), standing, seq))
    forced = figures.figures["forced_left"]
    assert forced.value.text() == "–" and forced.status == "none"
    foot = figures.figures["foot_left"]
    assert foot.value.text() == "calibrate" and foot.status == "none"
    assert figures.figures["total"].value.text() == "calibrate"
    figures.show_result(make_result(black_frame(), bottom, seq, flags=(forced_flag("left"),)))
    assert forced.value.text() == "–" and figures.figures["forced_right"].status == "none"
    # Measured without fault: white, not green (the count of reps, a figure that is judged).
    reps = figures.figures["reps"]
    assert reps.status == "ok" and reps.value.styleSheet() == f"color: {theme.TEXT};"
    # An unreliable pose: nothing is judged.
    figures.show_result(make_result(black_frame(), bottom, seq, reliable=False))
    for key in ("foot_left", "forced_left", "total", "phase"):
        assert figures.figures[key].value.text() == "–" and figures.figures[key].status == "none", key
    assert "knee_flexion" not in " ".join(figures.figures), "raw knee flexion is not shown live"


def _flag(code: str) -> Flag:
    return Flag(code, "bad", "left", 1.0, 0.0, code, CUES.get(code, "cue"))


def test_set_summary_words() -> None:
    reps = [rep_summary(i, 3.0 * i, ()) for i in range(8)]
    reps += [rep_summary(8, 24.0, (_flag("knees_inside_toes"),)),
             rep_summary(9, 27.0, (_flag("knees_inside_toes"), _flag("forced_turnout")))]  # fmt: skip
    assert set_summary(reps) == "10 pliés, 2 flagged: knees inside the toes"
    assert set_summary(reps[:1]) == "1 plié, none flagged"
    tracker = SetTracker(gap_s=20.0)
    assert tracker.add(reps[0]) is None and tracker.tick(10.0) is None
    assert tracker.tick(40.0) == "1 plié, none flagged"
    assert tracker.current() == "Last set: 1 plié, none flagged"


def test_end_of_set_summary_on_screen_and_spoken(qtbot: Any, window: MainWindow) -> None:
    live = window.live
    spoken: list[str] = []

    def cue(key: str, text: str, severity: str = "warn") -> bool:
        spoken.append(text)
        return True

    live.cues.cue = cue  # type: ignore[method-assign]
    flagged = rep_summary(2, 4.0, (_flag("knees_inside_toes"),))
    live.on_events([RepEnded(2.0, rep_summary(1, 0.0, ())), RepEnded(6.0, flagged)])
    # the plié's depth as its kind and the hips' drop, never the knees' 3D degrees (they read 6-49 shallow)
    assert live.figures.figures["depth"].value.text() == display.depth_text(flagged)
    assert not live.figures.figures["depth"].value.text().endswith("°")
    live.show_result(make_result(black_frame(), 100, plie_seq()))  # 4 s: the set goes on
    assert live.figures.summary.text() == "2 pliés, 1 flagged: knees inside the toes"
    live.show_result(make_result(black_frame(), 800, plie_seq()))  # 32 s: a pause longer than a set gap
    assert spoken[-1] == "2 pliés, 1 flagged: knees inside the toes"
    assert live.video.guidance.text() == "Set done: 2 pliés, 1 flagged: knees inside the toes"
    assert live.video.guidance.isVisible()


def test_pictures_are_packaged_and_drawn_by_the_script() -> None:
    for name in (CAMERA_PLACEMENT, ICON):
        assert asset_bytes(name).startswith(b"\x89PNG")
        assert not pixmap(name).isNull()
    assert (ROOT / "assets" / "README.md").is_file()
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_assets.py"), "--check"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
