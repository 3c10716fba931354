"""Honest degree figures (issue 16, item 6): every degree figure Turnout shows or writes carries its measured
end-to-end uncertainty, and is shown as a number only where that uncertainty is smaller than the decision the
number would support; otherwise as a range ("40–70°"), or "calibrate to see degrees" where even a range would not
tell a dancer anything. Qt-free: the window, the CSV, the HTML report, ``turnout sessions show`` and the analyze
JSON all use these.

**The one table of uncertainties** (:data:`UNCERTAINTY`): the median and 95th percentile of the absolute error,
measured end to end (rendered dancers of the studio through the real pose model and pipeline,
``docs/accuracy.md``, ``make accuracy``; the picture's feet: ``turnout.practice.picture.FOOT_P95_DEG``). Each row
names its source. A number is shown when its p95 half-width is smaller than :data:`DECISION_DEG` of its quantity,
a range when the half-width is at most :data:`RANGE_MAX_HALF_DEG` (a quarter of the quantity's scale: the range
still tells parallel feet from a 45-degree first position from a 90-degree one), else "calibrate to see degrees"
(uncalibrated) or the wide range (already calibrated: calibrating again would not help).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import numpy as np

from turnout.measure.measures import SIDES, Mode, image_names
from turnout.practice import stretches
from turnout.practice.tracker import upright
from turnout.storage.store import picture_foot_names


class Reading(NamedTuple):
    """A value in degrees and the range that holds the truth for 95 % of frames as measured end to end."""

    deg: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        return max(self.deg - self.low, self.high - self.deg)

    @property
    def ok(self) -> bool:
        return all(math.isfinite(x) for x in self)


NO_READING: Final = Reading(math.nan, math.nan, math.nan)


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """Absolute error, degrees: median and 95th percentile over frames; ``source``: where it was measured."""

    median_deg: float
    p95_deg: float
    source: str


_ACC: Final = "docs/accuracy.md (studio: 51 standing scenes through the real pose model and turnout analyze, 2026-12)"
#: The picture's rows are what the product shows (the frames CSV's left/right_foot_picture_deg, feet read only while
#: planted), end to end like the 3D rows; the range each reading carries is turnout.practice.picture.FOOT_P95_DEG
#: (uncalibrated, widened to the camera prior) or FOOT_P95_FLOOR_DEG, and docs/accuracy.md measures how often it
#: holds the truth.
#: (quantity, method, pose) -> its measured error. Methods: ``uncalibrated-3d`` (MediaPipe's world landmarks),
#: ``floor-calibrated`` (a sheet on the floor; studio A4 and letter scenes), ``picture`` (the foot's picture points
#: through the camera model of her standing, turnout.practice.picture), ``picture-floor`` (the same points through
#: the floor calibration's camera). Poses: ``standing`` (straight knees), ``plie`` (descent, bottom, ascent).
UNCERTAINTY: Final[Mapping[tuple[str, str, str], Uncertainty]] = {
    ("foot", "picture", "standing"): Uncertainty(3.9, 14.2, _ACC),
    ("foot", "picture", "plie"): Uncertainty(3.6, 13.5, _ACC),
    ("foot", "picture-floor", "standing"): Uncertainty(3.0, 12.4, _ACC),
    ("foot", "picture-floor", "plie"): Uncertainty(3.5, 16.3, _ACC),
    ("total", "picture", "standing"): Uncertainty(9.6, 22.3, _ACC),
    ("total", "picture", "plie"): Uncertainty(6.8, 23.7, _ACC),
    ("total", "picture-floor", "standing"): Uncertainty(5.5, 13.6, _ACC),
    ("total", "picture-floor", "plie"): Uncertainty(5.7, 15.2, _ACC),
    ("foot", "uncalibrated-3d", "standing"): Uncertainty(23.1, 37.0, _ACC),
    ("foot", "uncalibrated-3d", "plie"): Uncertainty(17.9, 35.2, _ACC),
    ("foot", "floor-calibrated", "standing"): Uncertainty(14.7, 29.6, _ACC),
    ("foot", "floor-calibrated", "plie"): Uncertainty(4.2, 24.8, _ACC),
    ("total", "uncalibrated-3d", "standing"): Uncertainty(43.8, 74.9, _ACC),
    ("total", "uncalibrated-3d", "plie"): Uncertainty(34.3, 68.8, _ACC),
    ("total", "floor-calibrated", "standing"): Uncertainty(33.5, 45.2, _ACC),
    ("total", "floor-calibrated", "plie"): Uncertainty(8.8, 35.8, _ACC),
    ("knee_direction", "uncalibrated-3d", "standing"): Uncertainty(17.2, 32.0, _ACC),
    ("knee_direction", "uncalibrated-3d", "plie"): Uncertainty(16.6, 43.4, _ACC),
    ("knee_direction", "floor-calibrated", "plie"): Uncertainty(15.9, 76.1, _ACC),
    ("forced", "uncalibrated-3d", "standing"): Uncertainty(37.0, 62.9, _ACC),
    ("forced", "uncalibrated-3d", "plie"): Uncertainty(10.9, 51.8, _ACC),
    ("forced", "floor-calibrated", "standing"): Uncertainty(83.7, 240.1, _ACC),
    ("forced", "floor-calibrated", "plie"): Uncertainty(21.1, 110.4, _ACC),
    ("knee_flexion", "uncalibrated-3d", "standing"): Uncertainty(14.7, 23.3, _ACC),
    ("knee_flexion", "uncalibrated-3d", "plie"): Uncertainty(6.9, 18.1, _ACC),
    ("knee_flexion", "floor-calibrated", "standing"): Uncertainty(15.5, 26.2, _ACC),
    ("knee_flexion", "floor-calibrated", "plie"): Uncertainty(7.3, 23.7, _ACC),
}

#: The smallest difference each figure is read for (a number must be surer than this), degrees:
#: ``foot`` 8, the per-foot forced-turnout warning (Coplan 2002; ``flags.forced_turnout``, docs/thresholds.md);
#: ``total`` 16, two feet's; ``forced`` 8, the fault itself; ``knee_direction`` 20, a knee inside its foot (the
#: default ``flags.knees_inside_toes.warn``: the fault is a knee 20 degrees or more inside its foot);
#: ``knee_flexion`` 10, a straight knee from a bent one (a hold needs each leg at 95 % of its standing length, about
#: 10 degrees of bend at the knee: docs/thresholds.md, "Holds").
DECISION_DEG: Final[Mapping[str, float]] = {
    "foot": 8.0,
    "total": 16.0,
    "forced": 8.0,
    "knee_direction": 20.0,
    "knee_flexion": 10.0,
}
#: The widest range still worth showing (half-width, degrees): a quarter of the quantity's scale (a foot 0-90, two
#: feet 0-180), so that the range still tells parallel feet from a 45-degree first position, and that from 90.
RANGE_MAX_HALF_DEG: Final[Mapping[str, float]] = {
    "foot": 22.5,
    "total": 45.0,
    "forced": 22.5,
    "knee_direction": 22.5,
    "knee_flexion": 22.5,
}
#: What a figure says where even a range would not tell her anything, uncalibrated.
CALIBRATE: Final = "calibrate to see degrees"
#: Ranges are rounded outward to this many degrees, so they do not look more precise than they are.
RANGE_STEP_DEG: Final = 5.0


class Shown(NamedTuple):
    """A figure as shown: ``text`` and what it is, ``kind``: "number", "range", "calibrate", "hidden" (a foot's points
    are not on it: :data:`FEET_HIDDEN`) or "none" ("–")."""

    text: str
    kind: str


def pose_of(phase: str | None) -> str:
    """The table's pose for a live phase: ``plie`` during descent, bottom and ascent, else ``standing``."""
    return "plie" if phase in ("descent", "bottom", "ascent") else "standing"


