"""The MediaPipe runtime, kept quiet and offline: its native log captured, its usage-logging client pointed
at a closed local port. Shared by the pose model (:mod:`turnout.pose.estimator`) and the second-person check
(:mod:`turnout.pose.people`)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator

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
