"""Draw docs/figures/measurements.png: the measurements of docs/measurements.md on a synthetic dancer.

Usage: ``python scripts/draw_measurement_figure.py [out.png]``.
"""

# matplotlib's stubs take points as tuples only; this script passes numpy points throughout
# mypy: disable-error-code="arg-type, call-arg"
from __future__ import annotations

import math
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Arc

from turnout.pose import landmarks as lm
from turnout.testing.synth import DancerParams, make_dancer

OUT = Path(__file__).resolve().parents[1] / "docs" / "figures" / "measurements.png"
HIP, FOOT, KNEE, FLOOR = "#1f77b4", "#d62728", "#2ca02c", "#7f7f7f"


def floor_frame_points(p: DancerParams) -> np.ndarray:
    """Landmarks in (forward, left, up) metres with the floor at up = 0 (camera level, dancer facing it)."""
    d = make_dancer(p)
    w = d.world
    pts = np.stack([-w[:, 2], w[:, 0], -w[:, 1]], axis=1)
    pts[:, 2] -= pts[lm.LEFT_HEEL, 2]
    return pts


def arc(ax: Axes, centre: tuple[float, float], r: float, a0: float, a1: float, color: str, label: str) -> None:
    lo, hi = min(a0, a1), max(a0, a1)
    ax.add_patch(Arc(centre, 2 * r, 2 * r, theta1=lo, theta2=hi, color=color, lw=1.5))
    mid = math.radians((lo + hi) / 2)
    ax.annotate(
        label,
        (centre[0] + 1.2 * r * math.cos(mid), centre[1] + 1.2 * r * math.sin(mid)),
        color=color,
        ha="center",
        va="center",
        fontsize=8,
    )


def top_view(ax: Axes, pts: np.ndarray) -> None:
    """Seen from above: x = the dancer's right (so the picture is not mirrored), y = forward."""

    def xy(i: int) -> tuple[float, float]:
        return (-pts[i, 1], pts[i, 0])

    for side, sign in (("left", 1.0), ("right", -1.0)):
        hip, knee, ankle, heel, toe = lm.LEG[side]
        h, t = np.array(xy(heel)), np.array(xy(toe))
        ax.annotate("", t, h, arrowprops={"arrowstyle": "->", "color": FOOT, "lw": 2})
        k = np.array(xy(knee))
        # knee bulge: from the hip-ankle line to the knee, on the floor
        a, hp = pts[ankle], pts[hip]
        axis = (a - hp) / np.linalg.norm(a - hp)
        rel = pts[knee] - hp
        foot_of_perp = hp + (rel @ axis) * axis
        base = np.array((-foot_of_perp[1], foot_of_perp[0]))
        ax.annotate("", k, base, arrowprops={"arrowstyle": "->", "color": KNEE, "lw": 2})
        ax.plot(*k, "o", color=KNEE, ms=5)
        ax.plot([h[0], h[0]], [h[1], h[1] + 0.18], ":", color=FLOOR, lw=1)
        foot_deg = math.degrees(math.atan2(t[1] - h[1], t[0] - h[0]))
        knee_deg = math.degrees(math.atan2(k[1] - base[1], k[0] - base[0]))
        name = "L" if sign > 0 else "R"
        arc(ax, tuple(h), 0.09, 90, foot_deg, FOOT, f"foot turnout {name}")
        ax.plot([base[0], base[0]], [base[1], base[1] + 0.12], ":", color=FLOOR, lw=1)
        arc(ax, tuple(base), 0.06, 90, knee_deg, KNEE, f"knee turnout {name}")
        # knee over toe: perpendicular from the knee's floor point to the foot line
        d = (t - h) / np.linalg.norm(t - h)
        foot_pt = h + ((k - h) @ d) * d
        ax.plot(*zip(h - 0.05 * d, t + 0.05 * d, strict=True), "--", color=FOOT, lw=0.8)
        ax.plot(*zip(k, foot_pt, strict=True), color="k", lw=1.2)
    lh, rh = np.array(xy(lm.LEFT_HIP)), np.array(xy(lm.RIGHT_HIP))
    ax.plot(*zip(lh, rh, strict=True), "-o", color=HIP, lw=2)
    mid = (lh + rh) / 2
    for label, head in (("forward", mid + np.array([0.0, 0.1])), ("left", lh + np.array([-0.1, 0.0]))):
        ax.annotate("", head, mid if label == "forward" else lh, arrowprops={"arrowstyle": "->", "color": HIP, "lw": 2})
        ax.text(*head + np.array([0.0, 0.008]), label, color=HIP, ha="center", va="bottom")
    ax.text(
        0.0,
        -0.13,
        "red: heel -> toes; green: knee bulge (hip-ankle line -> knee); forced turnout = foot - knee\n"
        "black: knee-over-toe offset, from the foot line to the knee (+ when the knee is inside the line)",
        ha="center",
        fontsize=9,
    )
    ax.set_title("From above (floor plane)")