def method_of(mode: Mode | str | None) -> str:
    return "floor-calibrated" if str(mode) == str(Mode.FLOOR) else "uncalibrated-3d"


def uncertainty(quantity: str, method: str, pose: str = "standing") -> Uncertainty | None:
    """The measured error of ``quantity`` by ``method`` in ``pose``; for a pose not measured (knee direction
    standing) the worst measured pose of that method."""
    u = UNCERTAINTY.get((quantity, method, pose))
    if u is not None:
        return u
    others = [v for (q, m, _), v in UNCERTAINTY.items() if q == quantity and m == method]
    return max(others, key=lambda v: v.p95_deg) if others else None


def p95_deg(quantity: str, method: str, pose: str | None = None) -> float:
    """The p95 half-width; ``pose`` None: the worse of standing and plié (a file's rows, where the pose of each row
    is not known to the reader)."""
    if pose is None:
        values = [v.p95_deg for (q, m, _), v in UNCERTAINTY.items() if q == quantity and m == method]
        return max(values) if values else math.nan
    u = uncertainty(quantity, method, pose)
    return u.p95_deg if u is not None else math.nan


def measured(value: float | None, quantity: str, method: str, pose: str) -> Reading:
    """``value`` with its measured 95 % band (value ± p95)."""
    if value is None or not math.isfinite(value):
        return NO_READING
    p95 = p95_deg(quantity, method, pose)
    return Reading(value, value - p95, value + p95) if math.isfinite(p95) else NO_READING


