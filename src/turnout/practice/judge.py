"""The checks that raise flags: each compares one number from a :class:`~turnout.practice.reps.RepSummary` (or a
hold) with the limits in :class:`~turnout.settings.FlagSettings`. Thresholds and their sources:
``docs/thresholds.md``.

A flag may only come from a number whose measured uncertainty is smaller than the fault it reports
(:data:`MEASURED`); the others do not fire, whatever their settings say, until that is shown
(docs/thresholds.md, "Which flags fire").
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Final

from turnout.measure.measures import SIDES
from turnout.practice.flags import CODES, CUES, Flag, severity_rank
from turnout.practice.hip import HipTurnout
from turnout.practice.holds import HoldSummary
from turnout.practice.reps import KNEE_RANGE_MARGIN_DEG, RepSummary
from turnout.settings import FlagLimit, Settings

#: The codes whose number's measured uncertainty is smaller than the fault they report (docs/thresholds.md): the
#: knee's direction against its foot (its reading is biased outward, never inward on a correct plié). Not (yet):
#: rushed (from the rep's onset, hips or knees leaving their standing noise, to the bottom, the studio's descents
#: read 0.3 s short, median, up to 1.1 s, and ascents 0.5 s, up to 0.8 s: as large as the 0.3-0.5 s fault),
#: forced_turnout (per-foot turnout from the picture reads 25-40 degrees low, 12-18 degrees off even with an exact
#: floor calibration: wider than the 8-13 degree fault), feet_rolling_in (planted feet swing 20-28 degrees inside one
#: plié), heels_lift (the heel point sits on a trouser hem or hides behind the other foot), torso_tilt and
#: pelvis_tilt (3D: false on the teacher's tendus; no measured uncertainty for the picture's versions yet).
MEASURED: Final = frozenset({"knees_inside_toes"})


def _grade(value: float, limit: FlagLimit) -> str | None:
    if not limit.enabled or not math.isfinite(value) or value < limit.warn:
        return None
    return "bad" if value >= limit.bad else "warn"


def _sided(
    code: str, values: Mapping[str, float], limit: FlagLimit, unit: str, what: str, scale: float = 1.0
) -> Flag | None:
    """One flag for a per-side measure: side 'both' when both exceed the limit, the worse side's value.
    ``scale`` converts to the unit shown in the reason (100 for metres shown in cm)."""
    graded = {s: g for s in SIDES if (g := _grade(values[s], limit)) is not None}
    if not graded:
        return None
    side = "both" if len(graded) == 2 else next(iter(graded))
    worst = max(graded, key=lambda s: values[s])
    parts = ", ".join(f"{s} {values[s] * scale:.1f}{unit}" for s in SIDES if s in graded)
    reason = f"{what}: {parts} (limit {limit.warn * scale:.1f}{unit})"
    severity = max(graded.values(), key=severity_rank)
    return Flag(code, severity, side, values[worst], limit.warn, reason, CUES[code])


def _body(
    code: str,
    value: float,
    limit: FlagLimit,
    unit: str,
    what: str,
    side: str | None = None,
    scale: float = 1.0,
) -> Flag | None:
    severity = _grade(value, limit)
    if severity is None:
        return None
    reason = f"{what} {value * scale:.1f}{unit} (limit {limit.warn * scale:.1f}{unit})"
    return Flag(code, severity, side, value, limit.warn, reason, CUES[code])


def _pelvis(change_m: float, limit: FlagLimit) -> Flag | None:
    side = None if not math.isfinite(change_m) else ("left" if change_m > 0 else "right")
    what = f"{side} hip rose against the other by"
    return _body("pelvis_tilt", abs(change_m), limit, " cm", what, side, scale=100.0)


def _torso(change_deg: float, limit: FlagLimit) -> Flag | None:
    return _body("torso_tilt", change_deg, limit, "°", "torso leaning further than at the start by")


def hip_reference(side: str, own_knee_turnout_deg: float, hip: HipTurnout | None) -> tuple[float, str]:
    """Her hip turnout for ``side``: the trusted profile, else this rep's knee turnout at the bottom."""
    if hip is not None and hip.trusted and math.isfinite(hip.side(side)):
        return hip.side(side), f"your hips give {hip.side(side):.0f}° over {hip.n_reps} demi-pliés"
    return own_knee_turnout_deg, f"your knees turned out {own_knee_turnout_deg:.0f}° at the bottom"


def forced_turnout_flag(
    foot_turnout: Mapping[str, float], reference: Mapping[str, tuple[float, str]], limit: FlagLimit
) -> Flag | None:
    """Standing foot turnout beyond her own hip turnout, per foot."""
    excess = {s: foot_turnout[s] - reference[s][0] for s in SIDES}
    flag = _sided("forced_turnout", excess, limit, "°", "feet turned out beyond the hips")
    if flag is None:
        return None
    sides = [s for s in SIDES if flag.side in (s, "both")]
    detail = "; ".join(f"{s} foot {foot_turnout[s]:.0f}°, {reference[s][1]}" for s in sides)
    return Flag(flag.code, flag.severity, flag.side, flag.value, flag.limit, f"{flag.reason}; {detail}", flag.cue)


