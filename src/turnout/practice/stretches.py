"""Seated stretches recognised from the picture (issue 17, item 5): the butterfly, the straddle and the pigeon, timed as
holds.

Fed the same per-frame rows and reliability as the practice tracker (``turnout.measure.image``'s image-plane values:
pixels from the picture's centre, y down), streaming: :meth:`StretchHolds.update` ``(t_s, row, reliable) -> events``,
then :meth:`StretchHolds.finish`. Everything is measured in **torsos**: her torso's length in the picture, mid-hip
point to mid-shoulder point, in the same frame (seated, her standing size is not there to be had; her torso stays
upright in these stretches, so it is her own scale at her hips' distance).

A frame is (docs/thresholds.md, "Stretches"):

- a **butterfly** when both knees are out to her sides (each at least :data:`BUTTERFLY_KNEE_OUT` beyond her hips'
  middle and :data:`BUTTERFLY_KNEE_OVER_ANKLE` beyond its own ankle), no lower than :data:`BUTTERFLY_KNEE_LOW` below
  her hips and above her ankles, and her ankles close together (:data:`BUTTERFLY_FEET_TOGETHER`) and near her hips'
  row (:data:`SEATED_ANKLE_LOW`: seated, the feet lie on the floor in front of her, not a leg below her hips);
- a **straddle** when her ankles are wide apart (:data:`STRADDLE_SPAN`, each outward of her hips' middle by
  :data:`STRADDLE_ANKLE_OUT`) and near her hips' row (:data:`SEATED_ANKLE_LOW`), each knee between its hip and ankle
  (the leg straight in the picture: :data:`STRADDLE_KNEE_OFF_LINE`);
- a **pigeon** when one knee is out to her side with its ankle across her middle in front of her, the other leg
  behind her (:func:`pigeon_front`). Its back leg hides behind her, so the pipeline may call the pose unreliable: the
  pigeon is read from its front leg's points alone (the butterfly and the straddle need the whole pose reliable);
- a **frog** (face down on her hands and knees, knees wide: :func:`is_frog`) when her torso leans at the camera, short
  in the picture against her width (``facing_ratio`` at least :data:`FROG_FACING_RATIO_MIN`); such a frame is measured
  in :data:`FROG_SCALE_WIDTHS` of her widths instead of torsos, and only the frog is read there;
- a **low lunge** (one foot forward, its knee bent over it, the back knee down: :func:`lunge_front`) from its front
  leg, the back knee and the back ankle hidden or above its knee; read whatever the pose's reliability, as the pigeon.

Standing she is none of them: her ankles are 1.3-1.9 torsos below her hips (a grand plié still puts them a torso below,
its knees under her hips). A hold of either is reported (:class:`StretchStarted`) once she has kept it still
(:data:`STILL_BAND`) for :data:`MIN_HOLD_S`, from the first frame of that stillness (the frog: :data:`FROG_STILL_BAND`,
its knees only), and ends (:class:`StretchEnded`) where it breaks: she leaves the stretch or moves a knee or a foot more
than :data:`MOVE_BAND` from where she held it, for :data:`BREAK_S`, or the pose is lost for :data:`MAX_GAP_S`; the end
is her last still frame. Each hold keeps one figure, read over its frames (:attr:`StretchHold.figure`): the butterfly's
knees' height above her hips, the straddle's ankles' span, both in torsos; they are compared with her own earlier holds
only (:func:`compare`), where the camera's own view cancels. The pigeon, the frog and the low lunge have none (what
would tell is hidden behind her, along the camera's line of sight, or read in no steady scale: docs/measurements.md).
Side-on nothing is recognised (her front-view points are ``nan`` there).

Qt-free; nothing here imports the app or the session.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

#: The stretches recognised (every stretch variant of the routine).
RECOGNISED: Final = ("butterfly", "straddle", "pigeon", "frog", "low_lunge")
#: Facing codes a stretch is read in (front, three-quarter: ``turnout.measure.image``).
FACING_OK: Final = (1.0, 2.0)
#: A torso shorter than this (pixels) is too small to measure.
MIN_TORSO_PX: Final = 20.0

#: Seated: each ankle no lower than this below her hips' row, torsos. The studio's held stretches read 0.18-0.51
#: (cameras 0.5-1.0 m up, 2.0-2.5 m away); its long sits (legs straight ahead) 0.45-1.09; every frame of the 57
#: standing scenes and the six real clips 1.00 or more (1 % below 1.06: the bottom of a grand plié). A camera higher
#: than 1 m shows a straddle's ankles lower: beyond 0.8 they are not read as seated.
SEATED_ANKLE_LOW: Final = 0.8
#: Butterfly: each knee at least this far out from her hips' middle (torsos; the studio's butterflies 0.61-1.01, long
#: sits 0.20-0.34).
BUTTERFLY_KNEE_OUT: Final = 0.45
#: ... and this far out beyond its own ankle (torsos; butterflies 0.46-0.88, long sits -0.29..-0.04).
BUTTERFLY_KNEE_OVER_ANKLE: Final = 0.25
#: ... and no more than this below her hips' row (torsos; butterflies 0.44 above to 0.02 above, thighs 40 to 5 degrees
#: up; standing and the real clips 0.43 below or more).
BUTTERFLY_KNEE_LOW: Final = 0.2
#: Butterfly: her ankles this close together, torsos (soles together 0.12-0.41; long sits 0.70-0.93).
BUTTERFLY_FEET_TOGETHER: Final = 0.6
#: Straddle: the ankles at least this far apart, torsos (90 to 140 degrees: 3.55-4.33; standing and the real clips at
#: most 1.76).
STRADDLE_SPAN: Final = 2.2
#: ... each at least this far out from her hips' middle (torsos; 1.72-2.13).
STRADDLE_ANKLE_OUT: Final = 0.8
#: Straddle: each knee within this (torsos) of the line from her hips' middle to its ankle, and between them (the leg
#: straight in the picture).
STRADDLE_KNEE_OFF_LINE: Final = 0.25

#: Pigeon: the front knee at least this far out to its side, torsos (the studio's pigeon 0.64; its sits 0.25-0.29).
PIGEON_KNEE_OUT: Final = 0.45
#: ... its ankle at least this far across her middle to her other side, torsos (the studio's pigeon 0.22-0.24).
PIGEON_ANKLE_ACROSS: Final = 0.1
#: The back leg's knee (and ankle, where seen) within this of her hips' middle, across and below, torsos (the studio's
#: pigeon: knee 0.05-0.10 across, 0.10-0.22 below; ankle 0.35 across, 0.00-0.08 below or hidden).
PIGEON_BACK_KNEE: Final = 0.4

#: Leaning: her width across the picture (``facing_ratio``: the wider of her shoulders and hips, over her torso's
#: length) at least this many torsos: face down, her torso leans at the camera and shows short (the studio's frogs
#: 1.56-4.95; every frame of the 67 other studio scenes 0.85 or less, of the real clips 0.83 or less).
FROG_FACING_RATIO_MIN: Final = 1.2
#: A leaning frame's unit instead of her torso: an upright torso's length in her widths (the studio's sits 1.18-1.47).
FROG_SCALE_WIDTHS: Final = 1.3
#: Frog: each knee at least this far out to its side from her hips' middle, in her widths (the studio's frogs
#: 0.79-1.11).
FROG_KNEE_OUT: Final = 0.5
#: ... each ankle, where seen, at least this far out on its own side, in her widths (the studio's frogs 0.58-1.01).
FROG_ANKLE_OUT: Final = 0.35

#: Low lunge: the front knee at most this far below her hips' row, torsos (its thigh points at the camera: the studio's
#: lunges -0.27 to 0.52, cameras 0.5-1.0 m up; standing knees 0.6-0.9).
LUNGE_FRONT_KNEE_LOW: Final = 0.8
#: ... its ankle at least this far below it (the shin down to the floor), torsos (lunges 0.67-1.08; long sits 0.4-0.5).
LUNGE_FRONT_SHIN: Final = 0.5
#: ... the back knee lower than the front knee by at least this, torsos (lunges 0.28-1.12).
LUNGE_BACK_DROP: Final = -0.05
#: ... both knees within this of her middle, across, torsos (lunges 0.13-0.31; a grand plié's 0.6-0.85).
LUNGE_KNEE_IN: Final = 0.6
#: ... the back ankle hidden, or at most this far below its knee, torsos (lunges: hidden or 0.25-0.49 above it; a
#: standing leg's ankle 0.8 or more below, a long sit's 0.4-0.5): what tells a lunge from standing.
LUNGE_BACK_ANKLE_BELOW: Final = 0.0

#: Still: every key point (knees and ankles) within this of the median of the last :data:`SETTLE_S`, torsos.
STILL_BAND: Final = 0.06
#: ... in the frog, wider: the pose model's knees wander there with her still (up to 0.13 from their 0.5 s median in
#: the studio's three frogs, 0.04 and 0.01 in two of them).
FROG_STILL_BAND: Final = 0.15
#: The still window, seconds.
SETTLE_S: Final = 0.5
#: A key point this far (torsos) from where she held it ends the hold.
MOVE_BAND: Final = 0.15
#: ... in the frog (2.5 x :data:`FROG_STILL_BAND`, as :data:`MOVE_BAND` is of :data:`STILL_BAND`).
FROG_MOVE_BAND: Final = 0.375
#: A hold is reported once still this long, seconds.
MIN_HOLD_S: Final = 2.0
#: Out of the stretch for this long ends the hold, seconds (one misread frame does not).
BREAK_S: Final = 0.3
#: A longer gap in usable frames ends the hold, seconds.
MAX_GAP_S: Final = 1.0

_POINTS: Final = ("left_knee", "right_knee", "left_ankle", "right_ankle")


def _f(row: Mapping[str, float], key: str) -> float:
    v = row.get(key, math.nan)
    return float(v) if v is not None else math.nan


@dataclass(frozen=True, slots=True)
class StretchFrame:
    """One frame's points, from her hips' middle, in torsos (x to the picture's right, y down)."""

    t_s: float
    torso_px: float
    points: dict[str, tuple[float, float]]  # nan where not seen
    reliable: bool = True  # the pose as a whole (a pigeon's back leg hides: the pipeline calls it unreliable)
    width: float = math.nan  # her width across the picture (shoulders or hips, the wider), in the frame's unit
    leaning: bool = False  # her torso leans toward the camera: the unit is not her torso (:func:`read_frame`)

    def x(self, name: str) -> float:
        return self.points[name][0]

    def y(self, name: str) -> float:
        return self.points[name][1]


def read_frame(t_s: float, row: Mapping[str, float], reliable: bool = True) -> StretchFrame | None:
    """The frame's knees and ankles from her hips' middle in torsos (``nan`` where not seen); None where she cannot be
    read (not facing the camera, no torso). ``reliable``: the pipeline's word on the pose as a whole. A torso leaning
    toward the camera (short against her width: :data:`FROG_FACING_RATIO_MIN`, :attr:`StretchFrame.leaning`) is no
    scale: there the unit is :data:`FROG_SCALE_WIDTHS` of her widths."""
    if _f(row, "facing_code") not in FACING_OK:
        return None
    hx, hy = _f(row, "hip_x_px"), _f(row, "hip_y_px")
    torso = math.hypot(_f(row, "shoulder_x_px") - hx, _f(row, "shoulder_y_px") - hy)
    ratio = _f(row, "facing_ratio")
    width_px = ratio * torso if ratio > 0 else math.nan
    leaning = ratio >= FROG_FACING_RATIO_MIN
    if leaning:
        torso = FROG_SCALE_WIDTHS * width_px
    if not torso >= MIN_TORSO_PX:
        return None
    pts = {}
    for name in _POINTS:
        x, y = _f(row, f"{name}_x_px"), _f(row, f"{name}_y_px")
        pts[name] = ((x - hx) / torso, (y - hy) / torso) if math.isfinite(x) and math.isfinite(y) else _NAN2
    return StretchFrame(t_s, torso, pts, reliable, width_px / torso, leaning)


_NAN2: Final = (math.nan, math.nan)


def _seen(fr: StretchFrame, *names: str) -> bool:
    return all(math.isfinite(fr.x(n)) and math.isfinite(fr.y(n)) for n in names)


def stretch_of(fr: StretchFrame) -> str | None:
    """Which stretch the frame shows (``butterfly``, ``straddle``, ``pigeon``, ``frog``, ``low_lunge``) or None."""
    if fr.leaning:  # face down: only the frog
        return "frog" if is_frog(fr) else None
    if not (fr.reliable and _seen(fr, *_POINTS)):
        return _read_alone(fr)
    seated = max(fr.y("left_ankle"), fr.y("right_ankle")) <= SEATED_ANKLE_LOW
    if not seated:
        return _read_alone(fr)
    # her left leg is on the picture's right in a front view: out is +x for the left, -x for the right
    lk, rk, la, ra = fr.x("left_knee"), -fr.x("right_knee"), fr.x("left_ankle"), -fr.x("right_ankle")
    if (
        min(lk, rk) >= BUTTERFLY_KNEE_OUT
        and min(lk - la, rk - ra) >= BUTTERFLY_KNEE_OVER_ANKLE
        and max(fr.y("left_knee"), fr.y("right_knee")) <= BUTTERFLY_KNEE_LOW
        and fr.y("left_knee") < fr.y("left_ankle")
        and fr.y("right_knee") < fr.y("right_ankle")
        and abs(fr.x("left_ankle") - fr.x("right_ankle")) <= BUTTERFLY_FEET_TOGETHER
    ):
        return "butterfly"
    if (
        la + ra >= STRADDLE_SPAN
        and min(la, ra) >= STRADDLE_ANKLE_OUT
        and all(_on_leg_line(fr, side) for side in ("left", "right"))
    ):
        return "straddle"
    return _read_alone(fr)


def _read_alone(fr: StretchFrame) -> str | None:
    """The stretches read from their own points, whatever the pose's reliability (a leg hides behind her in each)."""
    if pigeon_front(fr):
        return "pigeon"
    return "low_lunge" if lunge_front(fr) else None


def is_frog(fr: StretchFrame) -> bool:
    """A frog: face down on her hands and knees, the knees wide. Her torso leans toward the camera, so it is short in
    the picture (:attr:`StretchFrame.leaning`) and the frog is read in her widths: each knee far out to its side
    (:data:`FROG_KNEE_OUT`) and below her hips' row; each ankle, where seen (a foot may hide behind her), out on its
    own side (:data:`FROG_ANKLE_OUT`) and above its knee in the picture (the shin runs back along the floor, away from
    the camera)."""
    hw = fr.width
    if not (fr.leaning and hw > 0 and _seen(fr, "left_knee", "right_knee")):
        return False
    for side, out in (("left", 1.0), ("right", -1.0)):
        kx, ky = fr.points[f"{side}_knee"]
        ax, ay = fr.points[f"{side}_ankle"]
        if not (out * kx >= FROG_KNEE_OUT * hw and ky > 0):
            return False
        if math.isfinite(ay) and not (out * ax >= FROG_ANKLE_OUT * hw and ay < ky):
            return False
    return True


def lunge_front(fr: StretchFrame) -> str | None:
    """A low lunge's front leg (``left``, ``right``) or None. Her front thigh points at the camera, so its knee shows
    near her hips' row (:data:`LUNGE_FRONT_KNEE_LOW`) and its shin runs down to the floor below it
    (:data:`LUNGE_FRONT_SHIN`); the back knee is down on the floor, not above the front knee by more than
    :data:`LUNGE_BACK_DROP`, both knees near her middle (:data:`LUNGE_KNEE_IN`, not a grand plié's knees out to the
    sides), and the back ankle is hidden behind her or no lower than its knee (:data:`LUNGE_BACK_ANKLE_BELOW`: the
    shin runs back along the floor, away from the camera; a standing leg's ankle, or a seated one's, is well below its
    knee). The back leg hides behind her, so the pose as a whole may be unreliable: only these points count."""
    for front, back in (("left", "right"), ("right", "left")):
        if not _seen(fr, f"{front}_knee", f"{front}_ankle", f"{back}_knee"):
            continue
        fkx, fky = fr.points[f"{front}_knee"]
        fay = fr.y(f"{front}_ankle")
        bkx, bky = fr.points[f"{back}_knee"]
        bay = fr.y(f"{back}_ankle")
        if (
            fky <= LUNGE_FRONT_KNEE_LOW
            and fay - fky >= LUNGE_FRONT_SHIN
            and bky - fky >= LUNGE_BACK_DROP
            and max(abs(fkx), abs(bkx)) <= LUNGE_KNEE_IN
            and (not math.isfinite(bay) or bay - bky <= LUNGE_BACK_ANKLE_BELOW)
        ):
            return front
    return None


def pigeon_front(fr: StretchFrame) -> str | None:
    """A pigeon's front leg (``left``, ``right``) or None: that knee out to her side (:data:`PIGEON_KNEE_OUT`) with its
    ankle across her middle to her other side (:data:`PIGEON_ANKLE_ACROSS`), both near her hips' row (seated); the
    other leg behind her: its knee seen near her hips (:data:`PIGEON_BACK_KNEE`), its ankle hidden or as near. The back
    leg hides behind her, so the pose as a whole may be unreliable: only these points are needed."""
    for front, back, out in (("left", "right", 1.0), ("right", "left", -1.0)):
        knee, ankle = f"{front}_knee", f"{front}_ankle"
        if not _seen(fr, knee, ankle, f"{back}_knee"):
            continue
        seated = max(fr.y(knee), fr.y(ankle)) <= SEATED_ANKLE_LOW
        crossed = out * fr.x(knee) >= PIGEON_KNEE_OUT and out * fr.x(ankle) <= -PIGEON_ANKLE_ACROSS
        bk = fr.points[f"{back}_knee"]
        ba = fr.points[f"{back}_ankle"]
        behind = abs(bk[0]) <= PIGEON_BACK_KNEE and bk[1] <= PIGEON_BACK_KNEE
        hidden = not math.isfinite(ba[1]) or (abs(ba[0]) <= PIGEON_BACK_KNEE and ba[1] <= PIGEON_BACK_KNEE)
        if seated and crossed and behind and hidden:
            return front
    return None


def _on_leg_line(fr: StretchFrame, side: str) -> bool:
    """The knee lies between the hips' middle and the ankle, within :data:`STRADDLE_KNEE_OFF_LINE` of their line."""
    ax, ay = fr.points[f"{side}_ankle"]
    kx, ky = fr.points[f"{side}_knee"]
    length = math.hypot(ax, ay)
    if length <= 0:
        return False
    along = (kx * ax + ky * ay) / length
    off = abs(kx * ay - ky * ax) / length
    return 0.2 * length <= along <= 0.8 * length and off <= STRADDLE_KNEE_OFF_LINE


def figure_of(kind: str, fr: StretchFrame) -> float:
    """The stretch's figure in one frame, torsos: the butterfly's knees' height above her hips (the mean of both
    knees; lower knees read less), the straddle's ankles' span; the pigeon has none (``nan``: its back leg hides)."""
    if kind == "butterfly":
        return -0.5 * (fr.y("left_knee") + fr.y("right_knee"))
    if kind == "straddle":
        return abs(fr.x("left_ankle") - fr.x("right_ankle"))
    return math.nan


def key_points(kind: str, fr: StretchFrame) -> tuple[str, ...]:
    """The points whose stillness makes the hold: both knees and ankles; a pigeon's or a low lunge's front knee and
    ankle (their back legs hide behind her); the frog's knees (its feet may hide behind her)."""
    if kind == "pigeon":
        front = pigeon_front(fr) or "left"
        return (f"{front}_knee", f"{front}_ankle")
    if kind == "frog":  # a foot may hide behind her
        return ("left_knee", "right_knee")
    if kind == "low_lunge":
        front = lunge_front(fr) or "left"
        return (f"{front}_knee", f"{front}_ankle")
    return _POINTS


#: What a moved point says when it ends a hold.
_MOVED: Final = {"butterfly": "the knees or feet moved", "straddle": "the legs moved", "pigeon": "the front leg moved",
                 "frog": "the knees or feet moved", "low_lunge": "the legs moved"}  # fmt: skip
_LEFT: Final = {k: f"she came out of the {k.replace('_', ' ')}" for k in RECOGNISED}


@dataclass(frozen=True, slots=True)
class StretchHold:
    """A held stretch: when, how long, what ended it, and its figure (:func:`figure_of`, the median over the hold)."""

    index: int
    kind: str
    t_start_s: float
    t_end_s: float
    reason: str
    figure: float

    @property
    def seconds(self) -> float:
        return self.t_end_s - self.t_start_s


@dataclass(frozen=True, slots=True)
class StretchStarted:
    t_s: float
    kind: str
    t_start_s: float


@dataclass(frozen=True, slots=True)
class StretchEnded:
    t_s: float
    hold: StretchHold


StretchEvent = StretchStarted | StretchEnded


@dataclass(slots=True)
class _Run:
    kind: str
    keys: tuple[str, ...] = _POINTS
    frames: list[StretchFrame] = field(default_factory=list)
    ref: dict[str, tuple[float, float]] | None = None  # where she holds it, once still
    start: float = math.nan
    last_still: float = math.nan
    out_since: float | None = None  # first frame of a break under way
    why: str = ""  # what the break under way is
    last_ok: float = math.nan
    reported: bool = False
    figures: list[float] = field(default_factory=list)


def _bands(kind: str) -> tuple[float, float]:
    """The stillness and move bands of a stretch (:data:`STILL_BAND`, :data:`MOVE_BAND`; the frog's wider)."""
    return (FROG_STILL_BAND, FROG_MOVE_BAND) if kind == "frog" else (STILL_BAND, MOVE_BAND)


def _median_points(frames: list[StretchFrame], keys: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    return {n: (statistics.median(f.x(n) for f in frames), statistics.median(f.y(n) for f in frames))
            for n in keys}  # fmt: skip


def _off(fr: StretchFrame, ref: Mapping[str, tuple[float, float]]) -> float:
    """The furthest key point from where she holds it (``inf`` where one is not seen)."""
    d = [math.hypot(fr.x(n) - r[0], fr.y(n) - r[1]) for n, r in ref.items()]
    return max(d) if all(math.isfinite(v) for v in d) else math.inf


class StretchHolds:
    """Held stretches (butterflies, straddles, pigeons, frogs, low lunges), streaming. Not thread-safe; feed frames in
    time order."""

    def __init__(self) -> None:
        self._run: _Run | None = None
        self._last_t = -math.inf
        self.holds: list[StretchHold] = []

    def holding(self) -> str | None:
        """The stretch of the reported hold under way, else None."""
        run = self._run
        return run.kind if run is not None and run.reported else None

    def current(self) -> StretchHold | None:
        """The reported hold under way as it is so far (not ended), else None."""
        run = self._run
        if run is None or not run.reported:
            return None
        return StretchHold(len(self.holds), run.kind, run.start, run.last_still, "", _median(run.figures))

    def update(self, t_s: float, row: Mapping[str, float], reliable: bool) -> list[StretchEvent]:
        events: list[StretchEvent] = []
        if t_s < self._last_t:  # a stream started again
            events += self.finish()
        self._last_t = t_s
        fr = read_frame(t_s, row, reliable)
        run = self._run
        if run is not None and t_s - run.last_ok > MAX_GAP_S:  # unusable frames, or none, for too long
            events += self._end(t_s, "the pose was lost")
            run = None
        if fr is None:
            return events
        kind = stretch_of(fr)
        if run is not None:
            run.last_ok = t_s
            if run.ref is None:  # not still yet: a new kind (or pigeon's front leg) starts a new run
                if kind != run.kind or key_points(kind, fr) != run.keys:
                    self._run = run = None
            else:
                off = _off(fr, run.ref)
                still, move = _bands(run.kind)
                if kind == run.kind and off <= move:
                    run.out_since = None
                    run.figures.append(figure_of(run.kind, fr))
                    if off <= still:
                        run.last_still = t_s
                    return events + self._report(run, t_s)
                # out of the stretch or moved: it ends once that has lasted BREAK_S (one misread frame does not)
                run.out_since = t_s if run.out_since is None else run.out_since
                run.why = _MOVED[run.kind] if kind == run.kind else _LEFT[run.kind]
                if t_s - run.out_since >= BREAK_S:
                    events += self._end(t_s, run.why)
                return events
        if kind is None:
            return events
        if run is None:
            run = self._run = _Run(kind, key_points(kind, fr), last_ok=t_s)
        run.frames.append(fr)
        # the window: the last SETTLE_S and the frame before it (at 15 fps 0.5 s is not a whole number of frames)
        older = [f for f in run.frames if f.t_s < t_s - SETTLE_S + 1e-3]
        run.frames = older[-1:] + [f for f in run.frames if f.t_s >= t_s - SETTLE_S + 1e-3]
        if run.frames[-1].t_s - run.frames[0].t_s >= SETTLE_S - 0.02:
            ref = _median_points(run.frames, run.keys)
            if all(_off(f, ref) <= _bands(kind)[0] for f in run.frames):
                run.ref, run.start, run.last_still = ref, run.frames[0].t_s, t_s
                run.figures = [figure_of(kind, f) for f in run.frames]
        return events

    def _report(self, run: _Run, t_s: float) -> list[StretchEvent]:
        if not run.reported and t_s - run.start >= MIN_HOLD_S:
            run.reported = True
            return [StretchStarted(t_s, run.kind, run.start)]
        return []

    def _end(self, t_s: float, why: str) -> list[StretchEvent]:
        run, self._run = self._run, None
        if run is None or not run.reported:
            return []
        hold = StretchHold(len(self.holds), run.kind, run.start, run.last_still, why, _median(run.figures))
        self.holds.append(hold)
        return [StretchEnded(t_s, hold)]

    def finish(self) -> list[StretchEvent]:
        """The end of the frames: a reported hold under way ends there (reason: "")."""
        run = self._run
        if run is None or not run.reported:
            self._run = None
            return []
        return self._end(run.last_ok, "")


def _median(values: list[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return statistics.median(finite) if finite else math.nan


#: A figure's change between two sessions is told only beyond this, torsos. The figures are the picture's, not the
#: body's: the butterfly's knees read 0.04-0.23 torsos below their true height above the hips in the studio's five
#: butterflies (the knees lie ahead of the hips, and a camera above sees them lower), but a change with the camera
#: where it was is read at its size (thighs 35 -> 15 degrees: 0.333 read, 0.319 true); the pose model's own error on
#: them lies between -0.056 and +0.016 (so a change is told beyond 0.07). The straddle's span read 0.19-0.29 short on
#: three scenes, a change with the camera kept 0.023 off (90 -> 130 degrees: 0.485 read); a change beyond 0.1 (about 8
#: degrees there; docs/thresholds.md, "Stretches").
FIGURE_CHANGE_MIN: Final = {"butterfly": 0.07, "straddle": 0.1}


def compare(kind: str, now: float, before: float | None) -> str:
    """Her figure against her earlier one, in words: "knees lower than last time (by 0.33 of your torso's length)",
    "legs wider than last time", "about the same as last time", or "" with nothing to compare with."""
    if before is None or not (math.isfinite(now) and math.isfinite(before)):
        return ""
    change = now - before
    if abs(change) < FIGURE_CHANGE_MIN[kind]:
        return "about the same as last time"
    if kind == "butterfly":
        way = "lower" if change < 0 else "higher"
        return f"knees {way} than last time (by {abs(change):.2f} of your torso's length)"
    return f"legs {'wider' if change > 0 else 'narrower'} than last time"