def narrowest(*readings: Reading) -> Reading:
    """The finite reading with the narrowest band (``NO_READING`` when none)."""
    ok = [r for r in readings if r.ok]
    return min(ok, key=lambda r: r.half_width) if ok else NO_READING


def _step_down(x: float) -> float:
    return math.floor(x / RANGE_STEP_DEG) * RANGE_STEP_DEG


def _step_up(x: float) -> float:
    return math.ceil(x / RANGE_STEP_DEG) * RANGE_STEP_DEG


def range_text(r: Reading) -> str:
    """ "40–70°", rounded outward to :data:`RANGE_STEP_DEG`."""
    return f"{_step_down(r.low):.0f}–{_step_up(r.high):.0f}°"


def show(r: Reading, quantity: str, calibrated: bool = False, range_ok: bool | None = None) -> Shown:
    """The display rule: a number where the band is narrower than the decision, a range where it is still
    informative, else "calibrate to see degrees" (uncalibrated) or the wide range (calibrated). ``range_ok``: the
    range-or-calibrate decision held over time (:class:`RangeHold`) instead of this frame's; the range shown is
    always the measured one, never narrowed."""
    if not r.ok:
        return Shown("–", "none")
    half = r.half_width
    if half < DECISION_DEG[quantity]:
        return Shown(f"{r.deg:.0f}°", "number")
    if range_ok is None:
        range_ok = half <= RANGE_MAX_HALF_DEG[quantity]
    if range_ok or calibrated:
        return Shown(range_text(r), "range")
    return Shown(CALIBRATE, "calibrate")


# ---- the live figures ---------------------------------------------------------------------------------------

#: A live foot switches between its range and "calibrate" only after the other answer held this long (seconds): a
#: range whose half-width hovers about :data:`RANGE_MAX_HALF_DEG` made a figure flip 2-14 times per clip.
RANGE_HOLD_S: Final = 1.0


class RangeHold:
    """Whether a live figure shows its range or "calibrate", with hysteresis: the answer changes only after this
    frame's answer (the half-width within :data:`RANGE_MAX_HALF_DEG` or not) has disagreed with it for
    :data:`RANGE_HOLD_S`. A range shown while held is the measured one (wider than the limit for at most that
    long); "calibrate" while held hides a range, which tells less, never more."""

    def __init__(self, quantity: str = "foot", hold_s: float = RANGE_HOLD_S) -> None:
        self.limit = RANGE_MAX_HALF_DEG[quantity]
        self.hold_s = hold_s
        self.range_ok: bool | None = None
        self._since: float | None = None

    def update(self, t_s: float, half_width: float) -> bool | None:
        """The held answer after a frame at ``t_s`` whose reading's half-width is ``half_width`` (nan: no reading,
        the answer is kept); None before any reading."""
        if not math.isfinite(half_width):
            return self.range_ok
        now = half_width <= self.limit
        if self.range_ok is None or now == self.range_ok:
            self.range_ok, self._since = now, None
        elif self._since is None or t_s < self._since:
            self._since = t_s
        elif t_s - self._since >= self.hold_s:
            self.range_ok, self._since = now, None
        return self.range_ok

    def reset(self) -> None:
        self.range_ok, self._since = None, None


