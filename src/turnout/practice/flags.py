"""A fault of a rep or a hold: a stable code, a severity, a reason with numbers and a positive cue.

The checks that raise them are in :mod:`turnout.practice.judge`; thresholds and their sources in
``docs/thresholds.md``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from turnout.settings import SEVERITIES

#: code -> the short, positive instruction shown to the dancer.
CUES: Final[Mapping[str, str]] = {
    "knees_inside_toes": "Let your knees travel over your toes",
    "forced_turnout": "Turn your feet in to match your hips",
    "heels_lift": "Keep your heels down",
    "feet_rolling_in": "Keep your arches lifted as you bend",
    "torso_tilt": "Stay tall, shoulders over hips",
    "pelvis_tilt": "Keep your hips level",
    "rushed": "Take the whole count, down and up",
}
CODES: Final = tuple(CUES)


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    #: "info", "warn" or "bad"
    severity: str
    #: "left", "right", "both" or None (whole body)
    side: str | None
    #: the measured value compared with the limit, in the limit's unit
    value: float
    limit: float
    reason: str
    cue: str

    def __post_init__(self) -> None:
        if self.code not in CUES:
            raise ValueError(f"Flag: unknown code {self.code!r}; expected one of {', '.join(CODES)}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"Flag: severity must be one of {SEVERITIES}, got {self.severity!r}")
        if self.side not in (None, "left", "right", "both"):
            raise ValueError(f"Flag: side must be left, right, both or None, got {self.side!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Flag:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def severity_rank(severity: str | None) -> int:
    """0 for none, then info < warn < bad."""
    return 0 if severity is None else SEVERITIES.index(severity) + 1


def worst_severity(flags: Collection[Flag]) -> str | None:
    return max((f.severity for f in flags), key=severity_rank, default=None)
