"""Seen from behind nothing is counted or measured (issue 16, item 7). The pose model tells her back from her front
only by its own left/right order, and from directly behind it often takes her back for her front and switches
between the two (turnout.session.pipeline.FacingOrder). Unit tests of the rule, and a rendered dancer seen from
directly behind through the real pose model and `turnout analyze`: her demi-plié is not counted (it was before the
rule), nothing is measured, and the window's words ask her to face the camera. The scene is not in the catalogue
(the accuracy report's scenes face the camera or stand side-on); it is rendered on first use and cached under
build/studio/ (60 frames, 640x360, about 12 s)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from turnout.measure.image import BACK, FRONT, SIDE
from turnout.session import pipeline
from turnout.session.pipeline import FACE_CAMERA, FACING_STEADY_S, FacingOrder

#: A first-position dancer seen from directly behind (the studio's defaults otherwise: an average woman in a leotard,
#: the camera 1 m up and 2.8 m away), a demi-plié between two stands.
BACK_SCENE = {
    "fps": 12, "width": 640, "height": 360, "position": "first", "feet": 45,
    "camera": {"height": 1.0, "distance": 2.8, "yaw": 180.0},
    "script": ["stand 1.5", "demi 2.5", "stand 1"],
    "description": "seen from directly behind: a demi-plié in first", "tags": ["back"],
}  # fmt: skip


def test_the_order_is_trusted_only_once_it_has_held() -> None:
    order = FacingOrder()
    assert order.trusted(0.0, FRONT)
    assert not order.trusted(1.0, BACK)
    assert not order.trusted(1.1, FRONT)  # swapped back a frame later: not trusted yet
    assert not order.trusted(1.0 + FACING_STEADY_S - 0.05, FRONT)
    assert order.trusted(1.0 + FACING_STEADY_S, FRONT)
    assert order.trusted(4.0, SIDE) and order.trusted(4.1, math.nan)  # side-on or no torso is not a swap


def test_a_stream_started_again_earlier_forgets_the_later_swap() -> None:
    order = FacingOrder()
    assert not order.trusted(10.0, BACK)
    assert order.trusted(0.5, FRONT)  # a new recording, or a replay from its start


def _analysed_and_replayed(
    name: str, scene: dict[str, object], out: Path
) -> tuple[dict[str, Any], list[pipeline.FrameResult], pipeline.Pipeline]:
    """``turnout analyze`` of the scene (rendered on first use) through the real pose model, then its pose track
    through the live pipeline: (the analysis's JSON, every frame's result, the pipeline)."""
    from turnout.pose.track import load_track
    from turnout.testing.studio import cached
    from turnout.testing.studio.scenes import scene_from_dict

    clip = cached(scene_from_dict(name, scene))
    cli = os.environ.get("TURNOUT_CLI") or str(Path(sys.executable).with_name("turnout"))
    cmd = [cli, "analyze", str(clip.video), "--json", "--no-store", "--quiet", "--out", str(out), "--jobs", "1"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    track = load_track(out / f"{clip.video.stem}.track.npz")
    pipe = pipeline.Pipeline(None)
    bgr = np.full((track.height, track.width, 3), 128, np.uint8)
    results = [pipe.process_pose(track.frame(i), bgr) for i in range(len(track))]
    pipe.finish()
    return json.loads(proc.stdout), results, pipe


@pytest.mark.e2e
@pytest.mark.slow
def test_from_behind_nothing_is_counted_or_measured(tmp_path: Path) -> None:
    result, results, pipe = _analysed_and_replayed("back_demi", BACK_SCENE, tmp_path)
    assert result["reps"] == [] and result["holds"] == []
    # through the live pipeline: her frames are not trusted, and she is asked to face the camera
    assert pipe.tracker.reps == [] and pipe.tracker.holds == []
    assert not any(r.reliable for r in results)
    told = sum(FACE_CAMERA in r.guidance for r in results)
    assert told >= 0.9 * len(results), told


#: From behind with her head cut off by the picture's top (a tall dancer near a low camera): without her face the
#: pose model reads her standing as facing the camera and only her pliés as from behind (session 11: two such renders
#: read "front" on every standing frame, "back" through each plié; the same dancer facing the camera read "front"
#: on every frame: docs/measurements.md, "Her head out of the picture"). Nothing may be counted, and she is told to
#: frame her head.
HEADLESS_BACK_SCENE = {
    "fps": 12, "width": 640, "height": 360, "position": "first", "feet": 45, "body": "f_tall",
    "camera": {"height": 0.85, "distance": 2.3, "yaw": 180.0},
    "script": ["stand 1.5", "demi 3", "stand 1"],
    "description": "seen from behind, her head out of the picture: a demi-plié in first", "tags": ["back"],
}  # fmt: skip


@pytest.mark.e2e
@pytest.mark.slow
def test_from_behind_with_her_head_cut_off_nothing_is_counted_and_she_is_told_to_frame_it(tmp_path: Path) -> None:
    result, results, pipe = _analysed_and_replayed("back_headless_demi", HEADLESS_BACK_SCENE, tmp_path)
    assert result["reps"] == [] and result["holds"] == []
    assert any(w.startswith("her head was out of the picture") for w in result["warnings"]), result["warnings"]
    assert pipe.tracker.reps == []
    # stopped while her head is out: "cannot tell your front from your back"; once it dips into the picture in the
    # plié, the back of her head shows and the model's "from behind" is taken as it is: "Turn to face the camera"
    stopped = [r.guidance[0] for r in results if not r.reliable]
    assert stopped and set(stopped) <= {pipeline.HEAD_UNSURE, FACE_CAMERA}, set(stopped)
    assert stopped.count(pipeline.HEAD_UNSURE) >= 3, stopped
