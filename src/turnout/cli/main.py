"""The ``turnout`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from turnout import __version__
from turnout.errors import TurnoutError

if TYPE_CHECKING:
    from turnout.session.analysis import AnalysisResult, FloorSpec
    from turnout.storage.store import Store

Handler = Callable[[argparse.Namespace], int]


class ProgressBar:
    """One status line on stderr: frames, processing fps, time left. Redrawn in place on a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None, min_interval_s: float = 0.25) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.min_interval_s = min_interval_s if self.tty else 5.0
        self._last = -1e9

    def __call__(self, done: int, total: int | None, elapsed: float) -> None:
        if elapsed - self._last < self.min_interval_s and done != total:
            return
        self._last = elapsed
        fps = done / elapsed if elapsed > 0 else 0.0
        if total:
            left = (total - done) / fps if fps > 0 else float("nan")
            width = 24
            filled = int(width * min(done, total) / total)
            bar = "#" * filled + "-" * (width - filled)
            text = f"{self.label} [{bar}] {done}/{total} frames  {fps:5.1f} fps  {left:4.0f} s left"
        else:
            text = f"{self.label} {done} frames  {fps:5.1f} fps"
        self.stream.write(("\r" + text) if self.tty else text + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def floor_spec(reference: str | None, corners: str | None, size: str | None) -> FloorSpec | None:
    """``--floor``, ``--floor-corners`` and ``--floor-size`` as a :class:`~turnout.session.analysis.FloorSpec` (None:
    no floor calibration). Raises :class:`TurnoutError` with one line on a bad value."""
    import re

    from turnout.floor.reference import REFERENCES
    from turnout.session.analysis import FloorSpec

    if reference is None and corners is None and size is None:
        return None
    if reference is not None and reference not in REFERENCES and corners is None:
        raise TurnoutError(f"--floor {reference!r}: choose one of {', '.join(REFERENCES)} (or give --floor-corners)")
    size_m = None
    if size is not None:
        m = re.fullmatch(r"\s*(\d+(?:\.\d*)?)\s*[xX×*]\s*(\d+(?:\.\d*)?)\s*(?:cm)?\s*", size)
        if m is None or min(float(m[1]), float(m[2])) <= 0:
            raise TurnoutError(f"--floor-size {size!r}: give width x length in centimetres, e.g. 21x29.7")
        size_m = (float(m[1]) / 100.0, float(m[2]) / 100.0)
        if corners is None:
            raise TurnoutError("--floor-size needs --floor-corners (the rectangle's corners in the video's pixels)")
    points = None
    if corners is not None:
        numbers = re.findall(r"-?\d+(?:\.\d*)?", corners)
        if len(numbers) != 8:
            raise TurnoutError(
                f"--floor-corners {corners!r}: give four x,y pixel points going round the rectangle, "
                "e.g. '600,500 680,500 700,560 580,560'"
            )
        values = [float(v) for v in numbers]
        points = tuple((values[i], values[i + 1]) for i in range(0, 8, 2))
        if size_m is None and (reference is None or reference not in REFERENCES):
            raise TurnoutError("--floor-corners: give the rectangle's size with --floor-size (e.g. 21x29.7)")
    name = reference or ("custom" if size_m is not None else "A4")
    return FloorSpec(reference=name, corners_px=points, size_m=size_m)


def _floor_summary(result: AnalysisResult) -> str:
    """One line: how much of the recording was measured in floor-calibrated mode, and how exactly."""
    by_mode = result.frames_by_mode
    floor, total = by_mode.get("floor-calibrated", 0), sum(by_mode.values())
    text = f"floor-calibrated on {floor} of {total} measured frames"
    cal, err = result.floor_calibration, result.floor_expected_error_deg
    if cal is not None and err is not None:
        from turnout.session.display import floor_end_to_end  # end to end first, the sheet's own share second

        text += (
            f" ({cal['reference']}: {floor_end_to_end(str(cal['reference']), brief=True)}; the sheet alone "
            f"±{err[0]:.1f}°, 95%: ±{err[1]:.1f}°)"
        )
    return text


def _cmd_analyze(args: argparse.Namespace) -> int:
    import contextlib
    import json

    from turnout.capture.sources import display_name
    from turnout.pose.model import resolve_model_path
    from turnout.session.analysis import analyze_batch, analyze_file
    from turnout.session.pipeline import limit_opencv_threads
    from turnout.settings import load_settings

    limit_opencv_threads()
    routine = _routine_arg(args.routine)  # a bad routine file: one line before any analysis
    floor = floor_spec(args.floor, args.floor_corners, args.floor_size)
    model = resolve_model_path(args.model)
    settings, warnings = load_settings(args.settings, required=True)
    out = _checked_out_folder(args.out)
    for w in warnings:
        print(f"turnout: warning: {w}", file=sys.stderr)
    failures = 0
    documents = []
    unwritten: list[tuple[str, int | None, str]] = []  # (file, its session, why): outputs --out refused

    def report(video: str, result: AnalysisResult | TurnoutError) -> None:
        nonlocal failures
        if isinstance(result, TurnoutError):
            print(f"turnout: {result}", file=sys.stderr)
            failures += 1
            return
        if result.output_error is not None:  # a full disk under --out: said once, for the batch, at the end
            unwritten.append((video, result.session_id, result.output_error))
            failures += 1
        for w in result.warnings:
            print(f"turnout: warning: {w}", file=sys.stderr)
        documents.append(result.to_json())
        pct = 100.0 * result.frames_with_person / result.frames if result.frames else 0.0
        flagged = sum(1 for r in result.reps if r.flags)
        where = ", ".join(display_name(p) for p in (result.track_path, result.csv_path) if p is not None)
        stored = f", session {result.session_id}" if result.session_id is not None else ""
        summary = (
            f"{display_name(Path(video).name)}: {result.frames} frames, person in {result.frames_with_person} "
            f"({pct:.0f}%), "
            f"{result.processing_fps:.1f} fps processing; {len(result.reps)} reps ({flagged} flagged), "
            f"{len(result.holds)} holds{stored}" + (f" -> {where}" if where else "")
        )
        print(summary, file=sys.stderr if args.json else sys.stdout)
        if floor is not None:
            print(f"  {_floor_summary(result)}", file=sys.stderr if args.json else sys.stdout)
        for line in result.profile_lines() or ():  # side-on: her posture, holds, and that turnout is not judged
            print(f"  {line}", file=sys.stderr if args.json else sys.stdout)
        if routine is not None:
            _report_routine(routine, result, store, sys.stderr if args.json else sys.stdout, args.dancer)
        missing = _not_stored_in_full(store, result, video)
        if missing is not None:
            print(f"turnout: {missing}", file=sys.stderr)
            failures += 1

    store = None
    with contextlib.ExitStack() as stack:
        store = None
        if not args.no_store:
            from turnout.storage.store import Store

            store = stack.enter_context(Store.open(args.db))
            store.recover_interrupted()
        # Several files: two at a time in worker processes (no progress bars; each summary when it is done).
        # With a dancer they go one by one: each session uses the hip profile the ones before it updated.
        parallel = args.jobs > 1 and len(args.videos) > 1 and not args.dancer
        subfolders = unique_out_names(args.videos) if out is not None else {}

        def out_for(video: str) -> Path | None:
            return out / subfolders[video] if out is not None and video in subfolders else out

        if parallel:
            groups: dict[Path | None, list[str]] = {}
            for video in args.videos:  # one batch per output folder (same-named inputs go to subfolders)
                groups.setdefault(out_for(video), []).append(video)
            for folder, videos in groups.items():
                batch = analyze_batch(
                    videos, model, folder, settings=settings, db_path=store.path if store is not None else None,
                    mirrored=args.mirrored, workers=args.jobs, floor=floor,
                )  # fmt: skip
                for video, outcome in batch:
                    report(video, outcome)
        for video in () if parallel else args.videos:
            bar = None if args.quiet else ProgressBar(display_name(Path(video).name))
            try:
                result = analyze_file(
                    video, model, out_for(video), settings=settings, store=store, dancer=args.dancer,
                    mirrored=args.mirrored, progress=bar, floor=floor,
                )  # fmt: skip
            except TurnoutError as exc:
                if bar is not None:
                    bar.done()
                report(video, exc)
                continue
            if bar is not None:
                bar.done()
            report(video, result)
    if unwritten and out is not None:
        print(f"turnout: {_unwritten_outputs(unwritten, out)}", file=sys.stderr)
    if args.json:
        doc = documents[0] if len(args.videos) == 1 and documents else {"videos": documents}
        json.dump(doc, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    return 2 if failures else 0


def _routine_arg(value: str | None) -> Any:
    """``--routine``: ``default`` (the barre basics), ``selfcheck`` or a TOML file; a bad file is one line."""
    if value is None:
        return None
    from turnout.practice.routine import DEFAULT_ROUTINE, SELF_CHECK_ROUTINE, load_routine

    named = {"default": DEFAULT_ROUTINE, "selfcheck": SELF_CHECK_ROUTINE, "self-check": SELF_CHECK_ROUTINE}
    return named.get(value.lower()) or load_routine(value)


def _report_routine(
    routine: Any, result: AnalysisResult, store: Any, stream: TextIO, dancer: str | None = None
) -> None:
    """The routine walked over the video: one line per exercise (a stretch against her figure of the sessions stored
    before this one: ``dancer``'s, or anyone's), stored with its session."""
    from turnout.session.routine_run import earlier_stretches, replay_analysis

    earlier: dict[str, float] = {}
    if store is not None:
        try:
            session = store.get_session(result.session_id) if result.session_id is not None else None
            before = session.started_at if session is not None else None
            earlier = earlier_stretches(store.exercise_history(dancer), result.session_id, before)
        except TurnoutError as exc:
            print(f"turnout: her earlier stretches could not be read: {exc}", file=stream)
    run = replay_analysis(routine, result, earlier=earlier)
    print(f"  routine {routine.name}:", file=stream)
    for line in run.summary():
        print(f"    {line}", file=stream)
    if store is not None and result.session_id is not None:
        try:
            store.set_exercises(result.session_id, run.stored())
        except TurnoutError as exc:
            print(f"turnout: the routine's summary was not stored: {exc}", file=stream)


def _unwritten_outputs(unwritten: Sequence[tuple[str, int | None, str]], out: Path) -> str:
    """One line for a batch whose ``--out`` filled up (issue 19, item 5): which files have no outputs, that
    nothing of theirs is left half-written, that the earlier outputs and the sessions are kept, what to do."""
    from turnout.capture.sources import display_name

    names = ", ".join(display_name(Path(v).name) for v, _, _ in unwritten)
    reasons = ", ".join(dict.fromkeys(r for _, _, r in unwritten))
    stored = [str(s) for _, s, _ in unwritten if s is not None]
    sessions = (
        f"; {'its session' if len(stored) == 1 else 'their sessions'} {', '.join(stored)} "
        f"{'is' if len(stored) == 1 else 'are'} stored"
        if stored
        else ""
    )
    return (
        f"no track or frames CSV for {names}: they could not be written into {display_name(out)} ({reasons}), and "
        f"nothing of them is left there; the other files' outputs are complete{sessions}. Free some space (or "
        f"choose another --out), then analyse {names} again with the same options and --no-store"
    )


def _checked_out_folder(out: str | None) -> Path | None:
    """``--out``, checked before any analysis starts: a folder that exists or can be made, and can be written."""
    if not out:
        return None
    import os
    import tempfile

    from turnout.capture.sources import display_name

    path = Path(out)
    if path.exists() and not path.is_dir():
        raise TurnoutError(f"--out {display_name(path)} is a file, not a folder; give a folder for the outputs")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".turnout-check-"):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise TurnoutError(
            f"--out {display_name(path)}: cannot write there ({reason}); choose a folder you can write to"
        ) from None
    if not os.access(path, os.W_OK):
        raise TurnoutError(f"--out {display_name(path)}: cannot write there; choose a folder you can write to")
    return path


def _checked_report_path(out: Path) -> Path:
    """``turnout report -o``, checked before the report is made: not a folder, in a folder that exists and can
    be written."""
    import os

    from turnout.capture.sources import display_name

    if out.is_dir():
        raise TurnoutError(
            f"-o {display_name(out)} is a folder; give the report's file name, e.g. {display_name(out / 'report.html')}"
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise TurnoutError(f"-o {display_name(out)}: the folder {display_name(folder)} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise TurnoutError(f"-o {display_name(out)}: cannot write in {display_name(folder)}; choose another folder")
    return out


def unique_out_names(videos: Sequence[str]) -> dict[str, str]:
    """For inputs that share a file name (``monday/plie.mp4``, ``tuesday/plie.mp4``): a subfolder of ``--out``
    each, named after its own folder (``-2``, ``-3`` when those match too), so their track and CSV never overwrite
    each other. Inputs with a name of their own are not in the mapping (their outputs go in ``--out`` itself)."""
    import os

    by_stem: dict[str, list[str]] = {}
    for v in dict.fromkeys(videos):
        by_stem.setdefault(Path(v).stem, []).append(v)
    sub: dict[str, str] = {}
    for group in by_stem.values():
        if len(group) < 2:
            continue
        used: set[str] = set()
        for v in group:
            base = Path(os.path.abspath(v)).parent.name or "input"
            name, k = base, 2
            while name in used:
                name, k = f"{base}-{k}", k + 1
            used.add(name)
            sub[v] = name
    return sub


def _not_stored_in_full(store: Store | None, result: AnalysisResult, video: str) -> str | None:
    """One line when the stored session lacks frames or reps of the analysis (the disk filled up), else None."""
    if store is None or result.session_id is None:
        return None
    try:
        s = store.get_session(result.session_id)
    except TurnoutError as exc:
        return f"session {result.session_id} could not be checked: {exc}"
    from turnout.capture.sources import display_name

    if (s.n_frames, s.n_reps) == (result.frames, len(result.reps)):
        return None
    return (
        f"session {s.id} was not stored in full ({s.n_frames} of {result.frames} frames, {s.n_reps} of "
        f"{len(result.reps)} reps): free some disk space and analyse {display_name(Path(video).name)} again; "
        "what was stored before is intact"
    )


def _cmd_model(args: argparse.Namespace) -> int:
    from turnout.pose import model as m

    if args.model_cmd == "path":
        print(m.resolve_model_path(args.model, variant=args.variant))
        return 0
    if args.model_cmd == "verify":
        from turnout.pose.modelbuild import verify_bundle

        path = m.resolve_model_path(args.model, variant=args.variant)
        verify_bundle(path)
        print(f"{path}: loads and runs (sha256 {m.sha256_file(path)})")
        return 0
    if args.model_cmd == "fetch":
        path = m.fetch_official(args.variant, Path(args.dest) if args.dest else None)
        print(f"fetched {path} (sha256 verified)")
        return 0
    if args.model_cmd == "build":
        from turnout.pose.modelbuild import build

        dest = Path(args.out) if args.out else m.project_models_dir() / m.bundle_name("full")
        try:
            digest = build(dest, dest.parent / ".cache")
        except RuntimeError as exc:
            raise TurnoutError(f"model build failed: {exc}") from None
        print(f"built {dest} sha256 {digest}")
        return 0
    raise AssertionError(args.model_cmd)


def _cmd_report(args: argparse.Namespace) -> int:
    from turnout.cli.sessions import say_damaged
    from turnout.session.report import write_report
    from turnout.storage.store import Store

    out = _checked_report_path(Path(args.out) if args.out else Path(f"turnout-session-{args.id}.html"))
    with Store.open(args.db, create=False) as store:
        try:
            store.get_session(args.id)  # one-line error for an unknown id
            write_report(store, args.id, out)
        finally:
            say_damaged(store)
    print(f"wrote {out}")
    return 0


def _cmd_app(args: argparse.Namespace) -> int:
    from turnout.cli.preflight import window_problem

    problem = window_problem()
    if problem is not None:
        raise TurnoutError(problem)
    try:
        from turnout.app.main import run_app
    except ImportError as exc:
        if "turnout.app" not in str(exc) and "PySide6" not in str(exc):
            raise
        raise TurnoutError(f"the desktop window is not available ({exc}); use `turnout analyze`") from None
    return run_app(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="turnout",
        description="Turnout watches a ballet dancer and says whether her turnout comes from the hips "
        "or is forced from the feet. With no command it opens the window.",
    )
    p.add_argument("--version", action="version", version=f"turnout {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    a = sub.add_parser("analyze", help="analyse video files: landmarks, measurements, reps")
    a.add_argument("videos", nargs="+", metavar="VIDEO", help="video files (or folders of images)")
    a.add_argument("--out", help="also write the pose track and per-frame CSV into this folder")
    a.add_argument("--json", action="store_true", help="print one JSON document (reps, holds, flags) on stdout")
    a.add_argument("--db", help="session database (default: your data folder)")
    a.add_argument("--no-store", action="store_true", help="do not store the sessions in the database")
    a.add_argument("--dancer", help="whose session this is (her hip turnout is kept across sessions)")
    a.add_argument("--settings", help="settings file (default: your config folder)")
    a.add_argument("--model", help="pose model bundle (.task); default: $TURNOUT_MODEL, then models/")
    a.add_argument("--mirrored", action="store_true", help="the video is mirrored (a selfie recording)")
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    a.add_argument(
        "--floor", metavar="REF",
        help="measure in true floor degrees: look for this reference on the floor (A4, letter, A4-pair, "
        "letter-pair, yoga-mat), or name the one whose corners --floor-corners gives",
    )  # fmt: skip
    a.add_argument(
        "--floor-corners", metavar="'X,Y X,Y X,Y X,Y'",
        help="the reference's four corners in the video's pixels, going round it (refined on the first frame)",
    )  # fmt: skip
    a.add_argument(
        "--floor-size", metavar="WxL",
        help="size of the rectangle --floor-corners gives, in centimetres (e.g. 21x29.7); default: --floor's size",
    )  # fmt: skip
    a.add_argument(
        "--jobs", type=int, default=2, metavar="N",
        help="files analysed at once, each in its own process (default 2; 1 shows a progress bar per file)",
    )  # fmt: skip
    a.add_argument(
        "--routine", metavar="FILE",
        help="walk a routine over each video and print what was done of each exercise: a TOML file "
        "(docs/routines.md), 'default' (the barre basics) or 'selfcheck'",
    )  # fmt: skip
    a.set_defaults(handler=_cmd_analyze)

    mo = sub.add_parser("model", help="the pose model: build, fetch, path, verify")
    msub = mo.add_subparsers(dest="model_cmd", metavar="ACTION", required=True)
    for name, text in (
        ("path", "print which model file is used"),
        ("verify", "load the model and run it once"),
    ):
        s = msub.add_parser(name, help=text)
        s.add_argument("--model", help="model bundle to check instead of the default")
        s.add_argument("--variant", default="full", choices=("lite", "full", "heavy"))
    f = msub.add_parser("fetch", help="download Google's official bundle (needs a network; checksum verified)")
    f.add_argument("--variant", default="full", choices=("lite", "full", "heavy"))
    f.add_argument("--dest", help="folder to save it in (default: your data folder)")
    b = msub.add_parser("build", help="build the full model offline from the mediapipe 0.10.21 wheel")
    b.add_argument("--out", help="where to write the bundle (default: models/pose_landmarker_full.task)")
    mo.set_defaults(handler=_cmd_model)

    rp = sub.add_parser("report", help="write a session's HTML report (plots, reps, the worst rep)")
    rp.add_argument("id", type=int, metavar="ID")
    rp.add_argument("-o", "--out", help="HTML file to write (default: turnout-session-ID.html)")
    rp.add_argument("--db", help="session database (default: your data folder)")
    rp.set_defaults(handler=_cmd_report)

    ap = sub.add_parser("app", help="open the window")
    ap.add_argument("--camera", default=None, help="camera index or a video file to play instead")
    ap.add_argument("--model", help="pose model bundle (.task)")
    ap.add_argument("--db", help="session database (default: your data folder)")
    ap.set_defaults(handler=_cmd_app)

    from turnout.cli.sessions import register

    register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # `turnout` alone opens the window (or says in one line why it cannot)
        args = parser.parse_args(["app"])
    handler: Handler = args.handler
    _printable_paths()
    _keep_caches_in_the_data_folder()
    try:
        code = handler(args)
        sys.stdout.flush()  # here, where a reader that has gone (BrokenPipeError) is caught below
        return code
    except TurnoutError as exc:
        print(f"turnout: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("turnout: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `turnout sessions list | head -1`: the reader has gone, which is fine
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not complain either
        return 1


def _printable_paths() -> None:
    """A file name that is not valid UTF-8 is printed with its odd bytes as ``\\xff`` instead of stopping the
    command with a UnicodeEncodeError (standard error already does this; standard output did not)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _keep_caches_in_the_data_folder() -> None:
    """MediaPipe imports matplotlib, which keeps a list of the installed fonts in ``~/.cache/matplotlib``. It goes
    into Turnout's data folder instead (``cache/``), so everything Turnout leaves on disk is in that one folder
    and deleting it removes all. A ``MPLCONFIGDIR`` of the user's own wins."""
    import os

    import platformdirs

    data = os.environ.get("TURNOUT_DATA_DIR") or platformdirs.user_data_dir("turnout", appauthor=False)
    os.environ.setdefault("MPLCONFIGDIR", str(Path(data).expanduser() / "cache" / "matplotlib"))


if __name__ == "__main__":
    sys.exit(main())
