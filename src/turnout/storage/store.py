"""The session database: SQLite (standard library), WAL mode, a versioned schema with migrations.

Sessions, reps, holds, flags, per-frame measurements and the pose track live in one file, by default in the
user's data directory; clips of flagged reps are video files in ``clips/`` beside it. Every write is one
transaction: a rep is committed when it ends, so a killed process loses at most the frames of the last
second and the rep in progress. ``docs/storage.md`` describes the schema.
"""

from __future__ import annotations

import json
import math
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import platformdirs

from turnout.capture import cores
from turnout.measure.measures import record_names
from turnout.pose.landmarks import NUM_LANDMARKS
from turnout.practice.baseline import Baseline
from turnout.practice.flags import Flag
from turnout.practice.hip import HipTurnout
from turnout.practice.holds import HoldSummary
from turnout.practice.reps import RepSummary
from turnout.settings import ClipSettings, Settings
from turnout.storage.migrations import (
    SCHEMA_VERSION,
    StorageError,
    backup_copy,
    check_version,
    clips_root,
    migrate,
    pid_alive,
    process_started_at,
    user_version,
)
from turnout.storage.migrations import SchemaTooNewError as SchemaTooNewError

if TYPE_CHECKING:
    from turnout.storage.clips import ClipJob, ClipRecorder

APP_NAME: Final = "turnout"
DATA_ENV: Final = "TURNOUT_DATA_DIR"
DB_NAME: Final = "sessions.sqlite3"
CLIPS_DIR: Final = "clips"
STATUSES: Final = ("recording", "complete", "interrupted")
#: How a session was made (``sessions.origin``): recorded in Live (a camera, or a video file played there: maybe only
#: part of the file), or a whole file analysed (Open video, Analyse folder, ``turnout analyze --db``).
LIVE: Final = "live"
ANALYSIS: Final = "analysis"
ORIGINS: Final = (LIVE, ANALYSIS)


def default_db_path() -> Path:
    """``$TURNOUT_DATA_DIR/sessions.sqlite3`` if set, else in the user's data directory."""
    env = os.environ.get(DATA_ENV)
    folder = Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return folder / DB_NAME


def _header_version(path: Path) -> int | None:
    """The schema version in an SQLite file's header (``PRAGMA user_version``: bytes 60-63), read without
    SQLite, so that not even a ``-wal`` or ``-shm`` file appears beside a database we will not open. None if
    it is not an SQLite file."""
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except OSError:
        return None
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        return None
    return int.from_bytes(head[60:64], "big")


def _refuse_newer(path: Path, version: int | None) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path}: written by a newer Turnout (schema {version}, this one reads up to {SCHEMA_VERSION}); "
            "upgrade Turnout, the database was not changed"
        )


def _hint(exc: BaseException, path: Path) -> str:
    """What to do about a damaged file, for an SQLite error that says the file is damaged."""
    text = str(exc).lower()
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return f"; the file is damaged: keep a copy and recover what can be read with `sqlite3 {path} .recover`"
    return ""


#: files found sound by quick_check in this process: (path, size, mtime) -> True
_CHECKED: dict[tuple[str, int, int], bool] = {}


def _refuse_damaged(conn: sqlite3.Connection, path: Path) -> None:
    """``PRAGMA quick_check`` on a database about to be written into: a damaged file is refused in one line
    (SQLite would write new sessions into it and every reading command would then refuse it). Checked once per
    process while the file is unchanged."""
    try:
        st = path.stat()
        wal = path.with_name(path.name + "-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        key = (str(path.resolve()), st.st_size + wal_size, st.st_mtime_ns)
    except OSError:
        key = None
    if key is not None and key in _CHECKED:
        return
    try:
        rows = conn.execute("PRAGMA quick_check(3)").fetchall()
        verdict = "; ".join(str(r[0]) for r in rows)
    except sqlite3.DatabaseError as exc:
        verdict = str(exc)
    if verdict != "ok":
        first = verdict.splitlines()[0][:160] if verdict else "unknown damage"
        raise StorageError(
            f"{path}: the session database is damaged ({first}); nothing was written to it. Keep a copy, recover "
            f"what can be read with `sqlite3 {path} .recover`, or give another database (--db)"
        )
    if key is not None:
        _CHECKED[key] = True


def _disk_full(folder: Path) -> bool:
    """Less than 1 MB left where the database is (SQLite then cannot even make its shared-memory index)."""
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


def _full_disk_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection that needs no disk space: no ``-shm`` index (immutable when the write-ahead log
    is empty, else an exclusive lock, whose index lives in memory) and nothing written."""
    wal = path.with_name(path.name + "-wal")
    has_log = wal.exists() and wal.stat().st_size > 0
    uri = path.resolve().as_uri() + ("?mode=ro" if has_log else "?mode=ro&immutable=1")
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10.0, check_same_thread=False)
    if has_log:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    conn.execute("PRAGMA query_only = ON")
    return conn


FULL_DISK: Final = "the disk is full"


def picture_foot_names() -> tuple[str, ...]:
    """The per-frame columns of each foot's turnout from the picture and its 95 % range, which the pipeline adds to
    the measurements (``FrameResult.picture_row``; docs/storage.md): ``left_foot_picture_deg``,
    ``left_foot_picture_low_deg``, ``left_foot_picture_high_deg``, then the right foot's."""
    return tuple(f"{s}_foot_picture{part}_deg" for s in ("left", "right") for part in ("", "_low", "_high"))


def hem_names() -> tuple[str, ...]:
    """The per-frame columns of how far each leg's silhouette reaches outward from its ankle, in legs
    (``turnout.pose.people.hem_reach``, ``PoseFrame.hem``; sessions stored since session 19): the pose model's
    mask is not kept, so a re-analysis from landmarks takes them from here."""
    return ("left_hem_reach_legs", "right_hem_reach_legs")


def stores_picture_feet(names: Collection[str]) -> bool:
    """Whether a session's per-frame columns (``names``, or a mapping keyed by them) hold each foot's picture reading:
    sessions stored since issue 16, item 6, whether or not any frame had a reading (she may have been turned from
    the camera throughout); a session stored before has its 3D feet only."""
    return any(f"{s}_foot_picture_deg" in names for s in ("left", "right"))


def stored_names() -> tuple[str, ...]:
    """What a new session stores per frame: :func:`~turnout.measure.measures.record_names` and
    :func:`picture_foot_names` and :func:`hem_names`. Each session keeps its own list, so sessions stored before keep
    theirs."""
    return (*record_names(), *picture_foot_names(), *hem_names())


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _ms(t_s: float) -> int:
    return round(t_s * 1000.0)


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


def _json(obj: Any) -> str | None:
    return None if obj is None else json.dumps(obj, allow_nan=False, separators=(",", ":"))


_DAMAGED: Final = (ValueError, TypeError, KeyError, AttributeError, IndexError, UnicodeDecodeError)


def _decoded(text: Any) -> Any:
    """A JSON column's value (None for NULL or empty); raises ValueError when it is not JSON."""
    if text is None or text == "":
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return json.loads(text)


def _insert(c: sqlite3.Connection, table: str, values: Mapping[str, Any]) -> int:
    """INSERT one row from a column -> value mapping; returns its row id."""
    sql = f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})"
    return int(c.execute(sql, tuple(values.values())).lastrowid or 0)


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What a new session records about where its frames come from."""

    source: str = "camera"
    dancer: str | None = None
    fps: float | None = None
    width: int | None = None
    height: int | None = None
    mirrored: bool = False
    model_sha256: str | None = None
    calibration: Mapping[str, Any] | None = None
    settings: Settings | None = None
    notes: str = ""
    measure_names: tuple[str, ...] = field(default_factory=stored_names)
    #: the full path of the file the frames come from (None for a camera); bytes that are not UTF-8 as ``\\xff``
    source_path: str | None = None
    #: :data:`LIVE` or :data:`ANALYSIS`; None: an analysis when ``source_path`` is given (``analyze_file``), else live
    origin: str | None = None

    def made_as(self) -> str:
        """The session's origin as stored."""
        origin = self.origin or (ANALYSIS if self.source_path else LIVE)
        if origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}, got {origin!r}")
        return origin


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    dancer_id: int | None
    dancer: str | None
    started_at: str
    ended_at: str | None
    status: str
    source: str | None
    fps: float | None
    width: int | None
    height: int | None
    mirrored: bool
    model_sha256: str | None
    calibration: dict[str, Any] | None
    baseline: Baseline | None
    settings: dict[str, Any] | None
    notes: str | None
    measure_names: tuple[str, ...]
    n_reps: int
    n_flagged_reps: int
    n_holds: int
    n_frames: int
    duration_s: float
    #: the full path of the file the session's frames come from (None for a camera, or before schema 5; a recording
    #: in Live of a video file keeps it since schema 7)
    source_path: str | None = None
    #: :data:`LIVE` (recorded in Live, from a camera or a video file) or :data:`ANALYSIS` (a whole file analysed)
    origin: str = LIVE

    @property
    def analysis(self) -> bool:
        """A whole file analysed (it stands for its file: the same file opened again is recognised)."""
        return self.origin == ANALYSIS


