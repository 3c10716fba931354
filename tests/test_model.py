from __future__ import annotations

import io
import urllib.error
import zipfile
from pathlib import Path

import pytest

from turnout.errors import ModelError
from turnout.pose import model as m


def _bundle(path: Path, members: tuple[str, ...] = m.BUNDLE_MEMBERS) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name in members:
            zf.writestr(name, b"tflite")
    return path


def test_cli_path_wins_over_env_and_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = _bundle(tmp_path / "cli.task")
    env = _bundle(tmp_path / "env.task")
    monkeypatch.setenv(m.ENV_VAR, str(env))
    assert m.resolve_model_path(cli) == cli
    assert m.resolve_model_path(None) == env


def test_models_folder_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _bundle(tmp_path / m.bundle_name("full"))
    monkeypatch.setattr(m, "project_models_dir", lambda: tmp_path)
    monkeypatch.setattr(m, "user_models_dir", lambda: tmp_path / "nowhere")
    assert m.resolve_model_path() == tmp_path / "pose_landmarker_full.task"


def test_user_data_folder_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "user"
    user.mkdir()
    _bundle(user / m.bundle_name("lite"))
    monkeypatch.setattr(m, "project_models_dir", lambda: tmp_path / "empty")
    monkeypatch.setattr(m, "user_models_dir", lambda: user)
    assert m.resolve_model_path(variant="lite") == user / "pose_landmarker_lite.task"


def test_missing_model_names_make_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(m, "project_models_dir", lambda: tmp_path)
    monkeypatch.setattr(m, "user_models_dir", lambda: tmp_path)
    with pytest.raises(ModelError) as err:
        m.resolve_model_path()
    text = str(err.value)
    assert "make model" in text and "\n" not in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "corrupt"), (b"not a zip at all", "corrupt"), (None, "not a pose landmarker bundle")],
)
def test_corrupt_model_gives_one_line(tmp_path: Path, content: bytes | None, expected: str) -> None:
    path = tmp_path / "bad.task"
    if content is None:
        _bundle(path, members=("something_else.tflite",))
    else:
        path.write_bytes(content)
    with pytest.raises(ModelError) as err:
        m.resolve_model_path(path)
    assert expected in str(err.value) and "make model" in str(err.value) and "\n" not in str(err.value)


def test_model_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a file"):
        m.resolve_model_path(tmp_path)


def test_unknown_variant() -> None:
    with pytest.raises(ModelError, match="unknown model variant"):
        m.resolve_model_path(variant="huge")


def test_fetch_without_network_fails_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> object:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    with pytest.raises(ModelError) as err:
        m.fetch_official("lite", tmp_path)
    assert "no network" in str(err.value) and "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []  # no partial file left


def test_fetch_refuses_a_wrong_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: io.BytesIO(b"tampered bytes"))
    with pytest.raises(ModelError, match="sha256"):
        m.fetch_official("full", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_fetch_keeps_a_bundle_with_the_right_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = b"pretend bundle"
    fake = m.OfficialBundle("lite", "http://invalid/", m.hashlib.sha256(payload).hexdigest(), len(payload))
    monkeypatch.setitem(m.OFFICIAL, "lite", fake)
    monkeypatch.setattr("urllib.request.urlopen", lambda *a, **k: io.BytesIO(payload))
    path = m.fetch_official("lite", tmp_path)
    assert path.read_bytes() == payload and path.name == "pose_landmarker_lite.task"
