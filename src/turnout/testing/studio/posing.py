"""Posing a studio body: feet placed flat on the floor, knees bent by two-bone inverse kinematics.

Angles follow Turnout's conventions in the dancer's own frame (she faces -y, her left is +x): a foot's
turnout is the angle on the floor from forward to heel -> second-toe tip, outward positive; a leg's hip
rotation is the direction its knee points (the kneecap of a straight leg, the bulge of a bent one), from
forward, outward positive. Each foot is placed by its rest mesh's heel and toe vertices, so the posed
turnout is exact; each knee is put where its hip rotation says, so the posed knee direction is exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .body import Shape, Skeleton, forward_kinematics, skin

SIDES = ("left", "right")
SUFFIX = {"left": "L", "right": "R"}
STRAIGHT_DEG = 1.0  # a "straight" standing knee: 1 degree short of locked, so its direction is defined
#: A tilted pelvis: the lumbar bones above it take back these shares of its tilt (a lordosis when arched, a flattened
#: back when tucked), so that the chest and everything above it stay upright (docs/studio-format.md).
LUMBAR_SHARE = {"spine05": 0.75, "spine04": 0.5, "spine03": 0.25, "spine02": 0.0}
X_AXIS = np.array([1.0, 0.0, 0.0])
#: Seated on the floor, the hip joints' height (the sitting bones on the floor lie about 9-10 cm below the hip joints'
#: centres in an adult; the studio body's buttocks then just touch the floor).
SEAT_HIP_Z = 0.095
#: A leaned torso (a frog on her hands): the neck turns back this share of the lean, so her face looks ahead.
NECK_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class LegPose:
    """One leg: where its foot stands and how the hip turns it."""

    heel_xy: tuple[float, float]  # floor point under the heel vertex with the foot flat
    turnout_deg: float  # heel -> toe from forward, outward positive
    hip_rotation_deg: float  # the knee's direction from forward, outward positive
    rise_deg: float = 0.0  # heel raised by turning the foot about the ball of the foot (relevé, grand plié)
    point_deg: float = 0.0  # foot and toes pointed about the toe tip (tendu); the leg stays straight
    slide_xy: tuple[float, float] = (0.0, 0.0)  # working leg: unit direction its pointed foot slides along


@dataclass(frozen=True, slots=True)
class SeatLeg:
    """One leg of a body seated on the floor, by world placement: where its ankle joint is, which way its knee bulges
    (the kneecap's direction, made square to the hip -> ankle line) and how far its foot is turned from following the
    shin (0: the foot at its rest angle to the shin; 1: the sole turned to face the other foot, toes forward)."""

    ankle: tuple[float, float, float]  # the ankle joint, metres in the scene frame
    knee_dir: tuple[float, float, float]  # the kneecap's direction (unit or not)
    soles_in: float = 0.0  # 0..1
    point_deg: float = 0.0  # the foot pointed from its rest angle to the shin (90: along it, a pigeon's back foot)
    #: the foot placed by its own world turn instead (a rotation vector, degrees: axis times angle; (0, 0, 0) is the
    #: rest foot, flat on the floor, toes forward), blended in by ``foot_w`` (0: the foot follows its shin as above)
    foot_rot: tuple[float, float, float] = (0.0, 0.0, 0.0)
    foot_w: float = 0.0


@dataclass(frozen=True, slots=True)
class SeatPose:
    """Seated on the floor: the pelvis translated down so that the hip joints are ``hip_z`` above the floor (the torso
    upright as at rest), each leg by its :class:`SeatLeg`."""

    left: SeatLeg
    right: SeatLeg
    hip_z: float = SEAT_HIP_Z
    #: the whole torso leaned forward about the hip joints' axis, degrees (a frog on her hands); the neck takes back
    #: :data:`NECK_SHARE` of it so that she looks ahead
    lean_deg: float = 0.0
    #: the arms turned from hanging at her sides (0) to straight down under the shoulders (1: hands on the floor)
    hands_down: float = 0.0

    def leg(self, side: str) -> SeatLeg:
        return self.left if side == "left" else self.right


@dataclass(frozen=True, slots=True)
class BodyPose:
    left: LegPose
    right: LegPose
    flexion_deg: float = STRAIGHT_DEG  # knee flexion of the supporting leg(s)
    support: str = "both"  # "both", "left" or "right": the other leg is working (straight, sliding)
    shift_xy: tuple[float, float] = (0.0, 0.0)  # pelvis offset from over the supporting ankles
    arms_deg: float = 20.0  # arms lowered from anny's rest A-pose
    pelvis_deg: float = 0.0  # pelvic tilt about the hip joints' axis: anterior (arched) positive, posterior (tucked)
    seat: SeatPose | None = None  # seated on the floor (a stretch): the legs and feet from here, the above ignored

    def leg(self, side: str) -> LegPose:
        return self.left if side == "left" else self.right


@dataclass(frozen=True, slots=True)
class Posed:
    """A posed body: vertices and joints in the scene frame (metres, z up, floor z = 0)."""

    vertices: np.ndarray  # (V, 3)
    joints: dict[str, np.ndarray]  # "left_hip", "left_knee", "left_ankle", "left_heel", "left_toe", ... -> (3,)


def rz(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def axis_rotation(axis: np.ndarray, deg: float) -> np.ndarray:
    k = axis / np.linalg.norm(axis)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    t = math.radians(deg)
    return np.eye(3) + math.sin(t) * K + (1 - math.cos(t)) * K @ K


def outward(side: str) -> float:
    """+1 for the left side (outward is +x), -1 for the right."""
    return 1.0 if side == "left" else -1.0


def floor_angle(side: str, vec: np.ndarray) -> float:
    """Angle on the floor from forward (-y) to ``vec``, outward positive, degrees."""
    return math.degrees(math.atan2(outward(side) * float(vec[0]), -float(vec[1])))


def direction(side: str, deg: float) -> np.ndarray:
    """Unit floor vector at ``deg`` from forward, outward positive."""
    t = math.radians(deg)
    return np.array([outward(side) * math.sin(t), -math.cos(t), 0.0])


class Poser:
    """Poses one body shape; holds the rest geometry it needs."""

    def __init__(self, skeleton: Skeleton, shape: Shape) -> None:
        self.sk, self.shape = skeleton, shape
        h = shape.heads
        self.root = h[0]
        self.bone = {name: skeleton.bone(name) for name in skeleton.bones}
        self.leg: dict[str, dict[str, np.ndarray]] = {}
        for side in SIDES:
            s = SUFFIX[side]
            i = SIDES.index(side)
            self.leg[side] = {
                "hip": h[self.bone[f"upperleg01.{s}"]], "knee": h[self.bone[f"lowerleg01.{s}"]],
                "ankle": h[self.bone[f"foot.{s}"]], "heel": shape.vertices[shape.heel_vertex[i]],
                "toe": shape.vertices[shape.toe_vertex[i]],
                "ball": np.mean([h[self.bone[f"toe{k}-1.{s}"]] for k in range(1, 6)], axis=0),
            }  # fmt: skip
        self.toe_bones = {side: [b for n, b in self.bone.items() if n.startswith("toe") and n.endswith(SUFFIX[side])]
                          for side in SIDES}  # fmt: skip

    # -- feet ---------------------------------------------------------------------------------------------
    def foot_transform(self, side: str, leg: LegPose, slide: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The foot's rotation, the toes' rotation and where the foot moves its rest points: x -> R x + t."""
        rest = self.leg[side]
        rest_angle = floor_angle(side, rest["toe"] - rest["heel"])
        turn = rz(outward(side) * (leg.turnout_deg - rest_angle))
        heel_at = np.array([leg.heel_xy[0], leg.heel_xy[1], rest["heel"][2]])
        heel_at[:2] += slide * np.asarray(leg.slide_xy)
        R, t = turn, heel_at - turn @ rest["heel"]  # flat foot
        toes = turn
        lateral = np.cross([0.0, 0.0, 1.0], direction(side, leg.turnout_deg))  # heel up for positive angles
        if leg.rise_deg:
            pivot = R @ rest["ball"] + t
            pivot[2] = 0.0
            P = axis_rotation(lateral, leg.rise_deg)
            R, t = P @ R, P @ (t - pivot) + pivot
        if leg.point_deg:
            pivot = R @ rest["toe"] + t
            P = axis_rotation(lateral, leg.point_deg)
            R, t = P @ R, P @ (t - pivot) + pivot
            toes = R
        return R, toes, t

    # -- legs ---------------------------------------------------------------------------------------------
    def _lengths(self, side: str) -> tuple[float, float]:
        r = self.leg[side]
        return float(np.linalg.norm(r["knee"] - r["hip"])), float(np.linalg.norm(r["ankle"] - r["knee"]))

    def reach(self, side: str, flexion_deg: float) -> float:
        """Hip-to-ankle distance of a leg bent by ``flexion_deg``."""
        a, b = self._lengths(side)
        return math.sqrt(a * a + b * b + 2 * a * b * math.cos(math.radians(flexion_deg)))

    def _leg_rotations(self, side: str, hip: np.ndarray, ankle: np.ndarray, hip_rotation_deg: float):  # type: ignore[no-untyped-def]
        """Thigh and shin world rotations and the knee, the knee bulging toward ``hip_rotation_deg``."""
        r = self.leg[side]
        a, b = self._lengths(side)
        u = ankle - hip
        dist = float(np.linalg.norm(u))
        u /= dist
        dist = min(dist, a + b - 1e-9)
        along = (a * a - b * b + dist * dist) / (2 * dist)
        perp = math.sqrt(max(a * a - along * along, 0.0))
        d = direction(side, hip_rotation_deg)
        v = d - (d @ u) / u[2] * np.array([0.0, 0.0, 1.0])  # perpendicular to u, floor projection along d
        v /= np.linalg.norm(v)
        knee = hip + along * u + perp * v
        thigh = _frame_rotation(r["knee"] - r["hip"], knee - hip, d)
        shin = _frame_rotation(r["ankle"] - r["knee"], ankle - knee, d)
        return thigh, shin, knee

    # -- the whole body -----------------------------------------------------------------------------------
    def pose(self, pose: BodyPose) -> Posed:
        if pose.seat is not None:
            return self._seated(pose.seat, pose.arms_deg)
        n = len(self.sk.bones)
        G = np.full((n, 3, 3), np.nan)
        G[0] = np.eye(3)
        feet = {side: self.foot_transform(side, pose.leg(side)) for side in SIDES}
        ankles = {side: feet[side][0] @ self.leg[side]["ankle"] + feet[side][2] for side in SIDES}
        supports = list(SIDES) if pose.support == "both" else [pose.support]
        flat = [self.foot_transform(s, replace(pose.leg(s), rise_deg=0.0, point_deg=0.0)) for s in SIDES]
        centre = np.mean([R[:2] @ self.leg[s]["ankle"] + t[:2] for s, (R, _, t) in zip(SIDES, flat, strict=True)], 0)
        centre = centre + np.asarray(pose.shift_xy)
        offsets = {side: self.leg[side]["hip"] - self.root for side in SIDES}
        z = math.inf
        for side in supports:
            horiz = centre + offsets[side][:2] - ankles[side][:2]
            reach = self.reach(side, pose.flexion_deg)
            z = min(z, ankles[side][2] + math.sqrt(max(reach**2 - float(horiz @ horiz), 1e-6)) - offsets[side][2])
        root = np.array([centre[0], centre[1], z])
        # a tilted pelvis turns about the hip joints' axis (the hips and legs stay put); its lumbar bones take the
        # tilt back gradually so that the chest stays upright
        root_fk = root
        if pose.pelvis_deg:
            tilt = axis_rotation(X_AXIS, pose.pelvis_deg)
            mid = 0.5 * (offsets["left"] + offsets["right"])
            root_fk = root + mid - tilt @ mid
            G[0] = tilt
            for name, share in LUMBAR_SHARE.items():
                G[self.bone[name]] = axis_rotation(X_AXIS, share * pose.pelvis_deg)
        for side in SIDES:
            leg, hip = pose.leg(side), root + offsets[side]
            if side not in supports:  # working leg: slide its pointed foot until the leg is straight
                feet[side] = self._slide_straight(side, leg, hip)
                ankles[side] = feet[side][0] @ self.leg[side]["ankle"] + feet[side][2]
            foot, toes, _t = feet[side]
            thigh, shin, _knee = self._leg_rotations(side, hip, ankles[side], leg.hip_rotation_deg)
            s = SUFFIX[side]
            G[self.bone[f"upperleg01.{s}"]] = thigh
            G[self.bone[f"lowerleg01.{s}"]] = shin
            G[self.bone[f"foot.{s}"]] = foot
            for b in self.toe_bones[side]:
                G[b] = toes
            arm = axis_rotation(np.array([0.0, 1.0, 0.0]), outward(side) * pose.arms_deg)
            G[self.bone[f"upperarm01.{s}"]] = arm
        return self._finish(G, root_fk)

    def _finish(self, G: np.ndarray, root: np.ndarray) -> Posed:
        """Bones without a rotation follow their parents; skin the mesh and read the joints."""
        n = len(self.sk.bones)
        for b in range(1, n):
            if np.isnan(G[b, 0, 0]):
                G[b] = G[self.sk.parents[b]]
        T = forward_kinematics(self.sk, self.shape.heads, G, root)
        verts = skin(self.sk, self.shape.vertices, T)
        joints: dict[str, np.ndarray] = {}
        for side in SIDES:
            s, i = SUFFIX[side], SIDES.index(side)
            for name, bone in (("hip", "upperleg01"), ("knee", "lowerleg01"), ("ankle", "foot")):
                b = self.bone[f"{bone}.{s}"]
                joints[f"{side}_{name}"] = T[b, :, :3] @ self.shape.heads[b] + T[b, :, 3]
            b = self.bone[f"upperarm01.{s}"]
            joints[f"{side}_shoulder"] = T[b, :, :3] @ self.shape.heads[b] + T[b, :, 3]
            joints[f"{side}_heel"] = verts[self.shape.heel_vertex[i]].copy()
            joints[f"{side}_toe"] = verts[self.shape.toe_vertex[i]].copy()
        b = self.bone["head"]
        joints["head"] = T[b, :, :3] @ self.shape.heads[b] + T[b, :, 3]  # the top of the neck, under the ears
        return Posed(verts, joints)

    def _seated(self, seat: SeatPose, arms_deg: float) -> Posed:
        """Seated on the floor: the root translated down (hip joints ``seat.hip_z`` up, midway between them over the
        origin), the torso upright; each leg solved by two-bone inverse kinematics to its ankle with the knee toward
        its kneecap direction, the foot turned by its ``soles_in``."""
        n = len(self.sk.bones)
        G = np.full((n, 3, 3), np.nan)
        G[0] = np.eye(3)
        offsets = {side: self.leg[side]["hip"] - self.root for side in SIDES}
        mid = 0.5 * (offsets["left"] + offsets["right"])
        root = np.array([0.0, 0.0, seat.hip_z]) - mid
        root_fk = root
        if seat.lean_deg:  # the torso leans about the hip joints' axis: the hips stay where they are
            tilt = axis_rotation(X_AXIS, seat.lean_deg)
            root_fk = root + mid - tilt @ mid
            G[0] = tilt
            G[self.bone["neck01"]] = axis_rotation(X_AXIS, (1.0 - NECK_SHARE) * seat.lean_deg)
        for side in SIDES:
            leg, s = seat.leg(side), SUFFIX[side]
            hip = root + offsets[side]
            thigh, shin, _knee = self.seat_leg(side, hip, np.asarray(leg.ankle, float), np.asarray(leg.knee_dir, float))
            G[self.bone[f"upperleg01.{s}"]] = thigh
            G[self.bone[f"lowerleg01.{s}"]] = shin
            # soles in: the foot turned about the forward axis so that its sole faces the other foot, toes forward
            # (the left foot by +90 degrees about y, the right by -90), blended from the foot following its shin
            inward = axis_rotation(np.array([0.0, 1.0, 0.0]), outward(side) * 90.0)
            foot = _blend(shin, inward, leg.soles_in) @ axis_rotation(X_AXIS, leg.point_deg)
            if leg.foot_w > 0.0:
                rv = np.radians(np.asarray(leg.foot_rot, float))
                turn = axis_rotation(rv, math.degrees(float(np.linalg.norm(rv)))) if np.any(rv) else np.eye(3)
                foot = _blend(foot, turn, leg.foot_w)
            G[self.bone[f"foot.{s}"]] = foot
            for b in self.toe_bones[side]:
                G[b] = foot
            hang = axis_rotation(np.array([0.0, 1.0, 0.0]), outward(side) * arms_deg)
            if seat.hands_down > 0.0:
                arm = self.shape.heads[self.bone[f"lowerarm01.{s}"]] - self.shape.heads[self.bone[f"upperarm01.{s}"]]
                hang = _blend(hang, _frame_rotation(arm, np.array([0.0, 0.0, -1.0]), np.array([0.0, -1.0, 0.0])),
                              seat.hands_down)  # fmt: skip
            G[self.bone[f"upperarm01.{s}"]] = hang
            if seat.hands_down > 0.0:  # the hand bent at the wrist, flat on the floor, fingers forward
                w = self.bone[f"wrist.{s}"]
                hand = self.shape.heads[self.bone[f"finger3-1.{s}"]] - self.shape.heads[w]
                flat = _frame_rotation(hand, np.array([0.0, -1.0, 0.0]), np.array([-outward(side), 0.0, 0.0]))
                G[w] = _blend(hang, flat, seat.hands_down)
        return self._finish(G, root_fk)

    def seat_hip(self, side: str, hip_z: float = SEAT_HIP_Z) -> np.ndarray:
        """A seated body's hip joint (its hip joints ``hip_z`` up, midway between them over the origin)."""
        mid = 0.5 * (self.leg["left"]["hip"] + self.leg["right"]["hip"])
        return self.leg[side]["hip"] - mid + np.array([0.0, 0.0, hip_z])

    def seat_leg(self, side: str, hip: np.ndarray, ankle: np.ndarray, knee_dir: np.ndarray):  # type: ignore[no-untyped-def]
        """Thigh and shin world rotations reaching ``ankle`` from ``hip`` with the knee toward ``knee_dir``, and
        the knee."""
        r = self.leg[side]
        a, b = self._lengths(side)
        u = ankle - hip
        dist = min(float(np.linalg.norm(u)), a + b - 1e-6)
        u = u / np.linalg.norm(u)
        along = (a * a - b * b + dist * dist) / (2 * dist)
        perp = math.sqrt(max(a * a - along * along, 0.0))
        v = knee_dir - float(knee_dir @ u) * u
        v /= np.linalg.norm(v)
        knee = hip + along * u + perp * v
        end = knee + b * (hip + dist * u - knee) / np.linalg.norm(hip + dist * u - knee)
        thigh = _frame_rotation(r["knee"] - r["hip"], knee - hip, v)
        shin = _frame_rotation(r["ankle"] - r["knee"], end - knee, v)
        return thigh, shin, knee

    def _slide_straight(
        self, side: str, leg: LegPose, hip: np.ndarray, bend_deg: float = STRAIGHT_DEG
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The sliding foot's transform with the working leg reaching from ``hip`` with its knee bent ``bend_deg``
        (straight by default; scripts/barre_fault_renders.py renders bent-knee tendus with it)."""
        target = self.reach(side, bend_deg)
        lo, hi = 0.0, 1.0
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            R, _toes, t = self.foot_transform(side, leg, mid)
            if np.linalg.norm(R @ self.leg[side]["ankle"] + t - hip) < target:
                lo = mid
            else:
                hi = mid
        return self.foot_transform(side, leg, lo)


def _blend(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    """The rotation ``w`` of the way from ``a`` to ``b`` (0: ``a``, 1: ``b``) about their relative rotation's axis."""
    if w <= 0.0:
        return a
    if w >= 1.0:
        return b
    rel = b @ a.T
    angle = math.degrees(math.acos(max(-1.0, min(1.0, 0.5 * (float(np.trace(rel)) - 1.0)))))
    if angle < 1e-6:
        return a
    axis = np.array([rel[2, 1] - rel[1, 2], rel[0, 2] - rel[2, 0], rel[1, 0] - rel[0, 1]])
    if np.linalg.norm(axis) < 1e-9:  # half a turn: any axis perpendicular is as good; take the eigenvector
        w_, vecs = np.linalg.eig(rel)
        axis = np.real(vecs[:, int(np.argmin(np.abs(w_ - 1.0)))])
    return axis_rotation(axis, w * angle) @ a


def _frame_rotation(rest_axis: np.ndarray, posed_axis: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """The rotation taking a bone along ``rest_axis`` (its front toward -y) to ``posed_axis`` (front ``forward``)."""

    def frame(axis: np.ndarray, front: np.ndarray) -> np.ndarray:
        a = axis / np.linalg.norm(axis)
        f = front - (front @ a) * a
        f /= np.linalg.norm(f)
        return np.column_stack([a, f, np.cross(a, f)])

    return frame(posed_axis, forward) @ frame(rest_axis, np.array([0.0, -1.0, 0.0])).T
