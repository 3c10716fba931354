"""The window's own preferences (camera, mirror, model variant, sound, data folder), kept in a QSettings INI.

Thresholds are not here: they live in the TOML file of :mod:`turnout.settings`, shared with the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from turnout.pose.model import VARIANTS


@dataclass(frozen=True, slots=True)
class AppPrefs:
    camera: int = 0
    #: the camera delivers mirrored (selfie) images; capture flips them back for the model
    camera_mirrored: bool = False
    #: show the image like a studio mirror
    mirror_display: bool = True
    model_variant: str = "full"
    #: an explicit model bundle; empty: resolved from the variant (``turnout.pose.model.resolve_model_path``)
    model_path: str = ""
    sound: bool = True
    spoken: bool = True
    #: folder of the session database and clips; empty: the default data folder
    data_dir: str = ""
    dancer: str = ""
    #: start the camera when the window opens
    autostart: bool = True

    def __post_init__(self) -> None:
        if self.model_variant not in VARIANTS:
            raise ValueError(f"model_variant must be one of {', '.join(VARIANTS)}, got {self.model_variant!r}")
        if not 0 <= self.camera <= 63:
            raise ValueError(f"camera must be an index from 0 to 63, got {self.camera}")

    def db_path(self) -> Path | None:
        """The database in ``data_dir``, or None for the default location."""
        from turnout.storage.store import DB_NAME

        return Path(self.data_dir).expanduser() / DB_NAME if self.data_dir else None


def _coerce(value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
    if isinstance(default, int):
        return int(value)
    return str(value)


def load_prefs(qs: QSettings) -> AppPrefs:
    """Read preferences; a missing or unreadable value keeps its default."""
    defaults = AppPrefs()
    values: dict[str, Any] = {}
    for f in fields(AppPrefs):
        if not qs.contains(f.name):
            continue
        try:
            values[f.name] = _coerce(qs.value(f.name), getattr(defaults, f.name))
        except (TypeError, ValueError):
            continue
    try:
        return replace(defaults, **values)
    except ValueError:
        return defaults


def save_prefs(prefs: AppPrefs, qs: QSettings) -> None:
    for f in fields(AppPrefs):
        qs.setValue(f.name, getattr(prefs, f.name))
    qs.sync()


def default_qsettings() -> QSettings:
    """``app.ini`` beside the thresholds file in the user's config folder."""
    from turnout.settings import default_settings_path

    return QSettings(str(default_settings_path().parent / "app.ini"), QSettings.Format.IniFormat)
