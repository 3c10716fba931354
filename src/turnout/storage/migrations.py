"""The session database's schema, as a list of migrations. ``PRAGMA user_version`` is the applied version.

Never edit a released migration: add a new one. Each runs in one transaction with the version bump, so a
crash mid-migration leaves the previous version intact. ``docs/storage.md`` describes the tables.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from turnout.errors import TurnoutError


class StorageError(TurnoutError):
    """The database cannot be opened, read or written; one line for the user."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer Turnout; it is left untouched."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]
    #: run inside the migration's transaction after the statements, with the database file's path
    files: Callable[[sqlite3.Connection, Path], None] | None = None


_V1: Final = (
    """CREATE TABLE dancers (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        dancer_id INTEGER REFERENCES dancers(id) ON DELETE SET NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL DEFAULT 'recording'
            CHECK (status IN ('recording', 'complete', 'interrupted')),
        source TEXT,
        fps REAL,
        width INTEGER,
        height INTEGER,
        mirrored INTEGER NOT NULL DEFAULT 0,
        model_sha256 TEXT,
        calibration TEXT,
        baseline TEXT,
        settings TEXT,
        notes TEXT,
        measure_names TEXT NOT NULL
    )""",
    "CREATE INDEX sessions_dancer ON sessions(dancer_id, started_at)",
    """CREATE TABLE reps (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        kind TEXT NOT NULL,
        t_start_ms INTEGER NOT NULL,
        t_bottom_ms INTEGER NOT NULL,
        t_bottom_end_ms INTEGER NOT NULL,
        t_end_ms INTEGER NOT NULL,
        depth_deg REAL,
        knee_turnout_bottom_left_deg REAL,
        knee_turnout_bottom_right_deg REAL,
        worst_severity TEXT,
        summary TEXT NOT NULL,
        UNIQUE (session_id, idx)
    )""",
    """CREATE TABLE flags (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        rep_id INTEGER REFERENCES reps(id) ON DELETE CASCADE,
        code TEXT NOT NULL,
        side TEXT,
        severity TEXT NOT NULL,
        value REAL,
        limit_value REAL,
        reason TEXT NOT NULL,
        cue TEXT NOT NULL
    )""",
    "CREATE INDEX flags_rep ON flags(rep_id)",
    "CREATE INDEX flags_session ON flags(session_id, code)",
    # Rows of ~0.2 kB (frames) and ~1 kB (poses): ordinary rowid tables, as WITHOUT ROWID tables store rows
    # this large inefficiently (https://sqlite.org/withoutrowid.html, section 4).
    """CREATE TABLE frames (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        t_ms INTEGER NOT NULL,
        reliable INTEGER NOT NULL,
        measures BLOB NOT NULL,
        UNIQUE (session_id, idx)
    )""",
    """CREATE TABLE poses (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        image BLOB NOT NULL,
        world BLOB NOT NULL,
        UNIQUE (session_id, idx)
    )""",
)