def side_view(ax: Axes, pts: np.ndarray) -> None:
    """The left leg in its own vertical plane: x along the plane, y up."""
    hip, knee, ankle, heel, toe = lm.LEG["left"]
    horiz = pts[knee, :2] - pts[ankle, :2]
    e = horiz / np.linalg.norm(horiz)

    def xz(i: int | np.ndarray) -> np.ndarray:
        q = pts[i] if isinstance(i, int) else i
        return np.array([q[:2] @ e, q[2]])

    h, k, a, he, t = (xz(i) for i in (hip, knee, ankle, heel, toe))
    ax.plot(*zip(h, k, a, strict=True), "-o", color="k", lw=2)
    ax.plot(*zip(a, he, t, a, strict=True), "-", color=FOOT, lw=1.5)
    ax.axhline(0.0, color=FLOOR, lw=1)
    ax.plot(*zip(h, a, strict=True), "--", color=KNEE, lw=1)
    axis = (a - h) / np.linalg.norm(a - h)
    base = h + ((k - h) @ axis) * axis
    ax.annotate("", k, base, arrowprops={"arrowstyle": "->", "color": KNEE, "lw": 2})
    ax.text(*(base + k) / 2 + (0.0, 0.03), "bulge", color=KNEE, ha="center", fontsize=8)
    ext = k + (k - h) * 0.5
    ax.plot(*zip(k, ext, strict=True), ":", color="k", lw=1)
    a_thigh = math.degrees(math.atan2(*(k - h)[::-1]))
    a_shank = math.degrees(math.atan2(*(a - k)[::-1]))
    arc(ax, tuple(k), 0.08, a_thigh, a_shank, "k", "flexion")
    ax.annotate("up", (h[0] - 0.25, 0.35), (h[0] - 0.25, 0.05), arrowprops={"arrowstyle": "->"}, ha="center")
    for label, q in (("hip", h), ("knee", k), ("ankle", a), ("heel", he), ("toes", t)):
        ax.text(q[0] + 0.015, q[1] + 0.015, label, fontsize=8)
    ax.text(h[0] - 0.02, (h[1] + a[1]) / 2, "hip-ankle line", color=KNEE, fontsize=8, rotation=80, ha="right")
    ax.set_title("One leg, side on\nknee flexion = 180° - angle hip-knee-ankle (0 = straight)", fontsize=10)


def front_view(ax: Axes, pts: np.ndarray) -> None:
    """Facing the dancer: x = the dancer's left on the picture's right, y up."""

    def xz(i: int) -> np.ndarray:
        return np.array([pts[i, 1], pts[i, 2]])

    for a, b in lm.LEG_BONES:
        ax.plot(*zip(xz(a), xz(b), strict=True), "-", color="k", lw=1.5)
    mid_hip = (xz(lm.LEFT_HIP) + xz(lm.RIGHT_HIP)) / 2
    mid_sh = (xz(lm.LEFT_SHOULDER) + xz(lm.RIGHT_SHOULDER)) / 2
    mid_ank = (xz(lm.LEFT_ANKLE) + xz(lm.RIGHT_ANKLE)) / 2
    ax.plot(*zip(mid_hip, mid_sh, strict=True), "-", color=HIP, lw=2.5)
    ax.plot([mid_hip[0], mid_hip[0]], [mid_hip[1], mid_sh[1]], ":", color=HIP)
    ax.annotate(
        "torso lean: mid-hip -> mid-shoulder\nfrom vertical",
        mid_hip + (mid_sh - mid_hip) * 0.7,
        (-0.55, 1.2),
        color=HIP,
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": HIP},
    )
    ax.plot([mid_ank[0], mid_hip[0]], [mid_ank[1], mid_ank[1]], "-", color=KNEE, lw=3)
    ax.plot([mid_hip[0], mid_hip[0]], [mid_hip[1], mid_ank[1]], ":", color=KNEE)
    ax.annotate(
        "weight shift: mid-hip over\nmid-ankles, sideways (+ left)",
        ((mid_ank[0] + mid_hip[0]) / 2, mid_ank[1]),
        (-0.55, 0.3),
        color=KNEE,
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": KNEE},
    )
    lh, rh = xz(lm.LEFT_HIP), xz(lm.RIGHT_HIP)
    ax.plot([rh[0], lh[0] + 0.06], [rh[1], rh[1]], ":", color=HIP)
    ax.annotate("", lh, (lh[0] + 0.04, rh[1]), arrowprops={"arrowstyle": "<->", "color": HIP})
    ax.annotate(
        "pelvis level: left hip height\nminus right hip height",
        (lh[0] + 0.04, (lh[1] + rh[1]) / 2),
        (0.3, 1.0),
        color=HIP,
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": HIP},
    )
    he = xz(lm.LEFT_HEEL)
    ax.plot(*he, "o", color=FOOT)
    ax.annotate(
        "heel height above the floor",
        he,
        (0.3, 0.2),
        color=FOOT,
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": FOOT},
    )
    ax.axhline(0.0, color=FLOOR, lw=1)
    ax.text(-0.55, -0.08, "floor: fitted through heels and toes on it", color=FLOOR, fontsize=8)
    ax.set_xlim(-0.6, 0.75)
    ax.set_title("From the front (her left on the right)")


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    fig = plt.figure(figsize=(13, 11))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.35])
    top, side, front = fig.add_subplot(grid[0, :]), fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    plie = floor_frame_points(
        DancerParams(hip_turnout_deg=(45, 45), forced_deg=(20, 20), flexion_deg=(55, 55), heel_gap_m=0.03)
    )
    top_view(top, plie)
    side_view(side, plie)
    lifted = floor_frame_points(
        DancerParams(hip_turnout_deg=(45, 45), flexion_deg=(45, 25), heel_lift_m=(0.05, 0.0), torso_lean_deg=8.0)
    )
    front_view(front, lifted)
    for ax in (top, side, front):
        ax.set_aspect("equal")
        ax.grid(alpha=0.2)
        ax.set_xlabel("metres")
    fig.suptitle("Turnout measurements (demi-plié, feet forced 20° beyond the hips)", fontsize=13)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
