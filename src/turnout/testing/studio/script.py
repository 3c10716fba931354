"""Exercise scripts: ``["stand 1.2", "demi 3", "tendu right 3", ...]`` -> a pose per frame and what to expect.

Items (seconds after the action; ``key=value`` options after that):
``stand T`` / ``hold T`` (still, knees straight), ``demi T [depth=60] [hold=H]`` and ``grand T [depth=110] [hold=H]``
(a plié: 42 % descent, 16 % at the bottom, 42 % ascent; with ``hold=H`` the bottom lasts H seconds of the T and the
descent and ascent share the rest), ``releve T [rise=40] [bend=0] [hold=H]`` (heels up, 30 % rise, 40 % up, 30 % down;
``bend`` bends both knees by that many degrees while the heels rise, a demi-plié relevé; ``hold=H``: H seconds at
the top), ``tendu SIDE T [dir=side|front|back] [point=70]`` (the working leg slides out pointed and back: to her
side, or straight ahead of or behind her along her own forward axis, the foot staying turned out; to the back
``point`` is 110 unless given: the heel goes over the toe). On the floor throughout instead (:data:`SEATED`): ``sit T``,
``butterfly T [thighs=25] [feet=0.3] [hold=H]``, ``straddle T [open=100] [hold=H]``, ``pigeon T [front=right]
[hold=H]``, ``frog T [hold=H]``, ``low_lunge T [front=right] [hold=H]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .posing import STRAIGHT_DEG, BodyPose, LegPose, Poser, SeatLeg, SeatPose, axis_rotation, direction

ACTIONS = ("stand", "hold", "demi", "grand", "releve", "tendu", "sit", "butterfly", "straddle", "pigeon", "frog",
           "low_lunge")  # fmt: skip
OPTIONS = {"stand": (), "hold": (), "demi": ("depth", "hold"), "grand": ("depth", "hold"),
           "releve": ("rise", "bend", "hold"), "tendu": ("dir", "point"), "sit": (),
           "butterfly": ("thighs", "feet", "hold"), "straddle": ("open", "hold"),
           "pigeon": ("front", "hold"), "frog": ("hold",), "low_lunge": ("front", "hold")}  # fmt: skip
#: Seated on the floor (issue 17 item 5): ``sit T`` (legs straight ahead, together), ``butterfly T [thighs=25]
#: [feet=0.3] [hold=H]`` (soles together ``feet`` metres ahead of the hip joints, the thighs ``thighs`` degrees above
#: the floor: the knees pressed down at 0), ``straddle T [open=100] [hold=H]`` (straight legs ``open`` degrees apart on
#: the floor), ``pigeon T [front=right] [hold=H]`` (:data:`PIGEON_HIP_Z`). A stretch goes in from sitting, is held, and
#: goes back (35 %, 30 %, 35 %; ``hold=H``: H seconds held). ``frog T [hold=H]`` (:data:`FROG_HIP_THIGHS`) and
#: ``low_lunge T [front=right] [hold=H]`` (:data:`LUNGE_HIP_THIGHS`) go in from the long sit too: the studio morphs one
#: pose into the other (the way in and out are not a real dancer's, only the held part is).
SEATED = ("sit", "butterfly", "straddle", "pigeon", "frog", "low_lunge")
#: Frog (the "frog-like stretch"): face down on her hands and knees, the knees wide apart on the floor in line with her
#: hips, the shins straight back from them, the feet turned out (the inner edges on the floor, soles facing back); her
#: hip joints this high above her knees' (in thigh lengths: 0.30 m up for the average body), her torso leaned forward
#: until her straight arms put her hands on the floor under her shoulders.
FROG_HIP_THIGHS = 0.64
#: ... her knees' joint centres this high (kneeling on the kneecaps); the ankles this high (the feet on their edges).
KNEEL_KNEE_Z = 0.06
FROG_ANKLE_Z = 0.07
#: The frog's feet: toes turned straight out to her side, soles facing back (rotation vectors, degrees, left/right).
FROG_FOOT_ROT = {"left": (69.282, -69.282, 69.282), "right": (69.282, 69.282, -69.282)}
#: Low lunge (``low_lunge T [front=right]``): the front foot flat on the floor :data:`LUNGE_FRONT_M` ahead of her hips,
#: its knee bent forward over it; the back knee down on the floor behind her hips, the shin along the floor, the top of
#: the pointed foot on the floor; the torso upright, her hip joints this high above her knees' (in thigh lengths: 0.40 m
#: up for the average body, the back thigh 25 degrees from upright).
LUNGE_HIP_THIGHS = 0.9
#: ... and her front knee this far ahead of its ankle, metres (the shin leaning forward a little: the knee over the
#: foot, the ankle placed so that a shin this far from upright reaches it).
LUNGE_KNEE_AHEAD_M = 0.04
#: Standing, the ankle joints' height (the foot flat).
FLAT_ANKLE_Z = 0.075
#: Hands flat on the floor under her shoulders: the wrist joints this high.
HANDS_WRIST_Z = 0.05
#: Pigeon (``pigeon T [front=right] [hold=H]``): the front leg's shin across in front of her, its knee out on the floor,
#: the back leg straight behind her, kneecap and the top of its pointed foot on the floor; her hips this high.
PIGEON_HIP_Z = 0.16
STRETCH_SPLIT = (0.35, 0.3, 0.35)
DEFAULT_THIGHS_DEG = 25.0
DEFAULT_FEET_M = 0.3
DEFAULT_OPEN_DEG = 100.0
#: Seated, the ankle joints' height: a heel resting on the floor (legs straight), a foot on its outer edge (butterfly).
SEAT_ANKLE_Z = 0.07
SOLES_ANKLE_Z = 0.05
TENDU_DIRS = ("side", "front", "back")
DEFAULT_DEPTH = {"demi": 60.0, "grand": 110.0}
PLIE_SPLIT = (0.42, 0.16, 0.42)
RELEVE_SPLIT = (0.3, 0.4, 0.3)
TENDU_SPLIT = (0.35, 0.3, 0.35)  # out, extended, in
DEFAULT_RISE_DEG = 40.0
#: A tendu's foot pitch at the extension, about the toe tip: to the back the heel goes over the toe (past 90) so the
#: pointed foot continues the leg's line behind her (at 70 it stood upright, bent forward from the leg).
DEFAULT_POINT_DEG = {"side": 70.0, "front": 70.0, "back": 110.0}
MIN_MOVE_S = 0.2  # with hold=H, each of the way in and the way out lasts at least this
#: Behaviours changed since the generator's version: a scene using one has it in its cache key (other keys stay).
#: tendu-front-2: a front tendu slides along her forward axis (before: along the turned-out foot's line).
REVISIONS = {("tendu", "front"): "tendu-front-2"}
HOLD_MIN_S = 3.0  # a still stand this long is an expected hold
GRAND_HEELS_FROM_DEG = 70.0  # in a grand plié (not in second) the heels rise beyond this flexion...
GRAND_HEELS_GAIN = 0.55  # ...by this many degrees of foot pitch per degree of flexion
FORCED_FLAG_DEG = 20.0  # feet this far beyond the hips: forced turnout, knees inside the toes


@dataclass(frozen=True, slots=True)
class Item:
    action: str
    seconds: float
    side: str = ""
    options: tuple[tuple[str, str], ...] = ()

    def option(self, key: str, default: float) -> float:
        return float(dict(self.options).get(key, default))

    @property
    def direction(self) -> str:
        """A tendu's direction (side, front or back); empty for other items."""
        return dict(self.options).get("dir", "side") if self.action == "tendu" else ""

    def split(self, default: tuple[float, float, float]) -> tuple[float, float, float]:
        """Fractions of the item: the way in, held, the way out (``hold=H`` holds H seconds)."""
        if "hold" not in dict(self.options):
            return default
        held = self.option("hold", 0.0) / self.seconds
        return 0.5 * (1.0 - held), held, 0.5 * (1.0 - held)


