"""A lock held over 10 s by another program (issue 19, item 10): the session recorder waits and writes on.

Before: the frames written while another process held the database locked for over 10 s (SQLite's busy timeout)
were dropped with ``database is locked``, leaving a frame gap in a session marked ``complete``. Now the writer
(its own thread: frames wait in memory) tries again until the lock is released, and every frame is stored.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from turnout.storage.store import FrameRecord, SessionInfo, SessionRecorder, Store

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def test_a_lock_held_over_ten_seconds_loses_no_frame(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with Store.open(db) as store:
        sid = store.create_session(SessionInfo(source="test", measure_names=("a",)))
        rec = SessionRecorder(store, sid, batch_s=0.2)
        for i in range(10):
            rec.add_frame(FrameRecord(i, i * 0.04, True, {"a": float(i)}))
        rec.flush()
        rec.wait()
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), "12"], stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        for i in range(10, 60):
            rec.add_frame(FrameRecord(i, i * 0.04, True, {"a": float(i)}))
        rec.close()
        waited = time.monotonic() - t0
        assert holder.wait(timeout=30) == 0
        assert rec.errors == [] and rec.dropped_frames == 0, rec.errors
        s = store.get_session(sid)
        assert (s.status, s.n_frames) == ("complete", 60)
        assert list(store.frames(sid).idx) == list(range(60))
        assert waited > 10.0
