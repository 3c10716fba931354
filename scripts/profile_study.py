"""The profile view on the studio (issue 17, item 4): what the side-on picture tells of her posture, against the truth.

For every scene tagged ``profile`` in the catalogue (the camera at her side, her pelvis neutral, tucked or arched),
the clip is rendered (or taken from the cache), analysed by the real ``turnout analyze`` (the pose model, smoothing,
the per-frame rows; kept in ``build/profile_study/<scene>/``) and each profile figure compared with the truth of its
frame:

* her torso's line (``profile_torso_deg``: hip -> shoulder points) against the true hip joints -> shoulder joints;
* the plumb line: each point's forward offset from the ankle point, in legs (her standing hip height above the
  ankle), against the true joints' (``--points``: where MediaPipe puts them from the side);
* the pelvis: :func:`turnout.practice.profile.pelvis_tilt_deg` over the clip's standing side-on frames (legs
  straight) against the truth's tilt (a reading studied, not shown: scripts/side_on_study.py measures it outside these
  scenes, ``profile.PELVIS_ERR_DEG``).

    .venv/bin/python scripts/profile_study.py [--scenes a b ...] [--points] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from turnout.testing.frames_csv import read_frame_rows
from turnout.testing.studio import cached, load_catalogue

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "profile_study"


def analyse(name: str, refresh: bool = False) -> tuple[dict[str, Any], list[dict[str, float]]]:
    """The scene's truth and its per-frame rows from ``turnout analyze`` (cached under build/profile_study/)."""
    scene = load_catalogue()[name]
    clip = cached(scene)
    out = OUT / f"{name}-{scene.key()}"
    csv_path = out / f"{clip.video.stem}.frames.csv"
    if refresh or not csv_path.exists():
        out.mkdir(parents=True, exist_ok=True)
        cli = os.environ.get("TURNOUT_CLI") or str(Path(sys.executable).with_name("turnout"))
        cmd = [cli, "analyze", str(clip.video), "--no-store", "--quiet", "--out", str(out), "--jobs", "1"]
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=900)
    return json.loads(clip.truth.read_text()), read_frame_rows(csv_path)


