"""What the window and the real engine share: preferences, thresholds, and where data and the model live."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSettings

from turnout.app.prefs import AppPrefs, load_prefs, save_prefs
from turnout.settings import Settings, load_settings, save_settings
from turnout.storage.store import default_db_path


@dataclass
class AppContext:
    """What the window and the real engine share: preferences, thresholds, where data lives.

    ``db_override`` and ``model_override`` come from the command line (``--db``, ``--model``) and win over
    the preferences for this run.
    """

    qsettings: QSettings
    prefs: AppPrefs = field(default_factory=AppPrefs)
    settings: Settings = field(default_factory=Settings)
    settings_path: Path | None = None
    db_override: Path | None = None
    model_override: str | None = None
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, qsettings: QSettings, settings_path: Path | None = None, db: str | None = None,
             model: str | None = None) -> AppContext:  # fmt: skip
        settings, warnings = load_settings(settings_path)
        prefs = load_prefs(qsettings)  # a bad key in app.ini drops that key only, with one line in prefs.problems
        return cls(qsettings, prefs, settings, settings_path, Path(db).expanduser() if db else None, model,
                   [*warnings, *prefs.problems])  # fmt: skip

    @property
    def db_path(self) -> Path:
        return self.db_override or self.prefs.db_path() or default_db_path()

    def model_path(self) -> Path:
        from turnout.pose.model import resolve_model_path

        return resolve_model_path(self.model_override or self.prefs.model_path or None, self.prefs.model_variant)

    def save_prefs(self) -> None:
        save_prefs(self.prefs, self.qsettings)

    def save_settings(self, settings: Settings) -> Path:
        """Keep and write new thresholds (the TOML shared with the command line)."""
        self.settings = settings
        return save_settings(settings, self.settings_path)