@dataclass(frozen=True, slots=True)
class StoredRep:
    id: int
    session_id: int
    rep: RepSummary


@dataclass(frozen=True, slots=True)
class StoredHold:
    id: int
    session_id: int
    hold: HoldSummary


@dataclass(frozen=True, slots=True)
class StoredExercise:
    """One exercise of a routine as done in a session (``turnout.session.routine_run``)."""

    index: int
    kind: str
    variant: str
    label: str
    sets_planned: int
    sets_done: int
    #: reps counted, or seconds held
    amount: float
    #: the summary line ("demi-pliés: 2 of 2 sets, 20 reps")
    line: str
    #: kind-specific figures (the self-check: verdict, words, turn_in_deg, matched_total_deg)
    detail: Mapping[str, Any] = field(default_factory=dict)
    routine: str | None = None
    session_id: int = 0


@dataclass(frozen=True, slots=True)
class StoredClip:
    id: int
    session_id: int
    rep_id: int | None
    #: relative to the database's folder
    path: str
    t_start_ms: int
    t_end_ms: int
    n_frames: int


@dataclass(frozen=True, slots=True)
class FrameRecord:
    """One frame to store: its measurements (a flat row) and, optionally, its landmarks."""

    idx: int
    t_s: float
    reliable: bool
    row: Mapping[str, float]
    image: np.ndarray | None = None  # (33, 5) float32
    world: np.ndarray | None = None  # (33, 3) float32


@dataclass(frozen=True, slots=True)
class FrameTable:
    idx: np.ndarray  # (T,) int64
    t_s: np.ndarray  # (T,) float64
    reliable: np.ndarray  # (T,) bool
    values: dict[str, np.ndarray]  # name -> (T,) float64

    def rows(self) -> Iterator[dict[str, float]]:
        names = list(self.values)
        data = np.stack([self.values[n] for n in names], axis=1) if names else np.empty((len(self.idx), 0))
        for r in data:
            yield dict(zip(names, (float(v) for v in r), strict=True))


@dataclass(frozen=True, slots=True)
class PoseTable:
    idx: np.ndarray  # (T,) int64
    image: np.ndarray  # (T, 33, 5) float32
    world: np.ndarray  # (T, 33, 3) float32


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


def _recorder_alive(pid: int, started_at: str | None) -> bool:
    """Whether the process that recorded a session (``pid``, the session started at ``started_at``) still runs:
    a process with that id that started well after the session is another one (the id was reused)."""
    if not pid_alive(pid):
        return False
    began = process_started_at(pid)
    if began is None or not started_at:
        return True
    try:
        session_start = datetime.fromisoformat(started_at).timestamp()
    except ValueError:
        return True
    return began <= session_start + 2.0  # started_at is rounded to the second


