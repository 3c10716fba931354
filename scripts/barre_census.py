"""The barre counters (relevés, tendus, held positions) of the working tree over every cached analysis: a census to
compare before and after a change to ``turnout.practice.barre``.

    .venv/bin/python scripts/barre_census.py OUT.json build/accuracy/uncal build/barre/faults build/barre/real

Each DIR's ``*.frames.csv`` (written by ``turnout analyze --out``: the studio scenes by ``make accuracy``, the fault
renders of ``scripts/barre_fault_renders.py``, the real clips) is replayed through ``barre.count_rows``; OUT.json
holds every rep's and hold's fields and every discarded tendu's reason, per recording. It prints the totals and, with
``--compare BEFORE.json``, every recording whose counts or directions changed. CSVs written before the per-frame
knee bend in the picture existed get it worked out from the same points (as ``turnout.measure.image`` does).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path
from typing import Any

from turnout.practice import barre
from turnout.testing.frames_csv import read_frame_rows


def _rows(path: Path) -> list[dict[str, float]]:
    rows = read_frame_rows(path)
    for r in rows:
        for s in ("left", "right"):
            if math.isfinite(r.get(f"{s}_knee_bend_img_deg", math.nan)):
                continue
            r[f"{s}_knee_bend_img_deg"] = math.nan
            try:
                if r.get(f"{s}_hip_visibility", 1.0) < 0.5:
                    continue
                hx, hy = r[f"{s}_hip_x_px"] - r["frame_width_px"] / 2, r[f"{s}_hip_y_px"] - r["frame_height_px"] / 2
                kx, ky, ax, ay = r[f"{s}_knee_x_px"], r[f"{s}_knee_y_px"], r[f"{s}_ankle_x_px"], r[f"{s}_ankle_y_px"]
                ux, uy, vx, vy = hx - kx, hy - ky, ax - kx, ay - ky
                c = (ux * vx + uy * vy) / math.hypot(ux, uy) / math.hypot(vx, vy)
                r[f"{s}_knee_bend_img_deg"] = 180 - math.degrees(math.acos(max(-1.0, min(1.0, c))))
            except (KeyError, ZeroDivisionError, ValueError):
                pass
    return rows


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (round(v, 4) if math.isfinite(v) else None) if isinstance(v, float) else v for k, v in d.items()}


def census(dirs: list[Path]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for d in dirs:
        for p in sorted(d.glob("*.frames.csv")):
            rows = _rows(p)
            t = [r["timestamp_ms"] / 1000.0 for r in rows]
            ok = [r["reliable"] == 1.0 for r in rows]
            releves, tendus, events = barre.count_rows(t, rows, ok)
            out[p.name.removesuffix(".frames.csv")] = {
                "releves": [_clean(dataclasses.asdict(r)) for r in releves],
                "tendus": [_clean(dataclasses.asdict(r)) for r in tendus],
                "holds": [_clean(dataclasses.asdict(e.hold)) for e in events if isinstance(e, barre.PositionHoldEnded)],
                "tendu_discards": [f"{e.t_s:.2f}: {e.reason}" for e in events if isinstance(e, barre.TenduDiscarded)],
            }
    return out


def _summary(v: dict[str, Any]) -> tuple[int, list[tuple[str, str]], int]:
    return len(v["releves"]), [(t["leg"], t["direction"]) for t in v["tendus"]], len(v["holds"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path)
    p.add_argument("dirs", type=Path, nargs="+")
    p.add_argument("--compare", type=Path, help="an earlier OUT.json: print the recordings whose counts changed")
    a = p.parse_args(argv)
    out = census(a.dirs)
    a.out.write_text(json.dumps(out, indent=1))
    total = [sum(len(v[k]) for v in out.values()) for k in ("releves", "tendus", "holds")]
    print(f"{len(out)} recordings; {total[0]} relevés, {total[1]} tendus, {total[2]} holds")
    if a.compare:
        before = json.loads(a.compare.read_text())
        for name in sorted(set(before) | set(out)):
            old = _summary(before[name]) if name in before else None
            new = _summary(out[name]) if name in out else None
            if old != new:
                print(f"{name}: {old} -> {new}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