def parse_item(text: str) -> Item:
    words = text.split()
    if not words or words[0] not in ACTIONS:
        raise ValueError(f"script item {text!r}: start with one of {', '.join(ACTIONS)}")
    action, rest = words[0], words[1:]
    side = ""
    if action == "tendu":
        if not rest or rest[0] not in ("left", "right"):
            raise ValueError(f"script item {text!r}: say which leg works, 'tendu left 3' or 'tendu right 3'")
        side, rest = rest[0], rest[1:]
    try:
        seconds = float(rest[0])
    except (IndexError, ValueError):
        raise ValueError(f"script item {text!r}: give its duration in seconds after the action") from None
    if not 0.2 <= seconds <= 120:
        raise ValueError(f"script item {text!r}: a duration of {seconds:g} s is outside 0.2-120")
    opts = tuple(tuple(w.split("=", 1)) for w in rest[1:])
    if any(len(o) != 2 for o in opts):
        raise ValueError(f"script item {text!r}: options are key=value")
    for key, value in opts:
        if key not in OPTIONS[action]:
            known = ", ".join(OPTIONS[action]) or "none"
            raise ValueError(f"script item {text!r}: unknown option {key!r} (options of {action}: {known})")
        if key == "front":  # pigeon, low_lunge
            if value not in ("left", "right"):
                raise ValueError(f"script item {text!r}: front is left or right")
            continue
        if key == "dir":
            if value not in TENDU_DIRS:
                raise ValueError(f"script item {text!r}: dir is {', '.join(TENDU_DIRS)}")
            continue
        try:
            v = float(value)
        except ValueError:
            raise ValueError(f"script item {text!r}: {key} takes a number of degrees or seconds") from None
        if key == "hold" and not 0.0 <= v <= seconds - 2 * MIN_MOVE_S:
            raise ValueError(f"script item {text!r}: hold={v:g} leaves under {MIN_MOVE_S:g} s to go in and out "
                             f"of the {seconds:g} s")  # fmt: skip
        if key == "bend" and not 0.0 <= v <= 90.0:
            raise ValueError(f"script item {text!r}: bend={v:g} is outside 0-90 degrees")
        limits = {"thighs": (-10.0, 60.0), "feet": (0.15, 0.6), "open": (20.0, 180.0)}
        if key in limits and not limits[key][0] <= v <= limits[key][1]:
            raise ValueError(f"script item {text!r}: {key}={v:g} is outside {limits[key][0]:g}-{limits[key][1]:g}")
    return Item(action, seconds, side, opts)  # type: ignore[arg-type]


