"""Settings: the TOML file, its validation (one line naming the key), defaults and where they are documented."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout.settings import (
    FlagLimit,
    Settings,
    SettingsError,
    default_settings_path,
    load_settings,
    parse_settings,
    save_settings,
    settings_from_toml,
    settings_to_toml,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "thresholds.md"


def test_defaults_round_trip_through_toml() -> None:
    text = settings_to_toml(Settings())
    assert settings_from_toml(text) == Settings()
    assert "[flags.forced_turnout]" in text and "Coplan 2002" in text


def test_save_then_load_keeps_changes(tmp_path: Path) -> None:
    s = Settings()
    s = replace(s, reps=replace(s.reps, start_drop=0.06), flags=replace(s.flags, min_frames=5))
    path = save_settings(s, tmp_path / "cfg" / "settings.toml")
    loaded, warnings = load_settings(path)
    assert warnings == [] and loaded == s and loaded.reps.start_drop == 0.06
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]  # no temporary file left


def test_partial_file_fills_in_defaults(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[flags.torso_tilt]\nwarn = 10\n")
    loaded, warnings = load_settings(path)
    assert warnings == []
    assert loaded.flags.torso_tilt == FlagLimit(True, 10.0, 15.0)
    assert loaded.reps == Settings().reps


def test_the_knee_threshold_is_one_setting_and_its_old_key_still_reads(tmp_path: Path) -> None:
    """flags.knees_inside_toes.warn is the one threshold for a knee inside its foot (the words and the flag); a
    settings file written before it keeps its reps.knee_inside_deg, read as that key, with one line saying so."""
    assert "knee_inside_deg" not in {f.name for f in fields(Settings().reps)}
    assert "\nknee_inside_deg" not in settings_to_toml(Settings())  # (its doc names the old key)
    old = tmp_path / "old.toml"
    old.write_text("[reps]\nstart_drop = 0.06\nknee_inside_deg = 8.0\n")
    loaded, notes = load_settings(old)
    bad = Settings().flags.knees_inside_toes.bad
    assert loaded.flags.knees_inside_toes == FlagLimit(True, 8.0, bad) and loaded.reps.start_drop == 0.06
    assert len(notes) == 1 and "reps.knee_inside_deg" in notes[0] and "flags.knees_inside_toes.warn" in notes[0]
    assert old.read_text() == "[reps]\nstart_drop = 0.06\nknee_inside_deg = 8.0\n"  # not rewritten
    both = tmp_path / "both.toml"
    both.write_text("[reps]\nknee_inside_deg = 8.0\n[flags.knees_inside_toes]\nwarn = 7.0\n")
    loaded, notes = load_settings(both)
    assert loaded.flags.knees_inside_toes.warn == 7.0 and len(notes) == 1 and "ignored" in notes[0]
    data = {"reps": {"knee_inside_deg": 9.0}}
    assert parse_settings(data).flags.knees_inside_toes.warn == 9.0 and data == {"reps": {"knee_inside_deg": 9.0}}
    with pytest.raises(SettingsError, match=r"flags\.knees_inside_toes\.bad = 30 must be at least warn = 40"):
        parse_settings({"reps": {"knee_inside_deg": 40.0}})


def test_missing_file_gives_defaults_quietly(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "nope.toml") == (Settings(), [])
    with pytest.raises(SettingsError, match="no such settings file"):
        load_settings(tmp_path / "nope.toml", strict=True)


BAD = [
    ("[reps]\nstart_drop = 'deep'\n", "reps.start_drop: expected a number, got 'deep'"),
    ("[reps]\nstart_drop = true\n", "reps.start_drop: expected a number, got True"),
    ("[flags.torso_tilt]\nwran = 3\n", "flags.torso_tilt.wran: unknown setting (did you mean 'warn'?)"),
    ("[flgs]\n", "flgs: unknown setting (did you mean 'flags'?)"),
    ("[flags.torso_tilt]\nwarn = 300\n", "flags.torso_tilt.warn = 300 is out of range [0, 90]"),
    ("[holds]\nmin_duration_s = -1\n", "holds.min_duration_s = -1 is out of range"),
    ("[baseline]\nmin_frames = 2.5\n", "baseline.min_frames: expected a whole number, got 2.5"),
    ("[reps]\nend_drop = 0.2\n", "reps.end_drop = 0.2 must be below reps.start_drop = 0.05"),
    ("[flags.heels_lift]\nwarn = 0.05\n", "flags.heels_lift.bad = 0.04 must be at least warn = 0.05"),
    ("[flags.rushed]\nbad_s = 2.0\n", "flags.rushed.bad_s = 2 must be at most warn_s = 0.5"),
    ("[clips]\nmin_severity = 'awful'\n", "clips.min_severity: expected one of any, info, warn, bad, got 'awful'"),
    ("reps = 3\n", "reps: expected a table of settings, got 3"),
    ("[reps\nstart = 1\n", "invalid TOML"),
    ("[reps]\nstart_drop = nan\n", "reps.start_drop = nan is out of range"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_settings_one_line_defaults_kept_file_untouched(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    loaded, warnings = load_settings(path)
    assert loaded == Settings()
    (warning,) = warnings
    assert message in warning and str(path) in warning and warning.endswith("using defaults")
    assert "\n" not in warning
    assert path.read_text() == text
    with pytest.raises(SettingsError) as exc:
        load_settings(path, strict=True)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_default_path_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURNOUT_CONFIG", str(tmp_path / "mine.toml"))
    assert default_settings_path() == tmp_path / "mine.toml"
    (tmp_path / "mine.toml").write_text("[holds]\nmin_duration_s = 10\n")
    assert load_settings()[0].holds.min_duration_s == 10.0
    monkeypatch.delenv("TURNOUT_CONFIG")
    assert default_settings_path().name == "settings.toml" and "turnout" in str(default_settings_path()).lower()


def _leaves(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for f in fields(obj):
        value = getattr(obj, f.name)
        out += _leaves(value, f"{prefix}{f.name}.") if is_dataclass(value) else [(prefix + f.name, f)]
    return out


def test_every_threshold_has_a_unit_meaning_and_source() -> None:
    for section in fields(Settings):
        sub = getattr(Settings(), section.name)
        for f in fields(sub):
            assert f.metadata.get("doc") and f.metadata.get("source"), f"{section.name}.{f.name}"


def test_docs_show_the_actual_default_file() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/thresholds.md has no ```toml block"
    assert blocks[0] == settings_to_toml(Settings())
    for key, _ in _leaves(Settings()):
        assert key.rsplit(".", 1)[-1] in text


@settings(max_examples=40, deadline=None)
@given(warn=st.floats(0, 90, allow_nan=False), extra=st.floats(0, 90, allow_nan=False), enabled=st.booleans())
def test_flag_limits_round_trip(warn: float, extra: float, enabled: bool) -> None:
    bad = min(90.0, warn + extra)
    s = Settings()
    s = replace(s, flags=replace(s.flags, feet_rolling_in=FlagLimit(enabled, warn, bad)))
    assert settings_from_toml(settings_to_toml(s)) == s
    assert parse_settings({"flags": {"feet_rolling_in": {"warn": warn, "bad": bad}}}).flags.feet_rolling_in.bad == bad
