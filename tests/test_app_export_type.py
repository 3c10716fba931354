"""Issue 18, item 9 (the export dialog ignores the chosen type): in Review's save dialog, choosing CSV, JSON or
HTML as the file type writes that type, whatever suffix the typed name has (or none)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtWidgets import QFileDialog

from app_fakes import record_synthetic_session
from turnout.app.review import ReviewTab, ask_export_path

pytestmark = pytest.mark.gui

HTML, JSON, CSV = "HTML report (*.html)", "JSON (*.json)", "CSV reps (*.csv)"
EXPORT_TYPES = ((HTML, ".html"), (JSON, ".json"), (CSV, ".csv"))


def test_the_dialog_offers_these_types() -> None:
    from turnout.app.review import EXPORT_TYPES as offered

    assert offered == EXPORT_TYPES


@pytest.mark.parametrize(
    ("typed", "chosen", "written"),
    [
        ("/d/session", CSV, "/d/session.csv"),  # no suffix: the chosen type's
        ("/d/session", JSON, "/d/session.json"),
        ("/d/session", HTML, "/d/session.html"),
        ("/d/turnout-session-1.html", CSV, "/d/turnout-session-1.csv"),  # the suggested name, CSV chosen
        ("/d/s.csv", JSON, "/d/s.json"),  # another export type's suffix is replaced
        ("/d/s.json", HTML, "/d/s.html"),
        ("/d/week.2", JSON, "/d/week.2.json"),  # any other suffix is kept, the type's added
        ("/d/notes.txt", CSV, "/d/notes.txt.csv"),
        ("/d/s.csv", CSV, "/d/s.csv"),  # already right
        ("/d/S.JSON", JSON, "/d/S.JSON"),
        ("/d/s.csv", "", "/d/s.csv"),  # no type reported (some platform dialogs): the name decides
    ],
)
def test_the_chosen_type_decides_the_suffix(typed: str, chosen: str, written: str) -> None:
    from turnout.app.review import export_target

    assert export_target(typed, chosen) == Path(written)


def test_no_name_is_no_export() -> None:
    from turnout.app.review import export_target

    assert export_target("", CSV) is None


@pytest.mark.parametrize("chosen", [CSV, JSON, HTML])
def test_review_writes_the_type_chosen_in_the_dialog(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     chosen: str) -> None:  # fmt: skip
    db = tmp_path / "sessions.sqlite3"
    record_synthetic_session(db, None)
    asked: list[str] = []

    def dialog(parent: Any, caption: str, where: str, filters: str, *args: Any) -> tuple[str, str]:
        asked.append(filters)
        return str(tmp_path / "mine"), chosen  # she typed "mine" and picked a type

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    tab = ReviewTab(lambda: db, confirm=lambda parent, text: True, ask_path=ask_export_path)
    qtbot.addWidget(tab)
    tab.refresh()
    tab.select_session(1)
    tab.export_dialog()
    assert asked and all(flt in asked[0] for flt, _sfx in EXPORT_TYPES)
    out = [p for p in tmp_path.iterdir() if p.name.startswith("mine")]
    suffix = dict(EXPORT_TYPES)[chosen]
    assert [p.name for p in out] == [f"mine{suffix}"]
    text = out[0].read_text(encoding="utf-8")
    if suffix == ".csv":
        assert text.startswith("rep,")
    elif suffix == ".json":
        assert json.loads(text)["format"] == "turnout-session"
    else:
        assert "<h1>Turnout session 1</h1>" in text
    assert f"Exported to {out[0]}" in tab.message.text()
