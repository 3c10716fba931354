"""The MediaPipe runtime, kept quiet and offline: its native log captured, its usage-logging client pointed
at a closed local port. Shared by the pose model (:mod:`turnout.pose.estimator`) and the second-person check
(:mod:`turnout.pose.people`)."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: A closed port on this machine, given to MediaPipe's built-in HTTP client as its proxy (see keep_offline).
OFFLINE_PROXY = "http://127.0.0.1:9"
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


def keep_offline() -> None:
    """Keep the pose runtime from reaching the network, before a model is loaded.

    The MediaPipe 1.x wheels carry a usage-logging client ("Clearcut", libcurl inside ``libmediapipe.so``) that
    posts to play.googleapis.com from the model's own threads; Turnout promises that nothing leaves the
    machine. libcurl takes its proxy from these variables, so they point at a closed local port (and
    ``NO_PROXY`` is cleared so no host bypasses it): the client fails at once, locally, without even a DNS
    query. Turnout itself never needs the network in a process that runs the model (``turnout model fetch``
    downloads in a process of its own). Verified by ``tests/test_reliability_privacy.py`` (system-call trace).
    """
    for name in _PROXY_VARIABLES:
        os.environ[name] = OFFLINE_PROXY
    for name in ("no_proxy", "NO_PROXY"):
        os.environ.pop(name, None)


#: fd 2 is one per process: two threads capturing it at once would each restore what the other put there, and
#: the process's stderr would end up in a deleted temporary file. Captures take turns.
_FD2_LOCK = threading.RLock()


@contextlib.contextmanager
def captured_native_stderr() -> Iterator[list[str]]:
    """Send what native code writes to file descriptor 2 into a list of lines instead of the terminal.

    MediaPipe and TFLite log set-up chatter ("Created TensorFlow Lite XNNPACK delegate", "Feedback manager
    requires ...") straight to fd 2 while a model loads. It is kept, and shown when loading fails. Threads
    take turns (the pose model and the second-person check both capture their first frames).
    """
    with _FD2_LOCK, _captured_fd2() as lines:
        yield lines


@contextlib.contextmanager
def _captured_fd2() -> Iterator[list[str]]:
    lines: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield lines
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            lines.extend(tmp.read().decode("utf-8", "replace").splitlines())


# -- one model per process, lent to one run at a time ------------------------------------------------------


@dataclass(eq=False)
class Lent:
    """A landmarker lent out by :data:`POOL`, with the last timestamp its graph was given (VIDEO mode needs them
    to keep increasing across everyone it is lent to)."""

    landmarker: Any
    key: Hashable
    last_ts: int = -1
    #: what a user leaves for the next one about the graph's state (the estimator: its last visibility output)
    state: dict[str, Any] = field(default_factory=dict)
    #: time.monotonic() when it was last given back
    idle_since: float = 0.0


#: Seconds an idle landmarker is kept for the next run (then closed, its memory given back).
IDLE_TIMEOUT_S = 60.0


class LandmarkerPool:
    """Keeps a closed run's MediaPipe landmarker for the next run with the same options, instead of closing it
    and building a new one (issue 19, item 10).

    Building a ``PoseLandmarker`` allocates tens of megabytes (the graph, the TFLite interpreters, their tensors
    and threads) and closing it frees them: in the window, one per opened video (two: the pose model and the
    second look), glibc kept the freed memory in its arenas, fragmented, and the window grew 1.5-2 MB a video
    while the memory in use stayed the same (``scripts/window_memory.py``). A landmarker given back is kept
    (at most ``idle_per_key`` idle ones per set of options; more are closed) for ``idle_timeout_s`` seconds:
    videos opened one after another share it, and a window left alone gives the memory back (the two models
    hold about 130 MB; closed, then ``malloc_trim``). At exit every idle one is closed (an unclosed landmarker
    prints an error then).

    The caller resets whatever state the graph keeps between two users (:class:`turnout.pose.estimator.PoseEstimator`
    feeds a blank frame, which empties its tracking and smoothing) before giving it back.
    """

    def __init__(self, idle_per_key: int = 1, idle_timeout_s: float | None = IDLE_TIMEOUT_S) -> None:
        self.idle_per_key = idle_per_key
        self.idle_timeout_s = idle_timeout_s
        self._idle: dict[Hashable, list[Lent]] = {}
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._closed = False
        self._registered = False
        #: landmarkers built and landmarkers lent again (for tests and the memory script)
        self.built = 0
        self.reused = 0

    def take(self, key: Hashable, create: Callable[[], Any]) -> Lent:
        """An idle landmarker made with ``key``'s options, else a new one from ``create()``."""
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                self.reused += 1
                return idle.pop()
            if not self._registered:
                # imported first: it registers its own exit hook on import, which must run after this one
                import concurrent.futures.thread  # noqa: F401

                _at_exit(self.close_all)
                self._registered = True
        lent = Lent(create(), key)
        with self._lock:
            self.built += 1
        return lent

    def give_back(self, lent: Lent) -> None:
        """Keep ``lent`` for the next :meth:`take` of its key (or close it: the pool is full or closed)."""
        with self._lock:
            idle = self._idle.setdefault(lent.key, [])
            if not self._closed and len(idle) < self.idle_per_key:
                lent.idle_since = time.monotonic()
                idle.append(lent)
                self._schedule(self.idle_timeout_s)
                return
        close_quietly(lent.landmarker)

    def _schedule(self, delay: float | None) -> None:
        """(Under the lock.) Look for landmarkers idle too long in ``delay`` seconds, unless a look is due."""
        if delay is None or self._timer is not None or self._closed:
            return
        self._timer = threading.Timer(max(0.0, delay), self._expire)
        self._timer.name = "turnout-model-pool"
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        """Close the landmarkers idle for ``idle_timeout_s`` and give their memory back to the system."""
        timeout = self.idle_timeout_s
        expired: list[Lent] = []
        with self._lock:
            self._timer = None
            if timeout is None:
                return
            now = time.monotonic()
            for group in self._idle.values():
                expired += [lent for lent in group if now - lent.idle_since >= timeout]
                group[:] = [lent for lent in group if now - lent.idle_since < timeout]
            left = [lent.idle_since for group in self._idle.values() for lent in group]
            if left:
                self._schedule(min(left) + timeout - now)
        for lent in expired:
            close_quietly(lent.landmarker)
        if expired:
            release_free_memory()

    def idle(self) -> int:
        with self._lock:
            return sum(len(v) for v in self._idle.values())

    def close_all(self) -> None:
        """Close every idle landmarker; later ones given back are closed at once (at exit)."""
        with self._lock:
            self._closed = True
            idle = [lent for group in self._idle.values() for lent in group]
            self._idle.clear()
            if self._timer is not None:
                self._timer.cancel()
        for lent in idle:
            close_quietly(lent.landmarker)

    def clear(self) -> None:
        """Close the idle landmarkers and keep pooling (tests)."""
        with self._lock:
            idle = [lent for group in self._idle.values() for lent in group]
            self._idle.clear()
        for lent in idle:
            close_quietly(lent.landmarker)


def _at_exit(fn: Callable[[], None]) -> None:
    """Call ``fn`` when the interpreter starts shutting down, before ``concurrent.futures`` stops its executors:
    MediaPipe's ``close`` goes through one (a landmarker closed later fails, and its ``__del__`` then prints a
    traceback at exit). ``threading._register_atexit`` callbacks run before the ``atexit`` ones, the last
    registered first; plain ``atexit`` where it is missing."""
    register = getattr(threading, "_register_atexit", None)
    if register is not None:
        try:
            register(fn)
            return
        except RuntimeError:  # already shutting down
            pass
    atexit.register(fn)


def close_quietly(landmarker: Any) -> None:
    """Close a landmarker; at interpreter exit MediaPipe's own close may fail (its modules half torn down)."""
    with contextlib.suppress(Exception):  # nothing to tell anyone at that point
        landmarker.close()


#: The process's landmarkers kept between runs (``shared=True`` estimators and their second look).
POOL = LandmarkerPool()


def model_identity(path: Path) -> tuple[str, int, int, int]:
    """The model file as a pool key: its path, and its inode, size and time so that a rebuilt file is not
    taken for the old one."""
    st = path.stat()
    return (str(path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns)


def release_free_memory() -> bool:
    """Give the memory glibc's ``malloc`` holds free back to the system (``malloc_trim(0)``): after a run ends,
    its frames, results and decoder buffers are freed into malloc's arenas, which keep them (fragmented, a few
    threads' arenas each) unless trimmed. False where there is no glibc. Takes a few milliseconds."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


@functools.cache
def _libc() -> Any:
    import ctypes

    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
    except (OSError, AttributeError):  # musl and others: no malloc_trim
        return None
    return libc