def check_items(items: list[Item]) -> None:
    """A script is seated throughout or standing throughout (the studio does not animate sitting down)."""
    seated = {it.action in SEATED for it in items}
    if len(seated) > 1:
        raise ValueError(
            "a script is either seated (sit, butterfly, straddle, pigeon, frog, low_lunge: on the floor) "
            "or standing throughout, not both"
        )


def revisions(items: list[Item]) -> list[str]:
    """The changed behaviours (:data:`REVISIONS`) a script uses, for the cache key."""
    return sorted({REVISIONS[(it.action, it.direction)] for it in items if (it.action, it.direction) in REVISIONS})


@dataclass(frozen=True, slots=True)
class Stance:
    """Where the feet stand and how the legs turn; the script moves the body from here."""

    position: str  # first, second, fifth, parallel
    feet_deg: tuple[float, float]  # (left, right) foot turnout
    hips_deg: tuple[float, float]  # (left, right) hip rotation: the knee's direction
    pelvis_deg: float = 0.0  # pelvic tilt, arched (anterior) positive, tucked (posterior) negative


@dataclass(frozen=True, slots=True)
class FrameState:
    t_s: float
    action: str
    phase: str  # standing, descent, bottom, ascent
    pose: BodyPose


@dataclass(frozen=True, slots=True)
class Expected:
    reps: tuple[dict[str, object], ...]  # pliés
    holds: tuple[dict[str, object], ...]  # still stands of HOLD_MIN_S or more
    releves: tuple[dict[str, object], ...] = ()
    tendus: tuple[dict[str, object], ...] = ()
    position_holds: tuple[dict[str, object], ...] = ()  # held plié bottoms and relevé tops (hold=H)
    stretches: tuple[dict[str, object], ...] = ()  # floor stretches: butterfly, straddle, pigeon, frog, low_lunge