class Store:
    """An open session database. Use :meth:`open` as a context manager. Methods are serialised by a lock,
    so one store may be shared by the recording thread and the window."""

    def __init__(self, conn: sqlite3.Connection, path: Path, backup: Path | None) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        #: the copy written before a migration, if one ran
        self.backup_path = backup
        #: one line per damaged row met while reading (skipped, or read without its damaged column), in order
        self.damaged: list[str] = []
        #: opened on a full disk without writing anything (see :meth:`_open_read_only`)
        self.read_only = False
        #: one line each for what the user should know about a command that still succeeded
        self.warnings: list[str] = []

    def _damaged(self, line: str) -> None:
        if line not in self.damaged:
            self.damaged.append(line)

    # ---- opening --------------------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str] | None = None, *, create: bool = True, check: bool | None = None
    ) -> Store:
        """Open (``create``: or make) the database. ``check`` (default: ``create``, as every writer opens it that
        way) runs ``PRAGMA quick_check`` on an existing file first and refuses a damaged one in one line, before
        anything is written into it."""
        p = Path(path) if path is not None else default_db_path()
        exists = p.exists() and p.stat().st_size > 0
        if not exists and not create:
            raise StorageError(f"no session database at {p}")
        if exists:
            _refuse_newer(p, _header_version(p))
        try:
            version = check_version(p) if exists else 0
        except SchemaTooNewError:
            raise
        except StorageError:
            if exists and not create and _disk_full(p.parent):
                return cls._open_read_only(p)
            raise
        conn: sqlite3.Connection | None = None
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(p, isolation_level=None, timeout=10.0, check_same_thread=False)
            if exists and (create if check is None else check):
                _refuse_damaged(conn, p)
            backup = backup_copy(p, version) if exists and 0 < version < SCHEMA_VERSION else None
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, db_path=p)
            live = user_version(conn)
        except StorageError:
            if conn is not None:
                conn.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            if exists and not create and _disk_full(p.parent):
                return cls._open_read_only(p)
            raise StorageError(f"{p}: cannot open the session database ({exc}){_hint(exc, p)}") from None
        if live > SCHEMA_VERSION:  # a newer Turnout migrated it between the check and now
            conn.close()
            _refuse_newer(p, live)
        return cls(conn, p, backup)

    @classmethod
    def _open_read_only(cls, p: Path) -> Store:
        """On a full disk: the database read without writing anything (listing, showing, exporting and deleting
        still work; anything else that writes says the disk is full)."""
        try:
            conn = _full_disk_reader(p)
            version = user_version(conn)
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"{p}: {FULL_DISK} and the database cannot be read ({exc}); free some space") from None
        if version != SCHEMA_VERSION:
            conn.close()
            raise StorageError(
                f"{p}: {FULL_DISK} and this database must be upgraded first (schema {version}); free some space "
                "and try again"
            )
        store = cls(conn, p, None)
        store.read_only = True
        return store

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def schema_version(self) -> int:
        with self._lock:
            return user_version(self._conn)

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One transaction; any SQLite or OS error rolls back and becomes a one-line StorageError."""
        with self._lock:
            if self.read_only:
                raise StorageError(
                    f"cannot save {what} to {self.path}: {FULL_DISK}; free some space (deleting a session's clips "
                    "with `turnout sessions delete ID` also works on a full disk)"
                )
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except (sqlite3.Error, OSError) as exc:
                if self._conn.in_transaction:
                    with suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise StorageError(f"cannot save {what} to {self.path}: {exc}") from None

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise StorageError(f"cannot read {self.path}: {exc}{_hint(exc, self.path)}") from None

    # ---- dancers ----------------------------------------------------------------------------------------

    def ensure_dancer(self, name: str) -> int:
        with self._write("the dancer") as c:
            c.execute("INSERT OR IGNORE INTO dancers (name, created_at) VALUES (?, ?)", (name, now_iso()))
            return int(c.execute("SELECT id FROM dancers WHERE name = ?", (name,)).fetchone()[0])

    def dancers(self) -> list[tuple[int, str]]:
        return [(int(i), str(n)) for i, n in self._read("SELECT id, name FROM dancers ORDER BY name")]

    def hip_profile(self, dancer_id: int) -> HipTurnout | None:
        rows = self._read("SELECT hip_profile FROM dancers WHERE id = ?", (dancer_id,))
        if not rows or not rows[0][0]:
            return None
        try:
            return HipTurnout.from_dict(_decoded(rows[0][0]))
        except _DAMAGED:
            self._damaged(f"dancer {dancer_id}: the stored hip profile is damaged; read without it")
            return None

    def save_hip_profile(self, dancer_id: int, hip: HipTurnout) -> None:
        with self._write("the hip-turnout profile") as c:
            c.execute("UPDATE dancers SET hip_profile = ? WHERE id = ?", (_json(hip.to_dict()), dancer_id))

    def hip_samples(self, dancer_id: int, limit: int) -> list[tuple[float, float]]:
        """(left, right) knee turnout near the bottom of her demi-pliés, most recent first, all sessions."""
        rows = self._read(
            "SELECT r.knee_turnout_bottom_left_deg, r.knee_turnout_bottom_right_deg FROM reps r "
            "JOIN sessions s ON s.id = r.session_id WHERE s.dancer_id = ? AND r.kind = 'demi' "
            "ORDER BY s.started_at DESC, s.id DESC, r.idx DESC LIMIT ?",
            (dancer_id, limit),
        )
        return [(_num(a), _num(b)) for a, b in rows]

    # ---- sessions ---------------------------------------------------------------------------------------

    def create_session(self, info: SessionInfo) -> int:
        dancer_id = self.ensure_dancer(info.dancer) if info.dancer else None
        settings = asdict(info.settings) if info.settings is not None else None
        row = {
            "dancer_id": dancer_id, "started_at": now_iso(), "status": "recording", "source": info.source,
            "fps": info.fps, "width": info.width, "height": info.height, "mirrored": int(info.mirrored),
            "model_sha256": info.model_sha256, "calibration": _json(dict(info.calibration or {}) or None),
            "settings": _json(settings), "notes": info.notes, "measure_names": _json(list(info.measure_names)),
            "writer_pid": os.getpid(), "source_path": info.source_path, "origin": info.made_as(),
        }  # fmt: skip
        with self._write("the new session") as c:
            return _insert(c, "sessions", row)

    def set_started_at(self, session_id: int, iso_text: str) -> None:
        """Date a session (``iso_text``: an ISO 8601 date and time, e.g. a video file's recording time). It is
        stored in UTC, as every ``started_at`` (sessions sort by its text); a time without a zone is taken as
        local. A text that is not a date and time is refused (ValueError), as is an unknown session
        (StorageError)."""
        try:
            when = datetime.fromisoformat(iso_text)
        except (TypeError, ValueError):
            raise ValueError(f"not an ISO date and time: {iso_text!r}") from None
        text = when.astimezone(UTC).isoformat(timespec="seconds")
        with self._write("the session's date") as c:
            if c.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (text, session_id)).rowcount != 1:
                raise StorageError(f"no session {session_id} in {self.path}")

    def set_source_file(self, session_id: int, path_text: str) -> None:
        """The full path of the video file a live session's frames come from (a video played in Live and recorded):
        Review can then play the whole file. The session stays :data:`LIVE` (it may hold only part of the file), so
        it never stands for the file when the file is analysed. An unknown session is refused (StorageError)."""
        with self._write("the session's video file") as c:
            if c.execute("UPDATE sessions SET source_path = ? WHERE id = ?", (path_text, session_id)).rowcount != 1:
                raise StorageError(f"no session {session_id} in {self.path}")

    def set_baseline(self, session_id: int, baseline: Baseline | None) -> None:
        with self._write("the baseline") as c:
            value = _json(baseline.to_dict()) if baseline is not None else None
            c.execute("UPDATE sessions SET baseline = ? WHERE id = ?", (value, session_id))

    def set_calibration(self, session_id: int, calibration: Mapping[str, Any] | None) -> None:
        """The session's floor calibration (``FloorCalibration.to_dict()``), or None when it was dropped."""
        with self._write("the floor calibration") as c:
            c.execute("UPDATE sessions SET calibration = ? WHERE id = ?", (_json(calibration), session_id))

    def set_start_state(self, session_id: int, baseline: Baseline | None, hip: HipTurnout | None) -> None:
        """What the session's analysis started from: the standing baseline and the dancer's hip profile as they
        were when it began (re-analysis starts from them again, so unchanged settings give the same reps)."""
        state = {"baseline": baseline.to_dict() if baseline else None, "hip": hip.to_dict() if hip else None}
        with self._write("the session's start") as c:
            c.execute("UPDATE sessions SET start_state = ? WHERE id = ?", (_json(state), session_id))

    def start_state(self, session_id: int) -> tuple[Baseline | None, HipTurnout | None] | None:
        """(baseline, hip profile) the session started from, or None for a session recorded before it was kept."""
        rows = self._read("SELECT start_state FROM sessions WHERE id = ?", (session_id,))
        if not rows or not rows[0][0]:
            return None
        try:
            state = _decoded(rows[0][0])
            baseline = Baseline.from_dict(state["baseline"]) if state.get("baseline") else None
            hip = HipTurnout.from_dict(state["hip"]) if state.get("hip") else None
        except _DAMAGED:
            self._damaged(f"session {session_id}: its stored starting state is damaged; read without it")
            return None
        return baseline, hip

    def finish_session(self, session_id: int, status: str = "complete") -> None:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        with self._write("the session's end") as c:
            c.execute("UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?", (status, now_iso(), session_id))

    def recover_interrupted(self) -> list[int]:
        """Mark sessions still 'recording' whose process is gone as 'interrupted'; returns their ids.

        A process id the system has given to a newer process since (it started after the session did) counts as
        gone. The partial clip files a killed recording left (``.rep-NNN.tmp.mp4``) are removed."""
        rows = self._read("SELECT id, writer_pid, started_at FROM sessions WHERE status = 'recording'")
        dead = [int(i) for i, pid, started in rows if pid is None or not _recorder_alive(int(pid), started)]
        if dead and self.read_only:  # a full disk: marked next time; listing must not fail for it
            return []
        if dead:
            with self._write("interrupted sessions") as c:
                c.executemany("UPDATE sessions SET status = 'interrupted' WHERE id = ?", [(i,) for i in dead])
            for i in dead:
                for partial in self.clips_dir(i).glob(".*.tmp.*"):
                    with suppress(OSError):
                        partial.unlink()
        return dead

    _SESSION_SQL: Final = (
        "SELECT s.id, s.dancer_id, d.name, s.started_at, s.ended_at, s.status, s.source, s.fps, s.width, "
        "s.height, s.mirrored, s.model_sha256, s.calibration, s.baseline, s.settings, s.notes, s.measure_names, "
        "(SELECT COUNT(*) FROM reps r WHERE r.session_id = s.id), "
        "(SELECT COUNT(*) FROM reps r WHERE r.session_id = s.id AND r.worst_severity IS NOT NULL), "
        "(SELECT COUNT(*) FROM holds h WHERE h.session_id = s.id), "
        "(SELECT COUNT(*) FROM frames f WHERE f.session_id = s.id), "
        "(SELECT MAX(t_ms) - MIN(t_ms) FROM frames f WHERE f.session_id = s.id), s.source_path, s.origin "
        "FROM sessions s LEFT JOIN dancers d ON d.id = s.dancer_id"
    )

    def _session(self, r: Sequence[Any]) -> SessionRow:
        """A session row; a damaged column (not JSON, or not what it should hold) is read as empty, one line
        in :attr:`damaged` naming it."""
        bad: list[str] = []

        def column(name: str, x: Any, convert: Callable[[Any], Any], empty: Any) -> Any:
            try:
                value = _decoded(x)
                return convert(value) if value is not None else empty
            except _DAMAGED:
                bad.append(name)
                return empty

        def names_of(v: Any) -> tuple[str, ...]:
            if not isinstance(v, list) or not all(isinstance(n, str) for n in v):
                raise ValueError("not a list of names")
            return tuple(v)

        def mapping(v: Any) -> dict[str, Any]:
            if not isinstance(v, dict):
                raise ValueError("not an object")
            return v

        # r[15] is the notes: plain text, not JSON like its neighbours
        calibration = column("calibration", r[12], mapping, None)
        baseline = column("baseline", r[13], lambda v: Baseline.from_dict(mapping(v)), None)
        settings = column("settings", r[14], mapping, None)
        names = column("measure_names", r[16], names_of, ())
        notes = r[15] if r[15] is None or isinstance(r[15], str) else None
        if notes is None and r[15] is not None:
            bad.append("notes")
        fields: list[Any] = [*r[:10], bool(r[10]), r[11], calibration, baseline, settings, notes, names]
        fields += [*(int(x) for x in r[17:21]), (r[21] or 0) / 1000.0]
        source_path = r[22] if r[22] is None or isinstance(r[22], str) else None
        if source_path is None and r[22] is not None:
            bad.append("source_path")
        fields.append(source_path)
        origin = r[23] if r[23] in ORIGINS else LIVE
        if r[23] not in ORIGINS:
            bad.append("origin")
        fields.append(origin)
        if bad:
            self._damaged(
                f"session {r[0]}: its stored {', '.join(bad)} {'is' if len(bad) == 1 else 'are'} damaged; shown without"
            )
        return SessionRow(*fields)

    def list_sessions(self, dancer: str | None = None, limit: int | None = None) -> list[SessionRow]:
        sql, args = self._SESSION_SQL, list[Any]()
        if dancer is not None:
            sql += " WHERE d.name = ?"
            args.append(dancer)
        sql += " ORDER BY s.started_at DESC, s.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [self._session(r) for r in self._read(sql, args)]

    def get_session(self, session_id: int) -> SessionRow:
        rows = self._read(self._SESSION_SQL + " WHERE s.id = ?", (session_id,))
        if not rows:
            raise StorageError(f"no session {session_id} in {self.path}")
        return self._session(rows[0])

    def delete_session(self, session_id: int) -> list[Path]:
        """Delete a session's rows (overwritten in the file) and its clip files; returns the files removed.

        Only files inside this database's own clip folder are removed (a row copied from another database, or
        a path edited to point elsewhere, never deletes someone else's file), and the session's folder only
        when nothing else is left in it."""
        self.get_session(session_id)
        root = self.clips_root.resolve()
        files = [f for f in (self.folder / c.path for c in self.clips(session_id)) if _inside(f, root)]
        full = self.read_only
        if not full:
            try:
                self._delete_securely(session_id)
            except StorageError as exc:
                if "full" not in str(exc) and not _disk_full(self.folder):
                    raise
                full = True
        if full:
            # A full disk: the clips first (that frees space), then the rows in place, without the log or the
            # overwriting that would grow the files.
            removed = self._remove_clips(session_id, files)
            self._delete_in_place(session_id)
            self.warnings.append(
                f"{FULL_DISK}: session {session_id} was deleted in place; the space it used in the database is "
                "reused by the next sessions"
            )
            return removed
        return self._remove_clips(session_id, files)

    def _delete_securely(self, session_id: int) -> None:
        with self._lock:
            # Overwrite the deleted rows with zeros (not only unlink them), then empty the write-ahead log that
            # still holds the old pages: a deleted session is gone from the files, not just from the tables.
            before = int(self._conn.execute("PRAGMA secure_delete").fetchone()[0])  # builds differ: keep theirs
            self._conn.execute("PRAGMA secure_delete = ON")
            try:
                with self._write("the deletion") as c:
                    c.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            finally:
                self._conn.execute(f"PRAGMA secure_delete = {before:d}")
            with suppress(sqlite3.Error):  # busy (another process reading): the log is emptied later
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _delete_in_place(self, session_id: int) -> None:
        """Delete on a full disk: one connection with an exclusive lock (no ``-shm`` index), the rollback journal
        in memory for this one transaction (nothing written beside the file) and ``secure_delete = FAST`` (the
        pages written anyway are zeroed, no others); freed pages go to the file's free list, so it does not
        grow. Then back to the write-ahead log."""
        with self._lock:
            self._conn.close()
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
                try:
                    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
                    if conn.execute("PRAGMA journal_mode = MEMORY").fetchone()[0] != "memory":
                        raise sqlite3.OperationalError("its write-ahead log could not be emptied")
                    conn.execute("PRAGMA foreign_keys = ON")
                    conn.execute("PRAGMA secure_delete = FAST")
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
                    conn.execute("COMMIT")
                    conn.execute("PRAGMA journal_mode = WAL")
                finally:
                    conn.close()
            except sqlite3.Error as exc:
                raise StorageError(
                    f"cannot delete session {session_id} from {self.path}: {FULL_DISK} ({exc}); free some space "
                    "and try again"
                ) from None
            finally:
                self._reconnect()

    def _reconnect(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0, check_same_thread=False)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("SELECT COUNT(*) FROM sessions").fetchone()
            self._conn, self.read_only = conn, False
        except sqlite3.Error:
            self._conn, self.read_only = _full_disk_reader(self.path), True

    def _remove_clips(self, session_id: int, files: Sequence[Path]) -> list[Path]:
        removed = []
        for f in files:
            try:
                f.unlink()
                removed.append(f)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise StorageError(f"session {session_id} deleted, but not its clip {f}: {exc}") from None
        folder = self.clips_dir(session_id)
        for partial in folder.glob(".*.tmp.*"):  # a clip being written when its recording was killed
            with suppress(OSError):
                partial.unlink()
        with suppress(OSError):
            folder.rmdir()  # only if empty: nothing that is not the session's own
        return removed

    # ---- frames and the pose track -----------------------------------------------------------------------

    def add_frames(self, session_id: int, frames: Sequence[FrameRecord], names: Sequence[str]) -> None:
        """Store a batch of frames in one transaction (measurements as float64 in ``names`` order)."""

        def values(row: Mapping[str, float]) -> bytes:
            return np.array([row.get(n, math.nan) for n in names], "<f8").tobytes()

        meas = [(session_id, f.idx, _ms(f.t_s), int(f.reliable), values(f.row)) for f in frames]
        poses = [
            (session_id, f.idx, np.asarray(f.image, "<f4").tobytes(), np.asarray(f.world, "<f4").tobytes())
            for f in frames
            if f.image is not None and f.world is not None
        ]
        with self._write(f"{len(frames)} frames") as c:
            c.executemany("INSERT OR REPLACE INTO frames VALUES (?, ?, ?, ?, ?)", meas)
            c.executemany("INSERT OR REPLACE INTO poses VALUES (?, ?, ?, ?)", poses)

    def frames(self, session_id: int) -> FrameTable:
        names = list(self.get_session(session_id).measure_names)
        rows = self._read(
            "SELECT idx, t_ms, reliable, measures FROM frames WHERE session_id = ? ORDER BY idx", (session_id,)
        )
        size = 8 * len(names)
        good = [r for r in rows if isinstance(r[3], bytes) and len(r[3]) == size and isinstance(r[1], int)]
        if len(good) < len(rows):
            kept = {id(r) for r in good}
            bad = [str(r[0]) for r in rows if id(r) not in kept]
            self._damaged(
                f"session {session_id}: {len(bad)} stored frame{'s' if len(bad) > 1 else ''} damaged (frame "
                f"{', '.join(bad[:5])}{', ...' if len(bad) > 5 else ''}); skipped"
            )
            rows = good
        data = np.frombuffer(b"".join(r[3] for r in rows), dtype="<f8").reshape(len(rows), len(names))
        return FrameTable(
            idx=np.array([r[0] for r in rows], dtype=np.int64),
            t_s=np.array([r[1] for r in rows], dtype=np.float64) / 1000.0,
            reliable=np.array([bool(r[2]) for r in rows], dtype=bool),
            values={n: data[:, i].astype(np.float64) for i, n in enumerate(names)},
        )

    def poses(self, session_id: int) -> PoseTable | None:
        rows = self._read("SELECT idx, image, world FROM poses WHERE session_id = ? ORDER BY idx", (session_id,))
        sizes = (NUM_LANDMARKS * 5 * 4, NUM_LANDMARKS * 3 * 4)
        good = [r for r in rows if all(isinstance(b, bytes) and len(b) == n for b, n in zip(r[1:], sizes, strict=True))]
        if len(good) < len(rows):
            kept = {id(r) for r in good}
            bad = [str(r[0]) for r in rows if id(r) not in kept]
            self._damaged(
                f"session {session_id}: the landmarks of {len(bad)} frame{'s' if len(bad) > 1 else ''} damaged "
                f"(frame {', '.join(bad[:5])}{', ...' if len(bad) > 5 else ''}); skipped"
            )
            rows = good
        if not rows:
            return None
        image = np.frombuffer(b"".join(r[1] for r in rows), "<f4").reshape(len(rows), NUM_LANDMARKS, 5)
        world = np.frombuffer(b"".join(r[2] for r in rows), "<f4").reshape(len(rows), NUM_LANDMARKS, 3)
        return PoseTable(np.array([r[0] for r in rows], dtype=np.int64), image.copy(), world.copy())

    # ---- reps, holds, flags ------------------------------------------------------------------------------

    @staticmethod
    def _insert_flags(
        c: sqlite3.Connection, session_id: int, flags: Sequence[Flag], rep_id: int | None, hold_id: int | None
    ) -> None:
        c.executemany(
            "INSERT INTO flags (session_id, rep_id, hold_id, code, side, severity, value, limit_value, reason, cue) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (session_id, rep_id, hold_id, f.code, f.side, f.severity, f.value, f.limit, f.reason, f.cue)
                for f in flags
            ],
        )

    @staticmethod
    def _insert_rep(c: sqlite3.Connection, session_id: int, rep: RepSummary) -> int:
        rep_id = _insert(c, "reps", {
            "session_id": session_id, "idx": rep.index, "kind": rep.kind, "t_start_ms": _ms(rep.t_start_s),
            "t_bottom_ms": _ms(rep.t_bottom_start_s), "t_bottom_end_ms": _ms(rep.t_bottom_end_s),
            "t_end_ms": _ms(rep.t_end_s), "depth_deg": rep.depth_deg,
            "knee_turnout_bottom_left_deg": rep.left.knee_turnout_bottom_deg,
            "knee_turnout_bottom_right_deg": rep.right.knee_turnout_bottom_deg,
            "worst_severity": rep.worst_severity, "summary": _json(rep.to_dict()),
        })  # fmt: skip
        Store._insert_flags(c, session_id, rep.flags, rep_id, None)
        return rep_id

    @staticmethod
    def _insert_hold(c: sqlite3.Connection, session_id: int, hold: HoldSummary) -> int:
        hold_id = _insert(c, "holds", {
            "session_id": session_id, "idx": hold.index, "t_start_ms": _ms(hold.t_start_s),
            "t_end_ms": _ms(hold.t_end_s), "total_turnout_mean_deg": hold.total_foot_turnout_mean_deg,
            "worst_severity": hold.worst_severity, "summary": _json(hold.to_dict()),
        })  # fmt: skip
        Store._insert_flags(c, session_id, hold.flags, None, hold_id)
        return hold_id

    def add_rep(self, session_id: int, rep: RepSummary) -> int:
        """Store a rep with its flags, committed at once. Returns its row id."""
        with self._write(f"rep {rep.index}") as c:
            return self._insert_rep(c, session_id, rep)

    def add_hold(self, session_id: int, hold: HoldSummary) -> int:
        with self._write(f"hold {hold.index}") as c:
            return self._insert_hold(c, session_id, hold)

    def reps(self, session_id: int) -> list[StoredRep]:
        """The session's reps; a rep whose stored summary is damaged is skipped, one line in :attr:`damaged`."""
        rows = self._read("SELECT id, idx, summary FROM reps WHERE session_id = ? ORDER BY idx", (session_id,))
        out = []
        for i, idx, s in rows:
            try:
                out.append(StoredRep(int(i), session_id, RepSummary.from_dict(_decoded(s))))
            except _DAMAGED:
                self._damaged(f"session {session_id}, rep {idx}: its stored summary is damaged; skipped")
        return out

    def holds(self, session_id: int) -> list[StoredHold]:
        """The session's holds; a damaged one is skipped, one line in :attr:`damaged`."""
        rows = self._read("SELECT id, idx, summary FROM holds WHERE session_id = ? ORDER BY idx", (session_id,))
        out = []
        for i, idx, s in rows:
            try:
                out.append(StoredHold(int(i), session_id, HoldSummary.from_dict(_decoded(s))))
            except _DAMAGED:
                self._damaged(f"session {session_id}, hold {idx}: its stored summary is damaged; skipped")
        return out

    # ---- a routine's exercises (issue 17, items 6-7) ----------------------------------------------------------

    def set_exercises(self, session_id: int, exercises: Sequence[StoredExercise]) -> None:
        """The session's exercises as done so far (replacing what was stored before for it: a routine's summary is
        written again as it goes on, so a crash keeps what was done up to the last set)."""
        with self._write("the routine's exercises") as c:
            c.execute("DELETE FROM exercises WHERE session_id = ?", (session_id,))
            for e in exercises:
                _insert(c, "exercises", {
                    "session_id": session_id, "idx": e.index, "routine": e.routine, "kind": e.kind,
                    "variant": e.variant, "label": e.label, "sets_planned": e.sets_planned, "sets_done": e.sets_done,
                    "amount": float(e.amount), "line": e.line, "detail": _json(dict(e.detail) or None),
                })  # fmt: skip

    def exercises(self, session_id: int) -> list[StoredExercise]:
        """The session's exercises in routine order (none for a session without a routine)."""
        rows = self._read(
            "SELECT session_id, idx, routine, kind, variant, label, sets_planned, sets_done, amount, line, detail "
            "FROM exercises WHERE session_id = ? ORDER BY idx",
            (session_id,),
        )
        return [e for e in (self._exercise(r) for r in rows) if e is not None]

    def exercise_history(self, dancer: str | None = None) -> list[tuple[str, StoredExercise]]:
        """(session start, exercise) for every stored exercise, oldest session first; only ``dancer``'s if given."""
        sql = (
            "SELECT e.session_id, e.idx, e.routine, e.kind, e.variant, e.label, e.sets_planned, e.sets_done, "
            "e.amount, e.line, e.detail, s.started_at FROM exercises e JOIN sessions s ON s.id = e.session_id "
            "LEFT JOIN dancers d ON d.id = s.dancer_id"
        )
        args: list[Any] = []
        if dancer is not None:
            sql += " WHERE d.name = ?"
            args.append(dancer)
        rows = self._read(sql + " ORDER BY s.started_at, s.id, e.idx", args)
        out = []
        for r in rows:
            e = self._exercise(r[:11])
            if e is not None:
                out.append((str(r[11]), e))
        return out

    def last_selfcheck(self, dancer: str | None = None) -> StoredExercise | None:
        """Her latest self-check with an answer (``dancer``'s, or anyone's when None), for "last time ..."."""
        for _, e in reversed(self.exercise_history(dancer)):
            if e.kind == "selfcheck" and e.detail.get("verdict") in ("over", "inside"):
                return e
        return None

    def _exercise(self, r: Sequence[Any]) -> StoredExercise | None:
        try:
            detail = _decoded(r[10]) or {}
            if not isinstance(detail, dict):
                raise ValueError("not an object")
            return StoredExercise(int(r[1]), str(r[3]), str(r[4] or ""), str(r[5]), int(r[6]), int(r[7]),
                                  float(r[8]), str(r[9]), detail, r[2], int(r[0]))  # fmt: skip
        except _DAMAGED:
            self._damaged(f"session {r[0]}: exercise {r[1]} is damaged; read without it")
            return None

    def replace_analysis(
        self,
        session_id: int,
        reps: Sequence[RepSummary],
        holds: Sequence[HoldSummary],
        baseline: Baseline | None,
        settings: Settings,
    ) -> None:
        """Swap a session's reps, holds and flags for new ones in one transaction (re-analysis); clips are
        re-linked to the new rep they overlap most."""
        with self._write("the re-analysis") as c:
            c.execute("DELETE FROM reps WHERE session_id = ?", (session_id,))
            c.execute("DELETE FROM holds WHERE session_id = ?", (session_id,))
            c.execute("DELETE FROM flags WHERE session_id = ?", (session_id,))
            spans = [(self._insert_rep(c, session_id, r), _ms(r.t_start_s), _ms(r.t_end_s)) for r in reps]
            for h in holds:
                self._insert_hold(c, session_id, h)
            for clip_id, t0, t1 in c.execute(
                "SELECT id, t_start_ms, t_end_ms FROM clips WHERE session_id = ?", (session_id,)
            ).fetchall():
                overlaps = [(min(t1, e) - max(t0, s), rid) for rid, s, e in spans if min(t1, e) > max(t0, s)]
                c.execute("UPDATE clips SET rep_id = ? WHERE id = ?", (max(overlaps)[1] if overlaps else None, clip_id))
            c.execute(
                "UPDATE sessions SET baseline = ?, settings = ? WHERE id = ?",
                (_json(baseline.to_dict()) if baseline else None, _json(asdict(settings)), session_id),
            )

    # ---- clips ------------------------------------------------------------------------------------------

    @property
    def clips_root(self) -> Path:
        """This database's clip folder (``clips/`` for ``sessions.sqlite3``, else ``<file name>-clips/``)."""
        return clips_root(self.path)

    def clips_dir(self, session_id: int) -> Path:
        return self.clips_root / f"session-{session_id}"

    def add_clip(
        self, session_id: int, rep_id: int | None, path: Path, t_start_s: float, t_end_s: float, n_frames: int
    ) -> int:
        rel = Path(os.path.relpath(path, self.folder)).as_posix()
        row = {"session_id": session_id, "rep_id": rep_id, "path": rel, "t_start_ms": _ms(t_start_s),
               "t_end_ms": _ms(t_end_s), "n_frames": n_frames, "created_at": now_iso()}  # fmt: skip
        with self._write("the clip") as c:
            return _insert(c, "clips", row)

    def clips(self, session_id: int) -> list[StoredClip]:
        rows = self._read(
            "SELECT id, session_id, rep_id, path, t_start_ms, t_end_ms, n_frames FROM clips WHERE session_id = ? "
            "ORDER BY t_start_ms",
            (session_id,),
        )
        return [StoredClip(*r) for r in rows]

    def integrity_check(self) -> str:
        return str(self._read("PRAGMA integrity_check")[0][0])


