"""Shared fixtures: the real footage in ../shared/media and the real pose model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MEDIA = Path(os.environ.get("TURNOUT_MEDIA", ROOT.parent / "shared" / "media"))


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
