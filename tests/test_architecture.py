"""The core never imports Qt: it must run (and be tested) without a display or PySide6."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import turnout


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(turnout.__path__, "turnout."):
        if info.name.startswith("turnout.app") or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def test_core_imports_no_qt() -> None:
    mods = core_modules()
    assert "turnout.capture.sources" in mods and "turnout.pose.estimator" in mods
    code = (
        "import sys, importlib\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"core modules pulled in Qt: {out.stdout}"
