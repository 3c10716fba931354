"""The live feet figures while she is on the floor (issue 17, item 5): a seated or kneeling stretch measures no foot
turnout, so the feet and their total show "–" (nothing to calibrate), never "calibrate to see degrees"
(``turnout.session.display.on_the_floor``). Unit tests on the display rule with a dancer's picture points, the window's
figures panel, and the real pose model on a studio frog and low lunge.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

from turnout.measure.measures import FrameMeasurement, ImageMeasurement, Mode, SideMeasurement
from turnout.session import display
from turnout.session.display import CALIBRATE

#: her picture points from her hips' middle (px, y down): shoulders 100 px above her hips
_TORSO = {"hip_x_px": 0.0, "hip_y_px": 0.0, "shoulder_x_px": 0.0, "shoulder_y_px": -100.0, "facing_code": 1.0,
          "facing_ratio": 0.6}  # fmt: skip


def _picture(hip_height: float, knees: tuple[float, float, float], ankles: tuple[float, float, float]) -> dict:
    """Her points: ``hip_height`` px from her hips to her lowest toe; knees and ankles at (x out, y left, y right)."""
    kx, kly, kry = knees
    ax, aly, ary = ankles
    return _TORSO | {
        "hip_height_px": hip_height, "left_knee_x_px": kx, "left_knee_y_px": kly, "right_knee_x_px": -kx,
        "right_knee_y_px": kry, "left_ankle_x_px": ax, "left_ankle_y_px": aly, "right_ankle_x_px": -ax,
        "right_ankle_y_px": ary,
    }  # fmt: skip


#: standing in first: hips 200 px above her toes, ankles 180 px below her hips
STANDING = _picture(200.0, (12.0, 95.0, 95.0), (20.0, 180.0, 180.0))
#: a butterfly: seated, hips 20 px above her toes, knees out to her sides, soles together in front of her
BUTTERFLY = _picture(20.0, (80.0, -5.0, -5.0), (8.0, 15.0, 15.0))
#: the bottom of a deep grand plié: hips 88 px above her toes (less than 0.9 torsos, as a seated dancer's), ankles 85
#: px below her hips (0.85 torsos: lower than a seated dancer's)
GRAND = _picture(88.0, (60.0, 40.0, 40.0), (25.0, 85.0, 85.0))


def _result(points: dict, phase: str = "idle", reliable: bool = True) -> SimpleNamespace:
    side = SideMeasurement(foot_turnout_deg=40.0)
    image = replace(ImageMeasurement(), **points)
    m = replace(FrameMeasurement(left=side, right=side, total_foot_turnout_deg=80.0), mode=Mode.UNCALIBRATED_3D)
    return SimpleNamespace(measurement=replace(m, image=image), reliable=reliable, judged=reliable, phase=phase,
                           feet_picture={})  # fmt: skip


def test_on_the_floor_the_feet_show_nothing_to_calibrate() -> None:
    """Seated (hips low over her toes, ankles by her hips): "–" for each foot and the total. Standing, and at the bottom
    of a deep grand plié (the tracker follows it as a plié), the rule as before: uncalibrated 3D alone says
    "calibrate"."""
    seated = _result(BUTTERFLY)
    assert display.on_the_floor(seated)
    assert display.foot_shown(seated, "left") == ("–", "none") == display.foot_shown(seated, "right")
    assert display.total_shown(seated) == ("–", "none")
    for standing in (_result(STANDING), _result(GRAND, phase="bottom")):
        assert not display.on_the_floor(standing)
        assert display.foot_shown(standing, "left") == (CALIBRATE, "calibrate")
        assert display.total_shown(standing) == (CALIBRATE, "calibrate")
    # the same low hips outside a plié are a dancer on the floor
    assert display.on_the_floor(_result(GRAND, phase="idle"))
    # no picture points (an older measurement, nobody): as before
    assert not display.on_the_floor(SimpleNamespace(measurement=None, reliable=False, judged=False))
    assert not display.on_the_floor(None)


def test_the_figures_panel_shows_a_dash_for_the_feet_while_she_sits() -> None:
    from PySide6.QtWidgets import QApplication

    from turnout.app.live_view import FiguresPanel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    panel = FiguresPanel()
    for points, want in ((BUTTERFLY, "–"), (STANDING, "calibrate")):
        r: Any = SimpleNamespace(**vars(_result(points)), hip_turnout_deg=None, reps=0, sets=0, hold_s=None,
                                 active_flags=(), feet_range={}, feet_hidden=frozenset())  # fmt: skip
        panel.show_result(r)
        app.processEvents()
        assert [panel.figures[k].value.text() for k in ("foot_left", "foot_right", "total")] == [want] * 3
        assert {panel.figures[k].status for k in ("foot_left", "foot_right", "total")} == {"none"}


# ---- the real pose model ----------------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.slow
def test_no_calibrate_through_a_real_frog_and_low_lunge(tmp_path: Path) -> None:
    """stretch_frog_lunge (rendered once, shared with tests/test_stretches_e2e.py) through `turnout analyze`, its pose
    track replayed through the pipeline: every reliable frame of the held frog and low lunge and of the long sit shows
    "–" for the feet (before: "calibrate" on all 90 reliable frames); of the moves in and out (the studio's morph from
    the sit) at most a few frames are not told."""
    import json

    from turnout.pose.track import load_track
    from turnout.session.pipeline import Pipeline
    from turnout.settings import Settings
    from turnout.testing.studio import cached, load_catalogue

    clip = cached(load_catalogue()["stretch_frog_lunge"])
    cli = os.environ.get("TURNOUT_CLI") or str(Path(sys.executable).with_name("turnout"))
    cmd = [cli, "analyze", str(clip.video), "--no-store", "--quiet", "--out", str(tmp_path), "--jobs", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    track = load_track(tmp_path / f"{clip.video.stem}.track.npz")
    frames = json.loads(clip.truth.read_text())["frames"]
    t_truth = np.asarray(frames["t_s"])
    pipeline = Pipeline(None, Settings(), frame_size=(track.width, track.height))
    shown: dict[str, list[str]] = {}
    for i in range(len(track)):
        r = pipeline.process_pose(track.frame(i))
        if not r.reliable:
            continue
        j = int(np.argmin(np.abs(t_truth - r.timestamp_ms / 1000.0)))
        phase = "moving" if frames["phase"][j] in ("in", "out") else frames["phase"][j]
        shown.setdefault(phase, []).append(display.foot_shown(r, "left").text + "|" + display.total_shown(r).text)
    pipeline.finish()
    assert shown["held"] and shown["seated"]
    assert set(shown["held"]) == set(shown["seated"]) == {"–|–"}
    assert sum(s != "–|–" for s in shown.get("moving", [])) <= 0.5 * len(shown.get("moving", []))