class SessionRecorder:
    """Writes one live session: frames in batches (about once a second), each rep and hold as it ends, and
    clips of flagged reps (with ``clip_settings``) into ``clips/session-N/`` beside the database.

    It is a :class:`turnout.session.pipeline.Recorder`: the pipeline calls :meth:`frame` for every frame, then
    :meth:`event` for that frame's events. Writes run in order on one background thread (``background``), so
    the processing thread never waits for the disk; a rep is committed as soon as it and its frames are
    written. Write failures (a full disk) do not raise: they are kept in :attr:`errors` (one line each), the
    failed batch is dropped, and what was stored stays intact. Call :meth:`close` at the end.
    """

    def __init__(
        self,
        store: Store,
        session_id: int,
        *,
        batch_s: float = 1.0,
        clip_settings: ClipSettings | None = None,
        background: bool = True,
    ) -> None:
        self.store = store
        self.session_id = session_id
        self.batch_s = batch_s
        self.names = store.get_session(session_id).measure_names
        self._pending: list[FrameRecord] = []
        self.errors: list[str] = []
        self.dropped_frames = 0
        #: rep index -> row id (filled in by the writer), for linking clips
        self.rep_ids: dict[int, int] = {}
        self.clips: ClipRecorder | None = None
        if clip_settings is not None and clip_settings.enabled:
            from turnout.storage.clips import ClipRecorder

            self.clips = ClipRecorder(clip_settings, store.clips_dir(session_id))
        self._jobs: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._run, name="turnout-session-writer", daemon=True)
            self._thread.start()

    # ---- the writer ---------------------------------------------------------------------------------

    def _run(self) -> None:
        cores.background_thread()  # started by the live runner's second stage, on the model's core
        while (job := self._jobs.get()) is not None:
            fn, args = job
            try:
                fn(*args)
            except Exception as exc:  # the writer must outlive a bug in one job, and say so
                self.errors.append(f"session writer: {exc.__class__.__name__}: {exc}")
            finally:
                self._jobs.task_done()
        self._jobs.task_done()

    def _submit(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._thread is None:
            fn(*args)
        else:
            self._jobs.put((fn, args))

    def wait(self) -> None:
        """Block until everything submitted so far is written."""
        if self._thread is not None:
            self._jobs.join()

    #: how long a write waits, in all, for a lock another program holds on the database (after SQLite's own 10 s)
    LOCK_PATIENCE_S: Final = 120.0

    def _retrying(self, action: Callable[..., Any], *args: Any) -> Any:
        """``action``, tried again while another program holds the database locked (up to LOCK_PATIENCE_S more):
        the writer runs on its own thread, so frames wait in memory meanwhile and none is lost."""
        import time

        deadline = time.monotonic() + self.LOCK_PATIENCE_S
        while True:
            try:
                return action(*args)
            except StorageError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def _safely(self, action: Callable[..., Any], *args: Any) -> Any:
        try:
            return self._retrying(action, *args)
        except StorageError as exc:
            self.errors.append(str(exc))
            return None

    def _write_frames(self, batch: list[FrameRecord]) -> None:
        try:
            self._retrying(self.store.add_frames, self.session_id, batch, self.names)
        except StorageError as exc:
            self.errors.append(str(exc))
            self.dropped_frames += len(batch)

    def _write_rep(self, rep: RepSummary) -> None:
        rep_id = self._safely(self.store.add_rep, self.session_id, rep)
        if rep_id is not None:
            self.rep_ids[rep.index] = int(rep_id)

    def _write_clip(self, job: ClipJob) -> None:
        clip = job.write()
        if clip.error is not None or clip.path is None:
            self.errors.append(clip.error or "clip not written")
            return
        args = (self.session_id, self.rep_ids.get(clip.key), clip.path, clip.t_start_s, clip.t_end_s, clip.n_frames)
        self._safely(self.store.add_clip, *args)

    # ---- the pipeline's Recorder protocol ---------------------------------------------------------------

    def frame(self, result: Any) -> None:
        """One :class:`turnout.session.pipeline.FrameResult`: its measurements, landmarks and (for clips) picture."""
        pose, t_s = result.pose, result.timestamp_ms / 1000.0
        row = result.measurement.as_row() if result.measurement is not None else {}
        picture_row = getattr(result, "picture_row", None)
        if picture_row is not None:
            row.update(picture_row())
        self.add_frame(FrameRecord(result.index, t_s, bool(result.reliable), row, pose.image, pose.world))
        if self.clips is not None:
            bgr = result.bgr if result.bgr is not None and result.bgr.size else None
            for job in self.clips.push(t_s, bgr):
                self._submit(self._write_clip, job)

    def event(self, event: object, result: Any = None) -> None:
        self.handle(event)

    def set_source_file(self, path_text: str) -> None:
        """The video file this live session's frames come from (:meth:`Store.set_source_file`), written in order
        with the frames; a failure is kept in :attr:`errors`, like any write."""
        self._submit(self._safely, self.store.set_source_file, self.session_id, path_text)

    # ---- direct use ---------------------------------------------------------------------------------

    def add_frame(self, frame: FrameRecord) -> None:
        self._pending.append(frame)
        if frame.t_s - self._pending[0].t_s >= self.batch_s:
            self.flush()

    def flush(self) -> None:
        """Hand the frames collected so far to the writer."""
        if self._pending:
            batch, self._pending = self._pending, []
            self._submit(self._write_frames, batch)

    def handle(self, event: object) -> None:
        """Store what a tracker event concludes: a rep (and ask for its clip), a hold, the baseline."""
        from turnout.floor.state import FloorCalibrated
        from turnout.practice.tracker import BaselineCaptured, HoldEnded, RepEnded

        if isinstance(event, RepEnded):
            self.flush()
            self._submit(self._write_rep, event.rep)
            if self.clips is not None and self.clips.wants(event.rep.worst_severity):
                self.clips.request(event.rep.index, event.rep.t_start_s, event.rep.t_end_s)
        elif isinstance(event, HoldEnded):
            self.flush()
            self._submit(self._safely, self.store.add_hold, self.session_id, event.hold)
        elif isinstance(event, BaselineCaptured):
            self._submit(self._safely, self.store.set_baseline, self.session_id, event.baseline)
        elif isinstance(event, FloorCalibrated):
            cal = None if event.calibration is None else event.calibration.to_dict()
            self._submit(self._safely, self.store.set_calibration, self.session_id, cal)

    def set_exercises(self, exercises: Sequence[StoredExercise]) -> None:
        """The routine's exercises as done so far (written in order with the frames and reps; a failure is kept in
        :attr:`errors`, like any write)."""
        self._submit(self._safely, self.store.set_exercises, self.session_id, tuple(exercises))

    def close(self, status: str = "complete") -> None:
        """Write what is pending (frames, clips), mark the session ``status`` and stop the writer."""
        self.flush()
        if self.clips is not None:
            for job in self.clips.flush():
                self._submit(self._write_clip, job)
        self._submit(self._safely, self.store.finish_session, self.session_id, status)
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