def foot_reading(result: Any, side: str) -> Reading:
    """The best reading of one foot's turnout for a :class:`~turnout.session.pipeline.FrameResult`: the picture's
    (smoothed, with its range) or the measurement's (3D or floor-calibrated, ± its measured p95), whichever is
    narrower."""
    if result is None or result.measurement is None or not result.judged:
        return NO_READING
    return foot_reading_of(result.measurement, result.judged, result.phase, getattr(result, "feet_picture", {}), side)


def foot_reading_of(m: Any, reliable: bool, phase: str | None, feet_picture: Mapping[str, Any], side: str) -> Reading:
    """:func:`foot_reading` from a frame's parts (the pipeline's, before its result is made)."""
    if m is None or not reliable:
        return NO_READING
    own = measured(m.side(side).foot_turnout_deg, "foot", method_of(m.mode), pose_of(phase))
    pic = Reading(*feet_picture.get(side, NO_READING))
    return narrowest(own, pic)


def total_reading(result: Any) -> Reading:
    m = result.measurement if result is not None and result.judged else None
    if m is None:
        return NO_READING
    own = measured(m.total_foot_turnout_deg, "total", method_of(m.mode), pose_of(result.phase))
    feet = [Reading(*getattr(result, "feet_picture", {}).get(s, NO_READING)) for s in SIDES]
    pic = Reading(*(a + b for a, b in zip(*feet, strict=True))) if all(f.ok for f in feet) else NO_READING
    return narrowest(own, pic)


#: What a foot shows when its picture points are not a foot's (``FrameResult.feet_hidden``): calibrating would not
#: help, showing the feet would.
FEET_HIDDEN: Final = "feet hidden"
#: A session's plots (Review, the HTML report) where a foot was never read: said after its name, and why under them.
NOT_READ: Final = "not read"
FEET_NEVER_READ: Final = (
    "feet not read: their points in the picture were never a foot's (trousers over the heels, feet turned from the "
    "camera or out of the picture)"
)


def on_the_floor(result: Any) -> bool:
    """She is on the floor, not on her feet: her ankles no lower below her hips than a seated dancer's
    (``stretches.SEATED_ANKLE_LOW``), a floor stretch recognised (``stretches.stretch_of``: the frog and the low lunge
    kneel with their hips high), or her hips low over her toes (``tracker.upright``) outside a plié (a real grand plié
    54 % of a leg down reads as low as a seated dancer, and the tracker follows it as a plié). Her feet's turnout is
    not measured there, so no figure asks for a calibration ("–"). On the studio's cached analyses every reliable frame
    of the twelve stretch scenes' held stretches and long sits is on the floor (of the moves in and out of them, the
    studio's morph from the long sit, 0-16 frames a scene are not), and no frame of the 61 standing scenes, the fault
    renders or the six real clips (docs/routines.md, "In the window")."""
    m = getattr(result, "measurement", None) if result is not None else None
    image = getattr(m, "image", None)
    if image is None:
        return False
    row = {name: float(getattr(image, name, math.nan)) for name in image_names()}
    if not upright(row) and pose_of(getattr(result, "phase", None)) != "plie":
        return True
    fr = stretches.read_frame(0.0, row, bool(getattr(result, "reliable", False)))
    if fr is None:
        return False
    ankles = [fr.y(name) for name in ("left_ankle", "right_ankle")]
    if all(math.isfinite(a) for a in ankles) and max(ankles) <= stretches.SEATED_ANKLE_LOW:
        return True
    return stretches.stretch_of(fr) is not None


