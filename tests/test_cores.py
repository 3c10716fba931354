"""The pose model's own core (turnout.capture.cores): which CPU is chosen, and that the model's threads, the thread
calling it and every other thread really end up where the plan says (read back from /proc)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from turnout.capture import cores
from turnout.capture.cores import CorePlan, parse_cpu_list, plan

linux_two_cpus = pytest.mark.skipif(
    not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
    reason="CPU sets are Linux's, and a core of its own needs two",
)


def cpus_of_thread(native_id: int) -> set[int]:
    """The CPUs a thread of this process may run on (``/proc``; empty where unreadable): for tests and checks."""
    try:
        for line in Path(f"/proc/self/task/{native_id}/status").read_text().splitlines():
            if line.startswith("Cpus_allowed_list:"):
                return cores.parse_cpu_list(line.split(":", 1)[1])
    except OSError:
        pass
    return set()


def _sysfs(siblings: dict[int, str], performance: str = "") -> Callable[[Path], set[int]]:
    def read(path: Path) -> set[int]:
        if path.name == "cpus":
            return parse_cpu_list(performance)
        core = int(path.parent.parent.name.removeprefix("cpu"))
        return parse_cpu_list(siblings.get(core, str(core)))

    return read


def test_cpu_lists_are_parsed_as_the_kernel_writes_them() -> None:
    assert parse_cpu_list("0-3,8,10-11\n") == {0, 1, 2, 3, 8, 10, 11}
    assert parse_cpu_list("5") == {5}
    assert parse_cpu_list("") == set()
    assert parse_cpu_list("0-x") == set()


def test_the_model_gets_the_last_cpu_and_the_rest_get_the_others() -> None:
    assert plan({0, 1}, "", _sysfs({})) == CorePlan(frozenset({1}), frozenset({0}))
    assert plan({2, 5, 7}, "", _sysfs({})) == CorePlan(frozenset({7}), frozenset({2, 5}))


def test_the_models_smt_sibling_is_kept_free_while_other_cpus_remain() -> None:
    pairs = {0: "0,2", 2: "0,2", 1: "1,3", 3: "1,3"}  # two cores, two threads each
    assert plan({0, 1, 2, 3}, "", _sysfs(pairs)) == CorePlan(frozenset({3}), frozenset({0, 2}))
    # one core with two threads: the sibling is all that is left, so the rest runs there
    assert plan({0, 1}, "", _sysfs({0: "0-1", 1: "0-1"})) == CorePlan(frozenset({1}), frozenset({0}))


def test_on_a_hybrid_processor_the_model_gets_a_performance_core() -> None:
    chosen = plan(set(range(12)), "", _sysfs({}, performance="0-7"))
    assert chosen is not None and chosen.model == {7}


def test_off_one_cpu_or_a_chosen_cpu() -> None:
    assert plan({0, 1}, "off", _sysfs({})) is None
    assert plan({3}, "", _sysfs({})) is None
    assert plan({0, 1, 2}, "0", _sysfs({})) == CorePlan(frozenset({0}), frozenset({1, 2}))
    assert plan({0, 1, 2}, "9", _sysfs({})) == CorePlan(frozenset({2}), frozenset({0, 1}))  # not allowed: default


def test_batch_workers_share_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from turnout.session.analysis import _share_cores

    monkeypatch.delenv(cores.ENV, raising=False)
    _share_cores()
    try:
        assert plan({0, 1}) is None
    finally:
        os.environ.pop(cores.ENV, None)


@linux_two_cpus
def test_reserving_moves_this_thread_and_what_it_starts_off_the_model_core_and_puts_it_back() -> None:
    before = os.sched_getaffinity(0)
    seen: list[set[int]] = []
    with cores.reserving() as chosen:
        assert chosen is not None and cores.reserved() == chosen
        assert os.sched_getaffinity(0) == chosen.others
        t = threading.Thread(target=lambda: seen.append(os.sched_getaffinity(0)))
        t.start()
        t.join()
    assert seen == [set(chosen.others)]
    assert os.sched_getaffinity(0) == before
    assert cores.reserved() is None


@linux_two_cpus
def test_the_clip_encoder_and_the_session_writer_leave_the_model_core(tmp_path: Path) -> None:
    """Live, the second stage runs on the model's core and starts both threads while recording: they would inherit
    that core (read back from /proc: they did, 1.5-2 ms a frame of JPEG encoding beside the model)."""
    from turnout.settings import Settings
    from turnout.storage.clips import FrameRing
    from turnout.storage.store import SessionInfo, SessionRecorder, Store

    seen: dict[str, set[int]] = {}
    with cores.reserving() as chosen, Store.open(tmp_path / "s.sqlite3") as store:
        assert chosen is not None

        def second_stage() -> None:  # as turnout.capture.live's second stage: pinned to the model's core
            cores.pin_this_thread(chosen.model)
            ring = FrameRing(background=True)
            ring.push(0.0, np.zeros((72, 128, 3), np.uint8))
            recorder = SessionRecorder(store, store.create_session(SessionInfo(settings=Settings())))
            time.sleep(0.2)  # each moves itself first thing
            for t in threading.enumerate():
                if t.name in ("turnout-clip-encoder", "turnout-session-writer") and t.native_id is not None:
                    seen[t.name] = cpus_of_thread(t.native_id)
            ring.close()
            recorder.close()

        t = threading.Thread(target=second_stage)
        t.start()
        t.join()
    assert seen == {"turnout-clip-encoder": set(chosen.others), "turnout-session-writer": set(chosen.others)}


@linux_two_cpus
def test_call_on_runs_on_the_cpus_and_raises_what_it_raised() -> None:
    here = os.sched_getaffinity(0)
    target = {max(here)}
    assert cores.call_on(target, lambda: os.sched_getaffinity(0)) == target
    assert os.sched_getaffinity(0) == here

    def fail() -> None:
        raise ValueError("bad model")

    with pytest.raises(ValueError, match="bad model"):
        cores.call_on(target, fail)


def _threads() -> set[int]:
    return {int(t.name) for t in Path("/proc/self/task").iterdir()}


@linux_two_cpus
def test_the_models_threads_and_its_caller_run_on_its_core_the_look_on_the_others(model_path: Path) -> None:
    from turnout.pose.estimator import PoseEstimator

    before = os.sched_getaffinity(0)
    existing = _threads()
    with cores.reserving() as chosen:
        assert chosen is not None
        est = PoseEstimator(model_path, people_background=True, model_cores=chosen.model)
        try:
            started = _threads() - existing
            placed = {tid: cpus_of_thread(tid) for tid in started}
            on_model = [tid for tid, cpus in placed.items() if cpus == chosen.model]
            on_others = [tid for tid, cpus in placed.items() if cpus == chosen.others]
            assert on_model, placed  # MediaPipe's threads for the pose model
            assert on_others, placed  # and for the second-person look
            assert len(on_model) + len(on_others) == len(placed), placed

            caller: list[set[int]] = []

            def call() -> None:
                caller.append(os.sched_getaffinity(0))
                est.process(np.zeros((360, 640, 3), np.uint8), 0)
                caller.append(os.sched_getaffinity(0))

            worker = threading.Thread(target=call)
            worker.start()
            worker.join()
            assert caller == [set(chosen.others), set(chosen.model)]  # moved to the model's core on its first call
            # the look's own thread, started by that first call from the model's core, keeps off it
            look = next(t for t in threading.enumerate() if t.name == "turnout-people")
            assert look.native_id is not None
            deadline = time.monotonic() + 5.0
            while cpus_of_thread(look.native_id) != set(chosen.others) and time.monotonic() < deadline:
                time.sleep(0.01)  # it moves itself when it starts
            assert cpus_of_thread(look.native_id) == set(chosen.others)
        finally:
            est.close()
    assert os.sched_getaffinity(0) == before


@linux_two_cpus
def test_the_windows_processor_takes_the_core_reserved_for_the_model(model_path: Path, tmp_path: Path) -> None:
    """run_app reserves the core first thing; the processor it later opens (on the runner's thread) puts the
    pose model there. Without a reservation (tests, other platforms) nothing is pinned."""
    from conftest import media_file
    from turnout.session.engine import SourceSpec
    from turnout.session.processor import RealProcessor
    from turnout.settings import Settings

    spec = SourceSpec.parse(str(media_file("commons/simple_step.mp4")))
    with cores.reserving() as chosen:
        assert chosen is not None
        processor = RealProcessor(spec, model_path, Settings(), tmp_path / "a.sqlite3")
        try:
            assert processor.estimator.model_cores == chosen.model
        finally:
            processor.close()
    processor = RealProcessor(spec, model_path, Settings(), tmp_path / "b.sqlite3")
    try:
        assert processor.estimator.model_cores is None
    finally:
        processor.close()
