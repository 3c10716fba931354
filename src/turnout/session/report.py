"""A session's HTML report: angles over time with reps shaded and flags marked, a table of reps with their
flags and cues, and a picture of the worst rep. One self-contained file (pictures inlined), no network.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from turnout.pose import landmarks as lm

if TYPE_CHECKING:
    from turnout.practice.reps import RepSummary
    from turnout.storage.store import Store

_SEVERITY_COLOUR: Final = {"bad": "#c0392b", "warn": "#e67e22", "info": "#2980b9"}
_SEVERITY_RANK: Final = {"bad": 2, "warn": 1, "info": 0}
_PLOTS: Final = (
    (
        "Knee flexion (deg; from her standing baseline when one was taken)",
        ("left_knee_flexion_deg", "right_knee_flexion_deg"),
    ),
    ("Foot turnout (deg)", ("left_foot_turnout_deg", "right_foot_turnout_deg")),
    ("Knee turnout: what the hips give (deg)", ("left_knee_turnout_deg", "right_knee_turnout_deg")),
    ("Forced turnout: feet beyond knees (deg)", ("left_forced_turnout_deg", "right_forced_turnout_deg")),
)


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def local_time(iso: str) -> str:
    """A stored time (ISO 8601) in the reader's local time, "6 Dec 2026 04:43" (as the window shows it)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M").lstrip("0")
    except (TypeError, ValueError):
        return iso


def rep_score(rep: RepSummary) -> tuple[int, int, float]:
    """How bad a rep is: worst severity, number of flags, then forced turnout."""
    worst = max((_SEVERITY_RANK.get(f.severity, 0) for f in rep.flags), default=-1)
    forced = max((abs(float(f.value)) for f in rep.flags if f.code == "forced_turnout"), default=0.0)
    return worst, len(rep.flags), forced


#: Knee (and so forced) turnout is shown only where the knee bends at least this much beyond standing.
KNEE_DIRECTION_MIN_REL_FLEXION_DEG: Final = 15.0


def relative_to_baseline(values: dict[str, np.ndarray], baseline: Any) -> dict[str, np.ndarray]:
    """Flexion relative to her standing baseline, and knee/forced turnout hidden where the knee is straight.

    MediaPipe reads straight standing knees as 13-22 degrees bent, so a knee 'direction' there is noise.
    """
    out = dict(values)
    for side in ("left", "right"):
        flex = np.asarray(values.get(f"{side}_knee_flexion_deg", np.array([])), dtype=float)
        if baseline is not None and flex.size:
            flex = flex - float(getattr(baseline, f"{side}_knee_flexion_deg"))
            out[f"{side}_knee_flexion_deg"] = flex
        straight = ~(flex >= KNEE_DIRECTION_MIN_REL_FLEXION_DEG) if flex.size else None
        for name in (f"{side}_knee_turnout_deg", f"{side}_forced_turnout_deg"):
            if straight is not None and name in out:
                out[name] = np.where(straight, np.nan, np.asarray(out[name], dtype=float))
    return out


