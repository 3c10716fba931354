"""Exports of one session: CSV (reps), JSON (everything, frames included) and a one-page HTML report.

Qt-free; the window and ``turnout sessions export`` write the same files. The HTML report is self-contained
(the chart, if given, is embedded).

Every degree column comes with its measured uncertainty (``turnout.session.display``): the reps' and frames' CSVs
carry ``*_p95_deg`` columns (95 % of frames on the studio read within this of the truth in that row's mode) and
each foot's reading from the picture with its 95 % range; the JSON carries the whole table (``uncertainty``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, TextIO

from turnout.measure.measures import MODE_COLUMN, SIDES, mode_label
from turnout.session import display
from turnout.session.report import write_report
from turnout.storage.store import SessionRow, Store

EXPORT_FORMAT = "turnout-session"
EXPORT_VERSION = 1
TABLES = ("reps", "holds", "flags", "frames")
FORMATS: Final = {".csv": "CSV (reps)", ".json": "JSON (all data)", ".html": "HTML report"}


def export_session(store: Store, session_id: int, path: Path) -> Path:
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
        write_report(store, session_id, path)  # the one report, as `turnout report` writes it
    return path


def _cell(v: Any) -> Any:
    if isinstance(v, float):
        return "" if not math.isfinite(v) else round(v, 6)
    return "" if v is None else v


def _flat(prefix: str, d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(f"{prefix}{k}_", v))
        elif not isinstance(v, list):
            out[prefix + k] = v
    return out


def session_dict(store: Store, session: SessionRow, frames: bool = False) -> dict[str, Any]:
    """The JSON export of one session."""
    meta = {k: getattr(session, k) for k in SessionRow.__dataclass_fields__ if k != "baseline"}
    meta["baseline"] = session.baseline.to_dict() if session.baseline is not None else None
    meta["measure_names"] = list(session.measure_names)
    out: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "schema_version": store.schema_version,
        "session": meta,
        "reps": [s.rep.to_dict() | {"id": s.id} for s in store.reps(session.id)],
        "holds": [s.hold.to_dict() | {"id": s.id} for s in store.holds(session.id)],
        "clips": [
            {"rep_id": c.rep_id, "path": c.path, "t_start_s": c.t_start_ms / 1000, "t_end_s": c.t_end_ms / 1000}
            for c in store.clips(session.id)
        ],
        "uncertainty": display.uncertainty_table(),
    }
    if frames:
        table = store.frames(session.id)
        out["frames"] = {
            "frame": table.idx.tolist(),
            "t_s": table.t_s.tolist(),
            "reliable": table.reliable.tolist(),
            **{n: [None if not math.isfinite(x) else x for x in v.tolist()] for n, v in table.values.items()},
        }
    return out


def table_rows(store: Store, session_id: int, table: str) -> Iterator[dict[str, Any]]:
    """Rows of one CSV export table: reps, holds, flags or frames."""
    if table == "reps":
        clips = {c.rep_id: c.path for c in store.clips(session_id)}
        frames = store.frames(session_id)
        for s in store.reps(session_id):
            d = s.rep.to_dict()
            flags = ";".join(f"{f['code']}:{f['severity']}:{f['side'] or ''}" for f in d["flags"])
            picture = display.picture_feet_over(frames.t_s, frames.values, s.rep.t_start_s, s.rep.t_end_s)
            feet: dict[str, Any] = {}
            for side in SIDES:
                r = display.rep_foot_reading(s.rep, side, picture)
                feet |= {f"{side}_foot_deg": r.deg, f"{side}_foot_low_deg": r.low, f"{side}_foot_high_deg": r.high}
            yield {
                "rep": d.pop("index"),
                **_flat("", d),
                **feet,
                "feet_shown": display.feet_text(s.rep, picture),
                **display.p95_row(s.rep.floor_calibrated_fraction),
                "worst_severity": s.rep.worst_severity or "",
                "flags": flags,
                "clip": clips.get(s.id, ""),
            }
    elif table == "holds":
        for h in store.holds(session_id):
            d = h.hold.to_dict()
            yield {"hold": d.pop("index"), **_flat("", d), "flags": ";".join(f["code"] for f in d["flags"])}
    elif table == "flags":
        for s in store.reps(session_id):
            for f in s.rep.flags:
                yield {"rep": s.rep.index, "hold": "", **f.to_dict()}
        for h in store.holds(session_id):
            for f in h.hold.flags:
                yield {"rep": "", "hold": h.hold.index, **f.to_dict()}
    else:
        t = store.frames(session_id)
        for i, row in enumerate(t.rows()):
            mode = mode_label(row.get(MODE_COLUMN, math.nan))  # older sessions did not record it: blank
            yield {"frame": int(t.idx[i]), "t_s": float(t.t_s[i]), "reliable": int(t.reliable[i]), "mode": mode,
                   **row, **display.p95_row(row.get(MODE_COLUMN, math.nan))}  # fmt: skip


def write_csv(rows: Iterator[dict[str, Any]], out: TextIO) -> int:
    writer: csv.DictWriter[str] | None = None
    n = 0
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow({k: _cell(v) for k, v in row.items()})
        n += 1
    return n


def _json_default(obj: Any) -> Any:
    if isinstance(obj, tuple):
        return list(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return str(obj)
