"""The measurement contract: what the geometry produces and everything downstream consumes.

Every measurement is defined here once, by name, with its unit. ``docs/measurements.md`` defines the
geometry behind each. A value that cannot be measured is ``nan`` and carries a reason a person can read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

_EMPTY: Final[Mapping[str, str]] = MappingProxyType({})


class Mode(StrEnum):
    """Which method produced a measurement."""

    UNCALIBRATED_3D = "uncalibrated-3d"  # MediaPipe world landmarks only
    FLOOR = "floor-calibrated"  # foot angles from image points mapped onto the floor by a homography


#: Per-side measurement names and units, in the order they are stored and exported.
SIDE_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("knee_flexion_deg", "deg"),
    ("foot_turnout_deg", "deg"),
    ("knee_turnout_deg", "deg"),
    ("forced_turnout_deg", "deg"),
    ("knee_over_toe_offset_m", "m"),
    ("heel_height_m", "m"),
    # the heel's height above its toe as the picture shows it, in metres (scaled by the shank): not a height
    # above the floor, but it rises by as much as the heel lifts; see docs/measurements.md
    ("heel_rise_m", "m"),
)

#: Whole-body measurement names and units.
BODY_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("total_foot_turnout_deg", "deg"),
    ("pelvis_level_m", "m"),  # left hip height minus right hip height (positive: left hip higher)
    ("torso_lean_deg", "deg"),  # angle of mid-hip -> mid-shoulder from vertical, 0 = upright
    ("weight_shift_m", "m"),  # mid-hip over mid-ankles, sideways; positive toward the dancer's left
)

SIDES: Final = ("left", "right")

#: Image-plane measurements per side (``turnout.measure.image``; docs/measurements.md, "In the picture"): pixels,
#: positions relative to the picture's centre, x to the picture's right, y down.
IMAGE_SIDE_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("knee_x_px", "px"),
    ("knee_y_px", "px"),
    ("ankle_x_px", "px"),
    ("ankle_y_px", "px"),
    ("heel_x_px", "px"),
    ("heel_y_px", "px"),
    ("toe_x_px", "px"),
    ("toe_y_px", "px"),
    ("leg_px", "px"),  # hip to ankle, in the picture
    ("shank_px", "px"),  # knee to ankle, in the picture
    ("knee_side_px", "px"),  # the knee's sideways offset from its ankle, outward positive (front view)
    ("knee_bend_img_deg", "deg"),  # 180 minus the hip-knee-ankle angle of the points in the picture
)

#: Image-plane measurements of the whole body.
IMAGE_BODY_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("hip_x_px", "px"),  # mid-hip
    ("hip_y_px", "px"),
    ("floor_y_px", "px"),  # the lower toe point: the floor line nearest the camera
    ("hip_height_px", "px"),  # floor_y_px - hip_y_px
    ("facing_code", "1"),  # 1 front, 2 three-quarter, 3 side, 4 back (turnout.measure.image)
    ("facing_ratio", "1"),  # the wider of shoulder and hip width over torso height
    ("hip_tilt_img_deg", "deg"),  # the hip line against the picture's horizontal, her left hip higher positive
    ("torso_lean_img_deg", "deg"),  # mid-hip -> mid-shoulder against the picture's vertical, toward picture right
    ("face_yaw_deg", "deg"),  # her face turned from the camera (nose against the ears), toward her left positive
    ("shoulders_yaw_deg", "deg"),  # her shoulder line turned likewise (the pose model's image depth; sign only)
    ("frame_width_px", "px"),
    ("frame_height_px", "px"),
    # the profile view (side-on to the camera only; nan otherwise; docs/measurements.md, "From the side"): each
    # point is the mean of her two sides' points, forward is where she faces (her nose ahead of her ears)
    ("profile_facing", "1"),  # +1 she faces the picture's right, -1 its left
    ("profile_ear_fwd_px", "px"),  # the ear point forward of the ankle point
    ("profile_shoulder_fwd_px", "px"),  # the shoulder point forward of the ankle point
    ("profile_hip_fwd_px", "px"),  # the hip point forward of the ankle point
    ("profile_knee_fwd_px", "px"),  # the knee point forward of the ankle point
    ("profile_hip_up_px", "px"),  # the hip point above the ankle point
    ("profile_torso_deg", "deg"),  # hip -> shoulder against the picture's vertical, forward positive
    ("profile_neck_deg", "deg"),  # shoulder -> ear against the picture's vertical, forward positive
    ("profile_thigh_deg", "deg"),  # knee -> hip against the picture's vertical, forward positive
    ("profile_shank_deg", "deg"),  # ankle -> knee against the picture's vertical, forward positive
    # each toe point on its own (as MediaPipe names it), ahead of the hip point: a tendu to the front or back side-on
    ("profile_left_toe_fwd_px", "px"),
    ("profile_right_toe_fwd_px", "px"),
    # her shoulders' midpoint (front view; with the mid-hip, her torso's length in the picture: the seated stretches'
    # scale, turnout.practice.stretches)
    ("shoulder_x_px", "px"),
    ("shoulder_y_px", "px"),
)


#: The per-frame column that says which mode measured a frame: 1 floor-calibrated, 0 uncalibrated 3D.
MODE_COLUMN: Final = "floor_calibrated"


def geometry_names() -> tuple[str, ...]:
    """The 3D measurements' column names (``turnout.measure.geometry``): per side, then body fields."""
    per_side = tuple(f"{side}_{name}" for side in SIDES for name, _ in SIDE_FIELDS)
    return per_side + tuple(name for name, _ in BODY_FIELDS)


