"""Thresholds for reps, holds, the standing baseline and flags: one TOML file, validated.

Every setting is defined once, here, with its unit, its meaning and where its default comes from;
``docs/thresholds.md`` shows the full default file. A bad file (invalid TOML, an unknown key, a value out of
range) is reported in one line naming the key; the defaults stay in force and the file is not touched.
"""

from __future__ import annotations

import difflib
import math
import os
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, Final

import platformdirs

from turnout.errors import TurnoutError

APP_NAME: Final = "turnout"
CONFIG_ENV: Final = "TURNOUT_CONFIG"
SEVERITIES: Final = ("info", "warn", "bad")


class SettingsError(TurnoutError):
    """A settings file that cannot be used; the message is one line naming the key."""


def _num(default: float, unit: str, doc: str, source: str, lo: float, hi: float) -> Any:
    return field(default=default, metadata={"unit": unit, "doc": doc, "source": source, "lo": lo, "hi": hi})


def _opt(default: bool | str, doc: str, source: str, choices: tuple[str, ...] = ()) -> Any:
    return field(default=default, metadata={"doc": doc, "source": source, "choices": choices})


def _limit(unit: str, doc: str, source: str, hi: float) -> dict[str, Any]:
    """Metadata of a flag's limits table: ``warn`` and ``bad`` lie in [0, hi]."""
    return {"unit": unit, "doc": doc, "source": source, "limit_hi": hi}


@dataclass(frozen=True, slots=True)
class BaselineSettings:
    """The standing baseline: about 2 s of standing still, straight knees, before any rep counts."""

    auto: bool = _opt(True, "capture the baseline automatically at the first stillness", "design")
    duration_s: float = _num(2.0, "s", "length of the still window", "issue 4: about 2 s", 0.5, 10.0)
    min_frames: int = _num(10, "frames", "reliable frames the window needs", "5 fps floor over 2 s", 3, 1000)
    max_flexion_drift_deg: float = _num(
        8.0,
        "deg",
        "largest knee-flexion drift in the window (range of its quarters' medians)",
        "standing on ballet_plie.mp4 drifts up to 5.6 deg; walking ~35 deg",
        0.1,
        45.0,
    )
    max_turnout_drift_deg: float = _num(
        20.0,
        "deg",
        "largest foot-turnout drift in the window (range of its quarters' medians)",
        "standing on ballet_plie.mp4 drifts up to 15 deg (black shoes on parquet)",
        0.1,
        90.0,
    )
    max_raw_flexion_deg: float = _num(
        35.0,
        "deg",
        "largest raw knee flexion that still counts as standing",
        "MediaPipe reads straight knees as 13-22 deg (shared/media README); margin above",
        0.0,
        90.0,
    )
    explicit_timeout_s: float = _num(
        10.0, "s", "give up an explicitly started capture after this long", "design", 1.0, 120.0
    )


