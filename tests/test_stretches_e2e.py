"""Floor stretches end to end (issue 17, item 5): short rendered studio clips through the real pose model and `turnout
analyze`, then the stretch holds (turnout.practice.stretches) and a routine over their per-frame rows: two butterflies,
the second deeper (thighs 35 then 15 degrees above the floor, each held 3 s, one camera), and a frog then a low lunge
(each held 3 s, a camera 1 m up). The clips are rendered on first use and cached under build/studio/ (195 frames each,
640x360; about 55 s each to render, then cached).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from turnout.measure.measures import record_names
from turnout.practice.routine import Exercise, Routine
from turnout.practice.stretches import FIGURE_CHANGE_MIN, StretchHolds, read_frame, stretch_of
from turnout.session.routine_run import RoutineRun
from turnout.testing.frames_csv import read_frame_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENE = "stretch_butterfly_sets"
FROG_LUNGE = "stretch_frog_lunge"


def _turnout_cli() -> str:
    return os.environ.get("TURNOUT_CLI") or str(Path(sys.executable).with_name("turnout"))


def _analysed(scene: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict[str, float]]]:
    from turnout.testing.studio import cached, load_catalogue

    rendered = cached(load_catalogue()[scene])
    tmp = tmp_path_factory.mktemp(scene)
    cmd = [_turnout_cli(), "analyze", str(rendered.video), "--no-store", "--quiet", "--out", str(tmp), "--jobs", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = read_frame_rows(tmp / f"{rendered.video.stem}.frames.csv")
    # what the pipeline hands the routine: the measurement's own row (FrameMeasurement.as_row), not the CSV's raw
    # landmark columns
    keep = {*record_names(), "timestamp_ms", "reliable"}
    return json.loads(rendered.truth.read_text()), [{k: v for k, v in r.items() if k in keep} for r in rows]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict[str, float]]]:
    return _analysed(SCENE, tmp_path_factory)


@pytest.fixture(scope="module")
def frog_lunge(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict[str, float]]]:
    return _analysed(FROG_LUNGE, tmp_path_factory)


def _follow(run: RoutineRun, rows: list[dict[str, float]]) -> None:
    for r in rows:
        measurement = SimpleNamespace(as_row=lambda r=r: r)
        run.follow(SimpleNamespace(timestamp_ms=int(r["timestamp_ms"]), measurement=measurement,
                                   reliable=r["reliable"] == 1.0, events=(), baseline_ready=True))  # fmt: skip
    run.end()


def test_each_butterfly_is_timed_within_half_a_second(clip: tuple[dict[str, Any], list[dict[str, float]]]) -> None:
    truth, rows = clip
    sh = StretchHolds()
    for r in rows:
        sh.update(r["timestamp_ms"] / 1000.0, r, r["reliable"] == 1.0)
    sh.finish()
    want = truth["expected"]["stretches"]
    assert [h.kind for h in sh.holds] == ["butterfly", "butterfly"]
    for h, w in zip(sh.holds, want, strict=True):
        assert abs(h.t_start_s - w["start_s"]) <= 0.5 and abs(h.t_end_s - w["end_s"]) <= 0.5, (h, w)
        assert h.reason == "she came out of the butterfly"
    # the deeper second butterfly reads lower, by about as much as the knees truly dropped (in torsos)
    first, second = (h.figure for h in sh.holds)
    assert first - second > FIGURE_CHANGE_MIN["butterfly"]
    frames = truth["frames"]
    pts = frames["points"]

    def knees_over_torso(t_s: float) -> float:
        i = round(t_s * truth["video"]["fps"])
        hip = [(pts["left_hip"]["world_m"][i][k] + pts["right_hip"]["world_m"][i][k]) / 2 for k in range(3)]
        sh_ = [(pts["left_shoulder"]["world_m"][i][k] + pts["right_shoulder"]["world_m"][i][k]) / 2 for k in range(3)]
        torso = math.dist(hip, sh_)
        knees = (pts["left_knee"]["world_m"][i][2] + pts["right_knee"]["world_m"][i][2]) / 2
        return (knees - hip[2]) / torso

    true_change = knees_over_torso(3.5) - knees_over_torso(9.5)
    assert abs((first - second) - true_change) <= FIGURE_CHANGE_MIN["butterfly"], (first - second, true_change)


def test_a_routine_counts_the_two_sets(clip: tuple[dict[str, Any], list[dict[str, float]]]) -> None:
    """Butterfly 2 x 2.5 s, 1 s rest, over the clip's rows: two sets done, and the second compared with an earlier
    session whose knees were as high as the first set's."""
    _truth, rows = clip
    ex = Exercise("stretch", sets=2, hold_s=2.5, rest_s=1.0, variant="butterfly")
    run = RoutineRun(Routine("Stretches", (ex,)), earlier_stretches={"butterfly": 0.36})
    for r in rows:
        measurement = SimpleNamespace(as_row=lambda r=r: r)
        run.follow(SimpleNamespace(timestamp_ms=int(r["timestamp_ms"]), measurement=measurement,
                                   reliable=r["reliable"] == 1.0, events=(), baseline_ready=True))  # fmt: skip
    run.end()
    assert [s for _, s, _ in run.runner.done_sets] == [1, 2]
    (line,) = run.summary()
    assert line.startswith("butterfly: 2 of 2 sets, 5 s held"), line
    assert "knees lower than last time" in line