def image_names() -> tuple[str, ...]:
    """The image-plane measurements' column names (``turnout.measure.image``): per side, then body fields."""
    per_side = tuple(f"{side}_{name}" for side in SIDES for name, _ in IMAGE_SIDE_FIELDS)
    return per_side + tuple(name for name, _ in IMAGE_BODY_FIELDS)


def flat_names() -> tuple[str, ...]:
    """Column names of a flat per-frame row: the 3D measurements (``left_knee_flexion_deg``, ..., then body
    fields), then the image-plane ones."""
    return geometry_names() + image_names()


def record_names() -> tuple[str, ...]:
    """What is recorded per frame (storage, CSV, analysis): :func:`flat_names` and :data:`MODE_COLUMN`."""
    return (*flat_names(), MODE_COLUMN)


def mode_of(value: float) -> Mode | None:
    """The mode a :data:`MODE_COLUMN` value (or a rep's fraction of floor-calibrated frames) stands for."""
    if not math.isfinite(value):
        return None
    return Mode.FLOOR if value >= 0.5 else Mode.UNCALIBRATED_3D


def mode_label(value: float) -> str:
    """:func:`mode_of` as CSV text: ``floor-calibrated``, ``uncalibrated-3d``, or empty when not known."""
    mode = mode_of(value)
    return "" if mode is None else str(mode)


@dataclass(frozen=True, slots=True)
class SideMeasurement:
    """One leg's measurements in one frame. ``nan`` where not measurable; see ``reasons``."""

    knee_flexion_deg: float = math.nan
    foot_turnout_deg: float = math.nan
    knee_turnout_deg: float = math.nan
    forced_turnout_deg: float = math.nan
    knee_over_toe_offset_m: float = math.nan
    heel_height_m: float = math.nan
    heel_rise_m: float = math.nan
    #: field name -> why it is nan ("feet not visible", "knee too straight to have a direction", ...)
    reasons: Mapping[str, str] = field(default_factory=lambda: _EMPTY, compare=False)