@dataclass(frozen=True, slots=True)
class RepSettings:
    """Plié detection from the picture: the hips' drop below her rolling standing height, in "legs" (her standing
    hip-to-toe height in the picture), and each leg's shortening (docs/thresholds.md)."""

    start_drop: float = _num(
        0.05, "legs", "a plié episode starts where the hips are this far below standing",
        "above the hip point's standing jitter and weight shifts (1-3 %, measured on still standing)", 0.005, 0.5,
    )  # fmt: skip
    end_drop: float = _num(
        0.025, "legs", "an episode ends back above this (or a fifth of its depth, if deeper)",
        "half the start: hysteresis against the hip point's jitter", 0.0, 0.5,
    )  # fmt: skip
    min_drop: float = _num(
        0.08, "legs", "shallower dips are not pliés",
        "below the shallowest demi measured on real dancers (12 %); twice the hip bob of stepping", 0.01, 0.9,
    )  # fmt: skip
    grand_min_drop: float = _num(
        0.21, "legs", "deeper pliés are grand pliés",
        "heels down, ankle dorsiflexion allows about 38 deg of shank tilt: 1 - cos 38 deg = 21 % (demi 12-16 %, "
        "grand 27-54 % measured)", 0.02, 0.95,
    )  # fmt: skip
    grand_heels_may_lift: bool = _opt(
        True, "heels may lift in grand plié (first, fourth, fifth position)", "Vaganova; class convention"
    )
    bottom_band: float = _num(
        0.01, "legs", "frames within this of the deepest drop are 'the bottom'",
        "the hip point's jitter standing (1 %)", 0.0, 0.2,
    )  # fmt: skip
    bottom_band_fraction: float = _num(
        0.1, "1", "3D statistics: frames within this fraction of the peak flexion are 'the bottom'", "design", 0.01, 0.5
    )
    edge_s: float = _num(0.25, "s", "start-of-rep window for standing values", "design", 0.0, 2.0)
    min_duration_s: float = _num(
        0.5, "s", "quicker dips are not pliés",
        "one count at a brisk 120 bpm; quicker is a bounce or the landing of a jump", 0.1, 10.0,
    )  # fmt: skip
    max_duration_s: float = _num(30.0, "s", "longer bends are not reps", "design", 1.0, 600.0)
    max_gap_s: float = _num(0.5, "s", "a rep with a longer gap in reliable frames is discarded", "design", 0.0, 5.0)
    releve_rise: float = _num(
        0.04, "legs", "a relevé: the ankle rises above its toe by more than this over its flat value",
        "a relevé lifts the heel 8-12 cm (10-14 % of a leg); 4 % is 3-4x the ankle point's jitter", 0.005, 0.5,
    )  # fmt: skip
    leg_agrees: float = _num(
        0.5, "1", "a leg supports a plié when it shortens by at least this fraction of the hip drop",
        "a bending leg shortens by about as much as the hips drop", 0.0, 2.0,
    )  # fmt: skip
    leg_straight: float = _num(
        0.2, "1", "a leg contradicts a plié when it shortens by less than this fraction of the hip drop",
        "a straight leg does not shorten; margin for the hip point's jitter", 0.0, 2.0,
    )  # fmt: skip
    foot_moved: float = _num(
        0.08, "legs", "a foot has moved (step, tendu, jump) when its toe moves this far",
        "a step or tendu moves it 20-45 % of a leg; 8 % (7 cm) is 5x the toe point's jitter", 0.01, 1.0,
    )  # fmt: skip
    feet_merged: float = _num(
        0.03, "legs", "foot points closer than this to the other foot's: both on one shoe (crossed legs)",
        "MediaPipe puts both feet's points on one shoe in fifth; distinct feet stay a foot's width apart", 0.0, 0.5,
    )  # fmt: skip
    reference_window_s: float = _num(
        10.0, "s", "the standing reference looks back this far",
        "longer than a slow grand plié (4-8 s); short enough to follow her moving nearer or further", 1.0, 120.0,
    )  # fmt: skip
    reference_quantile: float = _num(
        0.9, "1", "the standing reference is this quantile of her flat-footed hip height",
        "standing is the tallest a flat-footed dancer is; 0.9 ignores single-frame outliers", 0.5, 1.0,
    )  # fmt: skip
    reference_min_s: float = _num(
        0.5, "s", "reliable frames the first reference needs (earlier frames are replayed against it)",
        "the shortest plié: half a second of her shows her standing height", 0.0, 10.0,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class HoldSettings:
    """Standing still in first position for a while: the feet stay where they are in the picture."""

    min_duration_s: float = _num(
        3.0, "s", "shortest stillness reported as a hold", "issue 16 / labels.toml: 3 s", 0.5, 3600.0
    )
    max_drop: float = _num(
        0.05, "legs", "the hips rise no more than this above standing (below: no lower than reps.end_drop)",
        "as reps.start_drop; a hips' drop past reps.end_drop is the start of a plié", 0.0, 0.5,
    )  # fmt: skip
    min_leg: float = _num(
        0.95, "1", "each leg at least this fraction of its standing length (knees straight)",
        "a 5 % shorter leg is a bend of about 25 deg; straight legs read 0.98-1.0", 0.5, 1.0,
    )  # fmt: skip
    still: float = _num(
        0.04, "legs", "toes and ankles stay within this of where the hold began",
        "4 % (3.5 cm) passes the toe point's jitter (about 1 %) and ends a hold as soon as a tendu slides",
        0.005, 0.5,
    )  # fmt: skip
    min_foot_turnout_deg: float = _num(
        20.0, "deg", "the feet turned out at least this far each, on average (picture estimate; her facing cancels)",
        "parallel reads 0 +- 10 deg; the least turned-out first position is about 30 deg per foot", -90.0, 90.0,
    )  # fmt: skip
    max_gap_s: float = _num(0.5, "s", "a longer gap in reliable frames ends the hold", "design", 0.0, 5.0)


@dataclass(frozen=True, slots=True)
class HipSettings:
    """Her own working hip turnout, from the knee turnout near the bottom of her demi-pliés."""

    min_reps: int = _num(3, "reps", "demi-pliés needed before the estimate is trusted", "design", 1, 1000)
    max_spread_deg: float = _num(
        8.0, "deg", "largest robust SD across reps for a trusted estimate", "design", 0.5, 45.0
    )
    recent_reps: int = _num(60, "reps", "most recent demi-pliés kept across sessions", "design", 1, 10000)


@dataclass(frozen=True, slots=True)
class FlagLimit:
    """A flag that fires when a measure exceeds ``warn`` and is severe beyond ``bad``."""

    enabled: bool = True
    warn: float = 0.0
    bad: float = 0.0


@dataclass(frozen=True, slots=True)
class RushedLimit:
    """A rep whose descent or ascent is quicker than ``warn_s`` (``bad_s``); grand pliés get more time."""

    enabled: bool = True
    warn_s: float = 0.5
    bad_s: float = 0.3
    grand_factor: float = 2.0


@dataclass(frozen=True, slots=True)
class FlagSettings:
    """Fault thresholds. Severity is 'warn' beyond ``warn`` and 'bad' beyond ``bad``."""

    worst_percentile: float = _num(
        95.0, "%", "'worst' of a rep: this percentile of its frames", "design: robust to glitches", 50, 100
    )
    min_frames: int = _num(
        3, "frames", "a fault must show in at least this many frames", "design: one-frame glitches", 1, 100
    )
    smooth_s: float = _num(
        0.2, "s", "running median before the worst is taken", "design: removes frame noise, keeps real faults", 0, 2
    )
    knees_inside_toes: FlagLimit = field(
        default_factory=lambda: FlagLimit(True, 20.0, 30.0),
        metadata=_limit(
            "deg",
            "the knee's reading inside its foot at the bottom of a plié (the nominal camera); from warn on a knee is "
            "'inside' in words too, when its range over the camera prior is also more than 5 deg inside (one "
            "threshold: reps.knee_inside_deg, its old name, is read as warn)",
            "the fault is a knee 20 deg or more inside its foot (issue 16: feet 20 deg or more beyond the hips); the "
            "verdict's error on the studio: median 4.4 deg, inward at most 18; correct pliés read at most 18 inside, "
            "forced 27-36 (scripts/picture_study.py). bad: the fault plus 10 (the verdict is within 10 deg on 79 % "
            "of legs)",
            90.0,
        ),
    )
    forced_turnout: FlagLimit = field(
        default_factory=lambda: FlagLimit(True, 8.0, 13.0),
        metadata=_limit(
            "deg",
            "standing foot turnout beyond her own hip turnout, per foot",
            "compensated turnout 4.7 deg uninjured vs 25.4 injured, both feet (Coplan 2002, JOSPT 32:579)",
            90.0,
        ),
    )
    heels_lift: FlagLimit = field(
        default_factory=lambda: FlagLimit(True, 0.02, 0.04),
        metadata=_limit(
            "m",
            "heel above its standing height in demi-plié",
            "demi-plié keeps heels down (Vaganova); 2 cm clears MediaPipe heel noise",
            0.5,
        ),
    )
    feet_rolling_in: FlagLimit = field(
        default_factory=lambda: FlagLimit(True, 5.0, 10.0),
        metadata=_limit(
            "deg",
            "foot turnout creeping up from start to bottom of the descent",
            "planted feet keep their angle; rolling in compensates forced turnout (Negus et al. 2005, JOSPT 35:307)",
            90.0,
        ),
    )
    torso_tilt: FlagLimit = field(
        default_factory=lambda: FlagLimit(True, 8.0, 15.0),
        metadata=_limit(
            "deg",
            "torso lean beyond its lean at the start of the rep (worst of the rep)",
            "upright spine in plié (Vaganova); 8 deg clears MediaPipe noise",
            90.0,
        ),
    )
    pelvis_tilt: FlagLimit = field(
        default_factory=lambda: FlagLimit(True, 0.025, 0.05),
        metadata=_limit(
            "m",
            "one hip rising against the other from the start of the rep (worst of the rep)",
            "pelvic stability criterion (Gontijo et al. 2015); 2.5 cm is about 7 deg over the hip width",
            0.5,
        ),
    )
    rushed: RushedLimit = field(
        default_factory=RushedLimit,
        metadata=_limit(
            "s",
            "descent or ascent quicker than this (grand plié: times grand_factor)",
            "2 counts down at 60-90 bpm = 1.3-2 s; class convention. Off until a rep's descent is measured closer than "
            "the fault (from its onset it still reads 0.3 s short, up to 1.1 s, on the studio: docs/thresholds.md)",
            60.0,
        ),
    )


@dataclass(frozen=True, slots=True)
class ClipSettings:
    """Video clips of flagged reps, saved beside the database."""

    enabled: bool = _opt(True, "save clips of flagged reps", "issue 5")
    min_severity: str = _opt(
        "warn", "save a clip when a flag is at least this severe ('any': of every rep, clean ones too)",
        "design; a teacher may want every rep", ("any", *SEVERITIES),
    )  # fmt: skip
    pre_s: float = _num(1.0, "s", "video kept before the rep", "issue 5: a few seconds around the rep", 0.0, 10.0)
    post_s: float = _num(1.0, "s", "video kept after the rep", "issue 5", 0.0, 10.0)
    buffer_s: float = _num(20.0, "s", "length of the in-memory frame ring", "longest slow grand plié + margins", 2, 120)
    max_width: int = _num(640, "px", "frames are downscaled to this width", "bounded memory", 160, 3840)
    jpeg_quality: int = _num(80, "1", "JPEG quality of buffered frames", "bounded memory", 10, 100)


@dataclass(frozen=True, slots=True)
class Settings:
    baseline: BaselineSettings = field(default_factory=BaselineSettings)
    reps: RepSettings = field(default_factory=RepSettings)
    holds: HoldSettings = field(default_factory=HoldSettings)
    hip: HipSettings = field(default_factory=HipSettings)
    flags: FlagSettings = field(default_factory=FlagSettings)
    clips: ClipSettings = field(default_factory=ClipSettings)


# ---- checks that relate two settings -----------------------------------------------------------------

_CROSS_CHECKS: Final[tuple[tuple[str, str, str], ...]] = (
    # (smaller key, larger key, what it means)
    ("reps.end_drop", "reps.start_drop", "a rep must end above where it starts"),
    ("reps.start_drop", "reps.min_drop", "a rep's minimum depth must reach its start"),
    ("reps.min_drop", "reps.grand_min_drop", "a grand plié must be deeper than the minimum rep"),
    ("reps.leg_straight", "reps.leg_agrees", "a straight leg must shorten less than a bending one"),
    ("reps.min_duration_s", "reps.max_duration_s", "shortest rep must be shorter than the longest"),
)


def _get(settings: Settings, dotted: str) -> float:
    obj: Any = settings
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return float(obj)


def _check_cross(settings: Settings) -> None:
    for small, large, meaning in _CROSS_CHECKS:
        if not _get(settings, small) < _get(settings, large):
            raise SettingsError(
                f"{small} = {_get(settings, small):g} must be below {large} = {_get(settings, large):g} ({meaning})"
            )
    flags = settings.flags
    for f in fields(FlagSettings):
        limit = getattr(flags, f.name)
        if isinstance(limit, FlagLimit) and limit.bad < limit.warn:
            raise SettingsError(f"flags.{f.name}.bad = {limit.bad:g} must be at least warn = {limit.warn:g}")
    if flags.rushed.bad_s > flags.rushed.warn_s:
        raise SettingsError(
            f"flags.rushed.bad_s = {flags.rushed.bad_s:g} must be at most warn_s = {flags.rushed.warn_s:g}"
        )


# ---- parsing -----------------------------------------------------------------------------------------


def _scalar(key: str, value: Any, default: Any, meta: Mapping[str, Any]) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(f"{key}: expected true or false, got {value!r}")
        return value
    if isinstance(default, str):
        choices = meta.get("choices", ())
        if not isinstance(value, str) or (choices and value not in choices):
            raise SettingsError(f"{key}: expected one of {', '.join(choices)}, got {value!r}")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{key}: expected a whole number, got {value!r}")
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise SettingsError(f"{key}: expected a number, got {value!r}")
    number = float(value)
    lo, hi = meta.get("lo"), meta.get("hi")
    if not math.isfinite(number) or (lo is not None and number < lo) or (hi is not None and number > hi):
        raise SettingsError(f"{key} = {value!r} is out of range [{lo:g}, {hi:g}]")
    return value if isinstance(default, int) else number


def _unknown(key: str, name: str, known: list[str]) -> SettingsError:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return SettingsError(f"{key}: unknown setting{hint}")


def _build(defaults: Any, data: Any, prefix: str, limit_hi: float | None = None) -> Any:
    """``defaults`` (a settings dataclass) with the values of ``data`` (a TOML table) checked and applied."""
    if not isinstance(data, Mapping):
        raise SettingsError(f"{prefix.rstrip('.')}: expected a table of settings, got {data!r}")
    known = {f.name: f for f in fields(defaults)}
    values: dict[str, Any] = {}
    for name, value in data.items():
        key = prefix + name
        if name not in known:
            raise _unknown(key, name, list(known))
        f = known[name]
        default = getattr(defaults, name)
        if is_dataclass(default):
            values[name] = _build(default, value, key + ".", f.metadata.get("limit_hi"))
            continue
        meta: Mapping[str, Any] = f.metadata
        if limit_hi is not None:  # a field of FlagLimit / RushedLimit: its range comes from the parent
            meta = {"lo": 1.0, "hi": 10.0} if name == "grand_factor" else {"lo": 0.0, "hi": limit_hi}
        values[name] = _scalar(key, value, default, meta)
    return replace(defaults, **values)


#: Keys that moved, old -> new (dotted): an existing settings file (or app.ini's) keeps working; its old key is
#: read under the new name unless the file also gives the new one, and loading says so in one line.
MOVED_KEYS: Final = {
    # one threshold since issue 16: a knee further inside its foot than this reads "inside" and raises the flag
    "reps.knee_inside_deg": "flags.knees_inside_toes.warn",
}


def _moved(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``data`` with the keys of :data:`MOVED_KEYS` read under their new names, and one note per old key found."""
    out: dict[str, Any] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()}
    notes = []
    for old, new in MOVED_KEYS.items():
        old_path, new_path = old.split("."), new.split(".")
        table = out.get(old_path[0])
        if not isinstance(table, dict) or old_path[1] not in table:
            continue
        value = table.pop(old_path[1])
        target: Any = out
        for part in new_path[:-1]:  # copy each table on the way, so the caller's mapping is left as it was
            inner = target.get(part, {})
            if not isinstance(inner, Mapping):
                break
            target[part] = inner = dict(inner)
            target = inner
        else:
            if new_path[-1] in target:
                notes.append(f"{old} = {value!r} ignored: it is now {new}, which the file also sets")
                continue
            target[new_path[-1]] = value
            notes.append(f"{old} = {value!r} read as {new} (its new name; rename it in the file)")
    return out, notes


def moved_key_notes(data: Mapping[str, Any]) -> list[str]:
    """One line per old key of :data:`MOVED_KEYS` in ``data`` (a parsed TOML mapping)."""
    return _moved(data)[1]


def parse_settings(data: Mapping[str, Any]) -> Settings:
    """Settings from a parsed TOML mapping: missing keys take their defaults; old keys (:data:`MOVED_KEYS`) are read
    under their new names. Raises ``SettingsError``."""
    settings: Settings = _build(Settings(), _moved(data)[0], "")
    _check_cross(settings)
    return settings


def settings_from_toml(text: str) -> Settings:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"invalid TOML: {exc}") from None
    return parse_settings(data)


def default_settings_path() -> Path:
    """``$TURNOUT_CONFIG`` if set, else ``settings.toml`` in the user's config directory."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "settings.toml"


def load_settings(
    path: str | os.PathLike[str] | None = None, *, strict: bool = False, required: bool = False
) -> tuple[Settings, list[str]]:
    """Read settings. A missing file gives the defaults (unless ``required``, or ``strict`` with a ``path``: a
    file the user named, e.g. ``--settings``, that is not there is an error); a bad one gives the defaults and a
    one-line warning naming the key (or raises ``SettingsError`` when ``strict``). A UTF-8 byte-order mark
    (Windows Notepad writes one) is accepted. The file is never written here."""
    p = Path(path) if path is not None else default_settings_path()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if (strict or required) and path is not None:
            raise SettingsError(f"{p}: no such settings file; check the path (or leave out --settings)") from None
        return Settings(), []
    except (OSError, UnicodeDecodeError) as exc:
        message = f"{p}: cannot read settings ({exc.__class__.__name__}: {exc}); using defaults"
        if strict:
            raise SettingsError(message) from None
        return Settings(), [message]
    try:
        settings = settings_from_toml(text)
        return settings, [f"{p}: {note}" for note in moved_key_notes(tomllib.loads(text))]
    except SettingsError as exc:
        if strict:
            raise SettingsError(f"{p}: {exc}") from None
        return Settings(), [f"{p}: {exc}; using defaults"]


# ---- writing -----------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _comment(meta: Mapping[str, Any]) -> str:
    unit = f" [{meta['unit']}]" if meta.get("unit") else ""
    return f"# {meta.get('doc', '')}{unit}. Source: {meta.get('source', 'design')}."


def _emit(obj: Any, section: str, lines: list[str]) -> None:
    subs = []
    for f in fields(obj):
        value = getattr(obj, f.name)
        if is_dataclass(value):
            subs.append((f, value))
            continue
        if f.metadata:
            lines.append(_comment(f.metadata))
        lines.append(f"{f.name} = {_fmt(value)}")
    for f, value in subs:
        lines.append("")
        if f.metadata:
            lines.append(_comment(f.metadata))
        lines.append(f"[{section}{f.name}]")
        _emit(value, f"{section}{f.name}.", lines)


def settings_to_toml(settings: Settings) -> str:
    """The full settings file, every key present, each commented with its unit and source."""
    lines = ["# Turnout settings. Delete a key to use its default. See docs/thresholds.md."]
    for f in fields(settings):
        lines.append("")
        lines.append(f"[{f.name}]")
        _emit(getattr(settings, f.name), f"{f.name}.", lines)
    return "\n".join(lines) + "\n"


def save_settings(settings: Settings, path: str | os.PathLike[str] | None = None) -> Path:
    """Write ``settings`` atomically (temp file + rename), creating the folder. Returns the path."""
    p = Path(path) if path is not None else default_settings_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".toml", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(settings_to_toml(settings))
        os.replace(tmp, p)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SettingsError(f"{p}: cannot save settings ({exc})") from None
    return p
