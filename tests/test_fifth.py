"""Fifth position (legs crossed): the front foot is whole in the picture and its knee is judged against it; the back
foot's heel hides behind the front foot and no verdict comes from it (issue 16: forced pliés flagged in first, second,
fifth and parallel). Unit tests of which foot is in front, and rendered dancers through the real pose model and
`turnout analyze`: a correct fifth (feet 45, knees over them) and a forced one (feet 60, hips 35), each seen as
rendered (right foot in front) and mirrored (the left in front). The scenes are not in the catalogue (its fifth
scenes are the accuracy report's); they are rendered on first use and cached under build/studio/ (640x360, 12 fps,
about 15 s each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from turnout.practice.picture import FRONT_FOOT_LEGS, front_foot


def test_the_front_foot_is_the_one_whose_ankle_stands_lower() -> None:
    leg = 200.0
    lower = 1.5 * FRONT_FOOT_LEGS * leg
    assert front_foot({"left": (480.0, 443.0), "right": (476.0, 443.0 + lower)}, leg) == "right"
    assert front_foot({"left": (480.0, 443.0 + lower), "right": (476.0, 443.0)}, leg) == "left"
    # both ankles' points on one shoe, or side by side: neither is in front
    assert front_foot({"left": (480.0, 443.0), "right": (480.5, 443.5)}, leg) is None
    assert front_foot({"left": (480.0, 443.0), "right": (476.0, 443.0 + 0.5 * FRONT_FOOT_LEGS * leg)}, leg) is None
    assert front_foot({"left": (480.0, float("nan")), "right": (476.0, 460.0)}, leg) is None
    assert front_foot({"left": (480.0, 443.0), "right": (476.0, 460.0)}, float("nan")) is None


FIFTH = {"fps": 12, "width": 640, "height": 360, "position": "fifth", "script": ["stand 1.5", "demi 3", "stand 1"]}
SCENES: dict[str, dict[str, Any]] = {
    "fifth_correct_e2e": {**FIFTH, "feet": 45, "description": "fifth 45, knees over the feet", "tags": ["fifth"]},
    "fifth_forced_e2e": {
        **FIFTH, "feet": 60, "hips": 35, "description": "fifth forced: feet 60, hips 35", "tags": ["fifth", "forced"],
    },
}  # fmt: skip


def _analyze(video: Path, mirrored: bool) -> dict[str, Any]:
    cli = os.environ.get("TURNOUT_CLI") or str(Path(sys.executable).with_name("turnout"))
    cmd = [cli, "analyze", str(video), "--json", "--no-store", "--quiet", "--jobs", "1"]
    proc = subprocess.run(cmd + (["--mirrored"] if mirrored else []), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SCENES))
def test_the_front_knee_is_judged_in_fifth(name: str) -> None:
    from turnout.testing.studio import cached
    from turnout.testing.studio.scenes import scene_from_dict

    clip = cached(scene_from_dict(name, SCENES[name]))
    forced = "forced" in SCENES[name]["tags"]
    # rendered, her right foot is in front; the same video taken as a mirror's picture (flipped back before the pose
    # model) shows a dancer with her left
    # foot in front
    for mirrored, front in ((False, "right"), (True, "left")):
        result = _analyze(clip.video, mirrored)
        (rep,) = result["reps"]
        back = "right" if front == "left" else "left"
        assert rep["knees"][back] is None, rep["knees"]  # the back foot is hidden: no verdict
        codes = {(f["code"], f.get("side")) for f in rep["flags"]}
        if forced:
            assert rep["knees"][front] == "inside", rep["knees_deg"]
            assert ("knees_inside_toes", front) in codes, codes
        else:
            assert rep["knees"][front] == "over", rep["knees_deg"]
            assert not {c for c, _ in codes} & {"knees_inside_toes", "forced_turnout"}, codes
