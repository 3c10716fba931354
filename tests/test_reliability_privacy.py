"""Privacy (issue 8, item 9): nothing leaves the machine, data stays in the data folder, delete removes it.

The analysis, the report and the window run as real processes on the real clip and model, each watched twice:
a ``sitecustomize`` makes any Python socket connection or name lookup fail (and notes it), and, where ``strace``
is installed, every ``connect`` system call of the process and its threads is traced, which also sees native code
(the MediaPipe runtime carries its own HTTP client: see :func:`turnout.pose.runtime.keep_offline`). The only
connection allowed is the one to the closed local port that client is pointed at. HOME, the XDG folders, TMPDIR and the
working folder are fresh, so every file a run leaves behind is seen.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import pytest

from conftest import ROOT, media_file
from turnout.capture.sources import VideoFileSource

pytestmark = pytest.mark.e2e
STRACE = shutil.which("strace")
ALLOWED_CONNECT = "127.0.0.1"  # turnout.pose.estimator.OFFLINE_PROXY: a closed port on this machine

GUARD = textwrap.dedent(
    """
    import os
    import socket

    _log = os.environ["TURNOUT_TEST_NETLOG"]


    def _refuse(what):
        def refuse(*args, **kwargs):
            with open(_log, "a") as f:
                f.write(f"{what} {args[:2]!r}\\n")
            raise OSError(f"turnout test: no network allowed ({what})")

        return refuse


    for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "create_connection"):
        setattr(socket, _name, _refuse(_name))
    for _name in ("connect", "connect_ex", "sendto"):
        setattr(socket.socket, _name, _refuse("socket." + _name))
    """
)

WINDOW = textwrap.dedent(
    """
    import argparse
    import sys

    from PySide6.QtCore import QTimer

    from turnout.app.main import create_window

    app, window, controller = create_window(argparse.Namespace(camera=sys.argv[1], db=sys.argv[2], model=None))
    window.live.toggle_recording()
    ended = []
    controller.session_finished.connect(lambda: ended.append(1))

    def check():
        if ended and not controller.running:
            window.review.refresh()
            window.progress.refresh()
            listed = window.review.session_ids()
            window.close()
            app.exit(0 if listed == [1] else 4)

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(100)
    QTimer.singleShot(120_000, lambda: app.exit(3))
    sys.exit(app.exec())
    """
)


@dataclass
class Sandbox:
    root: Path
    env: dict[str, str]
    #: files the analysis and the report created; their system-call traces
    new: list[Path] = field(default_factory=list)
    traces: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def netlog(self) -> Path:
        return Path(self.env["TURNOUT_TEST_NETLOG"])

    def files(self) -> set[Path]:
        return {p for p in self.root.rglob("*") if p.is_file()}

    def run(self, *args: str, trace: str | None = None) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, *args]
        if STRACE and trace:
            cmd = [STRACE, "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect", "-o", trace, *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, env=self.env, cwd=self.root / "work", timeout=300)


def _connections(trace: str) -> list[str]:
    """Every connect() in a trace that is not to the allowed closed local port."""
    if not STRACE:
        return []
    lines = [ln for ln in Path(trace).read_text().splitlines() if "connect(" in ln]
    return [ln for ln in lines if f'sin_addr=inet_addr("{ALLOWED_CONNECT}")' not in ln]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    root = tmp_path_factory.mktemp("privacy")
    outside = tmp_path_factory.mktemp("privacy-log")
    (outside / "sitecustomize.py").write_text(GUARD)
    for d in ("home", "work", "tmp", "xdg-config", "xdg-data", "xdg-cache"):
        (root / d).mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "TURNOUT_"))}
    env.update(
        HOME=str(root / "home"), TMPDIR=str(root / "tmp"), XDG_CONFIG_HOME=str(root / "xdg-config"),
        XDG_DATA_HOME=str(root / "xdg-data"), XDG_CACHE_HOME=str(root / "xdg-cache"),
        TURNOUT_DATA_DIR=str(root / "data"), TURNOUT_CONFIG=str(root / "config" / "settings.toml"),
        TURNOUT_TEST_NETLOG=str(outside / "network.log"), QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=os.pathsep.join([str(outside), str(ROOT / "src")]),
    )  # fmt: skip
    return Sandbox(root, env)


@pytest.fixture(scope="module")
def analysed_and_reported(sandbox: Sandbox) -> Iterator[Sandbox]:
    """`turnout analyze` (into the default data folder, CSV and track into out/) and `turnout report`. Her settings
    keep a clip of every rep (the teacher's correct demi-plié raises no flag), so there is a clip to trace."""
    config = sandbox.root / "config" / "settings.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[clips]\nmin_severity = "any"\n', encoding="utf-8")
    before = sandbox.files()
    trace = str(sandbox.netlog.with_name("analyze.strace"))
    clip = media_file("commons/ballet_plie.mp4")
    out = sandbox.run("-m", "turnout.cli", "analyze", str(clip), "--out", str(sandbox.root / "out"), trace=trace)
    assert out.returncode == 0 and "session 1" in out.stdout, out.stderr
    trace2 = str(sandbox.netlog.with_name("report.strace"))
    rep = sandbox.run("-m", "turnout.cli", "report", "1", "-o", str(sandbox.root / "report.html"), trace=trace2)
    assert rep.returncode == 0, rep.stderr
    sandbox.new = sorted(sandbox.files() - before)
    sandbox.traces = [trace, trace2]
    yield sandbox


def test_analysis_and_report_open_no_network_connection(analysed_and_reported: Sandbox) -> None:
    box = analysed_and_reported
    assert not box.netlog.exists(), box.netlog.read_text()
    for trace in box.traces:
        assert _connections(trace) == []


def test_analysis_and_report_leave_files_only_in_the_data_folder_and_the_chosen_outputs(
    analysed_and_reported: Sandbox,
) -> None:
    box = analysed_and_reported
    new = box.new
    allowed = (box.data, box.root / "out")
    stray = [p for p in new if not any(p.is_relative_to(a) for a in allowed) and p != box.root / "report.html"]
    assert stray == []
    names = {p.relative_to(box.root).as_posix() for p in new}
    assert {"data/sessions.sqlite3", "report.html", "out/ballet_plie.track.npz", "out/ballet_plie.frames.csv"} <= names
    assert any(n.startswith("data/clips/session-1/") and n.endswith(".mp4") for n in names)


def test_sessions_delete_removes_the_rows_the_clip_files_and_the_bytes(analysed_and_reported: Sandbox) -> None:
    box = analysed_and_reported
    db = box.data / "sessions.sqlite3"
    with sqlite3.connect(db) as c:
        blob = c.execute("SELECT world FROM poses WHERE session_id = 1 LIMIT 1 OFFSET 60").fetchone()[0]
        clips = [box.data / p for (p,) in c.execute("SELECT path FROM clips WHERE session_id = 1")]
    assert clips and all(p.is_file() for p in clips)
    out = box.run("-m", "turnout.cli", "sessions", "delete", "1", "--yes")
    assert out.returncode == 0 and out.stdout.startswith("Deleted session 1:"), out.stderr
    with sqlite3.connect(db) as c:
        for table in ("sessions", "reps", "holds", "flags", "frames", "poses", "clips"):
            column = "id" if table == "sessions" else "session_id"
            assert c.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = 1").fetchone()[0] == 0, table
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not any(p.exists() for p in clips) and not (box.data / "clips" / "session-1").exists()
    # Not only unlinked from the tables: her landmarks are gone from the database file and its log.
    stored = b"".join(p.read_bytes() for p in box.data.iterdir() if p.is_file())
    assert blob not in stored


def test_window_opens_no_network_connection(sandbox: Sandbox, tmp_path: Path) -> None:
    """The window plays a clip through the real model, records it, and lists it in Review and Progress.

    A second of the real clip is enough: MediaPipe's client sends when a model is closed (traced without
    :func:`turnout.pose.runtime.keep_offline`: a DNS query for play.googleapis.com one second into a 1-frame run)."""
    clip = tmp_path / "one-second.mp4"
    with VideoFileSource(media_file("commons/ballet_plie.mp4")) as video:
        writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, video.size)
        for frame in itertools.islice(video, 40, 65):
            writer.write(frame.bgr)
        writer.release()
    script = tmp_path / "window.py"
    script.write_text(WINDOW)
    trace = str(tmp_path / "window.strace")
    db = tmp_path / "window" / "sessions.sqlite3"
    out = sandbox.run(str(script), str(clip), str(db), trace=trace)
    assert out.returncode == 0, out.stderr[-2000:]
    assert not sandbox.netlog.exists(), sandbox.netlog.read_text()
    assert _connections(trace) == []
    assert db.is_file()


