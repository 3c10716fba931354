"""turnout.measure.shoe: the foot's tip found in a synthetic picture of two flat feet on a floor."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import pytest

from turnout.measure import shoe
from turnout.practice.picture import MEDIAPIPE, Camera, _direction

W, H = 960, 540
CAM = Camera(f=685.0, height=1.15, pitch=0.17, dist=3.0)
FOOT_LEN, FOOT_WIDTH, HEEL_TO_ANKLE = 0.28, 0.09, 0.07  # legs
Pt = tuple[float, float]


def project(x: float, y: float, z: float) -> Pt:
    """A point (X right, Y away, Z up; legs) to absolute pixels: the inverse of ``Camera.to_plane``."""
    cp, sp = math.cos(CAM.pitch), math.sin(CAM.pitch)
    d = np.array([x, y, z - CAM.height])
    fwd, down = np.array([0.0, cp, -sp]), np.array([0.0, -sp, -cp])
    depth = float(d @ fwd)
    return CAM.f * float(d[0]) / depth + W / 2, CAM.f * float(d @ down) / depth + H / 2


@dataclass
class Foot:
    poly: np.ndarray  # its outline on the floor, in the picture
    ankle: Pt  # the pose model's points where the studio measured them (MEDIAPIPE heights)
    toe: Pt
    heel: Pt
    tip: Pt  # the truth


def foot(heel_x: float, deg: float, side: str) -> Foot:
    """A flat foot turned ``deg`` out from "toward the camera", heel ``heel_x`` legs right of the picture's middle."""
    out = 1.0 if side == "left" else -1.0  # her left is the picture's right
    a = math.radians(deg)
    d = np.array([out * math.sin(a), -math.cos(a)])
    n = np.array([d[1], -d[0]])
    heel = np.array([heel_x, CAM.dist])
    tip = heel + FOOT_LEN * d
    corners = [heel + n * FOOT_WIDTH / 3, tip + n * FOOT_WIDTH / 2, tip - n * FOOT_WIDTH / 2, heel - n * FOOT_WIDTH / 3]
    ankle, toe = heel + HEEL_TO_ANKLE * d, heel + 0.6 * FOOT_LEN * d
    return Foot(
        poly=np.array([project(c[0], c[1], 0.0) for c in corners]),
        ankle=project(ankle[0], ankle[1], MEDIAPIPE.ankle),
        toe=project(toe[0], toe[1], MEDIAPIPE.toe),
        heel=project(heel[0], heel[1], MEDIAPIPE.heel),
        tip=project(tip[0], tip[1], 0.0),
    )


def picture(feet: dict[str, Foot], shift_y: float = 0.0) -> np.ndarray:
    """A light wooden floor (BGR, a little noise), dark feet and dark legs standing on them."""
    rng = np.random.default_rng(1)
    img = np.clip(rng.normal((60, 110, 170), 6, (H, W, 3)), 0, 255).astype(np.uint8)
    for f in feet.values():
        poly = f.poly + np.array([0.0, shift_y])
        cv2.fillPoly(img, [np.round(poly).astype(np.int32)], (40, 40, 45))
        ax, ay = f.ankle
        cv2.rectangle(img, (int(ax) - 8, 0), (int(ax) + 8, int(ay + shift_y) + 6), (40, 40, 45), -1)
    return img


def tips(feet: dict[str, Foot], img: np.ndarray, shift_y: float = 0.0) -> dict[str, shoe.Tip | None]:
    def down(p: Pt) -> Pt:
        return (p[0], p[1] + shift_y)

    pts: dict[str, tuple[Pt, Pt, Pt | None]] = {s: (down(f.ankle), down(f.toe), down(f.heel)) for s, f in feet.items()}
    made = shoe.feet_mask(img, CAM, pts, MEDIAPIPE.ankle)
    assert made is not None
    fg, origin = made
    return {
        s: shoe.toe_tip(fg, origin, (W, H), CAM, s, pts[s][0], pts[o][0], pts[s][1], MEDIAPIPE.ankle)
        for s, o in (("left", "right"), ("right", "left"))
    }


def test_to_floor_is_to_plane() -> None:
    u, v = np.array([-200.0, 0.0, 130.0]), np.array([100.0, 180.0, 250.0])
    for z in (0.0, 0.05):
        xs, ys = shoe.to_floor(CAM, u, v, z)
        for i in range(3):
            assert (xs[i], ys[i]) == pytest.approx(CAM.to_plane(float(u[i]), float(v[i]), z))
    assert np.isnan(shoe.to_floor(CAM, np.array([0.0]), np.array([-400.0]))[0][0])  # above the horizon


@pytest.mark.parametrize("deg", [0.0, 30.0, 45.0, 70.0])
def test_tip_of_flat_feet(deg: float) -> None:
    """The tip within a few pixels of the foot's; the heel point to it reads the foot within 8 degrees (the
    lowest pixel of a flat foot's front lies about a pixel below its edge: a pixel in depth is about 1 cm)."""
    gap = 0.05 if deg else 0.12  # heels together in first position; parallel feet apart
    feet = {"left": foot(gap, deg, "left"), "right": foot(-gap, deg, "right")}
    found = tips(feet, picture(feet))
    for s, f in feet.items():
        tip = found[s]
        assert tip is not None
        assert math.hypot(tip.u - f.tip[0], tip.v - f.tip[1]) < 4.0, (s, tip, f.tip)
        heel = (f.heel[0] - W / 2, f.heel[1] - H / 2)
        got = _direction(CAM, heel, MEDIAPIPE.heel, (tip.u - W / 2, tip.v - H / 2), 0.0, s)
        assert got == pytest.approx(deg, abs=8.0)


def test_foot_cut_by_the_frame_has_no_tip() -> None:
    feet = {"left": foot(0.12, 0.0, "left"), "right": foot(-0.12, 0.0, "right")}
    shift = H - max(f.tip[1] for f in feet.values()) + 3  # the feet's tips below the picture's bottom edge
    found = tips(feet, picture(feet, shift), shift)
    assert found["left"] is None and found["right"] is None
