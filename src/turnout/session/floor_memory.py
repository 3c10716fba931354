"""The floor calibration kept across sessions, until the camera moves.

When the floor is calibrated on a camera (the sheet found, or corners clicked), the calibration and the
camera-motion reference (:meth:`~turnout.floor.motion.CameraMotionCheck.to_dict`: a small grey picture of
the view) are written to ``floor-calibration.json`` in the data folder, atomically (a temporary file renamed over
the old one). The next time that camera is opened, :class:`FloorMemory` hands them to the session's
:class:`~turnout.floor.state.FloorState`, which compares the first frames with the saved view: the
calibration is used again while the camera has not moved ("Using your floor calibration from ..."), and dropped,
with the file, when it has. A video file never takes up the camera's calibration, and calibrations made on a
video are not saved.

A file that cannot be read gives one line of warning and is ignored; it is replaced at the next calibration.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from turnout.floor.reference import FloorCalibration
from turnout.floor.state import FloorCalibrated, FloorState

FILE_NAME: Final = "floor-calibration.json"
FORMAT: Final = "turnout-floor-calibration"
VERSION: Final = 1
#: Events after which the saved calibration no longer holds, and is deleted.
_FORGET: Final = frozenset({"moved", "resized", "cleared"})
#: Events of a new calibration, which is saved.
_SAVE: Final = frozenset({"found", "set"})


def default_path(data_dir: Path | None = None) -> Path:
    """``floor-calibration.json`` in ``data_dir``, by default the data folder (``$TURNOUT_DATA_DIR`` or the
    user's data folder: where ``sessions.sqlite3`` lives)."""
    if data_dir is None:
        from turnout.storage.store import default_db_path

        data_dir = default_db_path().parent
    return data_dir / FILE_NAME


@dataclass(frozen=True, slots=True, eq=False)
class SavedFloor:
    """A floor calibration with the view it was made on, which camera, and when."""

    calibration: FloorCalibration
    motion: dict[str, Any]  # CameraMotionCheck.to_dict()
    source: str  # the camera, as the window names it ("camera 0")
    saved_at: datetime  # aware

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "saved_at": self.saved_at.isoformat(timespec="seconds"),
            "source": self.source,
            "calibration": self.calibration.to_dict(),
            "motion": self.motion,
        }

    @classmethod
    def from_dict(cls, data: Any) -> SavedFloor:
        """Raises ValueError (one line) when ``data`` is not a saved floor calibration this version can read."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a saved floor calibration")
        if data.get("version") != VERSION:
            raise ValueError(f"saved by another version of Turnout (format version {data.get('version')!r})")
        try:
            saved_at = datetime.fromisoformat(str(data["saved_at"]))
            source, motion = str(data["source"]), data["motion"]
        except (KeyError, ValueError) as exc:
            raise ValueError(f"malformed saved calibration ({exc})") from exc
        if not isinstance(motion, dict) or not isinstance(data.get("calibration"), dict):
            raise ValueError("malformed saved calibration (no calibration or camera view)")
        if saved_at.tzinfo is None:
            saved_at = saved_at.replace(tzinfo=UTC)
        return cls(FloorCalibration.from_dict(data["calibration"]), motion, source, saved_at)


def save(path: Path, saved: SavedFloor) -> None:
    """Write ``saved`` to ``path`` atomically: a reader sees the old file or the new one, never half of one.
    Raises OSError when the folder cannot be written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(saved.to_dict(), separators=(",", ":"))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> SavedFloor | None:
    """The saved calibration, None when there is none. A file that is there but cannot be used raises
    ValueError with one line saying so."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"The saved floor calibration {path} could not be read ({_why(exc)}): ignored") from exc
    try:
        return SavedFloor.from_dict(json.loads(text))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"The saved floor calibration {path} is damaged ({_why(exc)}): ignored") from exc


def forget(path: Path) -> None:
    """Delete the saved calibration (nothing happens when there is none)."""
    path.unlink(missing_ok=True)


def _why(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def when_text(saved_at: datetime, now: datetime | None = None) -> str:
    """When, in the dancer's local time: "today at 09:30", "yesterday at 18:05", "Mon 16 Nov at 18:05",
    "3 Mar 2025"."""
    local = saved_at.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    clock = f"{local:%H:%M}"
    days = (today - local.date()).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"yesterday at {clock}"
    if 1 < days < 7:
        return f"{local:%a} {local.day} {local:%b} at {clock}"
    return f"{local.day} {local:%b %Y}"


@dataclass(frozen=True, slots=True)
class FloorNotice:
    """Practice-stream event: something to tell her about her saved floor calibration, in one line."""

    t_s: float
    message: str
    warning: bool = False


class FloorMemory:
    """Keeps one camera's floor calibration across sessions (see the module doc). Used on the processing
    thread: :meth:`restore` when the camera's pipeline is created, :meth:`follow` with each frame's events."""

    def __init__(self, path: Path, source: str, clock: Callable[[], datetime] | None = None) -> None:
        self.path = path
        self.source = source
        self._clock = clock or (lambda: datetime.now(UTC))
        #: the saved calibration being taken up (its date), until the first frames confirm or drop it
        self.restoring: SavedFloor | None = None

    def restore(self, state: FloorState) -> FloorNotice | None:
        """Hand this camera's saved calibration to ``state`` (to be checked against the first frames). Returns a
        warning when the file is damaged (it is then ignored), else None."""
        try:
            saved = load(self.path)
        except ValueError as exc:
            return FloorNotice(0.0, str(exc), warning=True)
        if saved is None or saved.source != self.source:
            return None
        try:
            state.restore(
                saved.calibration, saved.motion, f"Using your floor calibration from {when_text(saved.saved_at)}"
            )
        except Exception as exc:  # whatever a damaged file holds (a view that is no picture, a singular homography)
            return FloorNotice(0.0, f"The saved floor calibration {self.path} is damaged ({_why(exc)}): ignored", True)
        self.restoring = saved
        return None

    def follow(self, state: FloorState, events: Iterable[Any]) -> list[FloorNotice]:
        """After a frame: save a new calibration, delete one that no longer holds (the camera moved, the picture
        size changed, she cleared it). Returns a warning when the file cannot be written."""
        out: list[FloorNotice] = []
        for event in events:
            if not isinstance(event, FloorCalibrated):
                continue
            if event.kind != "unconfirmed":
                self.restoring = None
            try:
                if event.kind in _SAVE and event.calibration is not None and state.motion_check is not None:
                    saved = SavedFloor(event.calibration, state.motion_check.to_dict(), self.source, self._clock())
                    save(self.path, saved)
                elif event.kind in _FORGET:
                    forget(self.path)
            except (OSError, ValueError) as exc:
                out.append(FloorNotice(event.t_s, f"Could not save the floor calibration for next time: {_why(exc)}",
                                       warning=True))  # fmt: skip
        return out


__all__ = [
    "FILE_NAME",
    "FloorMemory",
    "FloorNotice",
    "SavedFloor",
    "default_path",
    "forget",
    "load",
    "save",
    "when_text",
]
