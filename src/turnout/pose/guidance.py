"""Is this pose good enough to measure? If not, what should the dancer do about it?

Measuring starts only when one person is in view, facing the camera, with hips, knees and feet inside the
picture and visible, in enough light. Every check that fails gives one short instruction; until all pass,
the frame is unreliable and no rep or flag is computed from it. One instruction is advice only: her head out of
the picture (:data:`HEAD_IN_VIEW`). Her legs are measured without it, but the pose model then has no face to tell
her front from her back, and a frame it reads as seen from behind stops the measuring for a while
(``turnout.session.pipeline.FacingOrder``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from turnout.pose import landmarks as lm
from turnout.pose.estimator import PoseFrame

STEP_IN: Final = "Step into view of the camera"
ONE_PERSON: Final = "Only one person in view, please"
FEET_IN_VIEW: Final = "Step back until your feet are in view"
TOO_CLOSE: Final = "Step back: you are too close to the camera"
FACE_CAMERA: Final = "Face the camera"
MORE_LIGHT: Final = "More light, please: the room is too dark"
#: Her face (nose and ears) outside the picture. On the studio, the scenes facing the camera that the pose model read
#: as seen from behind on some of their frames (6 to 42 of 112 frames: a dancer near a low camera; barre_tendu_low)
#: all had her face at or past the picture's top edge; seen from behind, her head stood well inside
#: (docs/measurements.md, "Her head out of the picture").
HEAD_IN_VIEW: Final = "Step back or tilt the camera up: your head is out of the picture"

#: A landmark counts as seen when MediaPipe's visibility is at least this (its own 0.5 convention).
MIN_VISIBILITY: Final = 0.5
#: Landmarks must lie this far inside the picture (fraction of width/height) to be trusted.
EDGE_MARGIN: Final = 0.01
#: Turned further than this from the camera (hip line vs image plane), turnout cannot be read from the front.
MAX_YAW_DEG: Final = 35.0
#: Mean brightness (0-255) below which MediaPipe's landmarks get unreliable on webcam footage.
MIN_BRIGHTNESS: Final = 45.0
#: A body taller than this fraction of the picture (shoulders to feet) is too close for the feet to be safe.
MAX_BODY_HEIGHT: Final = 0.97


@dataclass(frozen=True, slots=True)
class Assessment:
    reliable: bool
    guidance: tuple[str, ...]
    brightness: float
    yaw_deg: float
    #: her face is not all inside the picture (:func:`head_out`; False without a picture of her)
    head_out: bool = False

    @property
    def turned(self) -> bool:
        """Her hip line turned further than :data:`MAX_YAW_DEG` from the picture's plane."""
        return _turned(self.yaw_deg)

    @property
    def only_turned(self) -> bool:
        """Turned (:attr:`turned`) and nothing else wrong: her knees and feet cannot be judged, but her pliés can be
        counted (``turnout.session.pipeline``: a three-quarter view)."""
        return self.guidance == (FACE_CAMERA,)


def _turned(yaw: float) -> bool:
    return math.isfinite(yaw) and yaw > MAX_YAW_DEG


def brightness(bgr: np.ndarray) -> float:
    """Mean luma of a frame, on a subsampled grid (cheap enough for every frame)."""
    small = bgr[::8, ::8]
    return float(small[..., 0].mean() * 0.114 + small[..., 1].mean() * 0.587 + small[..., 2].mean() * 0.299)


def yaw_deg(world: np.ndarray) -> float:
    """How far the hip line is turned from the image plane (0 = square to the camera)."""
    d = world[lm.LEFT_HIP] - world[lm.RIGHT_HIP]
    if not np.all(np.isfinite(d)) or math.hypot(float(d[0]), float(d[2])) < 1e-6:
        return math.nan
    return math.degrees(math.atan2(abs(float(d[2])), abs(float(d[0]))))


def _finite_extreme(values: np.ndarray, extreme: Any) -> float:
    """The smallest or largest finite value (nan if none: a body of unknown height is not judged too close)."""
    finite = values[np.isfinite(values)]
    return float(extreme(finite)) if finite.size else math.nan


def assess(pose: PoseFrame, bgr: np.ndarray | None = None) -> Assessment:
    """Check one frame; ``guidance`` lists what to fix, most important first."""
    light = brightness(bgr) if bgr is not None else math.nan
    dark = math.isfinite(light) and light < MIN_BRIGHTNESS
    if pose.image is None or pose.world is None:
        headless = pose.image is not None and head_out(pose.image)
        return Assessment(False, (MORE_LIGHT, STEP_IN) if dark else (STEP_IN,), light, math.nan, headless)
    tips: list[str] = []
    if pose.people > 1:
        tips.append(ONE_PERSON)
    img = pose.image
    legs = np.array(lm.LOWER_BODY)
    inside = (
        (img[legs, 0] >= EDGE_MARGIN)
        & (img[legs, 0] <= 1 - EDGE_MARGIN)
        & (img[legs, 1] >= EDGE_MARGIN)
        & (img[legs, 1] <= 1 - EDGE_MARGIN)
    )
    visible = img[legs, 3] >= MIN_VISIBILITY
    top = _finite_extreme(img[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER], 1], np.min)
    bottom = _finite_extreme(img[legs, 1], np.max)
    if not inside.all() or not visible.all():
        tips.append(TOO_CLOSE if bottom - top > MAX_BODY_HEIGHT else FEET_IN_VIEW)
    yaw = yaw_deg(pose.world)
    if _turned(yaw):
        tips.append(FACE_CAMERA)
    if dark:
        tips.append(MORE_LIGHT)
    headless = head_out(img)
    advice = (HEAD_IN_VIEW,) if not tips and headless else ()
    return Assessment(not tips, (*tips, *advice), light, yaw, headless)


def head_out(image: np.ndarray) -> bool:
    """Whether her face (nose and ears, :data:`turnout.pose.landmarks.FACE`) is not all inside the picture: the pose
    model's points of a face past the picture's edge are its guesses."""
    face = image[list(lm.FACE), :2]
    return not bool(np.all((face >= EDGE_MARGIN) & (face <= 1 - EDGE_MARGIN)))
