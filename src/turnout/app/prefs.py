"""The window's own preferences (camera, mirror, model variant, sound, data folder), kept in a QSettings INI.

Thresholds are not here: they live in the TOML file of :mod:`turnout.settings`, shared with the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    #: the delayed mirror: the camera's picture shown this many seconds late (0: off; at most 10)
    mirror_delay_s: int = 0
    #: one line per ``app.ini`` value that was not valid and was dropped (its default is used; not compared)
    problems: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.model_variant not in VARIANTS:
            raise ValueError(f"model_variant must be one of {', '.join(VARIANTS)}, got {self.model_variant!r}")
        if not 0 <= self.camera <= 63:
            raise ValueError(f"camera must be an index from 0 to 63, got {self.camera}")
        if not 0 <= self.mirror_delay_s <= 10:
            raise ValueError(f"mirror_delay_s must be 0 (off) to 10 seconds, got {self.mirror_delay_s}")

    def db_path(self) -> Path | None:
        """The database in ``data_dir``, or None for the default location."""
        from turnout.storage.store import DB_NAME

        return Path(self.data_dir).expanduser() / DB_NAME if self.data_dir else None


_KEYS: tuple[str, ...] = ("camera", "camera_mirrored", "mirror_display", "model_variant", "model_path", "sound",
                          "spoken", "data_dir", "dancer", "autostart", "mirror_delay_s")  # fmt: skip
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def _coerce(value: Any, default: Any) -> Any:
    """``value`` as the type of ``default``; ValueError when it is not one (``"maybe"`` for a yes/no key)."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text not in _TRUE + _FALSE:
            raise ValueError(f"not true or false: {value!r}")
        return text in _TRUE
    if isinstance(default, int):
        if isinstance(value, (bool, list, tuple, dict)):
            raise ValueError(f"not a number: {value!r}")
        return int(str(value).strip())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)  # an unquoted comma in a hand-edited INI file splits the text into a list
    if not isinstance(value, str):
        raise ValueError(f"not text: {value!r}")
    return value


def _valid(name: str, value: Any) -> Any:
    """The value of one key checked alone (its type and range); ValueError when it is not valid."""
    defaults = AppPrefs()
    coerced = _coerce(value, getattr(defaults, name))
    replace(defaults, **{name: coerced})  # __post_init__ checks the ranges
    return coerced


def load_prefs(qs: QSettings) -> AppPrefs:
    """Read preferences key by key: a missing key keeps its default, and so does a bad value (of that key only:
    the others, her data folder too, are kept). Each bad key is one line in ``problems``."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name in _KEYS:
        if not qs.contains(name):
            continue
        try:
            values[name] = _valid(name, qs.value(name))
        except (TypeError, ValueError) as exc:
            problems.append(
                f"app.ini: {name} = {qs.value(name)!r} is not valid ({exc}); using {getattr(AppPrefs(), name)!r}"
            )
    return replace(AppPrefs(), **values, problems=tuple(problems))


def save_prefs(prefs: AppPrefs, qs: QSettings) -> None:
    """Write the preferences that differ from what ``app.ini`` holds. A key she did not change is never
    rewritten: a missing key is not filled in with its default, and a bad value whose key still has its default
    (she did not choose another) is left as she wrote it."""
    for name in _KEYS:
        value = getattr(prefs, name)
        if qs.contains(name):
            try:
                if _valid(name, qs.value(name)) == value:
                    continue
            except (TypeError, ValueError):
                if value == getattr(AppPrefs(), name):
                    continue
        elif value == getattr(AppPrefs(), name):
            continue
        qs.setValue(name, value)
    qs.sync()


def default_qsettings() -> QSettings:
    """``app.ini`` beside the thresholds file in the user's config folder."""
    from turnout.settings import default_settings_path

    return QSettings(str(default_settings_path().parent / "app.ini"), QSettings.Format.IniFormat)
