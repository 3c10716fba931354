"""Has the camera moved since the floor was calibrated?

The calibration frame is kept (grey, half size). A new frame is cut into a grid of tiles and each tile is
aligned to the same tile of the calibration frame by phase correlation. Tiles without texture, or where
something moved (the dancer, the sheet taken away), give weak or disagreeing answers; the camera's motion
is the median shift of the tiles that answer confidently. A camera that moved shifts every tile, so the
median moves; a dancer moving in front of a still camera changes only a minority of tiles.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import ArrayLike, NDArray

_SCALE = 0.5  # frames are compared at half size: fast, and less sensor noise per pixel
_MOVED = "the camera moved (the view shifted by about {:.1f} px): lay the sheet down again and recalibrate"


@dataclass(frozen=True, slots=True)
class MotionResult:
    moved: bool | None  # None: too little texture to tell
    shift_px: float  # median image shift of the confident tiles, full-size pixels
    tiles_used: int
    tiles_agreeing: int  # confident tiles whose shift is within tolerance of zero
    message: str


def _prepare(frame: ArrayLike) -> NDArray[np.float32]:
    img = np.asarray(frame)
    if img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    elif img.ndim != 2:
        raise ValueError(f"frame must be BGR (H, W, 3) or grey (H, W), got shape {img.shape}")
    small = cv2.resize(img, None, fx=_SCALE, fy=_SCALE, interpolation=cv2.INTER_AREA)
    return np.asarray(small, np.float32)


def _weighted_median(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def _f32(a: object) -> NDArray[np.float32]:
    return np.asarray(a, np.float32)


def _tile_shifts(
    ref: NDArray[np.float32], cur: NDArray[np.float32], grid: tuple[int, int]
) -> tuple[list[tuple[float, float, float]], int]:
    """Phase-correlation shift (cur relative to ref) of each textured tile that matches confidently, and
    how many tiles had texture at all."""
    h, w = ref.shape
    tw, th = w // grid[0], h // grid[1]
    window = cv2.createHanningWindow((tw, th), cv2.CV_32F)
    smooth = cv2.blur(ref, (5, 5))
    shifts: list[tuple[float, float, float]] = []
    textured = 0
    for j in range(grid[1]):
        for i in range(grid[0]):
            rows, cols = slice(j * th, (j + 1) * th), slice(i * tw, (i + 1) * tw)
            if float(smooth[rows, cols].std()) < 3.0:
                continue  # flat wall or floor (noise only): nothing to align
            textured += 1
            (dx, dy), response = cv2.phaseCorrelate(ref[rows, cols], cur[rows, cols], window)
            if response > 0.1:
                shifts.append((dx, dy, response))
    return shifts, textured


class CameraMotionCheck:
    """Compare frames against the calibration frame and say whether the camera moved.

    ``tolerance_px``: a shift up to this many (full-size) pixels counts as not moved; one pixel moves the
    floor homography by far less than the sheet's own corner error matters for turnout."""

    def __init__(self, calibration_frame: ArrayLike, tolerance_px: float = 1.0, grid: tuple[int, int] = (8, 5)):
        if tolerance_px <= 0:
            raise ValueError(f"tolerance_px must be positive, got {tolerance_px}")
        self.reference = _prepare(calibration_frame)
        self.tolerance_px = float(tolerance_px)
        self.grid = grid
        h, w = self.reference.shape
        if min(w // grid[0], h // grid[1]) < 24:
            raise ValueError(f"frame {w * 2}x{h * 2} is too small for a {grid[0]}x{grid[1]} grid of tiles")

    def check(self, frame: ArrayLike) -> MotionResult:
        """Compare one frame (same size as the calibration frame) with the calibration frame."""
        cur = _prepare(frame)
        if cur.shape != self.reference.shape:
            raise ValueError(
                f"frame is {cur.shape[1] * 2}x{cur.shape[0] * 2} but calibration was "
                f"{self.reference.shape[1] * 2}x{self.reference.shape[0] * 2}: the camera changed; recalibrate"
            )
        # coarse: big tiles at quarter size find large shifts; fine: the grid at half size, pre-shifted
        coarse, _ = _tile_shifts(_f32(cv2.pyrDown(self.reference)), _f32(cv2.pyrDown(cur)), (4, 3))
        starts = [np.zeros(2)]
        coarse_shift = np.median(np.array(coarse).reshape(-1, 3)[:, :2], axis=0) if len(coarse) >= 2 else np.zeros(2)
        if float(np.hypot(*coarse_shift)) >= 0.5:  # large: pre-shift by it, then refine
            starts.append(np.rint(2 * coarse_shift))
        best: tuple[int, NDArray[np.float64], NDArray[np.float64], int] | None = None
        for start in starts:  # keep the start whose tile shifts agree best with each other
            shift_m = np.array([[1, 0, -start[0]], [0, 1, -start[1]]], np.float32)
            moved_cur = _f32(cv2.warpAffine(cur, shift_m, (cur.shape[1], cur.shape[0])))
            fine, textured = _tile_shifts(self.reference, moved_cur, self.grid)
            found = np.array(fine).reshape(-1, 3)
            arr = (found[:, :2] + start) / _SCALE
            weights = found[:, 2] ** 2
            consistent = (
                int(np.sum(np.hypot(*(arr - np.median(arr, axis=0)).T) <= self.tolerance_px)) if len(fine) else 0
            )
            if best is None or consistent > 1.5 * best[0]:  # prefer no pre-shift unless clearly better
                best = (consistent, arr, weights, textured)
        assert best is not None
        _, arr, weights, textured = best
        fine = arr.tolist()
        if textured < 3:
            return MotionResult(None, math.nan, 0, 0, "too little texture in view to tell whether the camera moved")
        if len(fine) < max(3, 0.3 * textured):
            return MotionResult(None, math.nan, len(fine), 0, "the view is mostly hidden or changed: cannot tell")
        median = np.array([_weighted_median(arr[:, k], weights) for k in (0, 1)])
        shift = float(np.hypot(*median))
        agreeing = int(np.sum(np.hypot(arr[:, 0], arr[:, 1]) <= self.tolerance_px))
        moved = shift > self.tolerance_px
        msg = _MOVED.format(shift) if moved else "camera has not moved: the floor calibration still holds"
        return MotionResult(moved, shift, len(fine), agreeing, msg)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state (the half-size calibration frame as a base64 PNG)."""
        ok, png = cv2.imencode(".png", np.clip(np.rint(self.reference), 0, 255).astype(np.uint8))
        if not ok:
            raise ValueError("could not encode the calibration frame as PNG")
        return {
            "reference_png": base64.b64encode(png.tobytes()).decode("ascii"),
            "tolerance_px": self.tolerance_px,
            "grid": list(self.grid),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CameraMotionCheck:
        try:
            png = np.frombuffer(base64.b64decode(data["reference_png"]), np.uint8)
            tol, grid = float(data["tolerance_px"]), (int(data["grid"][0]), int(data["grid"][1]))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"not a saved camera-motion check ({exc}); recalibrate") from exc
        small = cv2.imdecode(png, cv2.IMREAD_GRAYSCALE)
        if small is None:
            raise ValueError("saved calibration frame is not a readable PNG; recalibrate")
        full = cv2.resize(small, (small.shape[1] * 2, small.shape[0] * 2), interpolation=cv2.INTER_LINEAR)
        out = cls(full, tol, grid)
        out.reference = np.asarray(small, np.float32)
        return out


def camera_moved(calibration_frame: ArrayLike, frame: ArrayLike, tolerance_px: float = 1.0) -> MotionResult:
    """One-off comparison; keep a :class:`CameraMotionCheck` to compare many frames."""
    return CameraMotionCheck(calibration_frame, tolerance_px).check(frame)
