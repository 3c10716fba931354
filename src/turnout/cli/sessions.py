"""``turnout sessions list | show ID | export ID --csv/--json | delete ID`` and ``turnout reanalyze ID``.

:func:`register` adds the commands to the main parser (``turnout.cli.main``). Handlers return an exit code and
raise :class:`~turnout.errors.TurnoutError` (one line, exit status 2) for anything the user must fix.
:func:`reanalyze_session` is the re-analysis itself, for the window to call too.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from turnout.errors import TurnoutError
from turnout.measure.measures import MODE_COLUMN, mode_label
from turnout.practice.baseline import Baseline
from turnout.practice.hip import estimate_hip_turnout
from turnout.practice.tracker import analyze_rows, is_reliable
from turnout.settings import Settings, load_settings
from turnout.storage.store import SessionRow, StorageError, Store, default_db_path

if TYPE_CHECKING:
    from turnout.floor.reference import FloorCalibration

EXPORT_FORMAT = "turnout-session"
EXPORT_VERSION = 1
TABLES = ("reps", "holds", "flags", "frames")


# ---- re-analysis -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReanalysisResult:
    session_id: int
    #: "measurements" (stored per-frame rows) or "landmarks" (stored pose track through the geometry)
    source: str
    reps_before: int
    reps: int
    flagged_reps: int
    holds: int


def _series_from_landmarks(
    store: Store, session_id: int, floor: tuple[FloorCalibration, set[int]] | None = None
) -> tuple[np.ndarray, dict[str, np.ndarray]] | None:
    """Measure the stored landmarks again: in 3D, and with ``floor`` = (calibration, frame indices) those frames
    on the calibrated floor."""
    poses = store.poses(session_id)
    if poses is None:
        return None
    try:
        from turnout.measure.geometry import measure_series  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return None
    image = poses.image.astype(np.float64)
    world = poses.world.astype(np.float64)
    series = measure_series(world, image[:, :, :3], image[:, :, 3])
    out = {k: np.asarray(v, dtype=np.float64) for k, v in series.items()}
    out[MODE_COLUMN] = np.where(np.isfinite(out["left_knee_flexion_deg"]) | np.isfinite(out["right_knee_flexion_deg"]),
                                0.0, math.nan)  # fmt: skip
    if floor is not None:
        from turnout.floor.floormode import FloorCamera, measure_frame_on_floor

        cal, on_floor = floor
        cam = FloorCamera.from_calibration(cal)
        for i, idx in enumerate(poses.idx):
            if int(idx) not in on_floor:
                continue
            row = measure_frame_on_floor(world[i], image[i, :, :3], image[i, :, 3], cal, cam).as_row()
            for k, v in row.items():
                out[k][i] = v
    return poses.idx, out


def reanalyze_session(
    store: Store, session_id: int, settings: Settings, *, source: str = "auto", rebaseline: bool = False
) -> ReanalysisResult:
    """Recompute reps, holds and flags of a stored session with ``settings`` (no pose inference) and replace
    the stored ones. ``source``: "auto" (landmarks if stored and the geometry is available, else
    measurements), "landmarks" or "measurements". The dancer's hip-turnout profile is updated.

    A session measured on a calibrated floor is re-analysed from its measurements under "auto"; with
    "landmarks" its floor-calibrated frames are measured again on the session's (last) floor calibration."""
    session = store.get_session(session_id)
    if session.status == "recording" and session_id not in store.recover_interrupted():
        raise TurnoutError(f"session {session_id} is still being recorded; re-analyse it when it has ended")
    table = store.frames(session_id)
    if len(table.idx) == 0:
        raise TurnoutError(f"session {session_id} has no stored frames to re-analyse")
    values, used = table.values, "measurements"
    # Floor-calibrated frames were measured with the calibration of their time; the session keeps its last one.
    stored_mode = values.get(MODE_COLUMN)
    on_floor = stored_mode is not None and bool(np.any(stored_mode == 1.0))
    if on_floor and source == "auto":
        source = "measurements"  # as measured, each with its own calibration: re-measuring could only guess it
    floor: tuple[FloorCalibration, set[int]] | None = None
    if on_floor and source == "landmarks":
        if not session.calibration:
            raise TurnoutError(f"session {session_id}: its floor calibration was not stored; re-analyse it from "
                               "--source measurements")  # fmt: skip
        from turnout.floor.reference import FloorCalibration

        assert stored_mode is not None
        frames = {int(i) for i, m in zip(table.idx, stored_mode, strict=True) if m == 1.0}
        floor = (FloorCalibration.from_dict(dict(session.calibration)), frames)
    if source in ("auto", "landmarks"):
        found = _series_from_landmarks(store, session_id, floor)
        if found is not None:
            pose_idx, series = found
            pos = np.searchsorted(table.idx, pose_idx)
            ok = (pos < len(table.idx)) & (table.idx[np.minimum(pos, len(table.idx) - 1)] == pose_idx)
            values = {n: np.full(len(table.idx), math.nan) for n in series}
            for n, v in series.items():
                values[n][pos[ok]] = v[ok]
            used = "landmarks"
        elif source == "landmarks":
            raise TurnoutError(f"session {session_id}: no stored pose track, or no geometry module, to re-measure")
    names = list(values)
    rows = [dict(zip(names, (float(x) for x in r), strict=True)) for r in np.stack([values[n] for n in names], 1)]
    reliable = [is_reliable(r, bool(ok)) for r, ok in zip(rows, table.reliable, strict=True)]
    baseline: Baseline | None = None if rebaseline else session.baseline
    hip = store.hip_profile(session.dancer_id) if session.dancer_id is not None else None
    result = analyze_rows(table.t_s.tolist(), rows, reliable, settings, baseline, hip)
    store.replace_analysis(session_id, result.reps, result.holds, result.baseline, settings)
    if session.dancer_id is not None:
        est = estimate_hip_turnout(store.hip_samples(session.dancer_id, settings.hip.recent_reps), settings.hip)
        if est is not None:
            store.save_hip_profile(session.dancer_id, est)
    flagged = sum(1 for r in result.reps if r.flags)
    return ReanalysisResult(session_id, used, session.n_reps, len(result.reps), flagged, len(result.holds))


