"""People in view (issue 8, item 5): nobody, two people, feet cut off, too close, too dark.

Real frames through the real model and pipeline. The plié of ``ballet_plie.mp4`` (frames 85-160: standing, one
demi-plié, standing; her standing baseline known from the clip) is counted as a rep when the frames are
untouched; each fault is made from those same real frames (darkened, shifted so the feet leave the picture,
zoomed in, a second dancer pasted beside her), and then the guidance must say what is wrong and no rep may
start and no flag be raised from the partial data. Nobody: the clip's title card. Two real people:
``sports2d_demo.mp4`` (a man on a box, a woman walking past).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from conftest import media_file
from turnout.capture.sources import Frame, VideoFileSource
from turnout.pose import guidance as g
from turnout.pose.estimator import PoseEstimator
from turnout.pose.people import PeopleCounter, distinct_people
from turnout.practice.baseline import Baseline
from turnout.practice.tracker import LiveFlag, RepEnded, RepStarted
from turnout.session.pipeline import FrameResult, Pipeline

pytestmark = pytest.mark.e2e
PLIE = "commons/ballet_plie.mp4"
TWO_PEOPLE = "pypi/sports2d_demo.mp4"
#: standing, one demi-plié at frames ~103-138, standing again
FRAMES = range(85, 161)


def _dark(bgr: np.ndarray) -> np.ndarray:
    return (bgr * 0.25).astype(np.uint8)  # mean luma 166 -> 42, below guidance.MIN_BRIGHTNESS


def _feet_cut(bgr: np.ndarray) -> np.ndarray:
    """The camera tilted up: the picture moves down 60 px and her feet leave it at the bottom."""
    return np.ascontiguousarray(np.vstack([np.repeat(bgr[:1], 60, axis=0), bgr[:-60]]))


def _too_close(bgr: np.ndarray) -> np.ndarray:
    """Zoomed in: the top 80 % of the picture fills it, so she is taller than the frame."""
    h, w = bgr.shape[:2]
    y1 = int(h * 0.8)
    x0 = (w - y1 * w // h) // 2
    return cv2.resize(bgr[:y1, x0 : w - x0], (w, h))


def _two_people(bgr: np.ndarray) -> np.ndarray:
    """A second dancer beside her: her own column of pixels (x 330-630) pasted at the left."""
    out = bgr.copy()
    out[:, 0:300] = bgr[:, 330:630]
    return out


def _untouched(bgr: np.ndarray) -> np.ndarray:
    return bgr


@pytest.fixture(scope="module")
def baseline(analysed: Any) -> Baseline:
    """Her standing baseline, as the real pipeline found it on the whole clip."""
    found: Baseline | None = analysed(PLIE).baseline
    assert found is not None
    return found


def run(
    model_path: Path, baseline: Baseline, change: Callable[[np.ndarray], np.ndarray]
) -> tuple[list[FrameResult], list[object]]:
    """Frames 85-160 of the plié clip, changed by ``change``, through the real model and pipeline."""
    results: list[FrameResult] = []
    events: list[object] = []
    with VideoFileSource(media_file(PLIE)) as source, PoseEstimator(model_path) as estimator:
        pipeline = Pipeline(estimator, baseline=baseline)
        for frame in source:
            if frame.index in FRAMES:
                r = pipeline.process(Frame(frame.index, frame.timestamp_ms, change(frame.bgr)))
                results.append(r)
                events += r.events
        events += pipeline.finish()
    return results, events


def test_untouched_frames_count_the_plie(model_path: Path, baseline: Baseline) -> None:
    """The control: these frames hold a rep, so the faults below really suppress one."""
    results, events = run(model_path, baseline, _untouched)
    assert [type(e).__name__ for e in events if isinstance(e, RepStarted | RepEnded)] == ["RepStarted", "RepEnded"]
    assert results[-1].reps == 1
    assert sum(r.reliable for r in results) >= 70


def test_nobody_in_view_asks_her_to_step_in(analysed: Any) -> None:
    """The clip's title card (frames 0-33, no person) through the real model and pipeline."""
    result = analysed(PLIE)
    nobody = np.flatnonzero(result.track.people == 0)
    assert len(nobody) >= 30
    for i in nobody:
        assert g.assess(result.track.frame(int(i))).guidance == (g.STEP_IN,)
    assert not result.reliable[nobody].any()
    assert all(rep.t_start_s > (nobody.max() + 1) / 25 for rep in result.reps)