_V2: Final = (
    "ALTER TABLE dancers ADD COLUMN hip_profile TEXT",
    "ALTER TABLE sessions ADD COLUMN writer_pid INTEGER",
    """CREATE TABLE holds (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        t_start_ms INTEGER NOT NULL,
        t_end_ms INTEGER NOT NULL,
        total_turnout_mean_deg REAL,
        worst_severity TEXT,
        summary TEXT NOT NULL,
        UNIQUE (session_id, idx)
    )""",
    "ALTER TABLE flags ADD COLUMN hold_id INTEGER REFERENCES holds(id) ON DELETE CASCADE",
    "CREATE INDEX flags_hold ON flags(hold_id)",
    """CREATE TABLE clips (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        rep_id INTEGER REFERENCES reps(id) ON DELETE SET NULL,
        path TEXT NOT NULL,
        t_start_ms INTEGER NOT NULL,
        t_end_ms INTEGER NOT NULL,
        n_frames INTEGER NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX clips_session ON clips(session_id)",
    "CREATE INDEX sessions_status ON sessions(status)",
)

_V3: Final = (
    # what the practice tracker started from (baseline, hip profile), so re-analysis can start from it again
    "ALTER TABLE sessions ADD COLUMN start_state TEXT",
)

_V5: Final = (
    # the full path of the file a session was analysed from (the window's "open a video" kept it in the notes,
    # as a first line "file: /path", before this column: such notes become the column)
    "ALTER TABLE sessions ADD COLUMN source_path TEXT",
    "UPDATE sessions SET source_path = substr(notes, 7), notes = '' "
    "WHERE substr(notes, 1, 6) = 'file: ' AND instr(notes, char(10)) = 0",
)

_V6: Final = (
    # a routine's exercises as done in the session (issue 17, item 7), and the self-check's answer (item 6): one row
    # per exercise, its figures as JSON (kind-specific: the relevés' and tendus' figures, the self-check's verdict)
    """CREATE TABLE exercises (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        routine TEXT,
        kind TEXT NOT NULL,
        variant TEXT NOT NULL DEFAULT '',
        label TEXT NOT NULL,
        sets_planned INTEGER NOT NULL,
        sets_done INTEGER NOT NULL,
        amount REAL NOT NULL,
        line TEXT NOT NULL,
        detail TEXT,
        UNIQUE (session_id, idx)
    )""",
    "CREATE INDEX exercises_session ON exercises(session_id)",
)

_V7: Final = (
    # how a session was made (issue 18): 'live' (recorded in Live: from a camera, or from a video file played there,
    # which may be only part of the file) or 'analysis' (a whole file analysed: Open video, Analyse folder, `turnout
    # analyze --db`). Only an analysis stands for its file when the same file is opened again. Every session with a
    # source_path before this version was an analysis (Live recordings kept no path)
    "ALTER TABLE sessions ADD COLUMN origin TEXT NOT NULL DEFAULT 'live' CHECK (origin IN ('live', 'analysis'))",
    "UPDATE sessions SET origin = 'analysis' WHERE source_path IS NOT NULL",
)

DEFAULT_DB_NAME: Final = "sessions.sqlite3"
SHARED_CLIPS_DIR: Final = "clips"


def clips_root(db_path: Path) -> Path:
    """The folder of a database's clips: ``clips/`` beside ``sessions.sqlite3`` (the default name, as before
    version 4), ``<file name>-clips/`` beside any other database (``B.sqlite3-clips/``), so two databases in one
    folder never share a clip folder. A name that is not valid UTF-8 has its odd bytes written as ``\\xff``
    (the relative paths are stored as text)."""
    name = db_path.name
    if name == DEFAULT_DB_NAME:
        return db_path.parent / SHARED_CLIPS_DIR
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        name = os.fsencode(name).decode("utf-8", "backslashreplace")
    return db_path.parent / f"{name}-clips"


def _own_clip_folder(conn: sqlite3.Connection, db_path: Path) -> None:
    """Version 4: a database other than ``sessions.sqlite3`` moves its clips out of the shared ``clips/`` into
    its own folder (:func:`clips_root`). Each file is moved (renamed) before its row is updated in this
    transaction; a move done before a crash is found done the next time (the file is at its new place), so the
    migration can simply run again. A file already gone (another database in the folder moved it first: the two
    shared it, and it held the footage of whichever wrote it last) keeps its old path."""
    root = clips_root(db_path)
    if root.name == SHARED_CLIPS_DIR:
        return
    folder = db_path.parent
    rows = conn.execute("SELECT id, path FROM clips WHERE path LIKE 'clips/session-%'").fetchall()
    for clip_id, rel in rows:
        old = folder / rel
        new = root / Path(rel).relative_to(SHARED_CLIPS_DIR)
        if old.exists():
            new.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old, new)
            with suppress(OSError):
                old.parent.rmdir()  # the old session folder, once empty
        elif not new.exists():
            continue
        conn.execute("UPDATE clips SET path = ? WHERE id = ?", (new.relative_to(folder).as_posix(), clip_id))


MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(1, "sessions, reps, flags, per-frame measurements and the pose track", _V1),
    Migration(2, "holds, clips, the dancer's hip-turnout profile, the recording process id", _V2),
    Migration(3, "the state a session's analysis started from (baseline, hip profile)", _V3),
    Migration(4, "each database's clips in a folder of its own", (), _own_clip_folder),
    Migration(5, "the full path of the file a session was analysed from", _V5),
    Migration(6, "a routine's exercises and the self-check's answer, per session", _V6),
    Migration(7, "how a session was made: recorded live, or a whole file analysed", _V7),
)
SCHEMA_VERSION: Final = MIGRATIONS[-1].version


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION, db_path: Path | None = None) -> list[int]:
    """Apply the migrations above the database's version up to ``target``; returns the versions applied.

    ``conn`` must be in autocommit mode (``isolation_level=None``); each migration is its own transaction.
    ``db_path`` is the database's file, for migrations that move files (default: the file ``conn`` has open).
    """
    applied = []
    for m in MIGRATIONS:
        if user_version(conn) < m.version <= target:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for sql in m.statements:
                    conn.execute(sql)
                if m.files is not None:
                    path = db_path or _main_file(conn)
                    if path is not None:
                        m.files(conn, path)
                conn.execute(f"PRAGMA user_version = {m.version:d}")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            applied.append(m.version)
    return applied


def _main_file(conn: sqlite3.Connection) -> Path | None:
    for _seq, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    return None


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_started_at(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), where the system says (Linux ``/proc``); else None."""
    try:
        with open(f"/proc/{pid:d}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
        with open("/proc/stat", "rb") as f:
            boot = next(int(ln.split()[1]) for ln in f.read().decode("ascii", "replace").splitlines()
                        if ln.startswith("btime "))  # fmt: skip
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, after the command name in parentheses
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        return None


def check_version(path: Path) -> int:
    """The schema version of an existing file, read without changing it."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = user_version(conn)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path}: not a readable session database ({exc})") from None
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{path}: written by a newer Turnout (schema {version}, this one reads up to {SCHEMA_VERSION}); "
            "upgrade Turnout, the database was not changed"
        )
    if version == 0 and tables:
        raise StorageError(f"{path}: not a Turnout session database (it has other tables)")
    return version


def backup_copy(path: Path, version: int) -> Path:
    """A consistent copy of the database beside it, before migrating it from ``version``."""
    dest = path.with_name(f"{path.name}.v{version}.bak")
    if dest.exists():
        dest = path.with_name(f"{path.name}.v{version}.{datetime.now(UTC):%Y%m%dT%H%M%S}.bak")
    src = sqlite3.connect(path)
    try:
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    return dest