def foot_shown(result: Any, side: str) -> Shown:
    """A live foot by the rule, its range-or-calibrate answer held against flicker where the pipeline held it
    (``FrameResult.feet_range``, :class:`RangeHold`); "feet hidden" where its points over her standing are not a
    foot's (``FrameResult.feet_hidden``: trousers over the heels, dark shoes), rather than "calibrate"; "–" while she
    is on the floor (:func:`on_the_floor`: a seated or lying stretch), where nothing is measured to calibrate."""
    if on_the_floor(result):
        return Shown("–", "none")
    if result is not None and result.judged and side in getattr(result, "feet_hidden", ()):
        return Shown(FEET_HIDDEN, "hidden")
    m = result.measurement if result is not None and result.judged else None
    held = getattr(result, "feet_range", {}).get(side) if result is not None else None
    return show(foot_reading(result, side), "foot", calibrated=m is not None and m.mode is Mode.FLOOR, range_ok=held)


def total_shown(result: Any) -> Shown:
    """Both feet's total by the rule, as :func:`foot_shown` (no hold against flicker)."""
    if on_the_floor(result):
        return Shown("–", "none")
    if result is not None and result.judged and getattr(result, "feet_hidden", ()):
        return Shown(FEET_HIDDEN, "hidden")
    m = result.measurement if result is not None and result.judged else None
    return show(total_reading(result), "total", calibrated=m is not None and m.mode is Mode.FLOOR)


def depth_text(rep: Any) -> str:
    """A plié's depth as measured in the picture: "demi · 14 %" (the hips' drop in her standing hip-to-toe height).
    Not in degrees: the knees' bend from 3D reads 6-49 degrees shallow at the bottom on the studio
    (docs/accuracy.md, "depth err deg"), while the kind from the hips' drop was right on all 74 pliés."""
    drop = float(getattr(rep, "hip_drop", math.nan))
    kind = str(getattr(rep, "kind", "") or "")
    if not math.isfinite(drop):
        return kind or "–"
    return f"{kind} · {drop * 100:.0f} %" if kind else f"{drop * 100:.0f} %"


def drop_text(rep: Any) -> str:
    """The hips' drop alone, "17 %" (of her standing hip-to-toe height), or "–": a rep table's depth column."""
    drop = float(getattr(rep, "hip_drop", math.nan))
    return f"{drop * 100:.0f} %" if math.isfinite(drop) else "–"


# ---- files --------------------------------------------------------------------------------------------------

#: Per-frame uncertainty columns written beside the 3D/floor degree columns of the CSVs: the p95 of that frame's
#: mode (the worse of standing and plié), so that a reader never mistakes a ±35° number for an exact one.
P95_COLUMNS: Final[Mapping[str, str]] = {
    "foot_turnout_p95_deg": "foot",
    "total_foot_turnout_p95_deg": "total",
    "knee_turnout_p95_deg": "knee_direction",
    "forced_turnout_p95_deg": "forced",
    "knee_flexion_p95_deg": "knee_flexion",
}


def p95_row(mode_value: float) -> dict[str, float]:
    """The :data:`P95_COLUMNS` of a row whose mode column (1 floor-calibrated, 0 uncalibrated) is ``mode_value``."""
    if not math.isfinite(mode_value):
        return dict.fromkeys(P95_COLUMNS, math.nan)
    method = "floor-calibrated" if mode_value >= 0.5 else "uncalibrated-3d"
    return {col: p95_deg(q, method) for col, q in P95_COLUMNS.items()}


