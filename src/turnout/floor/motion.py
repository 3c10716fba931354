"""Has the camera moved since the floor was calibrated?

The calibration frame is kept (grey, half size). Both it and each new frame are band-passed (a difference of
Gaussians: sensor noise, JPEG blocking, soft shadows and changes of light fall away; edges and texture stay) and
cut into a grid of tiles. Each tile with texture is aligned to the same tile of the calibration frame: phase
correlation for a first guess, then a few Lucas-Kanade steps for a sub-pixel shift and its covariance. The
covariance matters: a tile that holds only a horizontal edge says nothing about sideways motion (the aperture
problem), and is neither for nor against a sideways shift. A tile whose content changed (what its shift leaves
unexplained is both far above the noise and a good part of its own content) says nothing and is left out.

A camera that moved shifts every static tile by the same amount; a dancer or a shadow moving in front of a still
camera shifts only the tiles it covers, and not coherently. So the camera's shift is a robust (Tukey) weighted
mean of the tile shifts, started from the largest group of tiles that agree; it has moved when that shift is
beyond the tolerance and the tiles consistent with it clearly outweigh the tiles consistent with no shift at all.
A whole-frame correlation at eighth size gives the tiles a first guess when the view jumped further than they
can follow.
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
_STILL = "camera has not moved: the floor calibration still holds"
_BAND = (1.5, 6.0)  # difference-of-Gaussians sigmas at half size, px (1.5 also removes 8-px JPEG blocking)
_TEXTURE_SNR = 3.0  # a tile has texture when its band-passed spread is this many times the noise's
_FLOOR_PX = 0.1  # half-size px: error of a tile's shift beyond what its noise explains (model, interpolation)
# a tile's content changed (it says nothing about the camera) when its residual after alignment is both this many
# times the noise's and this fraction of the tile's own band-passed content
_MAX_MISFIT = 10.0
_CHANGED = 0.25
_RELATIVE = 0.25  # a turning camera shifts the view unevenly (more at the edges): allow this fraction of a shift
_CONSISTENT = 3.0  # a tile agrees with a shift when within this many standard errors of it
_DOMINANCE = 1.5  # the tiles for a shift must outweigh those for no shift this many times to say "moved"

F32 = NDArray[np.float32]
F64 = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class MotionResult:
    moved: bool | None  # None: too little texture (or too much of the view changed) to tell
    shift_px: float  # the camera's estimated image shift, full-size pixels
    tiles_used: int  # textured tiles that could be aligned
    tiles_agreeing: int  # of those, how many are consistent with no shift at all
    message: str


def _prepare(frame: ArrayLike) -> F32:
    img = np.asarray(frame)
    if img.ndim == 3 and img.shape[2] == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    elif img.ndim != 2:
        raise ValueError(f"frame must be BGR (H, W, 3) or grey (H, W), got shape {img.shape}")
    small = cv2.resize(img, None, fx=_SCALE, fy=_SCALE, interpolation=cv2.INTER_AREA)
    return np.asarray(small, np.float32)


def _band(img: F32) -> F32:
    """Difference of Gaussians: keeps edges and texture, drops noise, blocking and smooth light changes."""
    fine = cv2.GaussianBlur(img, (0, 0), _BAND[0])
    return np.asarray(fine - cv2.GaussianBlur(img, (0, 0), _BAND[1]), np.float32)


def _noise_gains() -> tuple[float, float]:
    """For white noise: the standard deviation after ``_band`` per unit of the finest-scale residual (see
    ``_noise``), and the variance of the gradient (per axis) of the band-passed noise per unit of its variance."""
    white = np.random.default_rng(0).normal(0, 1, (256, 256)).astype(np.float32)
    fine = white - cv2.GaussianBlur(white, (0, 0), 1.0)
    band = _band(white)[32:-32, 32:-32].astype(np.float64)
    gy, gx = np.gradient(band)
    return float(band.std()) / (1.4826 * float(np.median(np.abs(fine)))), float(
        0.5 * (gx.var() + gy.var()) / band.var()
    )


_NOISE_GAIN, _GRAD_PER_VAR = _noise_gains()


def _noise(img: F32) -> float:
    """Sensor noise left after ``_band``, from the robust spread of the finest-scale residual of ``img`` (in a
    real image mostly noise; JPEG removes some of it, so this is a lower bound)."""
    fine = img - cv2.GaussianBlur(img, (0, 0), 1.0)
    # at least what 8-bit rounding leaves (its residual's median is about 0.15 grey levels): a compressed video
    # with large flat areas can have a median residual of exactly 0, and the tiles then divide by zero
    return _NOISE_GAIN * 1.4826 * max(float(np.median(np.abs(fine))), 0.15)


def _clean(m: F64, noise: float) -> F64:
    """A gradient moment matrix with the part that noise alone puts there taken out, eigenvalues kept above a
    small fraction of that part: a direction the image only shows noise in then carries (almost) no weight."""
    vals, vecs = np.linalg.eigh(m - noise * np.eye(2))
    return np.asarray(vecs @ np.diag(np.maximum(vals, 0.02 * noise)) @ vecs.T, np.float64)


@dataclass(frozen=True, slots=True)
class _Tile:
    shift: F64  # (dx, dy) of the current frame relative to the calibration frame, half-size px
    cov: F64  # 2x2 covariance of shift
    info: F64  # its inverse
    misfit: float  # mean squared residual after alignment over what noise alone leaves (1: a clean match)


def _align_tile(ref: F32, cur: F32, x0: int, y0: int, tw: int, th: int, noise: float, guess: F64) -> _Tile | None:
    """Shift of one tile: phase correlation around ``guess``, then Lucas-Kanade (see module doc)."""
    a = ref[y0 : y0 + th, x0 : x0 + tw].astype(np.float64)
    window = cv2.createHanningWindow((tw, th), cv2.CV_32F)
    centre = ((x0 + (tw - 1) / 2), (y0 + (th - 1) / 2))
    start = np.rint(guess)
    b = cv2.getRectSubPix(cur, (tw, th), (centre[0] + start[0], centre[1] + start[1]))
    # copies: OpenCV 5's phaseCorrelate multiplies its inputs by the window in place
    (dx, dy), response = cv2.phaseCorrelate(a.astype(np.float32), b.copy(), window)
    shift = start + (np.array([dx, dy]) if response > 0.1 and abs(dx) < tw / 3 and abs(dy) < th / 3 else 0.0)
    gy, gx = np.gradient(a)
    w = window.astype(np.float64)

    def moments(k: F64) -> F64:
        return np.array([[np.sum(k * gx * gx), np.sum(k * gx * gy)], [np.sum(k * gx * gy), np.sum(k * gy * gy)]])

    jtj = moments(w)
    if np.linalg.eigvalsh(jtj)[1] <= 0:
        return None
    step_inv = np.linalg.inv(jtj + 1e-6 * np.trace(jtj) * np.eye(2))
    for _ in range(6):
        patch = cv2.getRectSubPix(cur, (tw, th), (centre[0] + shift[0], centre[1] + shift[1])).astype(np.float64)
        r = patch - a
        step = -step_inv @ np.array([np.sum(w * gx * r), np.sum(w * gy * r)])
        shift = shift + step
        if not np.all(np.isfinite(shift)) or np.abs(shift - start).max() > max(tw, th) / 2:
            return None
        if float(np.hypot(*step)) < 0.01:
            break
    residual = float(np.sum(w * r * r) / np.sum(w))
    misfit = residual / (2 * noise**2)
    # the tile's content changed (a dancer or her shadow came in or left) when what a shift cannot explain is both
    # far above the noise and a good part of the tile's own content. Noise alone is not enough: ``noise`` comes
    # from the calibration frame's flat areas, and a video codec's error grows with the texture it codes (a
    # rendered studio's still wooden floor leaves 10-25 times that noise, yet under 2 % of its content; a dancer
    # covering a tile leaves 60 % or more). Dropping those tiles left only the dancer's: her head and torso,
    # going down together in a plié, then read as the whole view moving.
    if misfit > _MAX_MISFIT and residual > _CHANGED * float(np.sum(w * a * a) / np.sum(w)):
        return None
    # what a shift cannot explain (a shadow or a dancer moving across the tile, more noise than the calibration
    # frame showed) makes the tile less certain: scale the noise up to what the residual shows
    noise *= math.sqrt(max(misfit, 1.0))
    # weighted least squares: cov = A^-1 (sum w^2 g g^T var) A^-1 with the noise's own share of the gradient
    # moments removed (a tile with only a horizontal edge knows nothing sideways); residual noise from both
    # frames, its samples correlated by the band-pass over about 4 pi sigma^2 pixels
    grad_var = _GRAD_PER_VAR * noise**2
    a_inv = np.linalg.inv(_clean(jtj, grad_var * float(w.sum())))
    spread = _clean(moments(w * w), grad_var * float((w * w).sum()))
    var = 2 * noise**2 * 4 * math.pi * _BAND[0] ** 2
    cov = var * a_inv @ spread @ a_inv + _FLOOR_PX**2 * np.eye(2)
    return _Tile(shift, cov, np.asarray(np.linalg.inv(cov), np.float64), misfit)


def _tiles(
    ref: F32, cur: F32, grid: tuple[int, int], texture: float, noise: float, guess: F64
) -> tuple[list[_Tile], int]:
    """Aligned tiles, and how many tiles had texture (band-passed spread of at least ``texture``)."""
    tw, th = (ref.shape[1] // grid[0]) & ~1, (ref.shape[0] // grid[1]) & ~1  # even: phase correlation is
    out: list[_Tile] = []  # biased by half a pixel on odd sizes
    textured = 0
    for j in range(grid[1]):
        for i in range(grid[0]):
            if float(ref[j * th : (j + 1) * th, i * tw : (i + 1) * tw].std()) < texture:
                continue
            textured += 1
            tile = _align_tile(ref, cur, i * tw, j * th, tw, th, noise, guess)
            if tile is not None:
                out.append(tile)
    return out, textured


def _distances(tiles: list[_Tile], shift: F64) -> F64:
    """Each tile's Mahalanobis distance from a shift, allowing the tiles to differ from it by ``_RELATIVE`` of
    its size (a camera that turned shifts the view's edges more than its middle)."""
    if not tiles:
        return np.empty(0)
    slack = (_RELATIVE * float(np.hypot(*shift))) ** 2
    cov = np.stack([t.cov for t in tiles]) + slack * np.eye(2)  # all tiles at once: this runs n^2 times a check
    d = np.stack([t.shift for t in tiles]) - shift
    m = np.einsum("ki,ki->k", d, np.linalg.solve(cov, d[:, :, None])[:, :, 0])
    return np.asarray(np.sqrt(np.maximum(m, 0.0)), np.float64)


def _robust_shift(tiles: list[_Tile], start: F64) -> F64:
    """Tukey-weighted information-weighted mean of the tile shifts, iterated from ``start``."""
    shift = start.copy()
    for _ in range(10):
        r = _distances(tiles, shift) / (2 * _CONSISTENT)
        w = np.where(r < 1, (1 - r * r) ** 2, 0.0)
        if w.sum() <= 0:
            break
        info = sum(wi * t.info for wi, t in zip(w, tiles, strict=True))
        new = np.linalg.solve(info, sum(wi * t.info @ t.shift for wi, t in zip(w, tiles, strict=True)))
        if float(np.hypot(*(new - shift))) < 1e-3:
            return np.asarray(new, np.float64)
        shift = np.asarray(new, np.float64)
    return shift


def _weight(tiles: list[_Tile], shift: F64, direction: F64) -> float:
    """Evidence for a shift against another along ``direction`` (unit vector from one to the other): the
    information along that direction of the tiles consistent with the shift."""
    ok = _distances(tiles, shift) <= _CONSISTENT
    return float(sum(direction @ t.info @ direction for t, k in zip(tiles, ok, strict=True) if k))


def _best_shift(tiles: list[_Tile]) -> F64:
    """The camera's shift: robust mean started from zero and from the tile most others agree with, whichever
    ends better supported."""
    if not tiles:
        return np.zeros(2)
    starts = [np.zeros(2), max((t.shift for t in tiles), key=lambda s: _support(tiles, s))]
    return max((_robust_shift(tiles, s) for s in starts), key=lambda s: _support(tiles, s))


def _support(tiles: list[_Tile], shift: F64) -> float:
    """Total information (trace) of the tiles consistent with a shift: tiles that match nothing well carry
    little, however many there are."""
    ok = _distances(tiles, shift) <= _CONSISTENT
    return float(sum(np.trace(t.info) for t, k in zip(tiles, ok, strict=True) if k))


def _still_shift(tiles: list[_Tile], prior_sd: float) -> F64:
    """The shift the tiles consistent with no motion point to, pulled to zero where they say little: their
    information-weighted mean under a prior of no motion with standard deviation ``prior_sd``."""
    near = [t for t, d in zip(tiles, _distances(tiles, np.zeros(2)), strict=True) if d <= _CONSISTENT]
    info = sum((t.info for t in near), np.eye(2) / prior_sd**2)
    return np.asarray(np.linalg.solve(info, sum((t.info @ t.shift for t in near), np.zeros(2))), np.float64)


class CameraMotionCheck:
    """Compare frames against the calibration frame and say whether the camera moved.

    ``tolerance_px``: a shift up to this many (full-size) pixels counts as not moved; one pixel moves the
    floor homography by far less than the sheet's own corner error matters for turnout."""

    def __init__(self, calibration_frame: ArrayLike, tolerance_px: float = 1.0, grid: tuple[int, int] = (8, 5)):
        if tolerance_px <= 0:
            raise ValueError(f"tolerance_px must be positive, got {tolerance_px}")
        self.tolerance_px = float(tolerance_px)
        self.grid = grid
        self._set_reference(_prepare(calibration_frame))
        h, w = self.reference.shape
        if min(w // grid[0], h // grid[1]) < 24:
            raise ValueError(f"frame {w * 2}x{h * 2} is too small for a {grid[0]}x{grid[1]} grid of tiles")

    def _set_reference(self, small: F32) -> None:
        self.reference = small
        self._band_ref = _band(small)
        self._noise = _noise(small)
        self._texture = max(_TEXTURE_SNR * self._noise, 0.3)

    def check(self, frame: ArrayLike) -> MotionResult:
        """Compare one frame (same size as the calibration frame) with the calibration frame."""
        cur = _prepare(frame)
        if cur.shape != self.reference.shape:
            raise ValueError(
                f"frame is {cur.shape[1] * 2}x{cur.shape[0] * 2} but calibration was "
                f"{self.reference.shape[1] * 2}x{self.reference.shape[0] * 2}: the camera changed; recalibrate"
            )
        band_cur = _band(cur)
        noise = self._noise
        zero = np.zeros(2)
        tiles, textured = _tiles(self._band_ref, band_cur, self.grid, self._texture, noise, zero)
        jump = self._coarse_shift(band_cur)
        if jump is not None:  # the view may have jumped further than the tiles can follow: align around it too
            jumped, _ = _tiles(self._band_ref, band_cur, self.grid, self._texture, noise, jump)
            if _support(jumped, _best_shift(jumped)) > _support(tiles, _best_shift(tiles)):
                tiles = jumped
        if textured < 3 or len(tiles) < 3:
            why = "too little texture in view" if textured < 3 else "the view is mostly hidden or changed"
            return MotionResult(None, math.nan, len(tiles), 0, f"{why}: cannot tell whether the camera moved")
        agreeing = int(np.sum(_distances(tiles, zero) <= _CONSISTENT))
        shift = _best_shift(tiles)
        size = float(np.hypot(*shift)) / _SCALE
        if size > self.tolerance_px:
            direction = shift / np.hypot(*shift)
            if _weight(tiles, shift, direction) >= _DOMINANCE * _weight(tiles, zero, direction):
                return MotionResult(True, size, len(tiles), agreeing, _MOVED.format(size))
        rest = float(np.hypot(*_still_shift(tiles, 0.5 * self.tolerance_px * _SCALE))) / _SCALE
        return MotionResult(False, rest, len(tiles), agreeing, _STILL)

    def _coarse_shift(self, band_cur: F32) -> F64 | None:
        """Shift (half-size px) of the whole view, from one correlation at eighth size, when it is large enough
        to take the tiles out of their reach; else None."""
        a = cv2.resize(self._band_ref, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
        b = cv2.resize(band_cur, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
        h, w = (a.shape[0] & ~1), (a.shape[1] & ~1)
        win = cv2.createHanningWindow((w, h), cv2.CV_32F)
        (dx, dy), response = cv2.phaseCorrelate(a[:h, :w].copy(), b[:h, :w].copy(), win)
        shift = 4 * np.array([dx, dy])
        return shift if response > 0.05 and float(np.hypot(*shift)) > 6 else None

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
        out._set_reference(np.asarray(small, np.float32))
        return out


def camera_moved(calibration_frame: ArrayLike, frame: ArrayLike, tolerance_px: float = 1.0) -> MotionResult:
    """One-off comparison; keep a :class:`CameraMotionCheck` to compare many frames."""
    return CameraMotionCheck(calibration_frame, tolerance_px).check(frame)