# ---- formatting ------------------------------------------------------------------------------------------


def _fmt_duration(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m // 60:d}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m:d}:{s:02d}"


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
        for s in store.reps(session_id):
            d = s.rep.to_dict()
            flags = ";".join(f"{f['code']}:{f['severity']}:{f['side'] or ''}" for f in d["flags"])
            yield {
                "rep": d.pop("index"),
                **_flat("", d),
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
                   **row}  # fmt: skip


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


# ---- commands --------------------------------------------------------------------------------------------


@contextmanager
def _open(args: argparse.Namespace) -> Iterator[Store]:
    path = Path(args.db) if args.db else default_db_path()
    with Store.open(path, create=False) as store:
        yield store


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path in (None, "-"):
        yield sys.stdout
        return
    assert path is not None
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            yield fh
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TurnoutError(f"cannot write {path}: {exc}") from None


def _cmd_list(args: argparse.Namespace) -> int:
    path = Path(args.db) if args.db else default_db_path()
    if not path.exists():
        print(f"No sessions yet ({path} does not exist).")
        return 0
    with _open(args) as store:
        store.recover_interrupted()
        sessions = store.list_sessions(dancer=args.dancer, limit=args.limit)
    if not sessions:
        print("No sessions.")
        return 0
    print(f"{'ID':>4}  {'STARTED':<19}  {'STATUS':<11}  {'DANCER':<12}  {'LENGTH':>7}  REPS  FLAGGED  HOLDS")
    for s in sessions:
        started = s.started_at.replace("T", " ")[:19]
        print(
            f"{s.id:>4}  {started:<19}  {s.status:<11}  {(s.dancer or '-')[:12]:<12}  "
            f"{_fmt_duration(s.duration_s):>7}  {s.n_reps:>4}  {s.n_flagged_reps:>7}  {s.n_holds:>5}"
        )
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as store:
        s = store.get_session(args.id)
        reps, holds, clips = store.reps(s.id), store.holds(s.id), store.clips(s.id)
    size = f" {s.width}x{s.height}" if s.width else ""
    fps = f" @ {s.fps:g} fps" if s.fps else ""
    print(f"Session {s.id} ({s.status}): {s.source or '?'}{size}{fps}, dancer {s.dancer or '-'}")
    print(
        f"  started {s.started_at}, ended {s.ended_at or '-'}, {_fmt_duration(s.duration_s)} recorded, "
        f"{s.n_frames} frames"
    )
    if s.baseline is not None:
        b = s.baseline
        print(
            f"  baseline ({b.method}): knees L {b.left_knee_flexion_deg:.1f}° R {b.right_knee_flexion_deg:.1f}°, "
            f"feet L {b.left_foot_turnout_deg:.1f}° R {b.right_foot_turnout_deg:.1f}°"
        )
    kinds = {k: sum(1 for r in reps if r.rep.kind == k) for k in ("demi", "grand")}
    print(
        f"  {len(reps)} reps ({kinds['demi']} demi, {kinds['grand']} grand), {s.n_flagged_reps} flagged; "
        f"{len(holds)} holds"
    )
    clip_of = {c.rep_id: c.path for c in clips}
    for r in (x.rep for x in reps):
        print(
            f"  rep {r.index:>3} {r.kind:<5} {r.depth_deg:5.0f}°  down {r.descent_s:4.1f} s  up {r.ascent_s:4.1f} s"
            f"  feet {r.left.foot_turnout_start_deg:3.0f}°/{r.right.foot_turnout_start_deg:3.0f}°"
            f"  knees {r.left.knee_turnout_bottom_deg:3.0f}°/{r.right.knee_turnout_bottom_deg:3.0f}°"
        )
        for f in r.flags:
            print(f"        [{f.severity}] {f.code}: {f.reason}. Cue: {f.cue}.")
    for stored in reps:
        if stored.id in clip_of:
            print(f"  clip of rep {stored.rep.index}: {clip_of[stored.id]}")
    for h in (x.hold for x in holds):
        print(
            f"  hold {h.index:>2} {h.duration_s:6.1f} s  feet {h.total_foot_turnout_mean_deg:.0f}° total "
            f"(SD {h.turnout_sd_deg:.1f}°)" + "".join(f"  [{f.severity}] {f.code}" for f in h.flags)
        )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    with _open(args) as store:
        session = store.get_session(args.id)
        if args.json:
            data = session_dict(store, session, frames=args.frames)
            with _output(args.output) as out:
                json.dump(data, out, indent=1, allow_nan=False, ensure_ascii=False)
                out.write("\n")
        else:
            buf = io.StringIO()
            write_csv(table_rows(store, session.id, args.table), buf)
            with _output(args.output) as out:
                out.write(buf.getvalue())
    return 0


def _cmd_delete(args: argparse.Namespace) -> int:
    with _open(args) as store:
        s = store.get_session(args.id)
        if s.status == "recording" and s.id not in store.recover_interrupted():
            raise TurnoutError(f"session {s.id} is still being recorded; stop the recording first")
        if not args.yes:
            if not sys.stdin.isatty():
                raise TurnoutError(f"refusing to delete session {s.id} without --yes")
            answer = input(f"Delete session {s.id} ({s.n_reps} reps, started {s.started_at})? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 1
        removed = store.delete_session(s.id)
    print(f"Deleted session {s.id}: {s.n_reps} reps, {s.n_frames} frames, {len(removed)} clips.")
    return 0


def _cmd_reanalyze(args: argparse.Namespace) -> int:
    settings, warnings = load_settings(args.settings, strict=args.settings is not None)
    for w in warnings:
        print(f"turnout: warning: {w}", file=sys.stderr)
    with _open(args) as store:
        r = reanalyze_session(store, args.id, settings, source=args.source, rebaseline=args.rebaseline)
    print(
        f"Session {r.session_id} re-analysed from stored {r.source}: {r.reps} reps ({r.flagged_reps} flagged), "
        f"{r.holds} holds; it had {r.reps_before} reps."
    )
    return 0


def _session_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a session id is a number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"a session id is a positive number, got {value}")
    return value


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", help=f"session database (default: {default_db_path()})")


Handler = Callable[[argparse.Namespace], int]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sessions`` and ``reanalyze`` to the ``turnout`` command."""
    s = sub.add_parser("sessions", help="list, show, export or delete recorded practice sessions")
    ssub = s.add_subparsers(dest="sessions_cmd", metavar="ACTION", required=True)

    ls = ssub.add_parser("list", help="list sessions, newest first")
    ls.add_argument("--dancer", help="only this dancer's sessions")
    ls.add_argument("--limit", type=int, help="at most this many")
    ls.set_defaults(handler=_cmd_list)

    show = ssub.add_parser("show", help="one session: baseline, reps with flags and cues, holds, clips")
    show.add_argument("id", type=_session_id, metavar="ID")
    show.set_defaults(handler=_cmd_show)

    ex = ssub.add_parser("export", help="export a session as CSV (one table) or JSON (everything)")
    ex.add_argument("id", type=_session_id, metavar="ID")
    fmt = ex.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--csv", action="store_true", help="CSV of one table (see --table)")
    fmt.add_argument("--json", action="store_true", help="JSON: session, baseline, reps, holds, flags, clips")
    ex.add_argument("--table", choices=TABLES, default="reps", help="CSV table (default: %(default)s)")
    ex.add_argument("--frames", action="store_true", help="JSON: include the per-frame measurements")
    ex.add_argument("-o", "--output", metavar="PATH", help="file to write (default: standard output)")
    ex.set_defaults(handler=_cmd_export)

    de = ssub.add_parser("delete", help="delete a session and its clips")
    de.add_argument("id", type=_session_id, metavar="ID")
    de.add_argument("--yes", action="store_true", help="do not ask")
    de.set_defaults(handler=_cmd_delete)

    for p in (ls, show, ex, de):
        _db_arg(p)

    re = sub.add_parser("reanalyze", help="recompute a session's reps and flags with the current settings")
    re.add_argument("id", type=_session_id, metavar="ID")
    re.add_argument("--settings", metavar="PATH", help="settings file (default: your config folder)")
    re.add_argument(
        "--source",
        choices=("auto", "landmarks", "measurements"),
        default="auto",
        help="re-measure from the stored landmarks, or reuse the stored measurements (default: auto)",
    )
    re.add_argument("--rebaseline", action="store_true", help="find the standing baseline again")
    _db_arg(re)
    re.set_defaults(handler=_cmd_reanalyze)


__all__ = ["ReanalysisResult", "StorageError", "reanalyze_session", "register", "session_dict", "table_rows"]
