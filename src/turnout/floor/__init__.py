"""Floor calibration from a reference rectangle (a sheet of paper) and camera-moved detection.

``find_sheet(bgr, sheet="A4")`` finds a sheet on the floor and returns a :class:`FloorCalibration`, whose
``image_to_floor`` maps pixel points onto the floor in metres. ``FloorCalibration.from_corners`` does the
same from four corners the user clicked or typed (refine clicks with :func:`refine_corners` first).
:class:`CameraMotionCheck` says when the camera has moved and the calibration no longer holds.
"""

from __future__ import annotations

from turnout.floor.motion import CameraMotionCheck, MotionResult, camera_moved
from turnout.floor.reference import (
    REFERENCES,
    CameraFit,
    FloorCalibration,
    fit_camera,
    order_corners,
    turnout_error_deg,
)
from turnout.floor.sheet import SHEET_INSTRUCTIONS, Detection, detect_reference, find_sheet, refine_corners

__all__ = [
    "REFERENCES",
    "SHEET_INSTRUCTIONS",
    "CameraFit",
    "CameraMotionCheck",
    "Detection",
    "FloorCalibration",
    "MotionResult",
    "camera_moved",
    "detect_reference",
    "find_sheet",
    "fit_camera",
    "order_corners",
    "refine_corners",
    "turnout_error_deg",
]