@pytest.mark.parametrize(
    ("change", "tip"),
    [
        pytest.param(_dark, g.MORE_LIGHT, id="too-dark"),
        pytest.param(_feet_cut, g.FEET_IN_VIEW, id="feet-cut-off"),
        pytest.param(_too_close, g.TOO_CLOSE, id="too-close"),
        pytest.param(_two_people, g.ONE_PERSON, id="two-people"),
    ],
)
def test_fault_gives_guidance_and_no_rep_or_flag(
    model_path: Path, baseline: Baseline, change: Callable[[np.ndarray], np.ndarray], tip: str
) -> None:
    results, events = run(model_path, baseline, change)
    seen = [r for r in results if r.pose.detected]
    told = [r for r in seen if tip in r.guidance]
    assert len(seen) >= 50
    # The second person is looked for about once a second, so the first second may pass before she is seen.
    assert len(told) >= 0.75 * len(seen), f"{tip!r} on {len(told)} of {len(seen)} frames with a person"
    assert all(not r.reliable for r in told)
    assert not any(isinstance(e, RepStarted | RepEnded | LiveFlag) for e in events)
    assert all(r.reps == 0 and r.active_flags == () and r.phase == "idle" for r in results)
    assert sum(r.reliable for r in results) <= len(seen) - len(told)


def test_two_real_people_are_counted(model_path: Path) -> None:
    """sports2d_demo.mp4: frames with the man on the box and the woman walking past; and single-person frames."""
    wanted = {57: 2, 177: 2, 189: 2}
    singles = {PLIE: {0: 0, 60: 1, 118: 1}, "commons/simple_step.mp4": {50: 1}}
    counter = PeopleCounter(model_path)
    try:
        for clip, frames in ((TWO_PEOPLE, wanted), *singles.items()):
            with VideoFileSource(media_file(clip)) as source:
                for frame in source:
                    if frame.index in frames:
                        assert counter.count(frame.bgr) == frames[frame.index], (clip, frame.index)
    finally:
        counter.close()
    assert counter.looks == 7


def test_duplicates_of_one_person_count_once() -> None:
    rng = np.random.default_rng(1)
    body = rng.uniform(100, 200, (33, 2))
    near = body + 5.0  # the same person found twice, a few pixels apart
    far = body + np.array([400.0, 0.0])
    assert distinct_people([]) == 0
    assert distinct_people([body, near]) == 1
    assert distinct_people([body, far]) == 2
    broken = body.copy()
    broken[11] = np.nan
    assert distinct_people([broken, far]) == 1  # a pose without a torso is not counted


class _Scripted(PeopleCounter):
    """The real counter's timing and memory, with what each look sees scripted."""

    def __init__(self, model_path: Path, seen: list[int]) -> None:
        super().__init__(model_path)
        self.script = iter(seen)

    def count(self, bgr: np.ndarray) -> int:
        self.looks += 1
        return next(self.script)


def test_looks_once_a_second_of_video_and_two_people_need_two_clear_looks(model_path: Path) -> None:
    counter = _Scripted(model_path, [1, 2, 1, 1, 1, 2, 0])
    blank = np.zeros((8, 8, 3), np.uint8)
    per_frame = [counter.update(blank, i * 40) for i in range(150)]  # 6 s at 25 fps
    per_second = per_frame[::25]
    assert counter.looks == 6 and counter.frames == 150
    assert per_second == [1, 2, 2, 1, 1, 2]  # the first miss after two people is not believed, the second is
    assert per_frame[:25] == [1] * 25  # the count holds between looks
    assert counter.update(blank, 0) == 2  # time went back (a new source): look again at once
    assert counter.looks == 7
    counter.close()


class _Gated(PeopleCounter):
    """A background counter whose looks wait for the test to let them finish, and record their thread."""

    def __init__(self, model_path: Path, seen: list[int]) -> None:
        super().__init__(model_path, background=True)
        self.script = iter(seen)
        self.gate = threading.Event()
        self.threads: set[int] = set()
        self.frames_seen: list[int] = []

    def count(self, bgr: np.ndarray) -> int:
        self.threads.add(threading.get_ident())
        self.frames_seen.append(int(bgr[0, 0, 0]))
        assert self.gate.wait(10)
        self.looks += 1
        return next(self.script)


