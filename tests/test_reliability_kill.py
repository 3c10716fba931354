"""Killed mid-session (issue 8, item 2): SIGKILL at random moments while a real clip is recorded.

The child (this file run as a script) records a session the way the window does: the real pose model on the
real frames of ``ballet_plie.mp4`` through the :class:`~turnout.session.pipeline.Pipeline`, into a
:class:`~turnout.storage.store.SessionRecorder` (frames in batches, each rep committed as it ends, clips of flagged
reps) on a real SQLite file. Her standing baseline is known (taken from the clip once, as when she took it before
pressing Record), and the clip's standing-plié-standing part is looped, so a rep ends about every 1.5 s. The
child prints a line for each rep once it is committed.

The parent kills it at a random moment: a quarter of the kills anywhere in its first 2.5 s (opening or creating
the database, loading the model), the rest at a random point of the rep cycle after the first rep was reported
(writing frames, a rep, a clip, or between writes). Then it checks what the next start finds: the database
opens and passes ``PRAGMA integrity_check``, every rep the child reported is stored unchanged, no frame is
missing before the last one stored, every clip row points at a complete clip, earlier sessions are untouched,
and ``turnout sessions list`` shows the killed sessions as interrupted. ``TURNOUT_KILLS`` sets the number of
kills (default 20, in two workers); ``TURNOUT_KILL_SEED`` repeats a run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import media_file

#: standing, the plié (frames ~103-138), standing again
LOOP = range(85, 156)


def _frames(clip: Path) -> Iterator[tuple[int, int, Any]]:
    """(index, timestamp_ms, bgr): the plié part of the clip again and again, time going on."""
    from turnout.capture.sources import VideoFileSource

    with VideoFileSource(clip) as video:
        loop = [f.bgr for f in video if f.index in LOOP]
    index = 0
    while True:
        for bgr in loop:
            yield index, index * 40, bgr
            index += 1


def child(db: Path, clip: Path, baseline_json: Path) -> None:
    """Record the looped clip into ``db`` until killed; print ``session ID`` and ``rep N START END``."""
    from turnout.capture.sources import Frame
    from turnout.pose.estimator import PoseEstimator
    from turnout.pose.model import resolve_model_path
    from turnout.practice.baseline import Baseline
    from turnout.practice.tracker import RepEnded
    from turnout.session.pipeline import Pipeline
    from turnout.settings import Settings
    from turnout.storage.store import SessionInfo, SessionRecorder, Store

    settings = Settings()
    baseline = Baseline.from_dict(json.loads(baseline_json.read_text()))
    store = Store.open(db)
    store.recover_interrupted()  # what every start does
    sid = store.create_session(SessionInfo(source=clip.name, fps=25.0, width=960, height=540, settings=settings))
    store.set_baseline(sid, baseline)
    recorder = SessionRecorder(store, sid, clip_settings=settings.clips)
    print(f"session {sid}", flush=True)
    with PoseEstimator(resolve_model_path(), people_check_s=None) as estimator:  # one person: no second look
        pipeline = Pipeline(estimator, settings, recorder=recorder, baseline=baseline)
        for index, ms, bgr in _frames(clip):
            for event in pipeline.process(Frame(index, ms, bgr)).events:
                if isinstance(event, RepEnded):
                    recorder.wait()  # the rep and every frame before it are committed now
                    print(f"rep {event.rep.index} {event.rep.t_start_s:.3f} {event.rep.t_end_s:.3f}", flush=True)


# ---- the test ----------------------------------------------------------------------------------------------

pytestmark = pytest.mark.e2e
KILLS = int(os.environ.get("TURNOUT_KILLS", "20"))
WORKERS = 2
#: Kills during start-up land uniformly in this many seconds after the child starts.
STARTUP_S = 2.5
#: The others wait for the first reported rep, then up to one rep cycle more (the next rep may end meanwhile).
CYCLE_S = 1.5


@dataclass
class Kill:
    plan: str
    session: int | None = None
    reps: list[tuple[int, float, float]] = field(default_factory=list)


class Child:
    """One recording child; its stdout read on a thread (a line is printed only after its commit)."""

    def __init__(self, db: Path, clip: Path, baseline: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, str(db), str(clip), str(baseline)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()

    def wait_reps(self, n: int, timeout: float = 60.0) -> None:
        with self.changed:
            ok = self.changed.wait_for(lambda: sum(x.startswith("rep ") for x in self.lines) >= n, timeout)
        assert ok, f"the child reported no {n} reps in {timeout} s: {self.lines}"

    def kill(self, plan: str) -> Kill:
        assert self.proc.poll() is None, "the child ended by itself"
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.reader.join()
        kill = Kill(plan)
        for line in self.lines:  # lines still in the pipe were printed, so committed, before the kill
            word, *rest = line.split()
            if word == "session":
                kill.session = int(rest[0])
            elif word == "rep":
                kill.reps.append((int(rest[0]), float(rest[1]), float(rest[2])))
        return kill


def _check(db: Path, kill: Kill, earlier: dict[int, list[Any]]) -> None:
    """What the next start finds after ``kill``."""
    from turnout.capture.sources import VideoFileSource
    from turnout.storage.store import Store

    if not db.exists():  # killed before it created the database
        assert kill.session is None
        return
    with Store.open(db) as store:
        assert store.integrity_check() == "ok", kill
        for sid, reps in earlier.items():  # sessions killed before are untouched
            assert [r.rep for r in store.reps(sid)] == reps, kill
        if kill.session is None:
            return
        s = store.get_session(kill.session)
        assert s.status == "recording"  # until the next start marks it (checked at the end)
        stored = store.reps(s.id)
        assert [r.rep.index for r in stored] == list(range(1, len(stored) + 1)), kill
        assert len(stored) >= len(kill.reps), kill
        for index, t0, t1 in kill.reps:
            rep = stored[index - 1].rep
            assert (round(rep.t_start_s, 3), round(rep.t_end_s, 3)) == (t0, t1), kill
        idx = store.frames(s.id).idx.tolist()
        assert idx == list(range(len(idx))), f"a frame before the kill is missing: {kill}"
        if kill.reps:
            assert len(idx) * 0.04 >= kill.reps[-1][2], kill  # the frames up to the last reported rep
        for clip in store.clips(s.id):  # a clip's row is added only once its file is complete
            with VideoFileSource(store.folder / clip.path) as video:
                assert video.info.frame_count == clip.n_frames, kill
        earlier[s.id] = [r.rep for r in stored]


def _worker(db: Path, clip: Path, baseline: Path, n: int, rng: random.Random, kills: list[Kill]) -> None:
    """``n`` kills in a row on one database, each checked before the next child starts."""
    earlier: dict[int, list[Any]] = {}
    for _ in range(n):
        child = Child(db, clip, baseline)
        if rng.random() < 0.25:
            delay = rng.uniform(0.05, STARTUP_S)
            plan = f"{delay:.2f} s after start"
        else:
            delay = rng.uniform(0.0, CYCLE_S)
            plan = f"{delay:.2f} s after the first rep"
            child.wait_reps(1)
        threading.Event().wait(delay)
        kill = child.kill(plan)
        kills.append(kill)
        _check(db, kill, earlier)


def test_sigkill_at_random_moments_loses_no_ended_rep(tmp_path: Path, analysed: Any) -> None:
    clip = media_file("commons/ballet_plie.mp4")
    base = analysed("commons/ballet_plie.mp4").baseline
    assert base is not None
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(base.to_dict()))
    seed = int(os.environ.get("TURNOUT_KILL_SEED", str(int.from_bytes(os.urandom(4), "big"))))
    dbs = [tmp_path / f"w{w}" / "sessions.sqlite3" for w in range(WORKERS)]
    kills: list[list[Kill]] = [[] for _ in dbs]
    errors: list[BaseException] = []

    def work(w: int) -> None:
        try:
            n = KILLS // WORKERS + (w < KILLS % WORKERS)
            _worker(dbs[w], clip, baseline, n, random.Random(seed + w), kills[w])
        except BaseException as exc:  # re-raised on the test's thread below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise AssertionError(f"TURNOUT_KILL_SEED={seed}: {errors[0]!r}") from errors[0]
    every = [k for ks in kills for k in ks]
    after_rep = [k for k in every if k.reps]
    assert len(every) == KILLS >= 20
    assert len(after_rep) >= KILLS // 4, f"only {len(after_rep)} kills landed after a rep had ended (seed {seed})"
    print(f"\n{KILLS} kills (seed {seed}): {len(after_rep)} after a rep had ended, "
          f"{sum(len(k.reps) for k in every)} reported reps found stored")  # fmt: skip

    # The next start shows every killed session as interrupted (and reads the database without trouble).
    for db, ks in zip(dbs, kills, strict=True):
        out = subprocess.run(
            [sys.executable, "-m", "turnout.cli", "sessions", "list", "--db", str(db)], capture_output=True, text=True
        )
        assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
        statuses = {int(row.split()[0]): row.split()[3] for row in out.stdout.splitlines()[1:]}
        assert statuses.keys() >= {k.session for k in ks if k.session is not None}
        assert set(statuses.values()) == {"interrupted"}, out.stdout


if __name__ == "__main__":
    child(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
