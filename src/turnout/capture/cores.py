"""A core of its own for the pose model (Linux): the model's threads on one CPU, Turnout's other threads on the rest.

On a 2-core laptop the pose model and the rest of Turnout (decoding, smoothing, geometry, the window, clips,
writes, the second-person look) share two cores. Left to the scheduler, with MediaPipe's inference threads
free to move between the cores that Turnout's other threads keep waking up on, the pipeline ran 5-25 % slower
than the bare model (paired rounds). With the model's threads kept on one core and everything else on the
other(s), the same pipeline ran as fast as the bare model (``docs/performance.md``, "Session 4").

How: a thread's CPU set is inherited by the threads it starts, and MediaPipe starts its inference threads when a
landmarker opens. So the thread that will start Turnout's other threads is restricted to the other cores
(:func:`reserve` for a whole process, :func:`reserving` for a block), the pose model is opened on a short-lived
thread pinned to the model's core (:func:`call_on`), and the thread that calls the model pins itself there
(:class:`turnout.pose.estimator.PoseEstimator` does both when given ``model_cores``).

The model's core is the last CPU this process may use (CPU 0 takes more of the system's interrupts); on Intel
hybrid processors the last performance core. Its SMT sibling, if any, is kept free too where other CPUs remain.
Nothing is pinned with fewer than two CPUs, off Linux, or with ``TURNOUT_MODEL_CORE=off`` in the environment
(set in the worker processes of a batch, whose models would otherwise share a core); ``TURNOUT_MODEL_CORE=N``
chooses CPU N.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

T = TypeVar("T")

#: Environment variable: ``off`` pins nothing; a CPU number chooses the model's core.
ENV: Final = "TURNOUT_MODEL_CORE"

_SYS_CPU = Path("/sys/devices/system/cpu")
_HYBRID_PERFORMANCE = Path("/sys/devices/cpu_core/cpus")  # Intel hybrid: the performance cores


@dataclass(frozen=True, slots=True)
class CorePlan:
    model: frozenset[int]  # the pose model's threads and the thread that calls it
    others: frozenset[int]  # every other thread


def parse_cpu_list(text: str) -> set[int]:
    """``"0-3,8,10-11"`` (the kernel's CPU list format) as a set of CPU numbers; empty on bad text."""
    cpus: set[int] = set()
    for part in text.strip().split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        try:
            cpus.update(range(int(lo), int(hi or lo) + 1))
        except ValueError:
            return set()
    return cpus


def _read_cpus(path: Path) -> set[int]:
    try:
        return parse_cpu_list(path.read_text())
    except OSError:
        return set()


def plan(
    allowed: Collection[int] | None = None,
    setting: str | None = None,
    read_cpus: Callable[[Path], set[int]] = _read_cpus,
) -> CorePlan | None:
    """Which CPU the model gets and which the rest (None: pin nothing). Arguments replace what is read from
    the system: ``allowed`` this thread's CPU set, ``setting`` the ``TURNOUT_MODEL_CORE`` variable."""
    if allowed is None:
        if not sys.platform.startswith("linux") or not hasattr(os, "sched_getaffinity"):
            return None
        allowed = os.sched_getaffinity(0)
    setting = (os.environ.get(ENV, "") if setting is None else setting).strip().lower()
    cpus = sorted(allowed)
    if setting == "off" or len(cpus) < 2:
        return None
    if setting.isdigit() and int(setting) in cpus:
        core = int(setting)
    else:
        performance = [c for c in cpus if c in read_cpus(_HYBRID_PERFORMANCE)]
        core = (performance or cpus)[-1]
    siblings = read_cpus(_SYS_CPU / f"cpu{core}" / "topology" / "thread_siblings_list") | {core}
    others = set(cpus) - siblings or set(cpus) - {core}
    return CorePlan(frozenset({core}), frozenset(others))


def pin_this_thread(cpus: Collection[int]) -> bool:
    """Keep the calling thread (and the threads it starts from now on) on ``cpus``; False where not allowed."""
    try:
        os.sched_setaffinity(0, set(cpus))  # on Linux, 0 is the calling thread, not the whole process
    except (AttributeError, OSError, ValueError):
        return False
    return True


_reserved: CorePlan | None = None


def reserved() -> CorePlan | None:
    """The plan in force in this process (:func:`reserve`, :func:`reserving`), or None."""
    return _reserved


def background_thread() -> None:
    """Called first thing on a background thread that the live runner's second stage may start (the clip encoder,
    the session writer): such a thread inherits the model's core, where the second stage runs
    (:mod:`turnout.capture.live`); it moves to the other CPUs, like the second-person look
    (:mod:`turnout.pose.people`). Nothing without a plan in force."""
    plan = reserved()
    if plan is not None:
        pin_this_thread(plan.others)


def reserve() -> CorePlan | None:
    """For the rest of the process: the calling thread, and every thread it starts from now on, keep off the
    model's core; the plan is returned and kept (:func:`reserved`) for the pose model to take. For the window,
    called first thing on its main thread."""
    global _reserved
    _reserved = _take() or _reserved
    return _reserved


def _take() -> CorePlan | None:
    """Plan, and move the calling thread to the plan's other CPUs: the plan, or None if nothing was moved."""
    chosen = plan()
    return chosen if chosen is not None and pin_this_thread(chosen.others) else None


@contextmanager
def reserving() -> Iterator[CorePlan | None]:
    """:func:`reserve` for a block (``turnout analyze``): the calling thread's CPUs and the reserved plan are
    put back afterwards. Threads started inside keep what they inherited until they end."""
    global _reserved
    if _reserved is not None:  # already in force (the whole process): nothing to undo
        yield _reserved
        return
    before = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    chosen = _take()
    if chosen is None:
        yield None
        return
    _reserved = chosen
    try:
        yield chosen
    finally:
        _reserved = None
        if before is not None:
            pin_this_thread(before)


def on_new_thread(fn: Callable[[], T], setup: Callable[[], object] | None = None, name: str = "turnout-open") -> T:
    """``fn()`` on a short-lived thread, after ``setup()`` there (a CPU set, a lower priority: what the threads
    ``fn`` starts inherit). Whatever ``fn`` raises is raised here."""
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        if setup is not None:
            setup()
        try:
            result.append(fn())
        except BaseException as exc:  # handed to the caller below
            failure.append(exc)

    opener = threading.Thread(target=run, name=name, daemon=True)
    opener.start()
    opener.join()
    if failure:
        raise failure[0]
    return result[0]


def call_on(cpus: Collection[int] | None, fn: Callable[[], T]) -> T:
    """``fn()`` on a short-lived thread kept on ``cpus`` (so the threads it starts inherit them): how the pose
    model is opened. Without ``cpus``, on the calling thread. Whatever ``fn`` raises is raised here."""
    if not cpus:
        return fn()
    return on_new_thread(fn, lambda: pin_this_thread(cpus), "turnout-model-open")