@dataclass(frozen=True, slots=True)
class ImageMeasurement:
    """The image-plane measurements of one frame (``turnout.measure.image``), named as :func:`image_names`, in
    pixels; ``nan`` where not measurable (``reasons``: field -> why)."""

    left_knee_x_px: float = math.nan
    left_knee_y_px: float = math.nan
    left_ankle_x_px: float = math.nan
    left_ankle_y_px: float = math.nan
    left_heel_x_px: float = math.nan
    left_heel_y_px: float = math.nan
    left_toe_x_px: float = math.nan
    left_toe_y_px: float = math.nan
    left_leg_px: float = math.nan
    left_shank_px: float = math.nan
    left_knee_side_px: float = math.nan
    left_knee_bend_img_deg: float = math.nan
    right_knee_x_px: float = math.nan
    right_knee_y_px: float = math.nan
    right_ankle_x_px: float = math.nan
    right_ankle_y_px: float = math.nan
    right_heel_x_px: float = math.nan
    right_heel_y_px: float = math.nan
    right_toe_x_px: float = math.nan
    right_toe_y_px: float = math.nan
    right_leg_px: float = math.nan
    right_shank_px: float = math.nan
    right_knee_side_px: float = math.nan
    right_knee_bend_img_deg: float = math.nan
    hip_x_px: float = math.nan
    hip_y_px: float = math.nan
    floor_y_px: float = math.nan
    hip_height_px: float = math.nan
    facing_code: float = math.nan
    facing_ratio: float = math.nan
    hip_tilt_img_deg: float = math.nan
    torso_lean_img_deg: float = math.nan
    face_yaw_deg: float = math.nan
    shoulders_yaw_deg: float = math.nan
    frame_width_px: float = math.nan
    frame_height_px: float = math.nan
    profile_facing: float = math.nan
    profile_ear_fwd_px: float = math.nan
    profile_shoulder_fwd_px: float = math.nan
    profile_hip_fwd_px: float = math.nan
    profile_knee_fwd_px: float = math.nan
    profile_hip_up_px: float = math.nan
    profile_torso_deg: float = math.nan
    profile_neck_deg: float = math.nan
    profile_thigh_deg: float = math.nan
    profile_shank_deg: float = math.nan
    profile_left_toe_fwd_px: float = math.nan
    profile_right_toe_fwd_px: float = math.nan
    shoulder_x_px: float = math.nan
    shoulder_y_px: float = math.nan
    reasons: Mapping[str, str] = field(default_factory=lambda: _EMPTY, compare=False)


@dataclass(frozen=True, slots=True)
class FrameMeasurement:
    """All measurements of one frame."""

    left: SideMeasurement
    right: SideMeasurement
    total_foot_turnout_deg: float = math.nan
    pelvis_level_m: float = math.nan
    torso_lean_deg: float = math.nan
    weight_shift_m: float = math.nan
    mode: Mode = Mode.UNCALIBRATED_3D
    reasons: Mapping[str, str] = field(default_factory=lambda: _EMPTY, compare=False)
    #: what the picture itself shows (``turnout.measure.image``); all ``nan`` until the pipeline adds it
    image: ImageMeasurement = field(default_factory=ImageMeasurement)

    def side(self, name: str) -> SideMeasurement:
        if name == "left":
            return self.left
        if name == "right":
            return self.right
        raise ValueError(f"side must be 'left' or 'right', got {name!r}")

    def as_row(self) -> dict[str, float]:
        """Flat mapping ``record_names() -> value`` for CSV rows and storage (the mode as 1.0 or 0.0)."""
        left, right, image = self.left, self.right, self.image
        row: dict[str, float] = {}
        for key, name in _LEFT_KEYS:
            row[key] = float(getattr(left, name))
        for key, name in _RIGHT_KEYS:
            row[key] = float(getattr(right, name))
        for name in _BODY_NAMES:
            row[name] = float(getattr(self, name))
        for name in _IMAGE_KEYS:
            row[name] = float(getattr(image, name))
        row[MODE_COLUMN] = 1.0 if self.mode is Mode.FLOOR else 0.0
        return row


#: :meth:`FrameMeasurement.as_row`'s keys, worked out once (it runs on every frame, live and stored)
_LEFT_KEYS: Final = tuple((f"left_{name}", name) for name, _ in SIDE_FIELDS)
_RIGHT_KEYS: Final = tuple((f"right_{name}", name) for name, _ in SIDE_FIELDS)
_BODY_NAMES: Final = tuple(name for name, _ in BODY_FIELDS)
_IMAGE_KEYS: Final = image_names()