def test_live_looks_run_off_the_calling_thread_and_are_taken_on_a_later_frame(model_path: Path) -> None:
    """Live (``background=True``) a look never holds up the frame that asked for it: the call returns while
    the look is still running, the answer arrives on a later frame, and a frame changed after it was handed
    over does not change what the look saw (it was copied)."""
    counter = _Gated(model_path, [2, 1, 1])
    try:
        frame = np.full((8, 8, 3), 7, np.uint8)
        assert counter.update(frame, 0) is None  # the look is blocked on the gate: no answer yet
        frame[:] = 99  # the caller reuses its buffer
        assert counter.update(frame, 40) is None
        counter.gate.set()
        deadline = time.monotonic() + 10
        people = None
        while people is None and time.monotonic() < deadline:
            time.sleep(0.01)
            people = counter.update(frame, 80)
        assert people == 2
        assert counter.threads and threading.get_ident() not in counter.threads
        assert counter.frames_seen == [7]  # the frame as it was when the look was due
        assert counter.looks == 1 and counter.skipped == 0 and counter.error is None
    finally:
        counter.close()
    assert counter._worker is not None and not counter._worker.is_alive()  # close stops the worker


def _thread_nice() -> dict[int, int]:
    """Every thread of this process and its nice value (Linux /proc)."""
    out = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except FileNotFoundError:  # the thread ended between listing and reading (an earlier test's worker)
            continue
        out[int(task.name)] = int(stat[stat.rindex(")") + 2 :].split()[16])  # field 19 of stat
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")
def test_background_looks_run_on_threads_of_lower_priority(model_path: Path) -> None:
    """The second look's model threads (started by MediaPipe when the landmarker opens) run LOOK_NICE steps
    lower than the rest, so on two cores a look takes time the pose model leaves idle; an inline look keeps
    the normal priority, as does the thread that asked for it."""
    import turnout.pose.people as people

    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    for background, expected in ((True, min(base + people.LOOK_NICE, 19)), (False, base)):
        before = _thread_nice()
        counter = PeopleCounter(model_path, background=background)
        try:
            started = {tid: nice for tid, nice in _thread_nice().items() if tid not in before}
            assert started, "the landmarker started no threads"
            assert set(started.values()) == {expected}, (background, started)
            assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base
        finally:
            counter.close()


def test_a_failing_background_look_is_reported_not_raised(model_path: Path) -> None:
    class Broken(PeopleCounter):
        def count(self, bgr: np.ndarray) -> int:
            raise RuntimeError("graph failed")

    counter = Broken(model_path, background=True)
    try:
        blank = np.zeros((8, 8, 3), np.uint8)
        counter.update(blank, 0)
        deadline = time.monotonic() + 10
        while counter.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert counter.error == "RuntimeError: graph failed"
        assert counter.update(blank, 40) is None  # the session goes on; nobody extra is counted
    finally:
        counter.close()


class _Slow(PeopleCounter):
    """A background counter with scripted answers that take ``delay_s`` each (a look really takes ~20 ms)."""

    def __init__(self, model_path: Path, seen: list[int], delay_s: float, **kwargs: Any) -> None:
        super().__init__(model_path, background=True, **kwargs)
        self.script = iter(seen)
        self.delay_s = delay_s

    def count(self, bgr: np.ndarray) -> int:
        time.sleep(self.delay_s)
        self.looks += 1
        return next(self.script)


@pytest.mark.parametrize("delay_s", [0.0, 0.05])
def test_repeatable_background_looks_give_the_inline_counts_k_frames_later(model_path: Path, delay_s: float) -> None:
    """For a recording (``answer_after=K``) the look runs beside the caller but its answer is taken exactly K
    frames after the frame it looked at, however long it took: the inline counts, shifted by K frames."""
    script = [1, 2, 1, 1, 1, 2, 0]
    inline = _Scripted(model_path, script)
    deferred = _Slow(model_path, script, delay_s, answer_after=5)
    blank = np.zeros((8, 8, 3), np.uint8)
    try:
        want = [inline.update(blank, i * 40) for i in range(150)]
        got = [deferred.update(blank, i * 40) for i in range(150)]
    finally:
        inline.close()
        deferred.close()
    assert got[:5] == [None] * 5 and got[5:] == want[:-5]
    assert deferred.looks == inline.looks == 6 and deferred.skipped == 0 and deferred.error is None


_CAPTURES = """
import contextlib, os, sys, threading
import turnout.pose.estimator as pose
if len(sys.argv) > 1:
    pose._FD2_LOCK = contextlib.nullcontext()  # what it was before the lock
def work():
    for _ in range(300):
        with pose.captured_native_stderr():
            os.write(2, b"chatter\\n")
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
os.write(2, b"still on the terminal\\n")
"""


