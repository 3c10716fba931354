"""The self-check as a guided step (issue 17, item 6): she stands in first position facing the camera and does one
demi-plié; the plié's knee verdicts (the knee against its foot, ``RepSummary.knees``) give a clear answer, "your knees
travel over your toes" or "turn your feet in about N degrees to match your hips", and the matched position is kept
for her next session ("last time your hips gave about N°").

N is how far the knees pointed inside their feet (``SideRepStats.knee_vs_foot_deg``, negative inside). The reading is
compressed toward zero (a knee 25 degrees inside reads 5-24, docs/thresholds.md), so where its range is wide the
answer is that range, and where there is no verdict (crossed legs in fifth: the back knee, or both where neither foot
stands clearly in front; a knee not measured) no number is given: she is asked to repeat in first position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from turnout.practice.reps import RepSummary

#: Said when the step starts, and once her standing is known.
STAND: Final = "Stand in first position facing the camera: heels together, feet turned out as far as is comfortable"
PLIE: Final = "Now a slow demi-plié, then come back up"
#: A range of the knees' reading wider than this (degrees) is said as a range, not one number.
WIDE_RANGE_DEG: Final = 10.0
#: Degrees are said rounded to this.
ROUND_DEG: Final = 5


def _round(x: float) -> int:
    return int(ROUND_DEG * round(x / ROUND_DEG))


@dataclass(frozen=True, slots=True)
class SelfCheck:
    """The answer of one self-check plié."""

    #: "over" (the knees travel over the toes), "inside" (turn the feet in), or "none" (no verdict: repeat in first)
    verdict: str
    #: what she is told
    words: str
    #: per foot, degrees to turn it in (0 where its knee is over the foot; absent where not measured)
    turn_in_deg: dict[str, float]
    #: the range of that figure over the camera's uncertainty (the larger foot's), degrees
    turn_in_low_deg: float = math.nan
    turn_in_high_deg: float = math.nan
    #: the feet's total turnout that matches her hips: the feet as they were, turned in by the figures above
    #: (degrees; nan when the feet's direction was not measured)
    matched_total_deg: float = math.nan

    @property
    def has_verdict(self) -> bool:
        return self.verdict != "none"

    def to_dict(self) -> dict[str, Any]:
        def num(x: float) -> float | None:
            return round(x, 1) if math.isfinite(x) else None

        return {
            "verdict": self.verdict,
            "words": self.words,
            "turn_in_deg": {k: num(v) for k, v in self.turn_in_deg.items()},
            "turn_in_low_deg": num(self.turn_in_low_deg),
            "turn_in_high_deg": num(self.turn_in_high_deg),
            "matched_total_deg": num(self.matched_total_deg),
        }


def self_check(rep: RepSummary) -> SelfCheck:
    """The answer from one demi-plié's knee verdicts."""
    verdicts = rep.knees()
    measured = [s for s, v in verdicts.items() if v is not None]
    if not measured:
        return SelfCheck(
            "none",
            "No answer from that plié: your knees could not be read against your feet (with the legs crossed only "
            "the front foot is seen whole, and only when it stands clearly in front). Stand in first position, heels "
            "together, facing the camera, and repeat the demi-plié",
            {},
        )
    turn: dict[str, float] = {}
    lows, highs = [], []
    for s in measured:
        st = rep.side(s)
        if verdicts[s] == "inside":
            turn[s] = max(-st.knee_vs_foot_deg, 0.0)
            lo, hi = -st.knee_vs_foot_high_deg, -st.knee_vs_foot_low_deg
            if math.isfinite(lo) and math.isfinite(hi):
                lows.append(max(min(lo, hi), 0.0))
                highs.append(max(lo, hi))
        else:
            turn[s] = 0.0
    # (nan where the feet were not read from the picture: MediaPipe's 3D feet read 10-32 degrees low, so no total)
    feet = [rep.side(s).foot_direction_deg for s in ("left", "right")]
    matched = sum(f - turn.get(s, 0.0) for s, f in zip(("left", "right"), feet, strict=True))
    unmeasured = [s for s in ("left", "right") if s not in measured]
    tail = f" (your {unmeasured[0]} knee was not seen: repeat to check it)" if unmeasured else ""
    inside = [s for s in measured if verdicts[s] == "inside"]
    if not inside:
        return SelfCheck("over", f"Your knees travel over your toes: this is your turnout, keep it{tail}", turn,
                         matched_total_deg=matched)  # fmt: skip
    low, high = (min(lows), max(highs)) if lows else (math.nan, math.nan)
    n = max(turn[s] for s in inside)
    which = "your feet" if len(inside) == 2 else f"your {inside[0]} foot"
    if math.isfinite(low) and high - low > WIDE_RANGE_DEG:
        lo, hi = _round(low), max(_round(high), ROUND_DEG)
        amount = f"up to {hi} degrees" if lo <= 0 else f"somewhere between {lo} and {hi} degrees"
    else:
        amount = f"about {max(_round(n), ROUND_DEG)} degrees"
    knees = "your knees point" if len(inside) == 2 else f"your {inside[0]} knee points"
    words = f"{knees.capitalize()} inside your toes: turn {which} in {amount} to match your hips{tail}"
    return SelfCheck("inside", words, turn, low, high, matched)


def last_time_words(matched_total_deg: float | None) -> str:
    """What the next self-check recalls: "Last time your hips gave about 110° (both feet together)"."""
    if matched_total_deg is None or not math.isfinite(matched_total_deg):
        return ""
    return f"Last time your hips gave about {_round(matched_total_deg)}° (both feet together)"