def test_readme_says_where_data_lives_and_how_to_delete_it() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Your data", 1)[1].split("\n## ", 1)[0]
    needed = ("TURNOUT_DATA_DIR", "TURNOUT_CONFIG", "turnout sessions delete", "~/.local/share/turnout",
              "Library/Application Support/turnout", "sessions.sqlite3", "clips/", "play.googleapis.com")  # fmt: skip
    assert [n for n in needed if n not in section] == []


def test_a_deleted_session_leaves_no_bytes_even_where_sqlite_keeps_them(tmp_path: Path) -> None:
    """Many SQLite builds (macOS, Windows, python.org) only unlink deleted rows and keep old pages in the log;
    the store is set up like one of those here, and the session must still be gone from both files at once."""
    import numpy as np

    from turnout.storage.store import FrameRecord, SessionInfo, Store

    db = tmp_path / "sessions.sqlite3"
    world = np.full((33, 3), 0.123456, np.float32)
    with Store.open(db) as store:
        store._conn.execute("PRAGMA secure_delete = OFF")  # as such a build does by default
        keep = store.create_session(SessionInfo(source="keep"))
        sid = store.create_session(SessionInfo(source="zq-private-rehearsal"))
        frames = [FrameRecord(i, i / 30, True, {}, np.zeros((33, 5), np.float32), world) for i in range(300)]
        store.add_frames(sid, frames, ["x"])
        store.finish_session(sid)
        store.delete_session(sid)
        on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())  # the store still open
        assert store._conn.execute("PRAGMA secure_delete").fetchone()[0] == 0  # its setting is given back
        assert [s.id for s in store.list_sessions()] == [keep]
    assert world.tobytes() not in on_disk and b"zq-private-rehearsal" not in on_disk