def heel_positions(poser: Poser, stance: Stance) -> tuple[tuple[float, float], tuple[float, float]]:
    """Floor points under the heels (left, right) for a position; the midpoint between the heels is the origin."""
    rest = poser.leg["left"]
    foot_len = float(np.linalg.norm((rest["toe"] - rest["heel"])[:2]))
    aL, aR = stance.feet_deg
    if stance.position == "first":
        g = 0.005 + 0.028 * math.cos(math.radians(0.5 * (aL + aR)))
        left, right = np.array([g, 0.0]), np.array([-g, 0.0])
    elif stance.position == "parallel":
        x = float(rest["hip"][0]) - 0.01
        left, right = np.array([x, 0.0]), np.array([-x, 0.0])
    elif stance.position == "second":
        x = 0.75 * foot_len + 0.01
        left, right = np.array([x, 0.0]), np.array([-x, 0.0])
    elif stance.position == "fifth":  # right foot in front, its heel by the back foot's big-toe joint
        uL = direction("left", aL)[:2]
        n = np.array([-uL[1], uL[0]])
        n = n if n[1] < 0 else -n  # toward the camera side of the back foot
        left = np.zeros(2)
        right = left + 0.68 * foot_len * uL + 0.075 * n
    else:
        raise ValueError(f"unknown position {stance.position!r}: first, second, fifth or parallel")
    mid = 0.5 * (left + right)
    return (float(left[0] - mid[0]), float(left[1] - mid[1])), (float(right[0] - mid[0]), float(right[1] - mid[1]))


