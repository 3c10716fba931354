"""Draw the window's pictures from code, into ``src/turnout/assets/`` (packaged with Turnout, loaded through
``importlib.resources``; ``assets/README.md`` at the top level points there):

- ``camera-placement.png``: the first-run card's picture, seen from the side: the camera at hip height, 2.5 to
  3 m from the dancer, the whole body and the feet in its view, the dancer facing it in first position;
- ``icon.png``: the window's icon (two feet turned out, seen from above).

    .venv/bin/python scripts/make_assets.py            # rewrite them
    .venv/bin/python scripts/make_assets.py --check    # exit 1 if the committed ones differ from what this draws
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "turnout" / "assets"
BG = (23, 20, 18)  # BGR of the window's background, #121417
PANEL = (38, 32, 28)
TEXT = (241, 239, 236)
MUTED = (163, 150, 138)
ACCENT = (247, 195, 79)  # #4fc3f7
OK = (122, 214, 55)  # #37d67a
FLOOR = (84, 74, 66)
FONT = cv2.FONT_HERSHEY_SIMPLEX
AA = cv2.LINE_AA
S = 4  # drawn at 4x, then shrunk: smooth edges


def _p(x: float, y: float) -> tuple[int, int]:
    return round(x * S), round(y * S)


def _text(img: np.ndarray, text: str, x: float, y: float, scale: float = 0.55, colour: tuple[int, int, int] = TEXT,
          bold: bool = False, centre: bool = False) -> None:  # fmt: skip
    thickness = (2 if bold else 1) * S
    if centre:
        (w, _), _ = cv2.getTextSize(text, FONT, scale * S, thickness)
        x -= w / S / 2
    cv2.putText(img, text, _p(x, y), FONT, scale * S, colour, thickness, AA)


def _line(img: np.ndarray, a: tuple[float, float], b: tuple[float, float], colour: tuple[int, int, int],
          width: float = 2.0) -> None:  # fmt: skip
    cv2.line(img, _p(*a), _p(*b), colour, max(1, round(width * S)), AA)


def _dashed(img: np.ndarray, a: tuple[float, float], b: tuple[float, float], colour: tuple[int, int, int],
            dash: float = 9.0) -> None:  # fmt: skip
    (x0, y0), (x1, y1) = a, b
    n = max(1, int(np.hypot(x1 - x0, y1 - y0) / dash))
    for i in range(0, n, 2):
        t0, t1 = i / n, min(1.0, (i + 1) / n)
        _line(img, (x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0), (x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1), colour, 1.6)


def _arrow(img: np.ndarray, a: tuple[float, float], b: tuple[float, float], colour: tuple[int, int, int]) -> None:
    """A double-headed arrow."""
    tip = 12 / max(1.0, float(np.hypot(b[0] - a[0], b[1] - a[1])))
    cv2.arrowedLine(img, _p(*a), _p(*b), colour, 2 * S, AA, tipLength=tip)
    cv2.arrowedLine(img, _p(*b), _p(*a), colour, 2 * S, AA, tipLength=tip)


def camera_placement(width: int = 900, height: int = 440) -> np.ndarray:
    """The side view of the set-up, BGR."""
    img = np.full((height * S, width * S, 3), BG, np.uint8)
    floor_y = 360.0
    _line(img, (30, floor_y), (width - 30, floor_y), FLOOR, 3)
    _text(img, "floor", width - 80, floor_y + 22, 0.5, MUTED)
    # the camera on a tripod at hip height (about 1 m)
    cam_x, cam_y = 210.0, 250.0
    for dx in (-28.0, 0.0, 28.0):
        _line(img, (cam_x, cam_y + 14), (cam_x + dx, floor_y), MUTED, 2.5)
    cv2.rectangle(img, _p(cam_x - 26, cam_y - 16), _p(cam_x + 18, cam_y + 14), ACCENT, -1, AA)
    cv2.rectangle(img, _p(cam_x + 18, cam_y - 8), _p(cam_x + 30, cam_y + 6), ACCENT, -1, AA)
    # the dancer, facing the camera (seen from the side: head, torso, legs, feet towards the camera)
    dx_, head_y = 690.0, 122.0
    cv2.circle(img, _p(dx_, head_y), 17 * S, TEXT, 3 * S, AA)
    neck, hip, ankle = (dx_, head_y + 18), (dx_, 245.0), (dx_, floor_y - 8)
    _line(img, neck, hip, TEXT, 4)
    _line(img, (dx_, 160), (dx_ - 12, 230), TEXT, 3)  # arm
    _line(img, hip, ankle, TEXT, 4)
    _line(img, ankle, (dx_ - 30, floor_y - 2), TEXT, 4)  # the foot, toes to the camera
    # the camera's view: the whole body, head to feet, with room to spare
    top, bottom = (dx_ + 10, 70.0), (dx_ + 10, floor_y + 6)
    _dashed(img, (cam_x + 30, cam_y - 2), top, ACCENT)
    _dashed(img, (cam_x + 30, cam_y + 2), bottom, ACCENT)
    _line(img, (dx_ + 40, 70), (dx_ + 40, floor_y), OK, 3)
    _line(img, (dx_ + 32, 70), (dx_ + 48, 70), OK, 3)
    _line(img, (dx_ + 32, floor_y), (dx_ + 48, floor_y), OK, 3)
    _text(img, "whole body", dx_ + 56, 200, 0.55, OK, bold=True)
    _text(img, "and feet", dx_ + 56, 222, 0.55, OK, bold=True)
    _text(img, "in view", dx_ + 56, 244, 0.55, OK, bold=True)
    # height and distance
    _arrow(img, (cam_x - 60, cam_y), (cam_x - 60, floor_y), TEXT)
    _text(img, "hip height", cam_x - 160, cam_y + 44, 0.5, TEXT, bold=True)
    _text(img, "about 1 m", cam_x - 160, cam_y + 64, 0.5, MUTED)
    _arrow(img, (cam_x + 10, floor_y + 40), (dx_ - 10, floor_y + 40), TEXT)
    _text(img, "2.5 to 3 m", (cam_x + dx_) / 2, floor_y + 66, 0.6, TEXT, bold=True, centre=True)
    _text(img, "camera", cam_x, cam_y - 30, 0.55, ACCENT, bold=True, centre=True)
    _text(img, "facing the camera, in first position", dx_, 48, 0.55, TEXT, bold=True, centre=True)
    _text(img, "Seen from the side", 30, 34, 0.6, MUTED)
    return cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)


def icon(size: int = 128) -> np.ndarray:
    """Two feet turned out, seen from above, on a dark disc; BGRA."""
    n = size * S
    img = np.zeros((n, n, 4), np.uint8)
    c = n // 2
    cv2.circle(img, (c, c), c - 2 * S, (*PANEL, 255), -1, AA)
    cv2.circle(img, (c, c), c - 2 * S, (*ACCENT, 255), 4 * S, AA)
    for sign in (-1, 1):  # heels together, toes out: first position
        centre = (c + sign * round(0.16 * n), c - round(0.02 * n))
        cv2.ellipse(img, centre, (round(0.09 * n), round(0.25 * n)), sign * 45, 0, 360, (*TEXT, 255), -1, AA)
    return cv2.resize(img, (size, size), interpolation=cv2.INTER_AREA)


PICTURES: dict[str, Callable[[], np.ndarray]] = {"camera-placement.png": camera_placement, "icon.png": icon}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    differ = []
    for name, draw in PICTURES.items():
        pixels = draw()
        path = args.out / name
        if args.check:
            old = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
            if old is None or old.shape != pixels.shape or np.abs(old.astype(int) - pixels).max() > 2:
                differ.append(name)
            continue
        args.out.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), pixels)
        print(f"wrote {path}")
    if differ:
        print(f"differ from what scripts/make_assets.py draws: {', '.join(differ)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
