"""Sheet detection and corner refinement on rendered scenes (generator: turnout.calibration.render)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from turnout.calibration import SHEET_INSTRUCTIONS, find_sheet, refine_corners
from turnout.calibration.floor import angle_between_deg
from turnout.calibration.render import Rendered, random_scene, render

SIZES = ((1280, 720), (960, 540))


def _turnout_error(r: Rendered, sheet: str = "A4") -> tuple[float, float] | None:
    cal = find_sheet(r.image, sheet)
    if cal is None:
        return None
    assert r.corners_px is not None
    corner_err = float(np.linalg.norm(cal.corners_px[:, None] - r.corners_px[None], axis=2).min(axis=1).max())
    heels, toes = cal.image_to_floor(r.heels_px), cal.image_to_floor(r.toes_px)
    return abs(angle_between_deg(toes[0] - heels[0], toes[1] - heels[1]) - r.scene.total_turnout_deg), corner_err


@pytest.mark.parametrize("size", SIZES, ids=["1280x720", "960x540"])
def test_rendered_sheets_are_found_and_turnout_is_recovered(size: tuple[int, int]) -> None:
    rng = np.random.default_rng(2024 + size[0])
    results = [_turnout_error(render(random_scene(rng, size, "A4", distractors=1))) for _ in range(10)]
    found = [r for r in results if r is not None]
    assert len(found) >= 9
    errors = np.array([e for e, _ in found])
    corners = np.array([c for _, c in found])
    assert np.median(errors) < 1.0
    assert np.median(corners) < 0.25
    assert np.mean(errors < 4.0) >= 0.85


def test_letter_sheet() -> None:
    rng = np.random.default_rng(7)
    results = [_turnout_error(render(random_scene(rng, SIZES[i % 2], "letter")), "letter") for i in range(4)]
    found = [r for r in results if r is not None]
    assert len(found) >= 3
    assert np.median([e for e, _ in found]) < 1.5


def test_no_sheet_is_found_among_distractors() -> None:
    rng = np.random.default_rng(99)
    hits = [find_sheet(render(random_scene(rng, SIZES[i % 2], None, distractors=3)).image) for i in range(8)]
    assert sum(h is not None for h in hits) == 0


def test_plain_floor_without_anything_finds_nothing() -> None:
    scene = random_scene(np.random.default_rng(3), (960, 540), None)
    assert find_sheet(render(replace(scene, patches=())).image) is None


def test_refine_corners_from_rough_clicks_is_subpixel() -> None:
    rng = np.random.default_rng(11)
    scene = replace(random_scene(rng, (1280, 720), "A4"), floor_kind="carpet", jpeg_quality=0)
    r = render(scene)
    assert r.corners_px is not None
    clicked = r.corners_px + rng.normal(0, 1.5, (4, 2))
    out = refine_corners(r.image, clicked)
    assert out is not None
    corners, sd, _ = out
    assert np.abs(corners - r.corners_px).max() < 0.3
    assert np.abs(clicked - r.corners_px).max() > 0.5
    assert np.all(sd > 0) and np.all(sd < 0.3)


def test_bad_inputs_raise_one_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown sheet"):
        find_sheet(np.zeros((540, 960, 3), np.uint8), "A3")
    with pytest.raises(ValueError, match="BGR image"):
        find_sheet(np.zeros((5, 5, 3), np.uint8))
    with pytest.raises(ValueError, match="shape"):
        refine_corners(np.zeros((540, 960, 3), np.uint8), np.zeros((3, 2)))


def test_instructions_say_how_to_lay_the_sheet() -> None:
    assert "long edge pointing at the camera" in SHEET_INSTRUCTIONS
    assert "flat" in SHEET_INSTRUCTIONS