def uncertainty_table() -> dict[str, Any]:
    """The table for a JSON document: ``{quantity: {method: {pose: {median_deg, p95_deg}}}}``, the decisions, the
    widest range shown, and each figure's source."""
    table: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for (q, m, p), u in UNCERTAINTY.items():
        table.setdefault(q, {}).setdefault(m, {})[p] = {
            "median_deg": None if not math.isfinite(u.median_deg) else u.median_deg,
            "p95_deg": u.p95_deg,
        }
        sources[f"{q}/{m}"] = u.source
    return {
        "errors": table,
        "decision_deg": dict(DECISION_DEG),
        "range_max_half_deg": dict(RANGE_MAX_HALF_DEG),
        "sources": sources,
    }


#: The hips' turnout (the knees' direction at the bottom of her demi-pliés, from the picture): on the studio a
#: correct plié's knee reads from 1 degree inside its foot to 50 outside (docs/thresholds.md, "Which flags fire"),
#: more than any decision it could support, so it is not shown as a number or a range.
HIP_P95_DEG: Final = 50.0


def hip_shown(deg: float | None) -> Shown:
    """The hips' turnout as shown: "–" while its measured spread (:data:`HIP_P95_DEG`) is wider than a useful range."""
    if deg is None or not math.isfinite(deg):
        return Shown("–", "none")
    r = Reading(deg, deg - HIP_P95_DEG, deg + HIP_P95_DEG)
    shown = show(r, "knee_direction", calibrated=True)
    return shown if shown.kind == "number" else Shown("–", "none")


# ---- the floor calibration's accuracy, end to end -----------------------------------------------------------------

#: References whose floor-calibrated accuracy was measured end to end on the studio (docs/accuracy.md: 6 rendered
#: scenes with a sheet on the floor, five with an A4 sheet and one with a letter sheet, pooled in its table).
FLOOR_MEASURED: Final = frozenset({"A4", "letter"})


def floor_end_to_end(reference: str | None = None, brief: bool = False) -> str:
    """What a floor calibration gives a foot's turnout end to end (pose model included), as the window shows it
    (each foot read from the picture through the sheet's camera), for the calibration panel: "a foot within 3° (half
    the frames; 95%: 12°), measured end to end on rendered dancers with an A4 or letter sheet". For a reference the
    studio did not measure, says so. ``brief``: the line shown once calibrated, "a foot within 3° (95%: 12°; end to
    end)"."""
    u = uncertainty("foot", "picture-floor", "standing")
    assert u is not None
    within = f"a foot within {u.median_deg:.0f}°"
    p95 = f"95%: {u.p95_deg:.0f}°"
    measured_here = reference is None or reference in FLOOR_MEASURED
    if brief:
        return f"{within} ({p95}; end to end)" if measured_here else f"{within} with an A4 sheet ({p95}; end to end)"
    figures = f"{within} (half the frames; {p95})"
    if measured_here:
        return f"{figures}, measured end to end on rendered dancers with an A4 or letter sheet"
    return f"not yet measured end to end with this reference (with an A4 or letter sheet: {figures})"


# ---- reps and holds in files (report, sessions show, analyze JSON) --------------------------------------------------


def hidden_foot_spans(reps: Any, side: str) -> list[tuple[float, float]]:
    """Where a session's figures for one foot are not shown on looking back (Review, the HTML report): around each
    rep that found it hidden (``RepSummary.foot_hidden``: its points rode on trousers over it), from the previous
    rep's end (or the session's start) to the next rep's start (or its end), the standing before and after that plié
    included (the live window could hide it only once the plié had ended)."""
    ordered = sorted(reps, key=lambda r: r.t_start_s)
    spans = []
    for i, rep in enumerate(ordered):
        if rep.foot_hidden(side):
            start = ordered[i - 1].t_end_s if i > 0 else -math.inf
            end = ordered[i + 1].t_start_s if i + 1 < len(ordered) else math.inf
            spans.append((start, end))
    return spans


def blank_spans(t_s: Any, column: Any, spans: list[tuple[float, float]]) -> np.ndarray:
    """A stored column over ``t_s`` with the frames inside ``spans`` (:func:`hidden_foot_spans`) blanked."""
    t = np.asarray(t_s, dtype=np.float64)
    out = np.array(column, dtype=np.float64, copy=True)
    for a, b in spans:
        out[(t > a) & (t < b)] = math.nan
    return out


