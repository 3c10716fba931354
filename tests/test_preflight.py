"""`turnout` where the window cannot open: one line saying what is missing and what to do, a non-zero exit, never
Qt's abort (exit 134) or a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from turnout.cli.preflight import XCB_PACKAGES, window_problem

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display checks are Linux's")


def _turnout(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return env | extra


MAIN = "import sys\nfrom turnout.cli.main import main\nsys.exit(main([]))\n"


def test_no_display_is_one_line() -> None:
    out = _turnout(MAIN, _env())
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("turnout: no display:") and out.stderr.count("\n") == 1, out.stderr
    assert "turnout analyze" in out.stderr and "Traceback" not in out.stderr


def test_no_qt_is_one_line() -> None:
    out = _turnout("import sys\nsys.modules['PySide6'] = None\n" + MAIN, _env(QT_QPA_PLATFORM="offscreen"))
    assert out.returncode == 2, out.stderr
    assert "needs Qt (PySide6), which is not installed" in out.stderr and out.stderr.count("\n") == 1, out.stderr


def test_missing_x11_libraries_name_their_packages() -> None:
    problem = window_problem({"DISPLAY": ":0"}, "linux", lambda: ["libxcb-cursor.so.0", "libxcb-icccm.so.4"])
    assert problem is not None
    assert "libxcb-cursor.so.0" in problem and "sudo apt-get install libxcb-cursor0 libxcb-icccm4" in problem


def test_nothing_stops_a_chosen_platform_or_a_complete_desktop() -> None:
    assert window_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", lambda: ["libGL.so.1"]) is None
    assert window_problem({"DISPLAY": ":0"}, "linux", list) is None
    session = {"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland", "DISPLAY": ":0"}
    assert window_problem(session, "linux", lambda: ["libGL.so.1"]) is None  # Qt takes Wayland there
    assert window_problem({}, "darwin", list) is None


def test_every_library_qt_xcb_needs_here_has_a_package() -> None:
    from turnout.cli.preflight import xcb_missing_libraries

    assert set(xcb_missing_libraries()) <= set(XCB_PACKAGES)
