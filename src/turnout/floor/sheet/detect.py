"""Finding the reference on the floor: candidates, their edges fitted, each judged; the best explained one wins."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

from turnout.floor.reference import (
    REFERENCES,
    CameraFit,
    FloorCalibration,
    focal_check,
    order_corners,
)
from turnout.floor.sheet.candidates import _candidates, _straighten
from turnout.floor.sheet.edges import EdgeFit, _edge_plane, _gray, _refine, _split_half_sd
from turnout.floor.sheet.paper import (
    UNSEEN_JOIN_MAX_DISTANCE,
    _edges_plausible,
    _join_visible,
    _looks_like_paper,
    _steps_not_lines,
)
from turnout.floor.sheet.setup import (
    MAX_CORNER_SD_PX,
    MAX_SETUP_COST,
    OTHER_SHAPE_TOLERANCE,
    PLAUSIBLE_HFOV_DEG,
    TYPICAL_SHEET_DISTANCE_M,
    _along_floor_m,
    _best_other_shape_cost,
    _camera_implausible,
    _noise_px,
    setup_cost,
)

F64 = NDArray[np.float64]

#: Margins beyond this (squared standard errors) all mean "certainly not another shape"; capped so that among
#: such candidates the more ordinary set-up is not outweighed by an infinite margin.
_MARGIN_CAP = 50.0


#: What to tell the dancer before calibrating.
SHEET_INSTRUCTIONS = (
    "Lay a sheet of A4 or US-letter paper flat on the floor about half a metre in front of your feet, "
    "long edge pointing at the camera. Keep all of it in view, smooth and uncovered, with nothing on it "
    "and no shadow across it, then stand still behind it."
)


@dataclass(frozen=True, slots=True)
class Detection:
    corners_px: F64  # canonical order (see turnout.floor.reference)
    corner_sd_px: F64
    camera: CameraFit
    contrast: float
    setup_cost: float  # see setup_cost: lower is a more ordinary webcam set-up
    margin: float = 0.0  # how much worse (setup_cost) the best other shape explains the quad, capped


def detect_reference(
    image: ArrayLike, width_m: float, length_m: float, white: bool = True, sheets: int = 1
) -> Detection | None:
    """The rectangle of the given size on the floor that best passes the checks (see module doc), or None.
    ``white``: the reference is paper, so it must be nearly neutral in colour and brighter than the floor.
    ``sheets``: 2 for two sheets laid end to end, whose join must show (:func:`_join_visible`).

    Of several candidates that pass, the one the reference explains best against the other shapes
    (``Detection.margin``) is taken: a square card can pass for a US-letter sheet (aspect 1.29) with an
    ordinary set-up, but the real sheet beside it is explained far better as a sheet than as anything else."""
    img = np.asarray(image)
    gray = _gray(img)
    best: Detection | None = None
    found: list[Detection] = []
    refined: list[F64] = []  # corners of the candidates judged so far
    # candidates from the least of the three channels: paper is white, so it stays bright in it, while wooden
    # and coloured floors (and their bright planks) drop to their darkest channel
    if img.ndim == 3:  # channel by channel: numpy's reduction across the last axis is slow
        whiteness = np.minimum(np.minimum(img[..., 0], img[..., 1]), img[..., 2]).astype(np.float64)
    else:
        whiteness = gray
    for rough, outline in _candidates(whiteness):
        if white and not _looks_like_paper(img, gray, rough, gap=4.0):
            continue  # cheap test on the rough outline before the costly edge fits
        centre = (float(rough[:, 0].mean()), float(rough[:, 1].mean()))
        if any(cv2.pointPolygonTest(d.corners_px.astype(np.float32), centre, False) > 0 for d in found):
            continue  # the same reference again, outlined at another level
        quad = _straighten(rough, outline)
        if any(np.abs(np.sort(quad, axis=0) - np.sort(r, axis=0)).max() < _SAME_QUAD_PX for r in refined):
            continue  # its edges would be fitted to the same lines again
        _, det = _judge(img, gray, quad, width_m, length_m, white, refined, sheets)
        if det is not None:
            found.append(det)
            if best is None or det.margin > best.margin:
                best = det
            if best.margin >= _MARGIN_CAP:
                break  # no later candidate can beat a capped margin: the answer cannot change
    return best


#: A rough quad this close (every corner, px) to the refined corners of a candidate already judged is the same
#: candidate: the edge fits would converge to the same lines.
_SAME_QUAD_PX = 3.0


def _judge(
    image: NDArray[np.generic],
    gray: F64,
    quad: F64,
    width_m: float,
    length_m: float,
    white: bool,
    refined_out: list[F64] | None = None,
    sheets: int = 1,
) -> tuple[str, Detection | None]:
    """Refine one candidate and run every check: ("ok", detection) or (the first check it failed, None).
    The refined corners are appended to ``refined_out`` when given."""
    size = (gray.shape[1], gray.shape[0])
    plane = _edge_plane(image, quad)
    verdict: list[str] = []

    def hopeless(corners: F64, edges: list[EdgeFit]) -> bool:
        if not _edges_plausible(edges, slack=2.0):
            verdict.append("edges")
        elif white and not _steps_not_lines(plane, edges, corners):
            verdict.append("lines")
        else:  # the camera checks with twice the corner noise: the corners will still move a little
            try:
                ordered, fit = order_corners(corners, width_m, length_m, size, PLAUSIBLE_HFOV_DEG, 2 * _noise_px(0.2))
                focal = focal_check(ordered, width_m, length_m, size)
                reason = _camera_implausible(fit, focal, 2 * _noise_px(0.2), size[0])
            except ValueError:
                reason = "order"
            if reason:
                verdict.append(reason)
        return bool(verdict)

    refined = _refine(plane, quad, rounds=2, hopeless=hopeless)
    if refined is None:
        return (verdict[0] if verdict else "no edges"), None
    corners, sd, edges = refined
    if refined_out is not None:
        refined_out.append(corners)
    scale = math.sqrt(abs(cv2.contourArea(corners.astype(np.float32))))
    if np.abs(corners.mean(axis=0) - quad.mean(axis=0)).max() > 0.3 * scale:
        return "drifted", None
    if not _edges_plausible(edges):
        return "edges", None
    if white and not _looks_like_paper(image, gray, corners):
        return "not paper", None
    if not _steps_not_lines(plane, edges, corners):
        return "lines", None
    corner_sd = float(np.sqrt(np.mean(sd**2)))
    noise = _noise_px(corner_sd)
    try:
        ordered, fit = order_corners(corners, width_m, length_m, size, PLAUSIBLE_HFOV_DEG, noise)
    except ValueError:
        return "order", None
    reason = _camera_implausible(fit, focal_check(ordered, width_m, length_m, size), noise, size[0])
    if reason:
        return reason, None
    near, either = _split_half_sd(plane, corners, edges)
    reported = np.hypot(sd, either)
    sd = np.hypot(sd, near)
    noise = _noise_px(float(np.sqrt(np.mean(sd**2))))
    cost = setup_cost(corners, width_m, length_m, size, noise, laid=True)
    if cost > MAX_SETUP_COST:
        return "unusual set-up", None
    other = _best_other_shape_cost(corners, width_m, length_m, size, noise)
    if other < cost - OTHER_SHAPE_TOLERANCE:
        return "another shape fits", None
    if sheets == 2 and image.ndim == 3:
        join = _join_visible(image, ordered, width_m, length_m)
        if join is False:
            return "no join", None
        if join is None and _along_floor_m(fit.distance_m, fit.height_m) > UNSEEN_JOIN_MAX_DISTANCE * (
            TYPICAL_SHEET_DISTANCE_M[1] - length_m / 2
        ):
            return "no join, far", None
    if float(reported.max()) > MAX_CORNER_SD_PX:
        return "uncertain corner", None
    order = [int(np.argmin(np.abs(corners - p).sum(axis=1))) for p in ordered]
    contrast = float(np.median([e.contrast for e in edges]))
    return "ok", Detection(ordered, reported[order], fit, contrast, cost, min(other - cost, _MARGIN_CAP))


def find_sheet(bgr_image: ArrayLike, sheet: str = "A4") -> FloorCalibration | None:
    """Detect a sheet of paper (``"A4"``, ``"letter"``, or another name in ``REFERENCES``) lying on the floor
    and return the floor calibration it gives, or None when no sheet is found."""
    if sheet not in REFERENCES:
        raise ValueError(f"unknown sheet {sheet!r}; use one of {sorted(REFERENCES)}")
    img = np.asarray(bgr_image)
    if img.ndim not in (2, 3) or img.shape[0] < 32 or img.shape[1] < 32:
        raise ValueError(f"expected a BGR image (H, W, 3), got an array of shape {img.shape}")
    width_m, length_m = REFERENCES[sheet]
    det = detect_reference(img, width_m, length_m, sheets=2 if sheet.endswith("-pair") else 1)
    if det is None:
        return None
    size = (img.shape[1], img.shape[0])
    cal = FloorCalibration.from_corners(det.corners_px, width_m, length_m, size, reference=sheet)
    return FloorCalibration(
        cal.homography, size, sheet, (width_m, length_m), cal.corners_px, float(np.sqrt(np.mean(det.corner_sd_px**2)))
    )
