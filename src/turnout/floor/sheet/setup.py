"""Could a webcam filming a dancer see this quad as the reference, and how ordinary is the set-up it implies?"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from turnout.floor.reference import (
    AXIS_ANGLE_PRIOR_DEG,
    CameraFit,
    FocalCheck,
    focal_check,
    order_corners,
)

F64 = NDArray[np.float64]


#: The set-ups a detected reference may imply (a webcam filming a dancer 2-3.5 m away, sheet in front of her;
#: issue 4: 60-78 degree webcams, lens 0.5-1.5 m up), with room for the estimates' own errors: horizontal
#: field of view (degrees), camera height (m), camera-to-sheet distance (m), roll and pitch (degrees)
PLAUSIBLE_HFOV_DEG = (56.0, 84.0)
PLAUSIBLE_HEIGHT_M = (0.45, 1.8)
PLAUSIBLE_DISTANCE_M = (0.9, 4.5)
PLAUSIBLE_PITCH_DEG = (-8.0, 65.0)
MAX_AXIS_ANGLE_DEG = 50.0  # the length must point roughly along the view, as the dancer is told
MAX_ROLL_DEG = 10.0
#: the two focal-length estimates must agree within this many standard errors of the corners
MAX_FOCAL_MISMATCH_SD = 4.0
FOCAL_RANGE_SD = 2.0
#: A corner whose (conservative) uncertainty is beyond this is no calibration: half edges there disagree by
#: pixels (a shadow's edge or a plank running into it), and a few pixels give errors of ten degrees and more.
MAX_CORNER_SD_PX = 3.0
#: What an ordinary set-up looks like (issue 4): a 60-78 degree webcam, lens 0.5-1.5 m up, held level (roll
#: within a couple of degrees). ``setup_cost`` measures how far outside this a reading of a quad puts the camera.
TYPICAL_HFOV_DEG = (60.0, 78.0)
TYPICAL_HEIGHT_M = (0.5, 1.5)
TYPICAL_ROLL_DEG = 2.0  # one standard deviation
MAX_SETUP_COST = 16.0  # a sum of squared standard errors; beyond it the set-up is too unusual to trust
#: Where the dancer is told to lay the sheet (``SHEET_INSTRUCTIONS``; issue 4: she stands 2-3.5 m from the
#: camera, the sheet 0.2-1 m in front of her feet): the distance along the floor from the camera to the sheet's
#: end nearest her feet, metres (its centre lies half its length nearer). A card of another shape may lie
#: anywhere, so only the reference is held to this (``setup_cost(laid=True)``).
TYPICAL_SHEET_DISTANCE_M = (1.0, 3.3)
#: Other shapes a white card on the floor may have (length / width): squares, A4, two A4 end to end, strips.
#: A quad is taken for the reference only if the reference explains it better than each of these.
OTHER_SHAPES = (1.0, math.sqrt(2), 2.0, 2 * math.sqrt(2), 4.0)
#: A quad is given up for another shape only when that shape's set-up is more ordinary by more than this
#: (squared standard errors). Seen small and from far, a sheet and a strip half as long again differ only by
#: the focal length and roll they imply, both inside the typical ranges: a near tie, which the sheet the
#: dancer was asked to lay down wins.
OTHER_SHAPE_TOLERANCE = 0.0


def _noise_px(corner_sd: float) -> float:
    """Corner error to judge consistency by: the edge fits' own estimate, plus what they do not see (blur
    asymmetry, JPEG, floor texture at the edge; about 0.2 px on rendered scenes)."""
    return math.hypot(corner_sd, 0.2)


def _camera_implausible(fit: CameraFit, check: FocalCheck, noise_px: float, image_width: int) -> str:
    """Why a webcam set up to film a dancer could not see this quad as the reference ("" if it could).
    ``check``: the quad's own focal-length estimate (``fit`` holds it kept within the plausible range); it
    counts as plausible when within ``FOCAL_RANGE_SD`` standard errors of the plausible range (from far away
    and low down a sheet's focal length is poorly determined)."""
    f_lo, f_hi = (image_width / 2 / math.tan(math.radians(a) / 2) for a in PLAUSIBLE_HFOV_DEG[::-1])
    f, f_sd = check.focal_px, FOCAL_RANGE_SD * check.focal_sd_px * noise_px
    checks = (
        ("focal mismatch", fit.focal_mismatch_px < MAX_FOCAL_MISMATCH_SD * noise_px),
        ("focal range", math.isfinite(f) and f_lo - f_sd <= f <= f_hi + f_sd),
        ("height", PLAUSIBLE_HEIGHT_M[0] < fit.height_m < PLAUSIBLE_HEIGHT_M[1]),
        ("distance", PLAUSIBLE_DISTANCE_M[0] < fit.distance_m < PLAUSIBLE_DISTANCE_M[1]),
        ("roll", abs(fit.roll_deg) < MAX_ROLL_DEG),
        ("pitch", PLAUSIBLE_PITCH_DEG[0] < fit.pitch_deg < PLAUSIBLE_PITCH_DEG[1]),
        ("axis", fit.axis_angle_deg < MAX_AXIS_ANGLE_DEG),
    )
    return next((name for name, ok in checks if not ok), "")


def setup_cost(
    corners_px: F64,
    width_m: float,
    length_m: float,
    image_size: tuple[int, int],
    noise_px: float,
    laid: bool = False,
) -> float:
    """How unusual a set-up it takes to see ``corners_px`` as a width x length rectangle on the floor, as a sum
    of squared standard errors: the disagreement of the two focal-length estimates over the corner noise
    ``noise_px``, the focal length and camera height outside the typical ranges over their own errors, the
    roll over ``TYPICAL_ROLL_DEG``, and a length pointing across the view. 0: a perfectly ordinary set-up.

    ``laid``: the rectangle is the sheet the dancer was told where to lay, so it should lie at a typical
    distance (``TYPICAL_SHEET_DISTANCE_M``); ``-2 ln`` of the probability that it does is added
    (:func:`_distance_cost`). Seen square-on, a white square card 2.3 m away is exactly what a sheet 3.7 m away
    looks like to a camera of another focal length (issue 4, rendered negatives): focal length, height, roll
    and the focal-length agreement cannot tell them apart, the distance the sheet reading implies can."""
    try:
        ordered, fit = order_corners(corners_px, width_m, length_m, image_size, (30.0, 120.0), noise_px)
    except ValueError:
        return math.inf
    check = focal_check(ordered, width_m, length_m, image_size)
    f = check.focal_px
    if not math.isfinite(f):
        return math.inf
    f_lo, f_hi = (image_size[0] / 2 / math.tan(math.radians(a) / 2) for a in TYPICAL_HFOV_DEG[::-1])
    f_sd = max(check.focal_sd_px * noise_px, 0.02 * f)
    z_focal = max(f_lo - f, f - f_hi, 0.0) / f_sd
    height = fit.height_m * f / fit.focal_px  # the pose scales with the focal length
    h_sd = height * math.hypot(f_sd / f, 0.05)
    z_height = max(TYPICAL_HEIGHT_M[0] - height, height - TYPICAL_HEIGHT_M[1], 0.0) / max(h_sd, 1e-6)
    z_axis = max(fit.axis_angle_deg - AXIS_ANGLE_PRIOR_DEG, 0.0) / 5.0
    placed = 0.0
    if laid:
        distance = fit.distance_m * f / fit.focal_px  # camera to the sheet's centre, like the height
        along = _along_floor_m(distance, height)
        near, far = (d - length_m / 2 for d in TYPICAL_SHEET_DISTANCE_M)
        placed = _distance_cost(along, math.hypot(f_sd / f, 0.05), near, far)
    return (
        (check.mismatch_px / noise_px) ** 2
        + z_focal**2
        + z_height**2
        + (fit.roll_deg / TYPICAL_ROLL_DEG) ** 2
        + z_axis**2
        + placed
    )


def _distance_cost(distance_m: float, rel_sd: float, near_m: float, far_m: float) -> float:
    """``-2 ln P(near < true distance < far)`` for a distance estimated with a relative standard error
    ``rel_sd`` (log-normal): 0 well inside the range, 2 ln 2 (1.4) on its edge, about z^2 far outside it.

    A probability rather than the squared standard errors beyond the edge (as for the focal length and the
    height): the distance is known only as well as the focal length (the whole set-up scales with it, 10-30 %
    for a sheet far away), and a reading that needs the sheet at the far edge of where it was laid is only
    half as likely as one that puts it well inside; the squared excess would count it as fully ordinary."""
    if distance_m <= 0 or rel_sd <= 0:
        return math.inf
    lo = math.log(near_m / distance_m) / (rel_sd * math.sqrt(2))
    hi = math.log(far_m / distance_m) / (rel_sd * math.sqrt(2))
    if lo > 0:  # both bounds above the estimate: the difference of two upper tails, without cancellation
        mass = 0.5 * (math.erfc(lo) - math.erfc(hi))
    elif hi < 0:
        mass = 0.5 * (math.erfc(-hi) - math.erfc(-lo))
    else:
        mass = 1.0 - 0.5 * (math.erfc(-lo) + math.erfc(hi))
    return -2.0 * math.log(max(mass, 1e-300))


def _best_other_shape_cost(
    corners: F64, width_m: float, length_m: float, size: tuple[int, int], noise_px: float
) -> float:
    """The lowest ``setup_cost`` of a square or a rectangle of clearly other proportions (``OTHER_SHAPES``)
    for the quad. If it is no higher than the reference's, another shape explains the quad with a set-up at
    least as ordinary: far away, or seen square-on, a white card can look exactly like a sheet to a camera of
    another focal length; only a view that favours the reference counts."""
    ratio = length_m / width_m
    return min(
        (
            setup_cost(corners, width_m, width_m * other, size, noise_px)
            for other in OTHER_SHAPES
            if abs(math.log(other / ratio)) >= 0.2
        ),
        default=math.inf,
    )


def _along_floor_m(distance_m: float, height_m: float) -> float:
    """Distance along the floor from the point below the camera to the reference's centre, metres, from the
    camera's distance to that centre and its height."""
    return math.sqrt(max(distance_m**2 - height_m**2, 0.0))
