"""Floor calibration from a reference rectangle (a sheet of paper) and camera-moved detection."""

from __future__ import annotations

from turnout.calibration.floor import REFERENCES, CameraFit, FloorCalibration, fit_camera, order_corners

__all__ = ["REFERENCES", "CameraFit", "FloorCalibration", "fit_camera", "order_corners"]
