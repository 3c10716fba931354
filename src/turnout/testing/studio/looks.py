"""Looks: a colour (RGB 0..1) for each colour group of the body's vertices."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

import numpy as np

SKIN: Final = MappingProxyType({
    "light": (0.93, 0.76, 0.66),
    "medium": (0.78, 0.57, 0.43),
    "dark": (0.42, 0.28, 0.20),
})  # fmt: skip

_BLACK = (0.07, 0.07, 0.08)
_PINK = (0.95, 0.74, 0.72)
_NAVY = (0.10, 0.12, 0.22)
_WHITE = (0.92, 0.92, 0.90)
#: The flared look's black cloth and black leather shoes as the real clip ballet_plie shows them (frame 80, 960x540:
#: the trousers' shins RGB about (43, 41, 39), the shoes (69, 65, 59) to (82, 74, 67), highlights to 108 grey; a
#: webcam lifts blacks), divided by the studio's Lambert shade where they are seen (a shin facing the camera 0.74,
#: a shoe's upper 0.86), so that the render shows them as light as the real clip does.
FLARED_CLOTH = (0.23, 0.22, 0.21)
FLARED_SHOE = (0.34, 0.32, 0.29)

#: look -> group -> colour; "skin" stands for the look's skin tone
LOOKS: Final[Mapping[str, Mapping[str, tuple[float, float, float] | str]]] = MappingProxyType({
    # black leotard, pink tights and slippers
    "leotard": {"torso": _BLACK, "pelvis": _BLACK, "upperarm": _BLACK, "thigh": _PINK, "shin": _PINK,
                "heel": _PINK, "foot": _PINK, "toes": _PINK},
    # dark trousers down to the floor that hide the heel, a white top, dark socks
    "trousers": {"torso": _WHITE, "pelvis": _NAVY, "upperarm": _WHITE, "thigh": _NAVY, "shin": _NAVY,
                 "heel": _NAVY, "foot": (0.16, 0.16, 0.18), "toes": (0.16, 0.16, 0.18)},
    # a dark practice top and shorts, bare legs and feet
    "bare_legs": {"torso": (0.45, 0.12, 0.20), "pelvis": (0.45, 0.12, 0.20), "upperarm": "skin", "thigh": "skin",
                  "shin": "skin", "heel": "skin", "foot": "skin", "toes": "skin"},
    # black flared trousers to the floor over black shoes, a black top (a teacher, as on the real clip ballet_plie);
    # the trouser legs' cones are geometry (garments.GARMENTS), the skin under them coloured as the trousers
    "flared": {"torso": FLARED_CLOTH, "pelvis": FLARED_CLOTH, "upperarm": FLARED_CLOTH, "thigh": FLARED_CLOTH,
               "shin": FLARED_CLOTH, "heel": FLARED_SHOE, "foot": FLARED_SHOE, "toes": FLARED_SHOE},
    # grey leggings, white socks
    "leggings": {"torso": (0.55, 0.60, 0.70), "pelvis": (0.25, 0.25, 0.28), "upperarm": (0.55, 0.60, 0.70),
                 "thigh": (0.25, 0.25, 0.28), "shin": (0.25, 0.25, 0.28), "heel": _WHITE, "foot": _WHITE,
                 "toes": _WHITE},
})  # fmt: skip

HAIR = (0.16, 0.11, 0.08)


def vertex_colours(look: str, skin: str, groups: np.ndarray, group_names: tuple[str, ...],
                   rest: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """(V, 3) colours for a look and skin tone; head vertices above the ears get hair colour."""
    if look not in LOOKS:
        raise KeyError(f"unknown look {look!r}; the studio has {', '.join(LOOKS)}")
    if skin not in SKIN:
        raise KeyError(f"unknown skin {skin!r}; the studio has {', '.join(SKIN)}")
    table = np.empty((len(group_names), 3))
    for i, g in enumerate(group_names):
        c = LOOKS[look].get(g, "skin")
        table[i] = SKIN[skin] if c == "skin" else c
        if g == "eyes":
            table[i] = (0.15, 0.12, 0.10)
    colours = table[groups]
    if rest is not None:  # a clean leg line: cut thighs and hips by a plane rising from the crotch
        pelvis, thigh = group_names.index("pelvis"), group_names.index("thigh")
        hipzone = (groups == pelvis) | (groups == thigh)
        mid = (groups == pelvis) & (np.abs(rest[:, 0]) < 0.03)
        crotch = float(rest[mid, 2].min()) if np.any(mid) else float(rest[groups == pelvis, 2].min())
        upper = rest[:, 2] > crotch + 0.8 * np.abs(rest[:, 0])
        colours[hipzone & upper] = table[pelvis]
        colours[hipzone & ~upper] = table[thigh]
    if rest is not None:  # hair (a bun): the top and back of the head, from the rest mesh (faces -y)
        head = groups == group_names.index("head")
        z, y = rest[:, 2], rest[:, 1]
        top, mid = float(z[head].max()), float(np.median(y[head]))
        colours[head & ((z > top - 0.05) | ((z > top - 0.16) & (y > mid + 0.01)))] = HAIR
    return colours
