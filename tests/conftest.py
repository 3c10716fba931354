"""Shared fixtures: the real footage in ../shared/media and the real pose model."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MEDIA = Path(os.environ.get("TURNOUT_MEDIA", ROOT.parent / "shared" / "media"))


def load_script(name: str) -> Any:
    """``scripts/<name>.py`` imported as module ``name`` (the scripts import each other from their folder, and their
    dataclasses look their module up in ``sys.modules``)."""
    import importlib.util
    import sys

    if str(ROOT / "scripts") not in sys.path:
        sys.path.insert(0, str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def row_result(t_s: float, row: dict[str, float]) -> Any:
    """A reliable frame's result as ``RoutineRun.follow`` reads it (the pipeline's ``FrameResult``): its time, its
    measurements' row, no events, her standing known."""
    from types import SimpleNamespace

    return SimpleNamespace(timestamp_ms=round(t_s * 1000), measurement=SimpleNamespace(as_row=lambda: row),
                           reliable=True, events=(), baseline_ready=True)  # fmt: skip


def media_file(relative: str) -> Path:
    """Path of a clip in ../shared/media; the test skips (saying why) where the folder is absent."""
    path = MEDIA / relative
    if not MEDIA.is_dir():
        pytest.skip(f"real footage folder {MEDIA} is absent (it is beside the project in CI)")
    if not path.is_file():
        pytest.skip(f"clip {path} is absent from {MEDIA}")
    return path


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The real pose model bundle (built by `make model`; `make test` builds it first)."""
    from turnout.pose.model import resolve_model_path

    return resolve_model_path()


@pytest.fixture(autouse=True)
def _private_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads or writes the user's real data or settings (subprocesses inherit this environment)."""
    monkeypatch.delenv("TURNOUT_MODEL", raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TURNOUT_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("TURNOUT_CONFIG", str(home / "config" / "settings.toml"))


@pytest.fixture(autouse=True)
def _collector_per_test() -> Iterator[None]:
    """A window installs turnout.app.collector.MainThreadCollector (cycles collected on the GUI thread only, automatic
    collection off) for the process; in the suite it is taken back after each test, collecting there, so the tests
    after a window's run with Python's own collection again."""
    yield
    if "turnout.app.collector" in sys.modules:
        from turnout.app.collector import MainThreadCollector

        collector = MainThreadCollector.installed()
        if collector is not None:
            collector.uninstall()


_ANALYSED: dict[str, object] = {}


@pytest.fixture(scope="session")
def analysed(model_path: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """``analysed("commons/ballet_plie.mp4")``: the clip run once through `turnout analyze` (cached per session)."""
    from turnout.session.analysis import analyze_file

    def get(relative: str):  # type: ignore[no-untyped-def]
        if relative not in _ANALYSED:
            out = tmp_path_factory.mktemp(Path(relative).stem)
            _ANALYSED[relative] = analyze_file(media_file(relative), model_path, out)
        return _ANALYSED[relative]

    return get
