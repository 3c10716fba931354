"""Her own working hip turnout, estimated from the knee turnout near the bottom of her demi-pliés.

In a demi-plié the knees travel over the toes only as far as the hips rotate out, so the knee turnout at the
bottom shows what her hips give. One rep is noisy; the estimate is a median over reps (across sessions), with
a robust spread (1.4826 x median absolute deviation) and a count. Standing foot turnout beyond this estimate
is turnout forced from the feet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from turnout.settings import HipSettings

#: Scale from the median absolute deviation to a standard deviation for normal data.
MAD_TO_SD = 1.4826


@dataclass(frozen=True, slots=True)
class HipTurnout:
    """Working hip turnout per side (degrees, ``nan`` when no rep measured that side)."""

    left_deg: float
    right_deg: float
    n_reps: int
    #: robust SD across reps, the larger of the two sides (``nan`` with fewer than 2 reps)
    spread_deg: float
    #: enough reps and a small enough spread to judge forced turnout against
    trusted: bool

    def side(self, side: str) -> float:
        if side == "left":
            return self.left_deg
        if side == "right":
            return self.right_deg
        raise ValueError(f"side must be 'left' or 'right', got {side!r}")

    def to_dict(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HipTurnout:
        def num(key: str) -> float:
            value = data.get(key)
            return math.nan if value is None else float(value)

        return cls(
            left_deg=num("left_deg"),
            right_deg=num("right_deg"),
            n_reps=int(data.get("n_reps", 0)),
            spread_deg=num("spread_deg"),
            trusted=bool(data.get("trusted", False)),
        )


def _robust(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return math.nan, math.nan
    med = float(np.median(finite))
    spread = MAD_TO_SD * float(np.median(np.abs(finite - med))) if finite.size >= 2 else math.nan
    return med, spread


def estimate_hip_turnout(samples: Iterable[tuple[float, float]], settings: HipSettings) -> HipTurnout | None:
    """Estimate from per-rep ``(left, right)`` knee turnout near the bottom of demi-pliés, most recent first.

    Only the ``settings.recent_reps`` most recent are used. Returns ``None`` when no rep measured either side.
    """
    rows = list(samples)[: settings.recent_reps]
    if not rows:
        return None
    arr = np.array(rows, dtype=np.float64).reshape(-1, 2)
    left, left_spread = _robust(arr[:, 0])
    right, right_spread = _robust(arr[:, 1])
    if not (math.isfinite(left) or math.isfinite(right)):
        return None
    n = int(np.count_nonzero(np.any(np.isfinite(arr), axis=1)))
    spreads = [s for s in (left_spread, right_spread) if math.isfinite(s)]
    spread = max(spreads) if spreads else math.nan
    trusted = (
        n >= settings.min_reps
        and math.isfinite(spread)
        and spread <= settings.max_spread_deg
        and math.isfinite(left)
        and math.isfinite(right)
    )
    return HipTurnout(left, right, n, spread, trusted)