def test_threads_capturing_native_stderr_at_once_leave_it_where_it_was() -> None:
    """The pose model and the second-person check's thread both hide MediaPipe's start-up chatter by pointing
    fd 2 elsewhere for a moment; without taking turns the process's stderr ended in a deleted temporary file
    (``turnout analyze`` then lost its warnings about a truncated file)."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _CAPTURES], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stderr == "still on the terminal\n", run.stderr


def _standing_legs(ankle_gap: float = 40.0) -> np.ndarray:
    """A standing pose's points (33, 2) in a 200 x 400 mask's pixels: hips at row 100, knees 200, ankles 300 (a leg
    is 200 px), her left leg on the picture's right."""
    from turnout.pose import landmarks as lm

    p = np.full((33, 2), np.nan)
    for side, x in (("LEFT", 100 + ankle_gap / 2), ("RIGHT", 100 - ankle_gap / 2)):
        p[getattr(lm, f"{side}_HIP")] = (x, 100.0)
        p[getattr(lm, f"{side}_KNEE")] = (x, 200.0)
        p[getattr(lm, f"{side}_ANKLE")] = (x, 300.0)
    return p


def test_the_hem_is_how_far_each_legs_silhouette_reaches_outward_above_its_ankle() -> None:
    """turnout.pose.people.hem_reach: from each ankle point, HEM_UP_LEGS up the shank (row 290), outward (away from
    the other ankle) to where the mask ends, in legs: 10 px of a bare ankle is 0.05 legs, a 24 px hem 0.12; with
    a knee bent, or a leg's points missing, nothing."""
    from turnout.pose import landmarks as lm
    from turnout.pose.people import HEM_UP_LEGS, hem_reach

    assert 300 - HEM_UP_LEGS * 200 == 290
    mask = np.zeros((400, 200), np.float32)
    mask[100:310, 100 + 20 - 10 : 100 + 20 + 10 + 1] = 1.0  # her left leg: 10 px either side of its line
    mask[100:310, 100 - 20 - 24 : 100 - 20 + 8] = 1.0  # her right leg: trousers 24 px out
    points = _standing_legs()
    left, right = hem_reach(mask, points)
    assert left == pytest.approx(11 / 200) and right == pytest.approx(25 / 200)
    bent = points.copy()
    bent[lm.LEFT_KNEE] = (160.0, 200.0)  # the left knee out to the side: bent about 62 degrees
    assert all(np.isnan(hem_reach(mask, bent)))
    lost = points.copy()
    lost[lm.RIGHT_HIP] = np.nan  # that knee's bend not known: neither leg is measured
    assert all(np.isnan(hem_reach(mask, lost)))
    edge = mask.copy()
    edge[100:310, 100:] = 1.0  # her left leg's silhouette runs off the picture's edge: the run stops there
    assert hem_reach(edge, points)[0] == pytest.approx((200 - 120) / 200)


def test_a_look_measures_her_hem_at_her_tracked_points_and_holds_it(model_path: Path) -> None:
    """A look with a mask measures the hem at the landmarks given with its frame (the tracker's, not the look's own),
    held until a look measures it again; a look with two people in view, or without her landmarks, measures none."""
    from turnout.pose.people import hem_reach

    mask = np.zeros((400, 200), np.float32)
    mask[100:310, 100 - 44 : 100 + 45] = 1.0  # both legs in one wide silhouette
    points = _standing_legs()
    pose = points.copy()
    norm = points / np.array([200.0, 400.0])

    class Seen(PeopleCounter):
        def __init__(self, path: Path, people: list[int]) -> None:
            super().__init__(path)
            self.script = iter(people)

        def count(self, bgr: np.ndarray) -> int:
            seen = next(self.script)
            self._seen = ([mask] * seen, [pose / np.array([200.0, 400.0])] * seen)
            return seen

    counter = Seen(model_path, [1, 2, 1])
    try:
        blank = np.zeros((8, 8, 3), np.uint8)
        assert all(np.isnan(counter.hem))
        counter.update(blank, 0, norm)
        want = hem_reach(mask, points)
        assert counter.hem == want and want == pytest.approx((25 / 200, 25 / 200))
        counter.update(blank, 40, norm)
        assert counter.hem == want  # held between looks
        counter.update(blank, 1000, norm)  # two people: the hem holds as it was
        assert counter.hem == want
        counter.update(blank, 2000)  # no landmarks given: none measured, still held
        assert counter.hem == want
    finally:
        counter.close()