def plot_session(t_s: np.ndarray, values: dict[str, np.ndarray], reps: list[RepSummary]) -> str:
    """Angles over time, reps shaded, flags marked at each rep's bottom; a base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(_PLOTS), 1, figsize=(11, 2.3 * len(_PLOTS)), sharex=True)
    for ax, (title, names) in zip(axes, _PLOTS, strict=True):
        for name, colour in zip(names, ("#8e44ad", "#16a085"), strict=True):
            if name in values:
                ax.plot(t_s, values[name], color=colour, lw=1.4, label=name.split("_")[0])
        for rep in reps:
            ax.axvspan(rep.t_start_s, rep.t_end_s, color="#f1c40f", alpha=0.18, lw=0)
            t_mark = 0.5 * (rep.t_bottom_start_s + rep.t_bottom_end_s)
            for k, flag in enumerate(rep.flags):
                ax.plot(t_mark, 1.0 - 0.12 * k, marker="v", ms=9, color=_SEVERITY_COLOUR.get(flag.severity, "k"),
                        transform=ax.get_xaxis_transform(), clip_on=False)  # fmt: skip
        ax.set_title(title, fontsize=10, loc="left")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    data = _png(fig)
    plt.close(fig)
    return data


def _bottom_index(idx: np.ndarray, t_s: np.ndarray, rep: RepSummary) -> int | None:
    if len(t_s) == 0:
        return None
    t_mid = 0.5 * (rep.t_bottom_start_s + rep.t_bottom_end_s)
    return int(idx[int(np.argmin(np.abs(t_s - t_mid)))])


def worst_rep_picture(store: Store, session_id: int, rep: RepSummary, stored_rep_id: int | None) -> str | None:
    """The worst rep at its bottom: a frame of its clip when there is one, with the legs drawn over it."""
    import cv2

    from turnout.capture.sources import opencv_path

    session = store.get_session(session_id)
    frames = store.frames(session_id)
    poses = store.poses(session_id)
    frame_idx = _bottom_index(frames.idx, frames.t_s, rep)
    if frame_idx is None:
        return None
    width, height = int(session.width or 960), int(session.height or 540)
    canvas = None
    t_mid = 0.5 * (rep.t_bottom_start_s + rep.t_bottom_end_s)
    for clip in store.clips(session_id):
        if stored_rep_id is not None and clip.rep_id != stored_rep_id:
            continue
        with opencv_path(store.folder / clip.path) as name:  # any bytes in the folder's name (not only UTF-8)
            cap = cv2.VideoCapture(name)
            cap.set(cv2.CAP_PROP_POS_MSEC, max(0.0, t_mid * 1000.0 - clip.t_start_ms))
            ok, img = cap.read()
            cap.release()
        if ok and img is not None:
            canvas = cv2.resize(img, (width, height))
            break
    if canvas is None:
        canvas = np.full((height, width, 3), 40, np.uint8)
    if poses is not None:
        where = np.flatnonzero(poses.idx == frame_idx)
        if where.size:
            pts = poses.image[int(where[0])]
            if np.all(np.isfinite(pts[list(lm.LOWER_BODY), :2])):
                xy = [(int(p[0] * width), int(p[1] * height)) for p in pts]
                for a, b in lm.LEG_BONES:
                    cv2.line(canvas, xy[a], xy[b], (80, 220, 255), 3, cv2.LINE_AA)
                for i in lm.LOWER_BODY:
                    cv2.circle(canvas, xy[i], 5, (255, 255, 255), -1, cv2.LINE_AA)
    ok, png = cv2.imencode(".png", canvas)
    return base64.b64encode(png.tobytes()).decode("ascii") if ok else None


def _fmt(v: float, unit: str = "°", digits: int = 0) -> str:
    return f"{v:.{digits}f}{unit}" if isinstance(v, float | int) and math.isfinite(v) else "–"


def build_report(store: Store, session_id: int) -> str:
    """The report's HTML text."""
    session = store.get_session(session_id)
    stored = store.reps(session_id)
    reps = [s.rep for s in stored]
    holds = [h.hold for h in store.holds(session_id)]
    frames = store.frames(session_id)
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Turnout session {session_id}</title><style>",
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}",
        "table{border-collapse:collapse;width:100%;font-size:14px}td,th{border:1px solid #ddd;padding:4px 6px;"
        "text-align:left;vertical-align:top}th{background:#f4f4f4}.bad{color:#c0392b}.warn{color:#e67e22}"
        ".info{color:#2980b9}img{max-width:100%}.muted{color:#777}",
        "</style></head><body>",
        f"<h1>Turnout session {session_id}</h1>",
        f"<p>{e(str(session.source or ''))} · {e(local_time(session.started_at))} · "
        f"dancer {e(session.dancer or '–')} · "
        f"status {e(session.status)} · {len(reps)} reps, {sum(1 for r in reps if r.flags)} flagged · "
        f"{len(holds)} holds</p>",
    ]
    if session.baseline is not None:
        b = session.baseline
        parts.append(
            f"<p>Standing baseline: knees {_fmt(b.left_knee_flexion_deg)} / {_fmt(b.right_knee_flexion_deg)}, "
            f"feet {_fmt(b.left_foot_turnout_deg)} / {_fmt(b.right_foot_turnout_deg)} (left / right).</p>"
        )
    cal = session.calibration
    if cal:
        parts.append(f"<p>Floor calibrated with {e(str(cal.get('reference', 'a reference')))}: foot angles in "
                     "true floor degrees on the frames measured after it (the reps' <i>mode</i> column says which "
                     "were); see docs/calibration.md.</p>")  # fmt: skip
    else:
        parts.append("<p class='muted'>Measured in uncalibrated 3D mode (MediaPipe's depth from one camera: turnout "
                     "reads smaller than it is); lay a sheet on the floor to measure in true floor degrees. See "
                     "docs/measurements.md.</p>")  # fmt: skip
    if len(frames.t_s):
        plot = plot_session(frames.t_s, relative_to_baseline(frames.values, session.baseline), reps)
        parts += [
            "<h2>Angles over time</h2>",
            "<p class='muted'>Reps shaded; flags marked at each rep's bottom (red bad, orange warn).</p>",
            f"<img alt='angles over time' src='data:image/png;base64,{plot}'>",
        ]
    parts += ["<h2>Reps</h2>", "<table><tr><th>#</th><th>kind</th><th>start</th><th>down / up</th><th>depth</th>"
              "<th>feet L / R</th><th>knees at bottom L / R</th><th>mode</th><th>flags and cues</th></tr>"]  # fmt: skip
    for rep in sorted(reps, key=rep_score, reverse=True):
        flags = (
            "<br>".join(
                f"<span class='{e(f.severity)}'>[{e(f.severity)}] {e(f.reason)}</span> — <b>{e(f.cue)}</b>"
                for f in rep.flags
            )
            or "none"
        )
        parts.append(
            f"<tr><td>{rep.index}</td><td>{e(rep.kind)}</td><td>{rep.t_start_s:.1f} s</td>"
            f"<td>{rep.descent_s:.1f} / {rep.ascent_s:.1f} s</td><td>{_fmt(rep.depth_deg)}</td>"
            f"<td>{_fmt(rep.left.foot_turnout_mean_deg)} / {_fmt(rep.right.foot_turnout_mean_deg)}</td>"
            f"<td>{_fmt(rep.left.knee_turnout_bottom_deg)} / {_fmt(rep.right.knee_turnout_bottom_deg)}</td>"
            f"<td>{e(str(rep.mode or '–'))}</td><td>{flags}</td></tr>"
        )
    parts.append("</table>")
    if holds:
        parts += ["<h2>Holds</h2>", "<table><tr><th>#</th><th>start</th><th>length</th><th>total turnout</th>"
                  "<th>flags</th></tr>"]  # fmt: skip
        for h in holds:
            flags = "<br>".join(f"[{e(f.severity)}] {e(f.reason)} — {e(f.cue)}" for f in h.flags) or "none"
            parts.append(f"<tr><td>{h.index}</td><td>{h.t_start_s:.1f} s</td><td>{h.t_end_s - h.t_start_s:.1f} s"
                         f"</td><td>{_fmt(h.total_foot_turnout_mean_deg)}</td><td>{flags}</td></tr>")  # fmt: skip
        parts.append("</table>")
    flagged = [s for s in stored if s.rep.flags]
    if flagged:
        worst = max(flagged, key=lambda s: rep_score(s.rep))
        pic = worst_rep_picture(store, session_id, worst.rep, worst.id)
        parts.append(f"<h2>Worst rep: #{worst.rep.index}</h2>")
        parts += [f"<p>{e(f.reason)} — <b>{e(f.cue)}</b></p>" for f in worst.rep.flags]
        if pic:
            parts.append(f"<img alt='worst rep at its bottom' src='data:image/png;base64,{pic}'>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(store: Store, session_id: int, path: str | Path) -> Path:
    """Write the report atomically (a ``.tmp`` beside it, renamed into place; removed when writing fails, which
    is one line: :class:`~turnout.errors.TurnoutError`)."""
    from turnout.errors import TurnoutError

    out = Path(path)
    html = build_report(store, session_id)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        name = os.fsdecode(out).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise TurnoutError(
            f"cannot write the report {name}: {exc.strerror or exc}; choose another file (-o) or free some space"
        ) from None
    return out
