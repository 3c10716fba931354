"""Tables, figure and docs/accuracy.md for studio_accuracy.py."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

import numpy as np

MEASURES = ("foot_picture_deg", "total_picture_deg", "foot_turnout_deg", "total_turnout_deg", "knee_direction_deg",
            "forced_turnout_deg", "knee_over_toe_cm", "knee_flexion_deg", "heel_lift_cm")  # fmt: skip


def stats(errs: Iterable[float]) -> tuple[int, float, float, float]:
    """(n, bias = median signed error, median |error|, p95 |error|)."""
    e = np.asarray(list(errs), float)
    e = e[np.isfinite(e)]
    if not len(e):
        return 0, math.nan, math.nan, math.nan
    return len(e), float(np.median(e)), float(np.median(np.abs(e))), float(np.percentile(np.abs(e), 95))


def _fmt(v: float, nd: int = 1) -> str:
    return "–" if not math.isfinite(v) else f"{v:+.{nd}f}" if nd and v < 0 else f"{v:.{nd}f}"


def _row(label: list[str], st: tuple[int, float, float, float]) -> str:
    n, bias, med, p95 = st
    return "| " + " | ".join([*label, str(n), _fmt(bias), _fmt(med), _fmt(p95)]) + " |"


def _mode_is(mode: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: bool(r["mode"] == mode)


def _key_is(key: Callable[[dict[str, Any]], str], value: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: key(r) == value


#: Scenes that are not a standing dancer facing the camera (the profile view, the seated stretches): the per-frame
#: tables of the front's measurements leave them out (their own figures: docs/measurements.md, "From the side" and
#: "Seated stretches").
OTHER_VIEWS: Final = frozenset({"profile", "stretch"})


def _collect(results: list[dict[str, Any]], measure: str, pick: Callable[[dict[str, Any]], bool],
             phases: tuple[str, ...] = ("standing", "plie")) -> list[float]:  # fmt: skip
    out: list[float] = []
    for r in results:
        if pick(r) and not OTHER_VIEWS & set(r.get("tags", ())):
            for ph in phases:
                out += r["frames"].get(measure, {}).get(ph, [])
    return out


def _height_bin(h: float) -> str:
    return "0.5-0.8 m" if h < 0.85 else "0.9-1.1 m" if h <= 1.1 else "1.2-1.5 m"


def _dist_bin(d: float) -> str:
    return "2.0-2.5 m" if d <= 2.5 else "2.6-3.0 m" if d <= 3.0 else "3.1-3.5 m"


def _yaw_bin(y: float) -> str:
    return "0" if abs(y) < 1 else "1-15" if abs(y) <= 15 else "over 15"


def cover_table(results: list[dict[str, Any]]) -> list[str]:
    """How often the shown 95 % range of a foot holds its true turnout."""
    lines = ["| mode | pose | n frames | truth inside the shown range |", "|---|---|---|---|"]
    for mode in ("uncal", "floor"):
        for ph in ("standing", "plie"):
            v = np.asarray(_collect(results, "foot_picture_cover", _mode_is(mode), (ph,)), float)
            if v.size:
                lines.append(f"| {mode} | {ph} | {v.size} | {100 * v.mean():.1f} % |")
    return lines


#: A knee is truly "inside" its foot when it points this much or more inside (the issue: feet 20 degrees or more
#: beyond the hips; the knee limit, ``flags.knees_inside_toes.warn``).
KNEE_INSIDE_DEG = 20.0


def knee_table(results: list[dict[str, Any]]) -> list[str]:
    """Each knee against its foot at the bottom of each found plié (the verdict that flags knees inside): the
    number (knee minus foot, degrees) where there is one, and the verdict in words ("over" / "inside") against the
    truth's (inside by :data:`KNEE_INSIDE_DEG` or more). A knee travelling mostly sideways has a verdict and a
    range but no number (``picture.SHANK_P95``)."""
    lines = ["| mode | position | legs | with a number | within 10 deg | median abs err | p95 abs err "
             "| with a verdict | verdict right | truth in the range |",
             "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for mode in ("uncal", "floor"):
        pool = [r for r in results if r["mode"] == mode]
        for pos in [*sorted({r["position"] for r in pool}), "all"]:
            knees = [
                k
                for r in pool
                if pos in ("all", r["position"])
                for x in r["reps"]["matched"]
                if x["found"] is not None
                for k in x.get("knees", {}).values()
                if math.isfinite(k["true"])
            ]
            if not knees:
                continue
            e = np.abs(np.asarray([k["err"] for k in knees], float))
            fin = e[np.isfinite(e)]
            within = f"{100 * float(np.mean(fin <= 10)):.0f} %" if fin.size else "–"
            med = f"{np.median(fin):.1f}" if fin.size else "–"
            p95 = f"{np.percentile(fin, 95):.1f}" if fin.size else "–"
            said = [k for k in knees if k.get("verdict") in ("over", "inside")]
            right = sum((k["verdict"] == "inside") == (k["true"] <= -KNEE_INSIDE_DEG) for k in said)
            ranged = [
                k for k in knees if math.isfinite(k.get("low", math.nan)) and math.isfinite(k.get("high", math.nan))
            ]
            held = sum(k["low"] <= k["true"] <= k["high"] for k in ranged)
            right_s = f"{right} / {len(said)}" if said else "–"
            held_s = f"{100 * held / len(ranged):.0f} % of {len(ranged)}" if ranged else "–"
            lines.append(f"| {mode} | {pos} | {len(e)} | {fin.size} | {within} | {med} | {p95} | {len(said)} "
                         f"| {right_s} | {held_s} |")  # fmt: skip
    return lines


def overall_table(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| measurement | mode | pose | n frames | bias | median abs | p95 abs |", "|---|---|---|---|---|---|---|"]
    for m in MEASURES:
        for mode in ("uncal", "floor"):
            for ph in ("standing", "plie"):
                st = stats(_collect(results, m, _mode_is(mode), (ph,)))
                if st[0]:
                    lines.append(_row([m, mode, ph], st))
    return lines


def split_table(results: list[dict[str, Any]], measure: str, phases: tuple[str, ...]) -> list[str]:
    lines = [f"| {measure} by | value | n | bias | median abs | p95 abs |", "|---|---|---|---|---|---|"]
    splits: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("mode", lambda r: r["mode"]), ("camera height", lambda r: _height_bin(r["camera_height_m"])),
        ("distance", lambda r: _dist_bin(r["camera_distance_m"])), ("look", lambda r: r["look"]),
        ("position", lambda r: r["position"]), ("true feet", lambda r: f"{r['feet']:g}"),
        ("camera yaw", lambda r: _yaw_bin(r["yaw_deg"])),
    ]  # fmt: skip
    for label, key in splits:
        pool = results if label == "mode" else [r for r in results if r["mode"] == "uncal"]
        for value in sorted({key(r) for r in pool}):
            st = stats(_collect(pool, measure, _key_is(key, value), phases))
            if st[0]:
                lines.append(_row([label, value], st))
    return lines


def reps_table(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| scene | mode | reps expected | found | false | kind right | start err s | bottom err s | "
             "depth err deg | expected flags | raised forced/knees flags |", "|---" * 11 + "|"]  # fmt: skip
    for r in results:
        reps = r["reps"]
        m = [x for x in reps["matched"] if x["found"] is not None]
        kind = sum(1 for x in m if x["kind_ok"])
        se = stats(x["start_err_s"] for x in m)[1]
        be = stats(x["bottom_err_s"] for x in m)[1]
        de = stats(x["depth_err_deg"] for x in m)[1]
        want = sum(len(x["expected"]["flags"]) for x in reps["matched"])
        raised = sum(1 for x in m for c, _s in x["flags_raised"] if c in ("forced_turnout", "knees_inside_toes"))
        lines.append(f"| {r['scene']} | {r['mode']} | {reps['expected']} | {len(m)} | {len(reps['false'])} | {kind} | "
                     f"{_fmt(se, 2)} | {_fmt(be, 2)} | {_fmt(de)} | {want} | {raised} |")  # fmt: skip
    return lines


def landmark_table(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| landmark | pose | n | median px | p95 px | along the foot cm (median; + toward toes) | "
             "sideways cm (median; + outward) | image y px (median; + lower) |", "|---" * 8 + "|"]  # fmt: skip
    for key in ("heel/standing", "heel/plie", "toe/standing", "toe/plie"):
        recs = [
            r["landmarks"][key]
            for r in results
            if r["mode"] == "uncal" and key in r["landmarks"] and not OTHER_VIEWS & set(r.get("tags", ()))
        ]
        if not recs:
            continue
        px = np.concatenate([rc["px"] for rc in recs])
        med = {k: float(np.median(np.concatenate([rc[k] for rc in recs]))) for k in ("along_cm", "side_cm", "dy_px")}
        lines.append(f"| {key.split('/')[0]} | {key.split('/')[1]} | {len(px)} | {np.median(px):.1f} | "
                     f"{np.percentile(px, 95):.1f} | {med['along_cm']:+.1f} | {med['side_cm']:+.1f} | "
                     f"{med['dy_px']:+.1f} |")  # fmt: skip
    return lines


def figure(results: list[dict[str, Any]], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    ax = axes[0]
    names = [r["scene"] for r in results if r["mode"] == "uncal"]
    for i, ph in enumerate(("standing", "plie")):
        data = [np.asarray(r["frames"]["foot_turnout_deg"][ph]) for r in results if r["mode"] == "uncal"]
        med = [float(np.median(d)) if len(d) else np.nan for d in data]
        ax.barh(np.arange(len(names)) + 0.4 * i, med, 0.4, label=ph)
    ax.set_yticks(np.arange(len(names)) + 0.2, names, fontsize=6)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_xlabel("foot turnout error, degrees (median, uncalibrated)")
    ax.legend(fontsize=7)
    ax = axes[1]
    for ph, colour in (("standing", "tab:blue"), ("plie", "tab:orange")):
        for mode in ("uncal", "floor"):
            e = _collect(results, "knee_direction_deg", _mode_is(mode), (ph,))
            if e:
                ax.hist(e, bins=40, range=(-60, 60), histtype="step", color=colour,
                        ls="-" if mode == "uncal" else "--", label=f"{mode} {ph}")  # fmt: skip
    ax.set_xlabel("knee direction error, degrees")
    ax.legend(fontsize=7)
    ax = axes[2]
    for key, colour in (("heel/standing", "tab:blue"), ("heel/plie", "tab:cyan"), ("toe/standing", "tab:red"),
                        ("toe/plie", "tab:pink")):  # fmt: skip
        vals = np.concatenate([r["landmarks"][key]["along_cm"] for r in results
                               if r["mode"] == "uncal" and key in r["landmarks"]] or [np.zeros(0)])  # fmt: skip
        if len(vals):
            ax.hist(vals, bins=40, range=(-15, 15), histtype="step", color=colour, label=key)
    ax.set_xlabel("MediaPipe point minus truth along the foot, cm (+ toward the toes)")
    ax.legend(fontsize=7)
    fig.suptitle("Turnout on rendered dancers (the studio): errors against exact truth")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def write_report(results: list[dict[str, Any]], timing: dict[str, Any], md: Path, fig_path: Path) -> None:
    has_fig = figure(results, fig_path)
    turn = split_table(results, "foot_turnout_deg", ("standing", "plie"))
    parts = [
        "# Accuracy on rendered dancers (the studio)", "",
        "Generated by `make accuracy` (`scripts/studio_accuracy.py`): every scene of "
        "`src/turnout/testing/studio/scenes.toml` rendered with exact truth, then run through the real pose model "
        "and pipeline (`turnout analyze`, uncalibrated; floor-calibrated with `--floor` on the sheet scenes). "
        "Errors are measured minus true; bias is the median signed error, then the median and 95th percentile of "
        "the absolute error, over reliable frames. Standing = straight knees (including relevés and tendus); "
        "plié = descent, bottom and ascent. Knee direction is compared only where the true flexion is 15 degrees "
        "or more. Synthetic pictures: check each conclusion once on real footage.", "",
        f"Run: {timing['scenes']} scenes, {timing['runs']} analyses; rendering {timing['render_s']} s "
        f"({timing['rendered_scenes']} scenes rendered, {timing['render_s_per_frame']} s per frame on one core), "
        f"analysis {timing['analyze_s']} s, total {timing['total_s']} s on 2 cores.", "",
        "## Every measurement", "", *overall_table(results), "",
        "## Foot turnout per foot from the picture (what the window shows), split", "",
        *split_table(results, "foot_picture_deg", ("standing", "plie")), "",
        "## Does the shown range hold the truth?", "", *cover_table(results), "",
        "## Each knee against its foot at plié bottoms (err = measured - true)", "", *knee_table(results), "",
        "## Foot turnout per foot from MediaPipe's 3D (no longer shown as a number), split", "", *turn, "",
        "## Knee direction in pliés, split", "", *split_table(results, "knee_direction_deg", ("plie",)), "",
        "## Knee over toe in pliés, split (cm, + = measured further inside than true)", "",
        *split_table(results, "knee_over_toe_cm", ("plie",)), "",
        "## Reps, timing, depth and flags", "", *reps_table(results), "",
        "## Where MediaPipe puts heel and toe (uncalibrated runs)", "", *landmark_table(results), "",
    ]  # fmt: skip
    if has_fig:
        parts += [f"![studio accuracy](figures/{fig_path.name})", ""]
    parts += ["## What this means for a dancer", "", *meaning(results), ""]
    md.write_text("\n".join(parts))


def meaning(results: list[dict[str, Any]]) -> list[str]:
    """Plain-language reading of the numbers above (computed, so it stays true when they change)."""
    out = []
    for mode, label in (("uncal", "Without a floor reference"), ("floor", "With a sheet on the floor")):
        st = stats(_collect(results, "foot_picture_deg", _mode_is(mode), ("standing",)))
        pl = stats(_collect(results, "foot_picture_deg", _mode_is(mode), ("plie",)))
        if st[0]:
            out.append(f"- {label}, a foot's turnout reads {_fmt(st[1])} degrees off when she stands (half the frames "
                       f"within {st[2]:.0f}, 95 % within {st[3]:.0f}) and {_fmt(pl[1])} in plié: a dancer in first "
                       f"at 45 degrees a foot would be told about {45 + st[1]:.0f} standing.")  # fmt: skip
    errs = [k["err"] for r in results if r["mode"] == "uncal" for x in r["reps"]["matched"]
            if x["found"] is not None for k in x.get("knees", {}).values() if math.isfinite(k["true"])]  # fmt: skip
    if errs:
        e = np.abs(np.asarray(errs, float))
        fin = e[np.isfinite(e)]
        if fin.size:
            knees = [k for r in results if r["mode"] == "uncal" for x in r["reps"]["matched"] if x["found"] is not None
                     for k in x.get("knees", {}).values() if math.isfinite(k["true"])]  # fmt: skip
            said = [k for k in knees if k.get("verdict") in ("over", "inside")]
            right = sum((k["verdict"] == "inside") == (k["true"] <= -KNEE_INSIDE_DEG) for k in said)
            out.append(f"- At the bottom of a plié each knee's direction against its foot was read as a number on "
                       f"{fin.size} of {e.size} legs, within 10 degrees of the truth on "
                       f"{100 * float(np.mean(fin <= 10)):.0f} % (median {np.median(fin):.0f}, 95 % within "
                       f"{np.percentile(fin, 95):.0f}); the verdict over / inside was given on {len(said)} legs, "
                       f"right on {right}.")  # fmt: skip
    ko = stats(_collect(results, "knee_over_toe_cm", lambda r: r["mode"] == "uncal", ("plie",)))
    if ko[0]:
        out.append(f"- The knee-over-toe offset in pliés reads {_fmt(ko[1])} cm off (positive: further inside than "
                   "true), against a 3 cm warning limit.")  # fmt: skip
    correct = forced = correct_flagged = forced_flagged = expected = found = false = side_on = 0
    side = [0, 0, 0]  # side-on: pliés expected, found, found where there was none
    for r in results:
        if "profile" in r.get("tags", ()):  # side-on: pliés counted, nothing judged of knees or feet
            side_on += 1
            side[0] += r["reps"]["expected"]
            side[1] += sum(1 for x in r["reps"]["matched"] if x["found"] is not None)
            side[2] += len(r["reps"]["false"])
            continue
        if OTHER_VIEWS & set(r.get("tags", ())):  # seated: pliés are counted standing
            continue
        reps = r["reps"]
        expected, found, false = (
            expected + reps["expected"],
            found + len(reps["matched"]) - sum(1 for x in reps["matched"] if x["found"] is None),
            false + len(reps["false"]),
        )
        for x in reps["matched"]:
            if x["found"] is None:
                continue
            flagged = any(c in ("forced_turnout", "knees_inside_toes") for c, _s in x["flags_raised"])
            if x["flags_expected"]:
                forced, forced_flagged = forced + 1, forced_flagged + flagged
            else:
                correct, correct_flagged = correct + 1, correct_flagged + flagged
    out.append(f"- Pliés: {found} of {expected} counted, {false} counted where there was none. Of {correct} correct "
               f"pliés {correct_flagged} were flagged forced or knees-inside; of {forced} forced pliés "
               f"{forced_flagged} were.")  # fmt: skip
    if side_on:
        out.append(f"- Side-on ({side_on} runs, the profile view's scenes): pliés {side[1]} of {side[0]} counted, "
                   f"{side[2]} counted where there was none; from the side her knees, feet and pelvis are not judged "
                   "(no flag comes from them), her torso, plumb line and holds are (docs/measurements.md)."
                   )  # fmt: skip
    seated = sum(1 for r in results if "stretch" in r.get("tags", ()))
    if seated:
        out.append(f"- {seated} seated runs (the stretch scenes) and the side-on runs are left out of the per-frame "
                   "tables above: their figures are in docs/measurements.md ('Seated stretches', 'From the "
                   "side').")  # fmt: skip
    return out
