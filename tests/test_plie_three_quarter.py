"""Pliés with the camera 30 degrees to her side, twice the issue's 15 (a dancer at home rarely stands square to her
laptop): the tracker counts them with their kind and time, and the correct one in first position is not flagged. Two
scenes outside the catalogue through the real pose model, rendered on first use and cached under build/studio/. What
these do not show, measured at random views (`scripts/variant_sweep.py --yaw 18 45`; docs/measurements.md, "Views
outside the catalogue"): turned that far a forced plié is often not flagged, and a correct one in second position
was (the camera 18 degrees to her side)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from test_barre import analyse_scene

FAULTS = frozenset({"knees_inside_toes", "forced_turnout"})


def scene(feet: int, hips: int, yaw: float, body: str, look: str) -> dict[str, Any]:
    return {
        "fps": 12, "width": 640, "height": 360, "feet": feet, "hips": hips, "body": body, "look": look,
        "camera": {"height": 1.0, "distance": 2.8, "yaw": yaw},
        "script": ["stand 1.5", "demi 3", "stand 0.8", "demi 3", "stand 1"],
        "description": f"first {feet}/{hips}, the camera {abs(yaw):g} degrees to her {'left' if yaw > 0 else 'right'}",
        "tags": ["first"],
    }  # fmt: skip


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "spec", "forced"),
    [
        ("tq_plie_correct", scene(60, 60, 30.0, "f_avg", "leotard"), False),
        ("tq_plie_forced", scene(60, 35, -30.0, "f_tall", "bare_legs"), True),
    ],
)
def test_plies_thirty_degrees_round_are_counted_and_the_correct_one_is_not_flagged(
    tmp_path: Path, name: str, spec: dict[str, Any], forced: bool
) -> None:
    run = analyse_scene(name, tmp_path, spec)
    reps = run.analysis["reps"]
    assert [r["kind"] for r in reps] == [r["kind"] for r in run.truth["expected"]["reps"]] == ["demi", "demi"]
    for rep, want in zip(reps, run.truth["expected"]["reps"], strict=True):
        assert abs(rep["start_s"] - want["start_s"]) <= 0.5, (rep, want)
    if not forced:
        assert not any({f["code"] for f in r["flags"]} & FAULTS for r in reps), [r["flags"] for r in reps]
    assert run.releves == [] and run.tendus == []