def _ease(x: float) -> float:
    x = min(max(x, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * x)


def _envelope(u: float, split: tuple[float, float, float]) -> tuple[float, str]:
    """0..1..0 over an item's time fraction ``u`` and its phase."""
    a, b, _c = split
    if u < a:
        return _ease(u / a), "descent"
    if u < a + b:
        return 1.0, "bottom"
    return 1.0 - _ease((u - a - b) / (1.0 - a - b)), "ascent"


class Timeline:
    """A script over a stance, sampled at any time."""

    def __init__(self, poser: Poser, stance: Stance, items: list[Item]) -> None:
        self.poser, self.stance, self.items = poser, stance, items
        self.heels = heel_positions(poser, stance)
        self.starts = np.cumsum([0.0] + [it.seconds for it in items])
        self.duration = float(self.starts[-1])

    def base(self) -> BodyPose:
        legs = [LegPose(self.heels[i], self.stance.feet_deg[i], self.stance.hips_deg[i]) for i in range(2)]
        return BodyPose(legs[0], legs[1], pelvis_deg=self.stance.pelvis_deg)

    def at(self, t: float) -> FrameState:
        k = int(np.clip(np.searchsorted(self.starts, t, side="right") - 1, 0, len(self.items) - 1))
        item, u = self.items[k], (t - float(self.starts[k])) / self.items[k].seconds
        pose = self.base()
        if item.action in SEATED:
            return self._seated(t, item, u)
        if item.action in ("stand", "hold"):
            return FrameState(t, item.action, "standing", pose)
        if item.action in ("demi", "grand"):
            env, phase = _envelope(u, item.split(PLIE_SPLIT))
            depth = item.option("depth", DEFAULT_DEPTH[item.action])
            flex = STRAIGHT_DEG + env * (depth - STRAIGHT_DEG)
            rise = 0.0
            if item.action == "grand" and self.stance.position != "second":
                rise = max(0.0, flex - GRAND_HEELS_FROM_DEG) * GRAND_HEELS_GAIN
            pose = replace(pose, flexion_deg=flex, left=replace(pose.left, rise_deg=rise),
                           right=replace(pose.right, rise_deg=rise))  # fmt: skip
            return FrameState(t, item.action, phase, pose)
        if item.action == "releve":
            env, _ = _envelope(u, item.split(RELEVE_SPLIT))
            rise = env * item.option("rise", DEFAULT_RISE_DEG)
            bend = env * item.option("bend", 0.0)
            pose = replace(pose, left=replace(pose.left, rise_deg=rise), right=replace(pose.right, rise_deg=rise))
            if bend > STRAIGHT_DEG:  # a demi-plié relevé: the knees bend as the heels rise
                pose = replace(pose, flexion_deg=bend)
            return FrameState(t, item.action, "standing", pose)
        # tendu: the working leg slides out pointed, the weight goes over the supporting foot; the foot keeps its
        # turnout and slides to her side or straight ahead of or behind her (heel leading to the front, toe to the
        # back), so its toe travels along that line
        env, _ = _envelope(u, TENDU_SPLIT)
        work, support = item.side, "left" if item.side == "right" else "right"
        leg = pose.leg(work)
        slide = {"side": (1.0 if work == "left" else -1.0, 0.0), "front": (0.0, -1.0), "back": (0.0, 1.0)}[
            item.direction
        ]
        worked = replace(leg, point_deg=env * item.option("point", DEFAULT_POINT_DEG[item.direction]), slide_xy=slide)
        sup = np.asarray(self.heels[0 if support == "left" else 1])
        shift = env * 0.9 * (sup - 0.5 * (np.asarray(self.heels[0]) + np.asarray(self.heels[1])))
        pose = replace(pose, support=support, shift_xy=(float(shift[0]), float(shift[1])),
                       **{work: worked})  # type: ignore[arg-type]  # fmt: skip
        return FrameState(t, item.action, "standing", pose)

    # -- seated ----------------------------------------------------------------------------------------------
    def seat_pose(self, action: str, item: Item | None = None) -> SeatPose:
        """The seated pose of ``sit`` or a stretch at its fullest (``item``'s options)."""
        legs = {}
        if action == "pigeon":
            assert item is not None
            return self._pigeon(dict(item.options).get("front", "right"))
        if action == "frog":
            return self._frog()
        if action == "low_lunge":
            assert item is not None
            return self._low_lunge(dict(item.options).get("front", "right"))
        for side in ("left", "right"):
            hip = self.poser.seat_hip(side)
            reach = self.poser.reach(side, STRAIGHT_DEG)
            if action == "butterfly":
                assert item is not None
                ankle = np.array([math.copysign(0.075, hip[0]), -item.option("feet", DEFAULT_FEET_M), SOLES_ANKLE_Z])
                knee_dir = self._butterfly_knee(side, hip, ankle, item.option("thighs", DEFAULT_THIGHS_DEG))
                legs[side] = SeatLeg(tuple(ankle), tuple(knee_dir), 1.0)
                continue
            half = 0.5 * item.option("open", DEFAULT_OPEN_DEG) if action == "straddle" and item else 0.0
            run = math.sqrt(reach**2 - (hip[2] - SEAT_ANKLE_Z) ** 2)
            d = direction(side, half)
            ankle = np.array([hip[0] + run * d[0], hip[1] + run * d[1], SEAT_ANKLE_Z])
            legs[side] = SeatLeg(tuple(ankle), (0.0, 0.0, 1.0))
        return SeatPose(legs["left"], legs["right"])

    def _pigeon(self, front: str) -> SeatPose:
        legs = {}
        for side in ("left", "right"):
            out = 1.0 if side == "left" else -1.0
            hip = self.poser.seat_hip(side, PIGEON_HIP_Z)
            if side == front:  # the shin across in front of her, the knee out to her side on the floor
                ankle = np.array([-out * 0.12, -0.28, SOLES_ANKLE_Z])
                legs[side] = SeatLeg(tuple(ankle), (out, -0.3, -0.35), 1.0)
            else:  # straight behind her, kneecap down, the foot pointed along the shin
                reach = self.poser.reach(side, STRAIGHT_DEG)
                run = math.sqrt(reach**2 - (PIGEON_HIP_Z - 0.06) ** 2)
                ankle = np.array([hip[0] + out * 0.05, hip[1] + run, 0.06])
                legs[side] = SeatLeg(tuple(ankle), (0.0, 0.0, -1.0), 0.0, 90.0)
        return SeatPose(legs["left"], legs["right"], PIGEON_HIP_Z)

    def _frog(self) -> SeatPose:
        legs = {}
        a, b = (float(np.linalg.norm(self.poser.leg["left"][j] - self.poser.leg["left"][i]))
                for i, j in (("hip", "knee"), ("knee", "ankle")))  # fmt: skip
        hip_z = KNEEL_KNEE_Z + FROG_HIP_THIGHS * a
        for side in ("left", "right"):
            out = 1.0 if side == "left" else -1.0
            hip = self.poser.seat_hip(side, hip_z)
            knee = np.array([hip[0] + out * math.sqrt(a**2 - (hip_z - KNEEL_KNEE_Z) ** 2), hip[1], KNEEL_KNEE_Z])
            dz = FROG_ANKLE_Z - KNEEL_KNEE_Z
            ankle = knee + np.array([0.0, 0.995 * math.sqrt(b**2 - dz**2), dz])
            legs[side] = SeatLeg(tuple(ankle), tuple(knee - hip), foot_rot=FROG_FOOT_ROT[side], foot_w=1.0)
        return SeatPose(legs["left"], legs["right"], hip_z, self._hands_on_floor(hip_z), 1.0)

    def _hands_on_floor(self, hip_z: float) -> float:
        """The torso's lean (degrees) that puts the wrists, arms straight down, just above the floor."""
        sk, heads, poser = self.poser.sk, self.poser.shape.heads, self.poser
        mid = 0.5 * (poser.leg["left"]["hip"] + poser.leg["right"]["hip"])
        sh = 0.5 * (heads[sk.bone("upperarm01.L")] + heads[sk.bone("upperarm01.R")]) - mid
        arm = float(np.linalg.norm(heads[sk.bone("wrist.L")] - heads[sk.bone("upperarm01.L")]))
        lo, hi = 0.0, 89.0
        for _ in range(40):
            lean = 0.5 * (lo + hi)
            z = hip_z + float((axis_rotation(np.array([1.0, 0.0, 0.0]), lean) @ sh)[2]) - arm
            lo, hi = (lean, hi) if z > HANDS_WRIST_Z else (lo, lean)
        return 0.5 * (lo + hi)

    def _low_lunge(self, front: str) -> SeatPose:
        legs = {}
        a = float(np.linalg.norm(self.poser.leg["left"]["knee"] - self.poser.leg["left"]["hip"]))
        b = float(np.linalg.norm(self.poser.leg["left"]["ankle"] - self.poser.leg["left"]["knee"]))
        hip_z = KNEEL_KNEE_Z + LUNGE_HIP_THIGHS * a
        for side in ("left", "right"):
            out = 1.0 if side == "left" else -1.0
            hip = self.poser.seat_hip(side, hip_z)
            if side == front:  # the foot flat ahead of her, the knee forward and up over it
                rise = math.sqrt(b**2 - LUNGE_KNEE_AHEAD_M**2)  # the knee this high above the ankle
                ahead = math.sqrt(max(a**2 - (hip_z - FLAT_ANKLE_Z - rise) ** 2, 0.0))  # and this far ahead of the hip
                ankle = np.array([hip[0] + out * 0.02, -(ahead - LUNGE_KNEE_AHEAD_M), FLAT_ANKLE_Z])
                legs[side] = SeatLeg(tuple(ankle), (0.0, -1.0, 1.0), foot_w=1.0)
            else:  # the knee on the floor behind her hips, the shin back along the floor, the foot pointed
                knee = np.array([hip[0], math.sqrt(a**2 - (hip_z - KNEEL_KNEE_Z) ** 2), KNEEL_KNEE_Z])
                ankle = knee + np.array([0.0, 0.995 * b, 0.0])
                legs[side] = SeatLeg(tuple(ankle), tuple(knee - hip), 0.0, 90.0)
        return SeatPose(legs["left"], legs["right"], hip_z)

    def _butterfly_knee(self, side: str, hip: np.ndarray, ankle: np.ndarray, thighs_deg: float) -> np.ndarray:
        """The kneecap's direction (outward, tilted up by a bisected angle) that puts the thigh ``thighs_deg`` above
        the floor."""
        out = 1.0 if side == "left" else -1.0
        a = float(np.linalg.norm(self.poser.leg[side]["knee"] - self.poser.leg[side]["hip"]))

        def elevation(phi: float) -> float:
            d = np.array([out * math.cos(math.radians(phi)), 0.0, math.sin(math.radians(phi))])
            _t, _s, knee = self.poser.seat_leg(side, hip, ankle, d)
            return math.degrees(math.asin(max(-1.0, min(1.0, float(knee[2] - hip[2]) / a))))

        lo, hi = -60.0, 89.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if elevation(mid) < thighs_deg else (lo, mid)
        phi = 0.5 * (lo + hi)
        return np.array([out * math.cos(math.radians(phi)), 0.0, math.sin(math.radians(phi))])

    def _seated(self, t: float, item: Item, u: float) -> FrameState:
        sit = self.seat_pose("sit")
        if item.action == "sit":
            return FrameState(t, item.action, "seated", BodyPose(self.base().left, self.base().right, seat=sit))
        env, phase = _envelope(u, item.split(STRETCH_SPLIT))
        full = self.seat_pose(item.action, item)
        legs = {}
        for side in ("left", "right"):
            a, b = sit.leg(side), full.leg(side)
            ankle = (1 - env) * np.asarray(a.ankle) + env * np.asarray(b.ankle)
            kd = (1 - env) * np.asarray(a.knee_dir) + env * np.asarray(b.knee_dir)
            legs[side] = SeatLeg(tuple(ankle), tuple(kd / np.linalg.norm(kd)),
                                 (1 - env) * a.soles_in + env * b.soles_in,
                                 (1 - env) * a.point_deg + env * b.point_deg, b.foot_rot,
                                 env * b.foot_w)  # fmt: skip
        names = {"descent": "in", "bottom": "held", "ascent": "out"}
        seat = SeatPose(legs["left"], legs["right"], (1 - env) * sit.hip_z + env * full.hip_z, env * full.lean_deg,
                        env * full.hands_down)  # fmt: skip
        pose = BodyPose(self.base().left, self.base().right, seat=seat)
        return FrameState(t, item.action, names[phase], pose)

    def expected(self) -> Expected:
        """The reps, holds and flags the script should produce (times in seconds from the start)."""
        reps: list[dict[str, object]] = []
        holds: list[dict[str, object]] = []
        releves: list[dict[str, object]] = []
        tendus: list[dict[str, object]] = []
        held: list[dict[str, object]] = []
        stretches: list[dict[str, object]] = []
        forced = {side: self.stance.feet_deg[i] - self.stance.hips_deg[i] for i, side in enumerate(("left", "right"))}
        still_from: float | None = None
        for k, item in enumerate(self.items):
            t0, T = float(self.starts[k]), item.seconds
            if item.action in ("stand", "hold"):
                still_from = t0 if still_from is None else still_from
            else:
                if still_from is not None and t0 - still_from >= HOLD_MIN_S:
                    holds.append({"kind": "stand", "start_s": round(still_from, 3), "end_s": round(t0, 3)})
                still_from = None
            if item.action in ("demi", "grand"):
                a, b, _ = item.split(PLIE_SPLIT)
                flags = [{"code": code, "side": side} for side, f in forced.items() if f >= FORCED_FLAG_DEG
                         for code in ("forced_turnout", "knees_inside_toes")]  # fmt: skip
                depth = item.option("depth", DEFAULT_DEPTH[item.action])
                reps.append({
                    "kind": item.action, "start_s": round(t0, 3), "bottom_start_s": round(t0 + a * T, 3),
                    "bottom_end_s": round(t0 + (a + b) * T, 3), "end_s": round(t0 + T, 3),
                    "depth_deg": depth, "descent_s": round(a * T, 3), "flags": flags,
                })  # fmt: skip
                if "hold" in dict(item.options):
                    held.append({"kind": "plie", "plie": item.action, "start_s": round(t0 + a * T, 3),
                                 "end_s": round(t0 + (a + b) * T, 3), "seconds": round(b * T, 3),
                                 "depth_deg": depth})  # fmt: skip
            elif item.action == "releve":
                a, b, _ = item.split(RELEVE_SPLIT)
                rise, bend = item.option("rise", DEFAULT_RISE_DEG), item.option("bend", 0.0)
                releves.append({
                    "kind": "releve", "start_s": round(t0, 3), "top_start_s": round(t0 + a * T, 3),
                    "top_end_s": round(t0 + (a + b) * T, 3), "end_s": round(t0 + T, 3), "rise_deg": rise,
                    "bend_deg": bend, "knees": "bent" if bend > 0 else "straight",
                })  # fmt: skip
                if "hold" in dict(item.options):
                    held.append({"kind": "releve", "start_s": round(t0 + a * T, 3),
                                 "end_s": round(t0 + (a + b) * T, 3), "seconds": round(b * T, 3),
                                 "rise_deg": rise, "bend_deg": bend})  # fmt: skip
            elif item.action in ("butterfly", "straddle", "pigeon", "frog", "low_lunge"):
                a, b, _ = item.split(STRETCH_SPLIT)
                entry: dict[str, object] = {
                    "kind": item.action, "in_start_s": round(t0, 3), "start_s": round(t0 + a * T, 3),
                    "end_s": round(t0 + (a + b) * T, 3), "out_end_s": round(t0 + T, 3), "seconds": round(b * T, 3),
                }  # fmt: skip
                if item.action == "butterfly":
                    entry["thighs_deg"] = item.option("thighs", DEFAULT_THIGHS_DEG)
                    entry["feet_m"] = item.option("feet", DEFAULT_FEET_M)
                elif item.action == "straddle":
                    entry["open_deg"] = item.option("open", DEFAULT_OPEN_DEG)
                elif item.action != "frog":
                    entry["front"] = dict(item.options).get("front", "right")
                stretches.append(entry)
            elif item.action == "tendu":
                a, b, _ = TENDU_SPLIT
                tendus.append({
                    "kind": "tendu", "leg": item.side, "direction": item.direction, "start_s": round(t0, 3),
                    "out_start_s": round(t0 + a * T, 3), "out_end_s": round(t0 + (a + b) * T, 3),
                    "end_s": round(t0 + T, 3), "point_deg": item.option("point", DEFAULT_POINT_DEG[item.direction]),
                })  # fmt: skip
        if still_from is not None and self.duration - still_from >= HOLD_MIN_S:
            holds.append({"kind": "stand", "start_s": round(still_from, 3), "end_s": round(self.duration, 3)})
        return Expected(tuple(reps), tuple(holds), tuple(releves), tuple(tendus), tuple(held), tuple(stretches))
