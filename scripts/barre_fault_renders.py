"""Studio renders of barre faults the script grammar has no word for, and what the barre counters make of them
(issue 17; docs/thresholds.md, "Relevé", "Sickling (not judged)" and "Tendu").

The poser is patched for the run only: a tendu's working knee bent (``bend``: the working leg slides until its hip-to-
ankle reach is that of a knee bent so many degrees, instead of straight) and a risen foot rolled about its own long
axis through the ball (``roll``, degrees at a 40-degree rise, in proportion to the rise: sickling). Scenes without a
patch use the grammar as it is (tendus pointed less, bent-knee relevés on another body and camera). Renders go to
``build/studio-faults`` (never the studio's cache: the patch is not in a scene's key), 640x360 at 15 fps, 115-174
frames each; each is analysed with ``turnout analyze`` (the real pose model) and counted with
``turnout.practice.barre.count_rows``.

    python scripts/barre_fault_renders.py [SCENE ...]
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from turnout.practice.barre import count_rows
from turnout.testing.frames_csv import read_frame_rows
from turnout.testing.studio import posing
from turnout.testing.studio.render import cached
from turnout.testing.studio.scenes import CATALOGUE, scene_from_dict

ROOT = Path(__file__).resolve().parents[1] / "build" / "studio-faults"
PATCH: dict[str, float] = {"bend": 0.0, "roll": 0.0}
SMALL: dict[str, Any] = {"width": 640, "height": 360}
#: name -> (scene table over the catalogue's defaults, patch)
SCENES: dict[str, tuple[dict[str, Any], dict[str, float]]] = {
    "x_tendu_bent": ({**SMALL, "script": [
        "stand 1.5", "tendu right 2 dir=back", "stand 0.5", "tendu left 2 dir=front", "stand 0.5", "tendu right 2",
        "stand 0.5", "tendu left 2 dir=back", "stand 0.6"]}, {"bend": 35.0}),
    "x_tendu_half": ({**SMALL, "script": [
        "stand 1.5", "tendu right 2 dir=front point=35", "stand 0.5", "tendu left 2 point=35", "stand 0.5",
        "tendu left 2 dir=front point=35", "stand 0.5", "tendu right 2 dir=back point=60", "stand 0.6"]}, {}),
    "x_tendu_flat": ({**SMALL, "script": [
        "stand 1.5", "tendu right 2 dir=back point=0", "stand 0.5", "tendu left 2 dir=back point=40", "stand 0.5",
        "tendu right 2 dir=front point=0", "stand 0.5", "tendu left 2 point=0", "stand 0.6"]}, {}),
    "x_releve_bent2": ({**SMALL, "body": "f_petite", "look": "leggings", "feet": 30,
                        "camera": {"height": 1.3, "distance": 3.2}, "script": [
        "stand 1.5", "releve 1.6 bend=35", "stand 0.4", "releve 1.6 bend=35 rise=50", "stand 0.4",
        "releve 1.6 bend=25 rise=30", "stand 0.4", "releve 1.6 rise=50", "stand 0.6"]}, {}),
    "x_sickle_in": ({**SMALL, "script": [
        "stand 1.5", "releve 1.6", "stand 0.4", "releve 1.6 rise=50", "stand 0.4", "releve 1.6", "stand 0.6"]},
        {"roll": 15.0}),
    "x_sickle_out": ({**SMALL, "script": [
        "stand 1.5", "releve 1.6", "stand 0.4", "releve 1.6 rise=50", "stand 0.4", "releve 1.6", "stand 0.6"]},
        {"roll": -15.0}),
}  # fmt: skip

_slide = posing.Poser._slide_straight
_foot = posing.Poser.foot_transform


def _slide_bent(
    self: posing.Poser, side: str, leg: posing.LegPose, hip: np.ndarray, bend_deg: float = posing.STRAIGHT_DEG
) -> Any:
    """The studio's tendu slide, with the working knee bent ``PATCH["bend"]`` degrees where the scene asks for it."""
    return _slide(self, side, leg, hip, PATCH["bend"] or bend_deg)


def _foot_rolled(self: posing.Poser, side: str, leg: posing.LegPose, slide: float = 0.0) -> Any:
    R, toes, t = _foot(self, side, leg, slide)
    if PATCH["roll"] and leg.rise_deg:
        ball = R @ self.leg[side]["ball"] + t
        angle = PATCH["roll"] * leg.rise_deg / 40.0 * (1.0 if side == "left" else -1.0)
        P = posing.axis_rotation(posing.direction(side, leg.turnout_deg), angle)
        R, t, toes = P @ R, P @ (t - ball) + ball, P @ toes
    return R, toes, t


def render_and_count(name: str) -> None:
    table, patch = SCENES[name]
    PATCH.update({"bend": 0.0, "roll": 0.0} | patch)
    defaults = tomllib.loads(CATALOGUE.read_text()).get("defaults", {})
    clip = cached(scene_from_dict(name, table, defaults), ROOT)
    out = ROOT / "analysed"
    cli = Path(sys.executable).with_name("turnout")
    cmd = [str(cli), "analyze", str(clip.video), "--no-store", "--quiet", "--out", str(out), "--jobs", "1"]
    subprocess.run(cmd, check=True, capture_output=True)
    rows = read_frame_rows(out / f"{clip.video.stem}.frames.csv")
    t = [r["timestamp_ms"] / 1000.0 for r in rows]
    releves, tendus, _ = count_rows(t, rows, [r["reliable"] == 1.0 for r in rows])
    truth = json.loads(clip.truth.read_text())["expected"]
    print(f"== {name} ({patch or 'no patch'}): truth {len(truth['releves'])} relevés, {len(truth['tendus'])} tendus")
    for x in truth["tendus"]:
        print(f"  truth  {x['leg']:5s} {x['direction']:5s} pointed {x['point_deg']:g}")
    for r in tendus:
        print(f"  tendu  {r.leg:5s} {r.direction:5s} pointed {r.pointed} ({r.point_legs:.3f} legs), knee straight "
              f"{r.knee_straight} ({r.knee_bend_deg:+.1f} deg), closed {r.returned} ({r.return_gap_legs:.3f} of "
              f"{r.return_tolerance_legs:.3f})")  # fmt: skip
    for x in truth["releves"]:
        print(f"  truth  relevé rise {x['rise_deg']:g} bend {x['bend_deg']:g}")
    for rel in releves:
        pct = (
            "nan"
            if math.isnan(rel.foot_pct)
            else f"{rel.foot_pct:.1f} % ({rel.foot_pct_low:.0f}-{rel.foot_pct_high:.0f})"
        )
        knees = f"knees {rel.knees} ({rel.knee_shortfall_legs:+.3f})"
        print(f"  relevé {rel.t_start_s:.2f}-{rel.t_end_s:.2f} s {knees} heels {pct}")


def main(names: list[str]) -> int:
    posing.Poser._slide_straight = _slide_bent  # type: ignore[method-assign]
    posing.Poser.foot_transform = _foot_rolled  # type: ignore[method-assign]
    for name in names or list(SCENES):
        render_and_count(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
