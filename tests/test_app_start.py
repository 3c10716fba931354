"""Issue 18, item 1: start anywhere. The README names the window's system packages per distribution, and
``make run`` checks for them (``python -m turnout.cli.preflight``) before opening the window."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEBIAN = [
    "libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0", "libxcb-render-util0",
    "libxcb-xinerama0", "libxcb-shape0", "libegl1", "libgl1",
]  # fmt: skip


def test_readme_lists_the_window_packages_per_distribution() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## System requirements", 1)[1].split("\n## ", 1)[0]
    debian = next(line for line in section.splitlines() if line.strip().startswith("| Debian"))
    for package in DEBIAN:
        assert re.search(rf"(?<![\w-]){re.escape(package)}(?![\w-])", debian), package
    assert "| Fedora" in section and "dnf install" in section
    assert "| Arch" in section and "pacman -S" in section


def test_make_run_checks_before_opening_the_window() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    lines = [line.strip().lstrip("@") for line in recipe.splitlines()[1:]]
    assert lines[0] == "$(BIN)/python -m turnout.cli.preflight"
    assert lines[-1] == "$(BIN)/turnout"


def test_preflight_module_says_one_line_and_exits_2_without_a_display() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "turnout.cli.preflight"], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("turnout: no display"), done.stderr


def test_preflight_module_is_silent_when_the_window_can_open() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "turnout.cli.preflight"], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_preflight_names_the_debian_packages_of_missing_libraries() -> None:
    from turnout.cli.preflight import window_problem

    problem = window_problem({"DISPLAY": ":0"}, "linux", lambda: ["libxcb-cursor.so.0", "libEGL.so.1"])
    assert problem is not None and "\n" not in problem
    assert "apt-get install libegl1 libxcb-cursor0" in problem