def test_the_frog_and_the_low_lunge_are_timed_and_told_apart(
    frog_lunge: tuple[dict[str, Any], list[dict[str, float]]],
) -> None:
    """Each is found once, as itself, within half a second of the truth; no frame of either is read as another
    stretch; the pipeline calls most held frames unreliable (a leg or foot hides behind her) and they are read all the
    same."""
    truth, rows = frog_lunge
    sh = StretchHolds()
    kinds: dict[str, list[float]] = {}
    for r in rows:
        t = r["timestamp_ms"] / 1000.0
        sh.update(t, r, r["reliable"] == 1.0)
        fr = read_frame(t, r, r["reliable"] == 1.0)
        kind = stretch_of(fr) if fr is not None else None
        if kind is not None:
            kinds.setdefault(kind, []).append(t)
    sh.finish()
    want = truth["expected"]["stretches"]
    assert [w["kind"] for w in want] == ["frog", "low_lunge"] and want[1]["front"] == "left"
    assert [h.kind for h in sh.holds] == ["frog", "low_lunge"]
    for h, w in zip(sh.holds, want, strict=True):
        assert abs(h.t_start_s - w["start_s"]) <= 0.5 and abs(h.t_end_s - w["end_s"]) <= 0.5, (h, w)
        assert h.reason == f"she came out of the {w['kind'].replace('_', ' ')}"
        assert math.isnan(h.figure)  # neither has a figure (docs/thresholds.md, "Stretches")
    assert set(kinds) == {"frog", "low_lunge"}
    # every frame read as a frog lies in the frog's part of the clip (its way in and out included), and so for the lunge
    for w in want:
        assert all(w["in_start_s"] <= t <= w["out_end_s"] + 0.3 for t in kinds[w["kind"]]), (w, kinds[w["kind"]])
    held = [r for r in rows if want[0]["start_s"] <= r["timestamp_ms"] / 1000.0 <= want[0]["end_s"]]
    assert sum(r["reliable"] != 1.0 for r in held) > len(held) / 2


def test_a_routine_of_a_frog_and_a_low_lunge_times_both(
    frog_lunge: tuple[dict[str, Any], list[dict[str, float]]],
) -> None:
    _truth, rows = frog_lunge
    frog = Exercise("stretch", sets=1, hold_s=2.5, rest_s=0.0, variant="frog")
    lunge = Exercise("stretch", sets=1, hold_s=2.5, rest_s=0.0, variant="low_lunge")
    run = RoutineRun(Routine("Floor", (frog, lunge)))
    _follow(run, rows)
    assert [(i, s) for i, s, _ in run.runner.done_sets] == [(0, 1), (1, 1)]
    frog_line, lunge_line = run.summary()
    assert frog_line.startswith("frog: 1 of 1 sets"), frog_line
    assert lunge_line.startswith("low lunge: 1 of 1 sets"), lunge_line
    assert "than last time" not in frog_line + lunge_line
