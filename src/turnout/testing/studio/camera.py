"""A pinhole webcam standing in front of the dancer, aimed at her."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Camera:
    """World -> camera: ``x_cam = rotation @ (x - position)``; camera axes x right, y down, z forward."""

    width: int
    height: int
    fx: float
    position: np.ndarray  # (3,)
    rotation: np.ndarray  # (3, 3), rows: right, down, forward in world coordinates

    @property
    def cx(self) -> float:
        return (self.width - 1) / 2.0

    @property
    def cy(self) -> float:
        return (self.height - 1) / 2.0

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points, float) - self.position) @ self.rotation.T

    def project(self, points: np.ndarray) -> np.ndarray:
        """Pixel coordinates (..., 2) of world points (..., 3); the pixel grid's centres at integers."""
        c = self.to_camera(points)
        return np.stack([self.fx * c[..., 0] / c[..., 2] + self.cx, self.fx * c[..., 1] / c[..., 2] + self.cy], -1)

    def rays(self, px: np.ndarray) -> np.ndarray:
        """World directions (..., 3) through pixels (..., 2)."""
        d = np.stack([(px[..., 0] - self.cx) / self.fx, (px[..., 1] - self.cy) / self.fx, np.ones(px.shape[:-1])], -1)
        return d @ self.rotation

    def floor_point(self, px: np.ndarray, height_m: float = 0.0) -> np.ndarray:
        """Where pixels' rays meet the horizontal plane z = ``height_m`` (world, (..., 3))."""
        d = self.rays(np.asarray(px, float))
        s = (height_m - self.position[2]) / d[..., 2]
        return self.position + s[..., None] * d

    def scaled(self, factor: int) -> Camera:
        """The same camera on a grid ``factor`` times finer (for supersampling)."""
        return Camera(self.width * factor, self.height * factor, self.fx * factor, self.position, self.rotation)

    def matrix(self) -> list[list[float]]:
        return [[self.fx, 0.0, self.cx], [0.0, self.fx, self.cy], [0.0, 0.0, 1.0]]


def look_at(position: np.ndarray, target: np.ndarray) -> np.ndarray:
    fwd = target - position
    fwd = fwd / np.linalg.norm(fwd)
    right = np.cross(fwd, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    return np.stack([right, down, fwd])


def webcam(
    width: int, height: int, hfov_deg: float, height_m: float, distance_m: float, yaw_deg: float,
    body_height_m: float = 1.7, aim_m: float | None = None, keep: np.ndarray | None = None,
) -> Camera:  # fmt: skip
    """A camera ``distance_m`` from the point between her feet, ``yaw_deg`` round toward her left, lens
    ``height_m`` up, aimed at ``aim_m`` on her vertical axis; by default at her middle, lowered until her feet
    (and 25 cm of floor in front of them, and the world points ``keep``) lie above the bottom 8 % of the picture."""
    fx = (width / 2.0) / math.tan(math.radians(hfov_deg) / 2.0)
    yaw = math.radians(yaw_deg)
    pos = np.array([distance_m * math.sin(yaw), -distance_m * math.cos(yaw), height_m])

    def make(aim: float) -> Camera:
        return Camera(width, height, fx, pos, look_at(pos, np.array([0.0, 0.0, aim])))

    if aim_m is not None:
        return make(aim_m)
    aim = body_height_m * 0.52
    front = np.array([[-0.25 * math.sin(yaw), -0.25 * math.cos(yaw), 0.0], [0.0, 0.12, 0.0]])
    if keep is not None and len(keep):
        front = np.concatenate([front, np.asarray(keep, float).reshape(-1, 3)])
    for _ in range(60):
        cam = make(aim)
        if float(cam.project(front)[:, 1].max()) <= 0.92 * height or aim < -1.0:
            break
        aim -= 0.03
    return cam
