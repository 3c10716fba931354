"""Bad settings (issue 8, item 6): invalid TOML, an unknown key, an out-of-range threshold.

One line naming the key, the defaults stay in force, the file is not touched: through `turnout analyze` (a real
process, the real model on a 1-frame video, the session stored with the settings it used) and at the window's
start-up (a status-bar line, never a dialog). ``tests/test_settings.py`` covers the loader itself, case by case.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2
import numpy as np
import pytest

from app_fakes import forbid_dialogs
from turnout.settings import Settings

pytestmark = pytest.mark.e2e
CASES = {
    # name: (file text, how it is given, what the line says)
    "invalid-toml": ("[reps\nstart_flexion_deg = 20\n", "--settings", "invalid TOML"),
    "unknown-key": ("[flags.torso_tilt]\nwran = 3\n", "TURNOUT_CONFIG", "flags.torso_tilt.wran: unknown setting"),
    "out-of-range": ("[flags.torso_tilt]\nwarn = 300\n", "--settings", "flags.torso_tilt.warn = 300 is out of range"),
}


def _digest(path: Path) -> tuple[str, float]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`turnout analyze` of a 1-frame video with each bad settings file, all at once; the files' digests before."""
    root = tmp_path_factory.mktemp("bad-settings")
    video = root / "one-frame.mp4"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (160, 120))
    writer.write(np.full((120, 160, 3), 90, np.uint8))
    writer.release()
    procs, before = {}, {}
    for name, (text, how, _) in CASES.items():
        folder = root / name
        folder.mkdir()
        toml = folder / "settings.toml"
        toml.write_text(text)
        before[name] = _digest(toml)
        env = dict(os.environ, TURNOUT_CONFIG=str(toml if how == "TURNOUT_CONFIG" else folder / "none.toml"))
        args = ["analyze", str(video), "--db", str(folder / "sessions.sqlite3"), "--quiet"]
        args += ["--settings", str(toml)] if how == "--settings" else []
        procs[name] = subprocess.Popen([sys.executable, "-m", "turnout.cli", *args], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    done = {name: (*p.communicate(timeout=300), p.returncode) for name, p in procs.items()}
    yield {"root": root, "done": done, "before": before}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_settings_file_through_the_cli(runs: dict[str, Any], name: str) -> None:
    folder = runs["root"] / name
    toml = folder / "settings.toml"
    stdout, stderr, code = runs["done"][name]
    assert code == 0, stderr  # the analysis goes on, with the defaults
    (line,) = stderr.splitlines()
    assert line.startswith(f"turnout: warning: {toml}: ") and line.endswith("; using defaults")
    assert CASES[name][2] in line
    assert stdout.startswith("one-frame.mp4: 1 frames")
    assert _digest(toml) == runs["before"][name]  # not rewritten, not even touched
    assert sorted(p.name for p in folder.glob("settings*")) == ["settings.toml"]
    with sqlite3.connect(folder / "sessions.sqlite3") as c:
        (stored,) = c.execute("SELECT settings FROM sessions").fetchone()
    assert json.loads(stored) == json.loads(json.dumps(asdict(Settings())))  # the defaults were in force


def test_bad_settings_at_window_start_are_one_line_not_a_dialog(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from turnout.app.main import create_window

    forbid_dialogs(monkeypatch)
    config = tmp_path / "config"
    config.mkdir()
    toml = config / "settings.toml"
    toml.write_text(CASES["out-of-range"][0])
    (config / "app.ini").write_text("[General]\nautostart=false\n")
    monkeypatch.setenv("TURNOUT_CONFIG", str(toml))
    before = _digest(toml)
    _app, window, _controller = create_window(argparse.Namespace(camera=None, db=str(tmp_path / "s.db"), model=None))
    qtbot.addWidget(window)
    message = window.statusBar().currentMessage()
    assert message == f"{toml}: flags.torso_tilt.warn = 300 is out of range [0, 90]; using defaults"
    assert window.ctx.settings == Settings()
    window.close()
    assert _digest(toml) == before
