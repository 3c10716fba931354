"""Seated stretches end to end (issue 17, item 5): a short rendered studio clip of two butterflies, the second deeper
(thighs 35 then 15 degrees above the floor, each held 3 s, one camera), through the real pose model and `turnout
analyze`, then the stretch holds (turnout.practice.stretches) and a routine over its per-frame rows. The clip is
rendered on first use and cached under build/studio/ (195 frames, 640x360; about 55 s to render, then cached).
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

from turnout.practice.routine import Exercise, Routine
from turnout.practice.stretches import FIGURE_CHANGE_MIN, StretchHolds
from turnout.session.routine_run import RoutineRun
from turnout.testing.frames_csv import read_frame_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENE = "stretch_butterfly_sets"


def _turnout_cli() -> str:
    return os.environ.get("TURNOUT_CLI") or str(Path(sys.executable).with_name("turnout"))


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], list[dict[str, float]]]:
    from turnout.testing.studio import cached, load_catalogue

    rendered = cached(load_catalogue()[SCENE])
    tmp = tmp_path_factory.mktemp(SCENE)
    cmd = [_turnout_cli(), "analyze", str(rendered.video), "--no-store", "--quiet", "--out", str(tmp), "--jobs", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(rendered.truth.read_text()), read_frame_rows(tmp / f"{rendered.video.stem}.frames.csv")


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
