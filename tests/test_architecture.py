"""The architecture holds: one package per stage, layered, no cycles, and a core that never imports Qt."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import turnout

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("capture", "pose", "measure", "floor", "practice", "storage", "session", "cli", "app", "testing")


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(turnout.__path__, "turnout."):
        if info.name.startswith(("turnout.app", "turnout.cli")) or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def test_every_module_sits_in_the_package_of_its_stage() -> None:
    top = sorted(info.name for info in pkgutil.iter_modules(turnout.__path__))
    loose = [n for n in top if n not in STAGES and n not in ("errors", "settings")]
    assert loose == [], f"modules outside the stage packages: {loose}"


def test_core_imports_no_qt() -> None:
    mods = core_modules()
    assert "turnout.capture.sources" in mods and "turnout.session.pipeline" in mods
    code = (
        "import sys, importlib\n"
        f"for m in {mods!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6', "
        "'pyqtgraph'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"core modules pulled in Qt: {out.stdout}"


def test_import_contracts_hold() -> None:
    """pyproject.toml's import-linter contracts: the stages layered top to bottom, no Qt in the core at any depth
    (imports inside functions included), the product never importing the test generators, no import cycles."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe is not None, "import-linter is a dev dependency: pip install -e '.[dev]'"
    out = subprocess.run([exe, "--no-cache"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
