"""``turnout sessions list | show ID | export ID --csv/--json | delete ID`` and ``turnout reanalyze ID``.

:func:`register` adds the commands to the main parser (``turnout.cli.main``). Handlers return an exit code and
raise :class:`~turnout.errors.TurnoutError` (one line, exit status 2) for anything the user must fix.
The re-analysis itself is :func:`turnout.session.reanalysis.reanalyze_session`; the exports are
:mod:`turnout.session.export`.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from turnout.errors import TurnoutError
from turnout.session import display
from turnout.session.export import TABLES, session_dict, table_rows, write_csv
from turnout.session.reanalysis import ReanalysisResult, reanalyze_session
from turnout.settings import load_settings
from turnout.storage.store import StorageError, Store, default_db_path

if TYPE_CHECKING:
    pass


# ---- formatting ------------------------------------------------------------------------------------------


def _fmt_duration(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m // 60:d}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m:d}:{s:02d}"


# ---- commands --------------------------------------------------------------------------------------------


@contextmanager
def _open(args: argparse.Namespace, *, check: bool = False) -> Iterator[Store]:
    path = Path(args.db) if args.db else default_db_path()
    with Store.open(path, create=False, check=check) as store:
        try:
            yield store
        finally:
            say_damaged(store)


def say_damaged(store: Store) -> None:
    """One line on standard error for each damaged row the command met (and skipped), and each thing the store
    had to do otherwise (a deletion on a full disk)."""
    for line in (*store.damaged, *store.warnings):
        print(f"turnout: warning: {line}", file=sys.stderr)


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
        frames = store.frames(s.id)  # each foot's picture reading over each rep
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
            f"  standing reference ({b.method}, {b.t_start_s:.1f}-{b.t_end_s:.1f} s): knee bends and heel lifts are "
            "measured from it (straight knees read 0°)"
        )
    print(
        "  degrees by the display rule: a number only where its measured error is smaller than what it decides, "
        "else its 95% range (docs/accuracy.md)"
    )
    kinds = {k: sum(1 for r in reps if r.rep.kind == k) for k in ("demi", "grand")}
    print(
        f"  {len(reps)} reps ({kinds['demi']} demi, {kinds['grand']} grand), {s.n_flagged_reps} flagged; "
        f"{len(holds)} holds"
    )
    clip_of = {c.rep_id: c.path for c in clips}
    for r in (x.rep for x in reps):
        picture = display.picture_feet_over(frames.t_s, frames.values, r.t_start_s, r.t_end_s)
        drop = f"hips {r.hip_drop:4.0%} down" if math.isfinite(r.hip_drop) else "hips ? down"
        print(
            f"  rep {r.index:>3} {r.kind:<5} {drop}  down {r.descent_s:4.1f} s  up {r.ascent_s:4.1f} s"
            f"  feet {display.feet_text(r, picture)}  {r.knee_words('left')}, {r.knee_words('right')}"
        )
        for f in r.flags:
            print(f"        [{f.severity}] {f.code}: {f.reason}. Cue: {f.cue}.")
    for stored in reps:
        if stored.id in clip_of:
            print(f"  clip of rep {stored.rep.index}: {clip_of[stored.id]}")
    for h in (x.hold for x in holds):
        print(
            f"  hold {h.index:>2} {h.duration_s:6.1f} s  feet {display.hold_total_shown(h).text} total"
            + "".join(f"  [{f.severity}] {f.code}" for f in h.flags)
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
    # strict, the default file too: defaults standing in for a broken file would replace the stored analysis
    settings, warnings = load_settings(args.settings, strict=True)
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
        help="the stored landmarks through the pipeline again, or the stored measurements through the practice "
        "tracker only (default: auto, the landmarks when the session has them)",
    )
    re.add_argument(
        "--rebaseline",
        action="store_true",
        help="find the standing baseline again from the frames instead of starting from the one the session "
        "started with",
    )
    _db_arg(re)
    re.set_defaults(handler=_cmd_reanalyze)


__all__ = ["ReanalysisResult", "StorageError", "reanalyze_session", "register", "session_dict", "table_rows"]
