"""Side-on views outside the catalogue (issue 17, items 1 and 4): relevés counted from the side, and the pelvis's
reading, on renders of the studio with exact truth through the real pose model.

Twenty scenes: the studio's two side-on test scenes (``tests/test_three_quarter.py``'s side_on_releves and
side_on_grand_demi) and fourteen drawn in four batches (``sx_``, ``sx2_``, ``sx3_``, ``sx4_``): petite, average, tall
and strong women and a man; leotard, leggings, trousers, bare legs; cameras 0.7-1.3 m up, 2.4-3.3 m away, 80-95
degrees to her left or right; first, second, fifth and parallel; relevés of 30-50 degrees of foot pitch, straight or
bent 25-35, some held; tendus to the front, side and back with either leg; demi and grand pliés; every pelvis level;
and four with held positions (``sxh_``: low pliés and high relevés held 3.5-5 s).
Each is rendered on first use and cached under build/studio/ (as the catalogue's), then run through
``turnout analyze`` into OUT (default build/side_on/).

* relevés: ``barre.count_rows`` over the rows against the script's relevés (count, start and end, knees), and none
  from a plié or a tendu; held positions: ``barre.find_position_holds`` against the script's, timed within 0.5 s;
* the pelvis: ``profile.pelvis_tilt_deg`` (the reading the window showed until session 15) over the frames she
  stands still side-on (the script's stand and hold, legs straight) against the pelvis as posed, with the
  catalogue's ten profile scenes when ``make accuracy`` has analysed them (build/accuracy/uncal/).

    .venv/bin/python scripts/side_on_study.py [--out DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

#: name -> scene table over the catalogue's defaults (all side-on, pelvis level)
SCENES: dict[str, dict[str, Any]] = {
    "side_on_releves": {"camera": {"height": 1.0, "distance": 2.8, "yaw": 90},
                        "script": ["stand 1.5", "releve 3", "stand 1", "releve 3", "stand 1"]},
    "side_on_grand_demi": {"body": "f_petite", "camera": {"height": 1.0, "distance": 2.8, "yaw": 90},
                           "script": ["stand 1.5", "grand 5", "stand 1", "demi 3", "stand 1"]},
    "sx_right_petite": {"body": "f_petite", "look": "leggings", "camera": {"height": 0.9, "distance": 2.6, "yaw": -90},
                        "script": ["stand 1.5", "releve 2.5", "stand 0.8", "releve 2.5 rise=30", "stand 0.8",
                                   "releve 2.5 rise=50", "stand 1"]},
    "sx_left_bent": {"body": "m_avg", "look": "bare_legs", "camera": {"height": 1.1, "distance": 3.0, "yaw": 90},
                     "script": ["stand 1.5", "releve 3 bend=30", "stand 1", "releve 3", "stand 1"]},
    "sx_tendus": {"body": "f_avg", "look": "leotard", "camera": {"height": 1.0, "distance": 2.8, "yaw": 90},
                  "script": ["stand 1.5", "tendu right 3 dir=front", "stand 0.8", "tendu right 3 dir=back", "stand 0.8",
                             "tendu left 3 dir=side", "stand 1"]},
    "sx_low_parallel": {"body": "f_tall", "look": "trousers", "position": "parallel",
                        "camera": {"height": 0.7, "distance": 2.5, "yaw": -85},
                        "script": ["stand 1.5", "releve 2.5", "stand 0.8", "demi 3", "stand 0.8", "releve 2.5 hold=2",
                                   "stand 1"]},
    "sx2_strong_high": {"body": "f_strong", "look": "bare_legs", "skin": "dark",
                        "camera": {"height": 1.3, "distance": 3.2, "yaw": 80},
                        "script": ["stand 1.5", "releve 3 rise=50 hold=1.5", "stand 1", "grand 4", "stand 1",
                                   "releve 2 rise=35", "stand 1"]},
    "sx2_second": {"body": "f_avg", "look": "trousers", "position": "second",
                   "camera": {"height": 1.0, "distance": 2.7, "yaw": -95},
                   "script": ["stand 1.5", "releve 2.5", "stand 0.8", "releve 2.5 bend=25", "stand 0.8", "demi 3",
                              "stand 1"]},
    "sx2_tendus_left": {"body": "f_petite", "look": "leggings", "camera": {"height": 0.8, "distance": 2.4, "yaw": -90},
                        "script": ["stand 1.5", "tendu left 2.5 dir=front", "stand 0.6", "tendu left 2.5 dir=side",
                                   "stand 0.6", "tendu left 2.5 dir=back", "stand 0.6", "releve 2.5", "stand 1"]},
    "sx3_male_tendus": {"body": "m_avg", "look": "leggings", "camera": {"height": 1.15, "distance": 3.0, "yaw": 88},
                        "script": ["stand 1.5", "tendu right 2.5 dir=back", "stand 0.6", "tendu right 2.5 dir=front",
                                   "stand 0.6", "releve 3 hold=1", "stand 0.6", "tendu left 2.5 dir=side", "stand 0.6",
                                   "releve 2.5 bend=30", "stand 1"]},
    "sx3_tall_trousers": {"body": "f_tall", "look": "trousers", "skin": "medium",
                          "camera": {"height": 0.9, "distance": 2.9, "yaw": -88},
                          "script": ["stand 1.2", "releve 2", "releve 2", "stand 1", "demi 3", "stand 0.6",
                                     "releve 2.5 rise=45", "stand 1"]},
    "sx3_petite_fifth": {"body": "f_petite", "look": "leotard", "position": "fifth",
                         "camera": {"height": 1.05, "distance": 2.6, "yaw": 92},
                         "script": ["stand 1.5", "releve 2.5 rise=40", "stand 0.8", "releve 2.5 rise=40", "stand 0.8",
                                    "grand 4", "stand 1"]},
    "sx4_fifth_tall": {"body": "f_tall", "look": "leotard", "position": "fifth",
                       "camera": {"height": 1.2, "distance": 3.1, "yaw": -90},
                       "script": ["stand 1.5", "releve 2.5", "stand 0.8", "releve 2.5 bend=25", "stand 0.8",
                                  "releve 3 rise=45 hold=1", "stand 1"]},
    "sx4_first_male": {"body": "m_avg", "look": "trousers", "skin": "dark",
                       "camera": {"height": 0.95, "distance": 2.8, "yaw": 93},
                       "script": ["stand 1.5", "releve 2.5 bend=35", "stand 0.8", "releve 2.5", "stand 0.8",
                                  "tendu right 2.5 dir=side", "stand 0.8", "releve 2.5", "stand 1"]},
    "sx4_parallel_petite": {"body": "f_petite", "look": "bare_legs", "skin": "medium", "position": "parallel",
                            "camera": {"height": 1.1, "distance": 2.5, "yaw": 87},
                            "script": ["stand 1.5", "releve 2.5", "stand 0.8", "demi 3", "stand 0.8",
                                       "releve 2.5 bend=30", "stand 1"]},
    "sx4_second_strong": {"body": "f_strong", "look": "leggings", "position": "second",
                          "camera": {"height": 0.75, "distance": 3.3, "yaw": -92},
                          "script": ["stand 1.5", "releve 3 rise=35", "stand 0.8", "grand 4", "stand 0.8",
                                     "releve 2.5", "stand 1"]},
    # held positions side-on (issue 17, item 3): a low plié and a high relevé, each held 3.5-5 s
    "sxh_low_plie_left": {"body": "f_avg", "look": "leotard", "width": 640, "height": 360,
                          "camera": {"height": 1.0, "distance": 2.8, "yaw": 90},
                          "script": ["stand 1.5", "demi 7 depth=75 hold=5", "stand 1.5"]},
    "sxh_high_releve_right": {"body": "f_tall", "look": "leggings", "width": 640, "height": 360,
                              "camera": {"height": 1.1, "distance": 3.0, "yaw": -90},
                              "script": ["stand 1.5", "releve 7 rise=55 hold=5", "stand 1.5"]},
    "sxh_male_both": {"body": "m_avg", "look": "trousers", "width": 640, "height": 360,
                      "camera": {"height": 0.9, "distance": 2.7, "yaw": 88},
                      "script": ["stand 1.5", "releve 6 rise=45 hold=4", "stand 1", "demi 7 depth=80 hold=4.5",
                                 "stand 1.2"]},
    "sxh_petite_second": {"body": "f_petite", "look": "bare_legs", "position": "second", "width": 640, "height": 360,
                          "camera": {"height": 1.2, "distance": 2.6, "yaw": -92},
                          "script": ["stand 1.5", "grand 8 hold=4", "stand 1", "releve 6 bend=25 hold=3.5",
                                     "stand 1.2"]},
    # tendus side-on (issue 17, item 2), drawn after the side-on tendu rule (session 16): the near leg and the far,
    # fifth position, a low camera, a man, a tendu to the side among them
    "sx5_near_tendus": {"body": "f_tall", "look": "leggings", "camera": {"height": 1.1, "distance": 3.0, "yaw": -90},
                        "script": ["stand 1.5", "tendu right 2.5 dir=front", "stand 0.6", "tendu right 2.5 dir=back",
                                   "stand 0.6", "tendu right 2.5 dir=front", "stand 1"]},
    "sx5_fifth_tendus": {"body": "f_avg", "look": "trousers", "position": "fifth",
                         "camera": {"height": 0.95, "distance": 2.7, "yaw": 88},
                         "script": ["stand 1.5", "tendu left 2.5 dir=front", "stand 0.6", "tendu left 2.5 dir=back",
                                    "stand 0.6", "tendu right 2.5 dir=back", "stand 1"]},
    "sx5_petite_low": {"body": "f_petite", "look": "bare_legs", "skin": "dark",
                       "camera": {"height": 0.75, "distance": 2.5, "yaw": 93},
                       "script": ["stand 1.5", "tendu right 2.5 dir=front", "stand 0.6", "releve 2.5", "stand 0.6",
                                  "tendu right 2.5 dir=back", "stand 0.6", "demi 3", "stand 1"]},
    "sx5_male_mixed": {"body": "m_avg", "look": "leotard", "width": 640, "height": 360,
                       "camera": {"height": 1.3, "distance": 3.2, "yaw": -85},
                       "script": ["stand 1.5", "tendu left 2.5 dir=front", "stand 0.6", "tendu left 2.5 dir=side",
                                  "stand 0.6", "tendu left 2.5 dir=back", "stand 0.6", "tendu right 2.5 dir=front",
                                  "stand 1"]},
    # drawn after the rule that lets her hips go over the standing foot from fifth (session 16)
    "sx6_fifth_far": {"body": "f_petite", "look": "leotard", "position": "fifth", "width": 640, "height": 360,
                      "camera": {"height": 1.2, "distance": 2.8, "yaw": -88},
                      "script": ["stand 1.5", "tendu left 2.5 dir=front", "stand 0.6", "tendu left 2.5 dir=back",
                                 "stand 0.6", "tendu right 2.5 dir=front", "stand 1"]},
    "sx6_tall_fifth": {"body": "f_tall", "look": "bare_legs", "skin": "medium", "position": "fifth",
                       "camera": {"height": 0.8, "distance": 3.0, "yaw": 91},
                       "script": ["stand 1.5", "tendu right 2.5 dir=back", "stand 0.6", "tendu right 2.5 dir=front",
                                  "stand 0.6", "demi 3", "stand 1"]},
    "sx6_strong_first": {"body": "f_strong", "look": "trousers", "camera": {"height": 1.0, "distance": 3.3, "yaw": 85},
                         "script": ["stand 1.5", "tendu left 2.5 dir=front", "stand 0.6", "tendu left 2.5 dir=front",
                                    "stand 0.6", "tendu left 2.5 dir=back", "stand 0.6", "releve 2.5", "stand 1"]},
}  # fmt: skip


def analyse(name: str, out: Path) -> tuple[dict[str, Any], Path]:
    """The scene rendered (cached) and analysed: its truth and its frames CSV."""
    from turnout.testing.studio import cached
    from turnout.testing.studio.scenes import CATALOGUE, scene_from_dict

    defaults = tomllib.loads(CATALOGUE.read_text()).get("defaults", {})
    spec = {**SCENES[name], "description": f"side-on study: {name}", "tags": ["profile"]}
    clip = cached(scene_from_dict(name, spec, defaults))
    rows = out / f"{name}.frames.csv"
    if not rows.exists() or rows.stat().st_mtime < clip.video.stat().st_mtime:
        cli = str(Path(sys.executable).with_name("turnout"))
        cmd = [cli, "analyze", str(clip.video), "--json", "--no-store", "--quiet", "--out", str(out), "--jobs", "1"]
        subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(clip.truth.read_text()), rows


def releves(truth: dict[str, Any], got: Sequence[Any]) -> dict[str, Any]:
    """The relevés counted (``barre.count_rows``'s ``ReleveRep``) against the script's."""
    want = truth["expected"]["releves"]
    inside = sum(
        any(w["start_s"] - 0.5 <= g.t_start_s <= w["top_start_s"] and w["top_end_s"] <= g.t_end_s <= w["end_s"] + 0.5
            for w in want)
        for g in got
    )  # fmt: skip
    knees = sum(g.knees == w["knees"] for g, w in zip(got, want, strict=False)) if len(got) == len(want) else 0
    hips = [round(g.rise_legs, 3) for g in got]
    return {"want": len(want), "got": len(got), "inside": inside, "knees_right": knees, "hips": hips,
            "kinds": [w["knees"] for w in want]}  # fmt: skip


def tendus(truth: dict[str, Any], got: Sequence[Any]) -> dict[str, Any]:
    """The tendus counted (``barre.count_rows``'s ``TenduRep``) against the script's to her front and back (side-on a
    tendu to her side is not counted: ``barre.SIDE_ON_DIRECTIONS``), each with its leg and direction inside its
    scripted item, and how far from its place it read once closed (legs; every scripted tendu closes to its place)."""
    from turnout.practice.barre import SIDE_ON_DIRECTIONS

    want = [w for w in truth["expected"]["tendus"] if w["direction"] in SIDE_ON_DIRECTIONS]
    right = sum(
        any((w["leg"], w["direction"]) == (g.leg, g.direction) and w["start_s"] - 0.2 <= g.t_start_s
            and g.t_end_s <= w["end_s"] + 0.3 for w in want)
        for g in got
    )  # fmt: skip
    found = [(g.leg, g.direction, round(g.t_start_s, 2), round(g.t_end_s, 2), round(g.return_gap_legs, 3)) for g in got]
    sideways = len(truth["expected"]["tendus"]) - len(want)
    return {"want": len(want), "got": len(got), "right": right, "sideways": sideways, "found": found}


def holds(truth: dict[str, Any], rows: Sequence[Mapping[str, float]]) -> dict[str, Any]:
    """The held low pliés and high relevés found (``barre.find_position_holds``) against the script's."""
    from turnout.practice.barre import MIN_HOLD_S, find_position_holds

    t = [r["timestamp_ms"] / 1000.0 for r in rows]
    got, _ = find_position_holds(t, rows, [r["reliable"] == 1.0 for r in rows])
    # a hold is a position kept MIN_HOLD_S or more (labels.toml's rule); a relevé's top of 1-2 s is not one
    want = [w for w in truth["expected"]["position_holds"] if w["end_s"] - w["start_s"] >= MIN_HOLD_S]
    timed = sum(
        any(abs(g.t_start_s - w["start_s"]) <= 0.5 and abs(g.t_end_s - w["end_s"]) <= 0.5 for w in want) for g in got
    )
    found = [(g.position, round(g.t_start_s, 2), round(g.t_end_s, 2), g.view, g.knees or g.plie) for g in got]
    return {"want": len(want), "got": len(got), "timed": timed, "found": found,
            "truth": [(w["start_s"], w["end_s"]) for w in want]}  # fmt: skip


def pelvis(truth: dict[str, Any], rows: Sequence[Mapping[str, float]]) -> tuple[float, float]:
    """(the pelvis as posed, the reading over the frames she stands still side-on with straight legs)."""
    from turnout.practice import profile

    action = truth["frames"]["action"]
    stand = [r for r in rows if profile.side_on(r) and profile.straight_legs(r)
             and action[min(int(r["frame"]), len(action) - 1)] in ("stand", "hold")]  # fmt: skip
    return float(np.median(truth["frames"]["pelvis_tilt_deg"])), profile.pelvis_tilt_deg(stand)


def main(argv: list[str] | None = None) -> int:
    from turnout.practice.barre import count_rows
    from turnout.testing.frames_csv import read_frame_rows

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=ROOT / "build" / "side_on")
    p.add_argument("--only", nargs="*", choices=sorted(SCENES), help="these scenes only")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    totals = {"want": 0, "got": 0, "inside": 0, "knees_right": 0}
    held = {"want": 0, "got": 0, "timed": 0}
    steps = {"want": 0, "got": 0, "right": 0, "sideways": 0}
    errs: dict[str, list[float]] = {"outside": [], "catalogue": []}
    for name in a.only or SCENES:
        truth, csv_path = analyse(name, a.out)
        rows = read_frame_rows(csv_path)
        counted_releves, counted_tendus, _ = count_rows(
            [r["timestamp_ms"] / 1000.0 for r in rows], rows, [r["reliable"] == 1.0 for r in rows]
        )
        r = releves(truth, counted_releves)
        for k in totals:
            totals[k] += r[k]
        h = holds(truth, rows)
        for k in held:
            held[k] += h[k]
        td = tendus(truth, counted_tendus)
        for k in steps:
            steps[k] += td[k]
        posed, read = pelvis(truth, rows)
        errs["outside"].append(read - posed)
        cam = truth["scene"]["camera"]
        print(f"{name:22s} {truth['scene']['dancer']['body']:8s} {truth['scene']['dancer']['position']:8s} "
              f"cam {cam['height_m']:.2f} m yaw {cam['yaw_deg']:+4.0f}: relevés {r['got']} of {r['want']} "
              f"({r['inside']} inside their times, knees right {r['knees_right']}; hips {r['hips']}); "
              f"pelvis posed {posed:+.0f} read {read:+.1f}", flush=True)  # fmt: skip
        if h["want"] or h["got"]:
            print(f"    holds {h['got']} found of {h['want']} ({h['timed']} within 0.5 s): {h['found']}, truth "
                  f"{h['truth']}")  # fmt: skip
        if td["want"] or td["got"] or td["sideways"]:
            print(f"    tendus {td['got']} counted of {td['want']} to the front or back ({td['right']} with their leg "
                  f"and direction inside their times; {td['sideways']} to the side, not read side-on): "
                  f"{td['found']}")  # fmt: skip
    print(f"relevés: {totals['got']} counted of {totals['want']}, {totals['inside']} inside their times, knees "
          f"right on {totals['knees_right']}")  # fmt: skip
    print(f"held positions: {held['got']} found of {held['want']}, {held['timed']} timed within 0.5 s")
    print(f"tendus to the front or back: {steps['got']} counted of {steps['want']}, {steps['right']} with their leg "
          f"and direction inside their times ({steps['sideways']} to the side not read side-on)")  # fmt: skip
    for csv_path in sorted((ROOT / "build/accuracy/uncal").glob("profile_*.frames.csv")):
        name = csv_path.name.removesuffix(".frames.csv")
        found = sorted((ROOT / "build/studio").glob(f"{name}-*/{name}.truth.json"))
        if found:
            posed, read = pelvis(json.loads(found[0].read_text()), read_frame_rows(csv_path))
            errs["catalogue"].append(read - posed)
    for group, e in errs.items():
        if e:
            x = np.abs(np.array(e, float))
            print(f"pelvis reading minus posed, {group} ({len(e)} scenes): median abs {np.median(x):.1f}, p95 "
                  f"{np.percentile(x, 95):.1f}, max {x.max():.1f} degrees")  # fmt: skip
    both = np.abs(np.array(errs["outside"] + errs["catalogue"], float))
    if both.size:
        print(f"all {both.size} side-on scenes: p95 {np.percentile(both, 95):.1f} (profile.PELVIS_ERR_DEG)")
    return 0 if math.isfinite(float(both.max())) else 1


if __name__ == "__main__":
    raise SystemExit(main())