def rep_flags(
    rep: RepSummary, settings: Settings, hip: HipTurnout | None = None, codes: Collection[str] = CODES
) -> tuple[Flag, ...]:
    """All faults of ``rep`` among ``codes`` (all by default), in the order of :data:`CODES`."""
    fs = settings.flags
    codes = set(codes) & MEASURED
    found: list[Flag | None] = []
    if "knees_inside_toes" in codes:
        found.append(knees_flag(rep, fs.knees_inside_toes))
    if "forced_turnout" in codes:
        standing = {s: rep.side(s).foot_turnout_start_deg for s in SIDES}
        ref = {s: hip_reference(s, rep.side(s).knee_turnout_bottom_deg, hip) for s in SIDES}
        found.append(forced_turnout_flag(standing, ref, fs.forced_turnout))
    if "heels_lift" in codes and (rep.kind == "demi" or not settings.reps.grand_heels_may_lift):
        lifts = {s: rep.side(s).heel_lift_max_m for s in SIDES}
        found.append(_sided("heels_lift", lifts, fs.heels_lift, " cm", f"heel lifted in {rep.kind}-plié", 100.0))
    if "feet_rolling_in" in codes:
        change = {s: rep.side(s).foot_turnout_change_deg for s in SIDES}
        found.append(_sided("feet_rolling_in", change, fs.feet_rolling_in, "°", "foot turnout grew on the way down"))
    if "torso_tilt" in codes:
        found.append(_torso(rep.torso_lean_change_deg, fs.torso_tilt))
    if "pelvis_tilt" in codes:
        found.append(_pelvis(rep.pelvis_level_change_m, fs.pelvis_tilt))
    if "rushed" in codes:
        found.append(_rushed(rep, settings))
    return tuple(f for f in found if f is not None)


def knees_flag(rep: RepSummary, limit: FlagLimit) -> Flag | None:
    """A knee inside its foot at the bottom (as :meth:`RepSummary.knees` says it): its reading (the nominal camera)
    at least ``limit.warn`` degrees inside, and the least-inside end of its range over the camera prior inside by
    more than the verdict's median error (``reps.KNEE_RANGE_MARGIN_DEG``), so that no flag comes from a reading that
    the camera's uncertainty could put over the foot (docs/thresholds.md); and its foot read as a foot
    (:meth:`RepSummary.foot_read`: else the reading's error is not measured). Its reason in a dancer's words, with the
    precision the reading has ("left knee about 25 degrees inside your foot")."""
    inside = {
        s: -rep.side(s).knee_vs_foot_deg
        if rep.side(s).knee_vs_foot_high_deg < -KNEE_RANGE_MARGIN_DEG and rep.foot_read(s)
        else math.nan
        for s in SIDES
    }
    flag = _sided("knees_inside_toes", inside, limit, "°", "knee inside its foot")
    if flag is None:
        return None
    sides = [s for s in SIDES if flag.side in (s, "both")]
    words = "; ".join(rep.knee_inside_words(s) for s in sides)
    return Flag(flag.code, flag.severity, flag.side, flag.value, flag.limit, words, flag.cue)


def _rushed(rep: RepSummary, settings: Settings) -> Flag | None:
    lim = settings.flags.rushed
    if not lim.enabled:
        return None
    factor = lim.grand_factor if rep.kind == "grand" else 1.0
    warn, bad = lim.warn_s * factor, lim.bad_s * factor
    phase, secs = min((("descent", rep.descent_s), ("ascent", rep.ascent_s)), key=lambda p: p[1])
    if not math.isfinite(secs) or secs >= warn:
        return None
    severity = "bad" if secs <= bad else "warn"
    reason = f"{phase} took {secs:.2f} s (at least {warn:.2f} s for a {rep.kind}-plié)"
    return Flag("rushed", severity, None, secs, warn, reason, CUES["rushed"])


def hold_flags(hold: HoldSummary, settings: Settings, hip: HipTurnout | None = None) -> tuple[Flag, ...]:
    """Faults of a hold: forced turnout (only against a trusted hip profile), torso and pelvis tilt."""
    fs = settings.flags
    found: list[Flag | None] = []
    if "forced_turnout" in MEASURED and hip is not None and hip.trusted:
        standing = {s: hold.foot_turnout_mean_deg(s) for s in SIDES}
        ref = {s: hip_reference(s, math.nan, hip) for s in SIDES}
        found.append(forced_turnout_flag(standing, ref, fs.forced_turnout))
    if "torso_tilt" in MEASURED:
        found.append(_torso(hold.torso_lean_change_deg, fs.torso_tilt))
    if "pelvis_tilt" in MEASURED:
        found.append(_pelvis(hold.pelvis_level_change_m, fs.pelvis_tilt))
    return tuple(f for f in found if f is not None)
