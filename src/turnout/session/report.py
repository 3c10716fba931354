"""A session's HTML report: angles over time with reps shaded and flags marked, a table of reps with their
flags and cues, and a picture of the worst rep. One self-contained file (pictures inlined), no network.

Every degree figure follows the display rule (``turnout.session.display``): a number only where its measured
end-to-end error is smaller than the decision it supports, else the range the truth lies in, or "calibrate to see
degrees". The feet over time are the picture's readings with their range shaded; knee bends are measured from her
standing, so straight knees read 0 (MediaPipe's 3D reads a straight knee about 15 degrees bent).
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from turnout.pose import landmarks as lm
from turnout.session import display
from turnout.storage.store import stores_picture_feet

if TYPE_CHECKING:
    from turnout.practice.reps import RepSummary
    from turnout.storage.store import Store

_SEVERITY_COLOUR: Final = {"bad": "#c0392b", "warn": "#e67e22", "info": "#2980b9"}
_SEVERITY_RANK: Final = {"bad": 2, "warn": 1, "info": 0}
_PICTURE: Final = {s: (f"{s}_foot_picture_deg", f"{s}_foot_picture_low_deg", f"{s}_foot_picture_high_deg")
                   for s in ("left", "right")}  # fmt: skip
#: The plots: (title, the series). The knees' and forced turnout per frame are not plotted: from 3D they read 43-100
#: degrees off (95 %) on the studio (turnout.session.display), more than anything they could show.
_PLOTS: Final = (
    (
        "Knee bend from her standing (deg; 0 = as straight as she stands)",
        ("left_knee_flexion_deg", "right_knee_flexion_deg"),
    ),
    (
        "Foot turnout from the picture (deg; shaded: the range that holds the truth for 95 % of frames)",
        (_PICTURE["left"][0], _PICTURE["right"][0]),
    ),
)
#: Sessions stored before the picture's readings: the 3D foot turnout, titled with its measured error.
_PLOT_FEET_3D: Final = (
    f"Foot turnout, 3D (deg; reads 17-23 low, 95 % within {display.p95_deg('foot', 'uncalibrated-3d'):.0f}: "
    "compare with yourself only)",
    ("left_foot_turnout_deg", "right_foot_turnout_deg"),
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
#: Without a standing baseline, knee bends are measured from this percentile of the session's own (her straightest).
STRAIGHTEST_PERCENTILE: Final = 10.0


def relative_to_baseline(values: dict[str, np.ndarray], baseline: Any) -> dict[str, np.ndarray]:
    """Flexion relative to her standing baseline, and knee/forced turnout hidden where the knee is straight.

    MediaPipe reads straight standing knees as 13-22 degrees bent, so a knee 'direction' there is noise. Without
    a standing baseline, flexion is taken from her straightest (:data:`STRAIGHTEST_PERCENTILE` of the session).
    """
    out = dict(values)
    for side in ("left", "right"):
        flex = np.asarray(values.get(f"{side}_knee_flexion_deg", np.array([])), dtype=float)
        standing = float(getattr(baseline, f"{side}_knee_flexion_deg", math.nan)) if baseline is not None else math.nan
        if not math.isfinite(standing) and np.isfinite(flex).any():
            # no standing reference: her straightest (the 10th percentile), never the raw 3D bend
            standing = float(np.nanpercentile(flex, STRAIGHTEST_PERCENTILE))
        if flex.size and math.isfinite(standing):
            flex = flex - standing
            out[f"{side}_knee_flexion_deg"] = flex
        straight = ~(flex >= KNEE_DIRECTION_MIN_REL_FLEXION_DEG) if flex.size else None
        for name in (f"{side}_knee_turnout_deg", f"{side}_forced_turnout_deg"):
            if straight is not None and name in out:
                out[name] = np.where(straight, np.nan, np.asarray(out[name], dtype=float))
    return out


def unread_feet(names: Sequence[str], values: Mapping[str, np.ndarray]) -> list[str]:
    """The foot curves among ``names`` that hold no reading (not stored, or ``nan`` on every frame)."""
    return [n for n in names if "_foot_" in n and not (n in values and np.isfinite(values[n]).any())]


def plot_session(t_s: np.ndarray, values: dict[str, np.ndarray], reps: list[RepSummary]) -> str:
    """Angles over time, reps shaded, flags marked at each rep's bottom; a base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots = list(_PLOTS)
    if not stores_picture_feet(values):
        plots[1] = _PLOT_FEET_3D  # a session stored before the picture's readings
    fig, axes = plt.subplots(len(plots), 1, figsize=(11, 2.3 * len(plots)), sharex=True)
    for ax, (title, names) in zip(axes, plots, strict=True):
        unread = unread_feet(names, values)
        for name, colour in zip(names, ("#8e44ad", "#16a085"), strict=True):
            if name in values:
                label = name.split("_")[0] + (f" ({display.NOT_READ})" if name in unread else "")
                ax.plot(t_s, values[name], color=colour, lw=1.4, label=label)
                side = name.split("_")[0]
                low, high = _PICTURE.get(side, ("", "", ""))[1:]
                if name == _PICTURE.get(side, ("",))[0] and low in values and high in values:
                    ax.fill_between(t_s, values[low], values[high], color=colour, alpha=0.15, lw=0)
        for rep in reps:
            ax.axvspan(rep.t_start_s, rep.t_end_s, color="#f1c40f", alpha=0.18, lw=0)
            t_mark = 0.5 * (rep.t_bottom_start_s + rep.t_bottom_end_s)
            for k, flag in enumerate(rep.flags):
                ax.plot(t_mark, 1.0 - 0.12 * k, marker="v", ms=9, color=_SEVERITY_COLOUR.get(flag.severity, "k"),
                        transform=ax.get_xaxis_transform(), clip_on=False)  # fmt: skip
        if unread and len(unread) == len(names):
            ax.text(0.5, 0.5, display.FEET_NEVER_READ, transform=ax.transAxes, ha="center", va="center", fontsize=9,
                    color="#555555", wrap=True)  # fmt: skip
            ax.set_yticks([])  # no degrees to scale
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
            f"<p>Standing reference ({e(str(b.method))}, from {b.t_start_s:.1f} to {b.t_end_s:.1f} s): knee bends and "
            "heel lifts are measured from how she stands, so straight knees read 0°.</p>"
        )
    cal = session.calibration
    if cal:
        reference = str(cal.get("reference", "a reference"))
        parts.append(f"<p>Floor calibrated with {e(reference)} on the frames measured after it (the reps' "
                     f"<i>mode</i> column says which were): {e(display.floor_end_to_end(reference))}. See "
                     "docs/calibration.md and docs/accuracy.md.</p>")  # fmt: skip
    else:
        parts.append("<p class='muted'>Measured in uncalibrated 3D mode (MediaPipe's depth from one camera: a foot's "
                     "turnout reads 17-23° smaller than it is); the feet are read from the picture instead, with "
                     "their range. See docs/measurements.md and docs/accuracy.md.</p>")  # fmt: skip
    if len(frames.t_s):
        shown = display.blank_hidden_feet(frames.t_s, frames.values, reps)  # feet found hidden: not plotted
        plot = plot_session(frames.t_s, relative_to_baseline(shown, session.baseline), reps)
        parts += [
            "<h2>Angles over time</h2>",
            "<p class='muted'>Reps shaded; flags marked at each rep's bottom (red bad, orange warn). Degrees as "
            "ranges where their measured error is wider than a number could claim (turnout.session.display).</p>",
            f"<img alt='angles over time' src='data:image/png;base64,{plot}'>",
        ]
    parts += ["<h2>Reps</h2>", "<table><tr><th>#</th><th>kind</th><th>start</th><th>down / up</th>"
              "<th>hips down</th><th>feet L / R (95% range)</th><th>knees at bottom</th><th>mode</th>"
              "<th>flags and cues</th></tr>"]  # fmt: skip
    for rep in sorted(reps, key=rep_score, reverse=True):
        flags = (
            "<br>".join(
                f"<span class='{e(f.severity)}'>[{e(f.severity)}] {e(f.reason)}</span> — <b>{e(f.cue)}</b>"
                for f in rep.flags
            )
            or "none"
        )
        picture = display.picture_feet_over(frames.t_s, frames.values, rep.t_start_s, rep.t_end_s)
        drop = f"{rep.hip_drop:.0%}" if math.isfinite(rep.hip_drop) else "–"
        parts.append(
            f"<tr><td>{rep.index}</td><td>{e(rep.kind)}</td><td>{rep.t_start_s:.1f} s</td>"
            f"<td>{rep.descent_s:.1f} / {rep.ascent_s:.1f} s</td><td>{drop}</td>"
            f"<td>{e(display.feet_text(rep, picture))}</td>"
            f"<td>{e(rep.knee_words('left'))}; {e(rep.knee_words('right'))}</td>"
            f"<td>{e(str(rep.mode or '–'))}</td><td>{flags}</td></tr>"
        )
    parts.append("</table>")
    if holds:
        parts += ["<h2>Holds</h2>", "<table><tr><th>#</th><th>start</th><th>length</th>"
                  "<th>total turnout (95% range)</th><th>flags</th></tr>"]  # fmt: skip
        for h in holds:
            flags = "<br>".join(f"[{e(f.severity)}] {e(f.reason)} — {e(f.cue)}" for f in h.flags) or "none"
            parts.append(f"<tr><td>{h.index}</td><td>{h.t_start_s:.1f} s</td><td>{h.t_end_s - h.t_start_s:.1f} s"
                         f"</td><td>{e(display.hold_total_shown(h).text)}</td><td>{flags}</td></tr>")  # fmt: skip
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