def truth_profile(truth: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per truth frame: forward offsets (metres) of the mid-joints from the mid-ankle joint, the torso's lean and
    the pelvis's tilt; forward is -y (she faces -y)."""
    fr = truth["frames"]
    pts = {k: np.array(v["world_m"], float) for k, v in fr["points"].items()}

    def mid(name: str) -> np.ndarray:
        return 0.5 * (pts[f"left_{name}"] + pts[f"right_{name}"])

    ankle = mid("ankle")
    out = {f"{n}_fwd_m": -(mid(n)[:, 1] - ankle[:, 1]) for n in ("shoulder", "hip", "knee")}
    out["head_fwd_m"] = -(pts["head"][:, 1] - ankle[:, 1])
    out["hip_up_m"] = mid("hip")[:, 2] - ankle[:, 2]
    out["torso_deg"] = np.array(fr["torso_lean_deg"], float)
    out["pelvis_deg"] = np.array(fr["pelvis_tilt_deg"], float)
    out["phase"] = np.array(fr["phase"], object)
    out["action"] = np.array(fr["action"], object)
    return out


def column(rows: list[dict[str, float]], name: str) -> np.ndarray:
    return np.array([r.get(name, math.nan) for r in rows], float)


def stats(err: np.ndarray) -> str:
    e = err[np.isfinite(err)]
    if not len(e):
        return "n 0"
    return (f"n {len(e):4d} bias {np.mean(e):+7.3f} median abs {np.median(np.abs(e)):6.3f} "
            f"p95 abs {np.percentile(np.abs(e), 95):6.3f}")  # fmt: skip


WINDOW_FRAMES = 7  # half a second at 15 fps: the window's torso and plumb line (profile.WINDOW_S)
PELVIS_FRAMES = 30  # two seconds at 15 fps: the window's pelvis until session 15


def _pelvis_frames(truth: dict[str, Any], rows: list[dict[str, float]]) -> tuple[list[dict[str, float]], float]:
    """A scene's side-on, straight-legged standing rows and its true tilt."""
    from turnout.practice.profile import side_on, straight_legs

    phase = truth["frames"]["phase"]
    keep = [r for i, r in enumerate(rows[: len(phase)]) if phase[i] == "standing" and side_on(r) and straight_legs(r)]
    return keep, float(np.median(np.array(truth["frames"]["pelvis_tilt_deg"], float)))


def fit_pelvis(runs: dict[str, tuple[dict[str, Any], list[dict[str, float]]]]) -> None:
    """The thigh line against the true tilt, fitted on every scene; its error with each body left out of the fit
    (fitted on the other bodies, read on hers: another build, look, camera) over half-second windows and frames."""
    from turnout.practice.profile import pelvis_tilt_deg

    scenes = {n: _pelvis_frames(*run) for n, run in runs.items()}
    body = {n: run[0]["scene"]["dancer"]["body"] for n, run in runs.items()}

    def fit(names: list[str]) -> tuple[float, float]:
        x = np.array([scenes[n][1] for n in names])
        y = np.array([np.median([r["profile_thigh_deg"] for r in scenes[n][0]]) for n in names])
        b, a = np.polyfit(x, y, 1)
        return float(a), float(b)

    every = fit(list(scenes))
    print(f"\npelvis: thigh line = {every[0]:.2f} + {every[1]:.4f} x tilt (all {len(scenes)} scenes, "
          f"{len(set(body.values()))} bodies)")  # fmt: skip
    win, win2, one, whole = [], [], [], []
    for left_out in sorted(set(body.values())):
        others = [n for n in scenes if body[n] != left_out]
        if len({scenes[n][1] for n in others}) < 2:
            continue
        neutral, per = fit(others)
        for n in (n for n in scenes if body[n] == left_out):
            frames, tilt = scenes[n]
            for i in range(0, len(frames) - WINDOW_FRAMES + 1):
                win.append(pelvis_tilt_deg(frames[i : i + WINDOW_FRAMES], neutral, per) - tilt)
            for i in range(0, len(frames) - PELVIS_FRAMES + 1):
                win2.append(pelvis_tilt_deg(frames[i : i + PELVIS_FRAMES], neutral, per) - tilt)
            one += [(r["profile_thigh_deg"] - neutral) / per - tilt for r in frames]
            est = pelvis_tilt_deg(frames, neutral, per)
            whole.append(est - tilt)
            print(f"  {left_out:8s} left out ({neutral:.2f} + {per:.4f} x tilt): {n:24s} true {tilt:+5.1f} "
                  f"read {est:+6.1f}")  # fmt: skip
    print(f"  each body left out: whole standing  {stats(np.array(whole))}")
    print(f"  each body left out: 0.5 s windows   {stats(np.array(win))}")
    print(f"  each body left out: 2 s windows     {stats(np.array(win2))}")
    print(f"  each body left out: single frames   {stats(np.array(one))}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenes", nargs="*", help="scene names (default: every scene tagged profile)")
    ap.add_argument("--refresh", action="store_true", help="analyse again even when analysed before")
    ap.add_argument("--json", type=Path, help="write the per-scene figures here")
    ap.add_argument("--fit", action="store_true", help="fit the pelvis reading's constants, each half on the other")
    args = ap.parse_args(argv)
    from turnout.practice.profile import (
        POINT_AHEAD_LEGS,
        TORSO_POINTS_DEG,
        ProfileTracker,
        pelvis_tilt_deg,
        read_profile,
        side_on,
        straight_legs,
        torso_deg,
    )

    cat = load_catalogue()
    names = args.scenes or [n for n, s in cat.items() if "profile" in s.tags]
    errs: dict[str, list[np.ndarray]] = {}
    report: dict[str, Any] = {}
    print(f"{'scene':24s} {'tilt':>5s}  facing   torso(true/read)  hip_fwd(true/read)  thigh  tilt read")
    for name in names:
        truth, rows = analyse(name, args.refresh)
        tp = truth_profile(truth)
        n = min(len(rows), len(tp["torso_deg"]))
        rows, tp = rows[:n], {k: v[:n] for k, v in tp.items()}
        facing = column(rows, "facing_code")
        side = facing == 3.0
        standing = side & (tp["phase"] == "standing")
        leg_px = np.nanmedian(column(rows, "profile_hip_up_px")[standing])
        leg_m = float(np.median(tp["hip_up_m"][tp["phase"] == "standing"]))
        torso = column(rows, "profile_torso_deg")
        e_torso = np.where(side, torso - tp["torso_deg"], np.nan)
        errs.setdefault("torso_deg (points)", []).append(e_torso)
        errs.setdefault(f"torso_deg (points) {name.rsplit('_', 1)[-1]}", []).append(e_torso)
        errs.setdefault("torso_deg (read: + TORSO_POINTS_DEG)", []).append(e_torso - TORSO_POINTS_DEG)
        lean = np.array([torso_deg(r) for r in rows])
        errs.setdefault("torso_deg (read), windows of 0.5 s", []).append(
            np.array([np.nanmedian(lean[i : i + WINDOW_FRAMES]) - np.median(tp["torso_deg"][i : i + WINDOW_FRAMES])
                      for i in range(n - WINDOW_FRAMES + 1) if side[i : i + WINDOW_FRAMES].all()])
        )  # fmt: skip
        for part, true_name in (("ear", "head_fwd_m"), ("shoulder", "shoulder_fwd_m"), ("hip", "hip_fwd_m"),
                                ("knee", "knee_fwd_m")):  # fmt: skip
            read = column(rows, f"profile_{part}_fwd_px") / leg_px - POINT_AHEAD_LEGS.get(part, 0.0)
            e = np.where(standing, read - tp[true_name] / leg_m, np.nan)
            errs.setdefault(f"{part}_fwd_legs (standing)", []).append(e)
            errs.setdefault(f"{part}_fwd_legs (standing) {name.rsplit('_', 1)[-1]}", []).append(e)
        times = column(rows, "timestamp_ms") / 1000.0
        prof = read_profile(rows)
        tracker = ProfileTracker()
        for t, r in zip(times.tolist(), rows, strict=True):
            tracker.update(t, r)
        tracker.finish()
        found = [(round(h.t_start_s, 2), round(h.t_end_s, 2), h.ended) for h in tracker.holds]
        expected = [(h["start_s"], h["end_s"]) for h in truth["expected"]["holds"]]
        report[name] = {
            "tilt_deg": float(np.median(tp["pelvis_deg"])), "side_frames": int(side.sum()), "frames": n,
            "torso_true": float(np.median(tp["torso_deg"][standing])),
            "torso_read": float(np.nanmedian(torso[standing])),
            "hip_fwd_true": float(np.median(tp["hip_fwd_m"][standing]) / leg_m),
            "hip_fwd_read": float(np.nanmedian(column(rows, "profile_hip_fwd_px")[standing]) / leg_px),
            "thigh_read": float(np.nanmedian(column(rows, "profile_thigh_deg")[standing])),
            "tilt_read": pelvis_tilt_deg([r for r, st in zip(rows, standing, strict=True)
                                          if st and side_on(r) and straight_legs(r)]),
            "profile": None if prof is None else prof.as_dict(),
            "holds": found, "holds_expected": expected,
        }  # fmt: skip
        r = report[name]
        print(f"{name:24s} {r['tilt_deg']:+5.1f}  {r['side_frames']:3d}/{n:3d}  {r['torso_true']:+6.2f} "
              f"{r['torso_read']:+6.2f}     {r['hip_fwd_true']:+.3f} {r['hip_fwd_read']:+.3f}     "
              f"{r['thigh_read']:+5.1f}  {r['tilt_read']:+5.1f}  holds {found} (truth {expected})")  # fmt: skip
    print("\nerrors (read - true), per frame, side-on frames")
    for k, v in sorted(errs.items()):
        print(f"  {k:40s} {stats(np.concatenate(v))}")
    if args.fit:
        fit_pelvis({n: analyse(n) for n in names})
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
