"""Exports of one session: CSV (reps), JSON (everything, frames included) and a one-page HTML report.

Qt-free; the JSON and CSV come from :mod:`turnout.cli.sessions`, so the window and ``turnout sessions
export`` write the same files. The HTML report is self-contained (the chart, if given, is embedded).
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path
from typing import Any, Final

from turnout.cli.sessions import session_dict, table_rows, write_csv
from turnout.storage.store import Store

FORMATS: Final = {".csv": "CSV (reps)", ".json": "JSON (all data)", ".html": "HTML report"}


def export_session(store: Store, session_id: int, path: Path, chart_png: bytes | None = None) -> Path:
    """Write session ``session_id`` to ``path``; the format follows the suffix (.csv, .json, .html)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path.name}: choose a .csv, .json or .html file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            write_csv(table_rows(store, session_id, "reps"), out)
    elif suffix == ".json":
        data = session_dict(store, store.get_session(session_id), frames=True)
        path.write_text(json.dumps(data, indent=1, default=_json_default), encoding="utf-8")
    else:
        path.write_text(html_report(session_dict(store, store.get_session(session_id)), chart_png), encoding="utf-8")
    return path


def _json_default(obj: Any) -> Any:
    if isinstance(obj, tuple):
        return list(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return str(obj)


def _num(v: Any, unit: str = "°", digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{float(v):.{digits}f}{unit}"


_CSS: Final = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
h1 { margin-bottom: 0; } .meta { color: #666; }
table { border-collapse: collapse; width: 100%; margin: 1em 0; font-size: 14px; }
th, td { border-bottom: 1px solid #ddd; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; } .bad { color: #c62828; font-weight: bold; } .warn { color: #b26a00; font-weight: bold; }
.ok { color: #2e7d32; } img { max-width: 100%; border: 1px solid #ddd; }
"""


def html_report(data: dict[str, Any], chart_png: bytes | None = None) -> str:
    """A readable page: the session, its reps with their flags (flagged first), and the chart."""
    s = data["session"]
    reps = sorted(data["reps"], key=lambda r: (-_rank(r), r["index"]))
    flagged = sum(1 for r in reps if r["flags"])
    e = html.escape
    rows = []
    for r in reps:
        worst = _worst(r)
        flags = "<br>".join(
            f'<span class="{e(f["severity"])}">{e(f["code"].replace("_", " "))}'
            f"{' (' + e(f['side']) + ')' if f.get('side') else ''}</span>: {e(f['reason'])}. <i>{e(f['cue'])}</i>"
            for f in r["flags"]
        )
        foot = " / ".join(_num(r[s].get("foot_turnout_start_deg")) for s in ("left", "right"))
        knee = " / ".join(_num(r[s].get("knee_turnout_bottom_deg")) for s in ("left", "right"))
        rows.append(
            f"<tr><td>{r['index']}</td><td>{e(r['kind'])}</td><td>{_num(r.get('depth_deg'))}</td>"
            f"<td>{_num(r.get('duration_s'), ' s', 1)}</td><td>{foot}</td><td>{knee}</td>"
            f'<td class="{worst or "ok"}">{flags or "no faults"}</td></tr>'
        )
    chart = ""
    if chart_png:
        b64 = base64.b64encode(chart_png).decode()
        chart = f'<h2>Angles over time</h2><img alt="angles over time" src="data:image/png;base64,{b64}">'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Turnout session {s["id"]}</title><style>{_CSS}</style></head>
<body>
<h1>Turnout: session {s["id"]}</h1>
<p class="meta">{e(str(s.get("started_at") or ""))} · {e(str(s.get("source") or ""))}
{(" · " + e(s["dancer"])) if s.get("dancer") else ""} · {s.get("n_reps", len(reps))} reps, {flagged} flagged ·
{_num(s.get("duration_s"), " s")} recorded</p>
{chart}
<h2>Reps (flagged first)</h2>
<table><tr><th>#</th><th>Kind</th><th>Depth</th><th>Duration</th><th>Standing foot turnout L / R</th>
<th>Knee turnout at the bottom L / R</th><th>Flags</th></tr>
{"".join(rows) or '<tr><td colspan="7">No reps in this session.</td></tr>'}
</table>
<p class="meta">Knee turnout at the bottom of a demi-plié shows what the hips give; standing foot turnout
beyond it is forced from the feet.</p>
</body></html>
"""


_RANKS: Final = {"info": 1, "warn": 2, "bad": 3}


def _worst(rep: dict[str, Any]) -> str | None:
    return max((f["severity"] for f in rep["flags"]), key=lambda s: _RANKS.get(s, 0), default=None)


def _rank(rep: dict[str, Any]) -> int:
    return _RANKS.get(_worst(rep) or "", 0)