def blank_hidden_feet(t_s: Any, values: Mapping[str, Any], reps: Any) -> dict[str, Any]:
    """``values`` (stored columns over ``t_s``) with each foot's picture columns (``store.picture_foot_names``)
    blanked over its :func:`hidden_foot_spans`."""
    out = dict(values)
    spans = {s: hidden_foot_spans(reps, s) for s in SIDES}
    for name in picture_foot_names():
        side = name.split("_", 1)[0]
        if name in out and spans[side]:
            out[name] = blank_spans(t_s, out[name], spans[side])
    return out


def picture_feet_over(t_s: Any, values: Mapping[str, Any], t0: float, t1: float) -> dict[str, Reading]:
    """Each foot's picture reading over the frames from ``t0`` to ``t1`` (medians of the stored
    ``<side>_foot_picture_deg``, ``_low_deg``, ``_high_deg`` columns); sides without any reading are left out (a
    session stored before these columns has none)."""
    import numpy as np

    t = np.asarray(t_s, dtype=np.float64)
    inside = (t >= t0) & (t <= t1)
    out: dict[str, Reading] = {}
    for side in SIDES:
        cols = [values.get(f"{side}_foot_picture{part}_deg") for part in ("", "_low", "_high")]
        if any(c is None for c in cols) or not inside.any():
            continue
        parts = [np.asarray(c, dtype=np.float64)[inside] for c in cols]
        ok = np.isfinite(parts[0]) & np.isfinite(parts[1]) & np.isfinite(parts[2])
        if ok.any():
            out[side] = Reading(*(float(np.median(p[ok])) for p in parts))
    return out


def rep_foot_reading(rep: Any, side: str, picture: Mapping[str, Reading] | None = None) -> Reading:
    """A rep's foot turnout with its range: the per-frame picture readings over the rep when stored (``picture``,
    from :func:`picture_feet_over`), else the rep's own picture direction (nominal camera, ± the picture's p95), else
    its 3D or floor-calibrated standing turnout ± that method's p95. None where the rep found the planted foot read
    further apart standing and at its bottom than a visible foot reads (``picture.FOOT_TWICE_DEG``: the pose model's
    points are not on the foot, as under trousers to the floor)."""
    if rep.foot_hidden(side):
        return NO_READING
    s = rep.side(side)
    if picture and side in picture and picture[side].ok:
        return picture[side]
    direction = float(getattr(s, "foot_direction_deg", math.nan))
    own = measured(float(s.foot_turnout_start_deg), "foot", method_of(rep.mode), "standing")
    return narrowest(measured(direction, "foot", "picture", "standing"), own)


def feet_text(rep: Any, picture: Mapping[str, Reading] | None = None) -> str:
    """ "25–60° / 15–50°" (left / right) by the display rule, or "calibrate to see degrees"."""
    calibrated = rep.mode is Mode.FLOOR
    texts = [show(rep_foot_reading(rep, s, picture), "foot", calibrated).text for s in SIDES]
    if texts[0] == texts[1] == CALIBRATE:
        return CALIBRATE
    return " / ".join(texts)


def hold_total_shown(hold: Any) -> Shown:
    """A hold's total foot turnout by the rule: its feet's picture directions (nominal camera) ± the picture's p95
    each, else its 3D mean ± the uncalibrated p95."""
    left = float(getattr(hold, "left_foot_direction_deg", math.nan))
    right = float(getattr(hold, "right_foot_direction_deg", math.nan))
    pic = NO_READING
    if math.isfinite(left) and math.isfinite(right):
        p95 = p95_deg("foot", "picture", "standing")
        pic = Reading(left + right, left + right - 2 * p95, left + right + 2 * p95)
    own = measured(
        float(getattr(hold, "total_foot_turnout_mean_deg", math.nan)), "total", "uncalibrated-3d", "standing"
    )
    return show(narrowest(pic, own), "total")
