"""Opening a video in the window: the file is analysed into a stored session, as ``turnout analyze`` does
(:func:`turnout.session.analysis.analyze_file`, on a worker thread: the window never waits), dated from the file
(its container's creation time, else its modification time), and recognised when it was analysed before.

The session keeps where the file is (``sessions.source_path``, recorded by the analysis), so Review can play the
whole recording. A recording made in Live while the file played keeps it too (Review plays the whole file for it as
well), but it is a *live* session (``sessions.origin``): it may hold only part of the file, so it never counts as the
file analysed before.
"""

from __future__ import annotations

import contextlib
import struct
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QObject, Signal

from turnout.capture.sources import display_name
from turnout.errors import TurnoutError
from turnout.storage.store import SessionRow, Store

_MP4_EPOCH: Final = datetime(1904, 1, 1, tzinfo=UTC)


def _mp4_creation_time(path: Path) -> datetime | None:
    """The ``mvhd`` creation time of an MP4/MOV file (UTC), or None (not such a file, or the time is unset)."""
    try:
        with path.open("rb") as f:
            end = path.stat().st_size
            pos = 0
            while pos + 8 <= end:  # top-level boxes: find moov
                f.seek(pos)
                size, kind = struct.unpack(">I4s", f.read(8))
                header = 8
                if size == 1:
                    size, header = struct.unpack(">Q", f.read(8))[0], 16
                elif size == 0:
                    size = end - pos
                if size < header:
                    return None
                if kind == b"moov":
                    inner, stop = pos + header, pos + size
                    while inner + 8 <= stop:
                        f.seek(inner)
                        isize, ikind = struct.unpack(">I4s", f.read(8))
                        if ikind == b"mvhd":
                            version = f.read(4)[0]
                            secs = struct.unpack(">Q" if version == 1 else ">I", f.read(8 if version == 1 else 4))[0]
                            if secs <= 0:
                                return None
                            when = _MP4_EPOCH + timedelta(seconds=secs)
                            return when if when.year >= 1990 else None
                        if isize < 8:
                            return None
                        inner += isize
                    return None
                pos += size
    except (OSError, struct.error, IndexError, OverflowError):
        return None
    return None


def file_date(path: Path) -> tuple[datetime, str]:
    """When the recording was made (local time zone) and where that came from ("the video's metadata" or "the
    file's modification time")."""
    created = _mp4_creation_time(path)
    if created is not None:
        return created.astimezone(), "the video's metadata"
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone(), "the file's modification time"


def source_file(session: SessionRow) -> Path | None:
    """The video file a session's frames come from (``source_path``: analysed, or played in Live and recorded), when
    it still exists."""
    if not session.source_path:
        return None
    path = Path(session.source_path)
    return path if path.is_file() else None


def same_file_sessions(store: Store, path: Path) -> list[SessionRow]:
    """Sessions analysed from this file before (the same path, or the same name and recording date). Only whole-file
    analyses: a recording made in Live while the file played may hold a part of it, and stays beside an analysis."""
    from turnout.session.analysis import source_path

    full = source_path(path)
    started = file_date(path)[0].isoformat(timespec="seconds")
    name = display_name(path.name)
    out = []
    for row in store.list_sessions():
        if not row.analysis:
            continue
        if row.source_path == full or (row.source == name and _same_time(row.started_at, started)):
            out.append(row)
    return out


def _same_time(a: str, b: str) -> bool:
    try:
        return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds()) < 1.0
    except (TypeError, ValueError):
        return False


def date_session(store: Store, session_id: int, path: Path) -> None:
    """Give a file's session the file's date (when it was recorded, not when it was analysed)."""
    store.set_started_at(session_id, file_date(path)[0].isoformat(timespec="seconds"))


class Cancelled(Exception):
    """Raised from the progress callback to stop an analysis."""


@dataclass(frozen=True, slots=True)
class AnalysisDone:
    path: Path
    session_id: int
    n_reps: int
    replaced: tuple[int, ...]


class FileAnalysis(QObject):
    """One file analysed on a worker thread. Signals arrive on the GUI thread (queued)."""

    #: (frames done, frames in the file or 0 when unknown)
    progress = Signal(int, int)
    #: an :class:`AnalysisDone`
    done = Signal(object)
    #: one line saying why nothing was stored
    failed = Signal(str)

    def __init__(self, path: Path, db_path: Path, model_path: Path, settings: Any, dancer: str = "",
                 replace: tuple[int, ...] = (), parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.path, self.db_path, self.model_path = path, db_path, model_path
        self.settings, self.dancer, self.replace = settings, dancer, replace
        self._cancel = threading.Event()
        self.worker = threading.Thread(target=self._run, name="turnout-analyse-file", daemon=True)

    def start(self) -> None:
        self.worker.start()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def running(self) -> bool:
        return self.worker.is_alive()

    def _progress(self, done: int, total: int | None, _seconds: float) -> None:
        if self._cancel.is_set():
            raise Cancelled
        if done % 5 == 0 or (total and done >= total):
            self.progress.emit(done, int(total or 0))

    def _run(self) -> None:
        from turnout.session.analysis import analyze_file

        name = self.path.name
        session_id: int | None = None
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            with Store.open(self.db_path) as store:
                before = {r.id for r in store.list_sessions()}
                try:
                    result = analyze_file(self.path, self.model_path, settings=self.settings, store=store,
                                          dancer=self.dancer or None, progress=self._progress)  # fmt: skip
                except Cancelled:
                    # the partial session of a cancelled analysis is not kept (the file is still there)
                    for row in store.list_sessions():
                        if row.id not in before:
                            store.delete_session(row.id)
                    self.failed.emit(f"Analysis of {name} cancelled: nothing stored")
                    return
                session_id = result.session_id
                assert session_id is not None
                date_session(store, session_id, self.path)
                for old in self.replace:  # only once the new session is stored: nothing is lost on a failure
                    with contextlib.suppress(TurnoutError):
                        store.delete_session(old)
            self.done.emit(AnalysisDone(self.path, session_id, len(result.reps), self.replace))
        except (TurnoutError, OSError, ValueError) as exc:
            self.failed.emit(f"{name}: {exc}")
        except Exception as exc:  # never a traceback in the window: one line, and the window goes on
            self.failed.emit(f"{name}: analysis failed ({type(exc).__name__}: {exc})")
