"""Offline analysis of recordings through the same pipeline as the live window.

video -> landmarks (kept raw in a pose track) -> smoothing -> measurements -> reps, holds, flags -> the
session store, a per-frame CSV and a JSON summary. Only the loop differs from live use: every frame is
processed (nothing is dropped), decoding runs ahead on a thread of its own and the pose model one frame ahead
of the rest (:meth:`turnout.session.pipeline.Pipeline.run`), so the three overlap on two cores. Several files are
analysed two at a time in worker processes (:func:`analyze_batch`).
"""

from __future__ import annotations

import csv
import itertools
import math
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from turnout.capture import cores
from turnout.capture.sources import display_name, open_source, prefetch
from turnout.errors import TurnoutError
from turnout.measure.image import THREE_QUARTER
from turnout.measure.measures import MODE_COLUMN, mode_label, record_names
from turnout.pose.estimator import PoseEstimator, PoseFrame
from turnout.pose.landmarks import CSV_LANDMARKS, NAMES
from turnout.pose.model import sha256_file
from turnout.pose.track import SUFFIX, PoseTrack, TrackBuilder, TrackWriteError, save_track
from turnout.session import display
from turnout.session.dancer import update_hip_profile
from turnout.session.pipeline import HEAD_UNSURE, Pipeline, limit_opencv_threads
from turnout.storage.store import hem_names, picture_foot_names, stored_names

if TYPE_CHECKING:
    from turnout.floor.reference import FloorCalibration
    from turnout.practice.baseline import Baseline
    from turnout.practice.holds import HoldSummary
    from turnout.practice.reps import RepSummary
    from turnout.settings import Settings
    from turnout.storage.store import Store

#: The second-person check looks beside the pose model; its answer is taken this many frames after the frame
#: it looked at (about a fifth of a second), so a recording always gives the same counts (turnout.pose.people).
PEOPLE_ANSWER_AFTER = 5

#: progress(done_frames, total_frames_or_None, elapsed_s)
Progress = Callable[[int, int | None, float], None]


@dataclass(frozen=True, slots=True)
class FloorSpec:
    """How to calibrate a recording's floor (``turnout analyze --floor/--floor-corners/--floor-size``).

    Without ``corners_px`` the ``reference`` is looked for in the frames (every half second of video until
    found, as live). With them, they are the reference's four corners in the video's own pixels (going round
    it, any start), refined on the first frame, and ``size_m`` (width, length in metres; default: the
    reference's size) is the rectangle's size."""

    reference: str = "A4"
    corners_px: tuple[tuple[float, float], ...] | None = None
    size_m: tuple[float, float] | None = None


@dataclass(slots=True)
class AnalysisResult:
    source: str
    frames: int
    frames_with_person: int
    seconds: float
    track: PoseTrack
    fps: float = 0.0
    reliable: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    #: per-frame measurements, ``stored_names()`` (the measurements and each foot's picture reading with its range)
    #: -> (T,) arrays (NaN where not measured)
    measurements: dict[str, np.ndarray] = field(default_factory=dict)
    reps: list[RepSummary] = field(default_factory=list)
    holds: list[HoldSummary] = field(default_factory=list)
    baseline: Baseline | None = None
    session_id: int | None = None
    track_path: Path | None = None
    csv_path: Path | None = None
    #: why the track and CSV could not be written into ``out_dir`` (a full disk: neither is left there), else None
    output_error: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: the floor calibration in use at the end (``FloorCalibration.to_dict()``), when there was one
    floor_calibration: dict[str, Any] | None = None
    #: (seconds, what happened) for each floor event: found, set from corners, dropped (camera moved)
    floor_events: list[tuple[float, str]] = field(default_factory=list)
    #: (median, 95th percentile) expected error of total turnout with that calibration, degrees
    floor_expected_error_deg: tuple[float, float] | None = None

    def _floor_json(self) -> dict[str, Any] | None:
        if self.floor_calibration is None and not self.floor_events:
            return None
        reference = (self.floor_calibration or {}).get("reference")
        end_to_end = {pose: {"median": u.median_deg, "p95": u.p95_deg} for pose in ("standing", "plie")
                      if (u := display.uncertainty("foot", "picture-floor", pose)) is not None}  # fmt: skip
        return _clean({
            "calibration": self.floor_calibration,
            "expected_turnout_error_deg": self.floor_expected_error_deg,
            "end_to_end_foot_error_deg": end_to_end,
            "end_to_end_measured": reference is None or reference in display.FLOOR_MEASURED,
            "events": [{"t_s": round(t, 3), "what": what} for t, what in self.floor_events],
        })  # fmt: skip

    @property
    def frames_by_mode(self) -> dict[str, int]:
        """Measured frames per mode (``uncalibrated-3d``, ``floor-calibrated``)."""
        from turnout.measure.measures import Mode

        col = self.measurements.get(MODE_COLUMN, np.zeros(0))
        return {str(Mode.UNCALIBRATED_3D): int(np.count_nonzero(col == 0.0)),
                str(Mode.FLOOR): int(np.count_nonzero(col == 1.0))}  # fmt: skip

    @property
    def processing_fps(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """The JSON document `turnout analyze --json` prints (documented in docs/analyze-json.md)."""
        return {
            "source": self.source,
            "session_id": self.session_id,
            "frames": self.frames,
            "frames_with_person": self.frames_with_person,
            "fps": self.fps,
            "baseline": None if self.baseline is None else _clean(self.baseline.to_dict()),
            "reps": [_rep_json(r, self._picture_feet(r)) for r in self.reps],
            "holds": [_hold_json(h) for h in self.holds],
            "frames_by_mode": self.frames_by_mode,
            "floor": self._floor_json(),
            "profile": self.profile_lines(),
            "warnings": list(self.warnings),
            "uncertainty": display.uncertainty_table(),
        }

    def profile_lines(self) -> list[str] | None:
        """What the recording showed side-on (``turnout.practice.profile.summary``: how much, that turnout is not
        judged there, each hold timed side-on with her posture, her posture over all her side-on frames); ``None``
        when she was never side-on."""
        from turnout.practice.profile import summary

        t_s = self.track.timestamp_ms / 1000.0 if len(self.track) else np.zeros(0)
        names = list(self.measurements)
        if not names or len(t_s) != len(self.measurements[names[0]]):
            return None
        cols = [np.asarray(self.measurements[n], dtype=np.float64) for n in names]
        rows = [dict(zip(names, map(float, values), strict=True)) for values in zip(*cols, strict=True)]
        lines = summary([float(t) for t in t_s], rows)
        return None if lines == ["never side-on: no profile"] else lines

    def _picture_feet(self, r: RepSummary) -> dict[str, display.Reading]:
        """Each foot's picture reading over a rep (medians of the per-frame readings)."""
        t_s = self.track.timestamp_ms / 1000.0 if len(self.track) else np.zeros(0)
        if len(t_s) != len(self.measurements.get(MODE_COLUMN, ())):
            return {}
        return display.picture_feet_over(t_s, self.measurements, r.t_start_s, r.t_end_s)


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN and infinities become null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def _flag_json(f: Any) -> dict[str, Any]:
    return _clean({"code": f.code, "severity": f.severity, "side": f.side, "value": f.value, "limit": f.limit,
                   "reason": f.reason, "cue": f.cue})  # fmt: skip


def _rep_json(r: RepSummary, picture: dict[str, display.Reading] | None = None) -> dict[str, Any]:
    feet = {}
    for s in ("left", "right"):
        reading = display.rep_foot_reading(r, s, picture)
        shown = display.show(reading, "foot", calibrated=r.mode is not None and str(r.mode) == "floor-calibrated")
        feet[s] = {"deg": reading.deg, "low": reading.low, "high": reading.high, "shown": shown.text}
    return _clean({
        "index": r.index, "start_s": round(r.t_start_s, 3), "end_s": round(r.t_end_s, 3), "kind": r.kind,
        "bottom_start_s": round(r.t_bottom_start_s, 3), "bottom_end_s": round(r.t_bottom_end_s, 3),
        "depth_deg": r.depth_deg, "mode": None if r.mode is None else str(r.mode),
        "bottom_s": round(r.t_bottom_s, 3) if math.isfinite(r.t_bottom_s) else None, "hip_drop": r.hip_drop,
        # per leg at the bottom: "over" or "inside" (the knee against its foot), the degrees (negative: inside)
        # with their range over the camera prior, and the same in a dancer's words
        "knees": r.knees(),
        "knees_deg": {s: {"knee_vs_foot": r.side(s).knee_vs_foot_deg, "low": r.side(s).knee_vs_foot_low_deg,
                          "high": r.side(s).knee_vs_foot_high_deg, "knee": r.side(s).knee_direction_deg,
                          "foot": r.side(s).foot_direction_deg} for s in ("left", "right")},
        "knees_words": {s: r.knee_words(s) for s in ("left", "right")},
        # each foot's turnout with the range that holds the truth for 95 % of feet, and what the window shows
        "feet": feet,
        "flags": [_flag_json(f) for f in r.flags], "summary": r.to_dict(),
    })  # fmt: skip


def _hold_json(h: HoldSummary) -> dict[str, Any]:
    return _clean({
        "index": h.index, "start_s": round(h.t_start_s, 3), "end_s": round(h.t_end_s, 3),
        "duration_s": round(h.t_end_s - h.t_start_s, 3), "flags": [_flag_json(f) for f in h.flags],
        "summary": h.to_dict(),
    })  # fmt: skip


class _TrackingEstimator:
    """Wraps the pose estimator so every raw (unsmoothed) pose also goes into the pose track."""

    def __init__(self, estimator: PoseEstimator, builder: TrackBuilder) -> None:
        self.estimator, self.builder = estimator, builder

    def process(self, bgr: np.ndarray, timestamp_ms: int, index: int = 0, prepared: Any = None) -> PoseFrame:
        pose = self.estimator.process(bgr, timestamp_ms, index, prepared=prepared)
        self.builder.add(pose)
        return pose


#: Her head out of the picture on at least this share of a recording's frames (or any frame lost to it) is worth a
#: warning: a frame or two at the picture's edge is not.
HEAD_WARN_SHARE: Final = 0.1


def head_warning(name: str, headless: int, frames: int, unsure: int) -> str:
    """The analysis's warning for a recording with her head out of the picture on ``headless`` of its ``frames``, of
    which ``unsure`` were not measured because the pose model swapped her left and right meanwhile
    (``turnout.session.pipeline.HEAD_UNSURE``)."""
    why = "without her face the pose model cannot tell her front from her back"
    lost = f": {unsure} frames were not measured after it swapped her left and right" if unsure else ""
    return (
        f"her head was out of the picture on {headless} of {frames} frames of {name} ({why}{lost}); frame her "
        "whole body (step back or tilt the camera up)"
    )


def turned_warning(name: str, turned: int, frames: int) -> str:
    """The analysis's warning for a recording with her turned three-quarter from the camera on ``turned`` of its
    ``frames`` (``turnout.session.pipeline.TURNED_COUNTED``; at least :data:`HEAD_WARN_SHARE` of them)."""
    return (
        f"she was turned three-quarter from the camera on {turned} of {frames} frames of {name}: her pliés were "
        "counted there, her knees and feet were not judged (face the camera for them)"
    )


def analyze_file(
    path: str | os.PathLike[str],
    model_path: Path,
    out_dir: Path | None = None,
    *,
    settings: Settings | None = None,
    store: Store | None = None,
    dancer: str | None = None,
    model_variant: str = "full",
    mirrored: bool = False,
    progress: Progress | None = None,
    floor: FloorSpec | None = None,
) -> AnalysisResult:
    """Analyse one recording; store it as a session when ``store`` is given. With ``floor``, measure in
    floor-calibrated mode from where the floor is calibrated (see :class:`FloorSpec`).

    Raises :class:`turnout.errors.TurnoutError` (one line) on bad input; nothing is stored then.
    """
    from turnout.floor.state import FloorCalibrated, FloorState
    from turnout.settings import Settings as _Settings

    settings = settings or _Settings()
    floor_state = FloorState(background=False)  # in line: the same file gives the same answer every time
    with (
        cores.reserving() as core_plan,  # the model on a core of its own, the rest (decoding, writes...) off it
        open_source(path, mirrored=mirrored) as source,
        PoseEstimator(
            model_path,
            people_background=True,
            people_answer_after=PEOPLE_ANSWER_AFTER,
            model_cores=core_plan.model if core_plan is not None else None,
        ) as estimator,
    ):
        info = source.info
        # decoding and the conversion for the model run ahead on the decoding thread
        frames: Iterator[Any] = prefetch(iter(source), prepare=estimator.prepare)
        if floor is not None and floor.corners_px is not None:
            first = next(frames, None)
            if first is None:
                raise TurnoutError(f"{display_name(Path(path).name)}: no frames to calibrate the floor on")
            cal = _corner_calibration(floor, first.bgr, mirrored, display_name(Path(path).name))
            floor_state.set(cal, first.bgr, reason=f"floor calibrated from the given corners ({cal.reference})")
            frames = itertools.chain([first], frames)
        elif floor is not None:
            floor_state.search(floor.reference)
        builder = TrackBuilder(
            source=info.name, fps=info.fps, width=info.width, height=info.height, mirrored=info.mirrored,
            model_variant=model_variant, model_sha256=sha256_file(model_path),
        )  # fmt: skip
        session_id, recorder, hip = _open_session(store, dancer, settings, builder, info, source_path(path))
        pipeline = Pipeline(
            _TrackingEstimator(estimator, builder), settings, recorder=recorder, hip=hip, floor=floor_state
        )
        floor_events: list[tuple[float, str]] = []
        names = stored_names()
        rows: list[list[float]] = []
        reliable: list[bool] = []
        headless = unsure = 0  # frames with her head out of the picture; of them, not measured for a swap
        turned = 0  # frames turned three-quarter from the camera: pliés counted, knees and feet not judged
        t0 = time.perf_counter()
        status = "interrupted"
        try:
            for r in pipeline.run(frames):
                for e in r.events:
                    if isinstance(e, FloorCalibrated):
                        floor_events.append((e.t_s, e.reason))
                row = r.measurement.as_row() if r.measurement is not None else {}
                row |= r.picture_row()
                rows.append([row.get(n, math.nan) for n in names])
                reliable.append(r.reliable)
                headless += r.head_out
                unsure += not r.reliable and HEAD_UNSURE in r.guidance
                turned += r.reliable and r.measurement is not None and r.measurement.image.facing_code == THREE_QUARTER
                if progress is not None:
                    progress(r.index + 1, info.frame_count, time.perf_counter() - t0)
            last_t = builder.build().timestamp_ms[-1] / 1000.0 if rows else 0.0
            pipeline.finish(last_t)
            status = "complete"
        finally:
            if recorder is not None:
                recorder.close(status)
                if store is not None and session_id is not None and dancer:
                    update_hip_profile(store, store.ensure_dancer(dancer), settings)
        seconds = time.perf_counter() - t0
        warnings = list(info.warnings) + (list(recorder.errors) if recorder is not None else [])
        if floor is not None and floor.corners_px is None and not floor_events:
            warnings.append(
                f"no {floor.reference} found on the floor in {display_name(Path(path).name)}: measured in "
                "uncalibrated 3D mode (lay it flat in view, long edge pointing at the camera, or give its corners "
                "with --floor-corners)"
            )
        if unsure or headless >= HEAD_WARN_SHARE * len(rows) > 0:
            warnings.append(head_warning(display_name(Path(path).name), headless, len(rows), unsure))
        if turned >= HEAD_WARN_SHARE * len(rows) > 0:
            warnings.append(turned_warning(display_name(Path(path).name), turned, len(rows)))
        if floor_state.moved:
            warnings.append(
                f"the camera moved during {display_name(Path(path).name)}: frames after that are uncalibrated 3D"
            )
    final = floor_state.calibration
    track = builder.build()
    table = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(names))
    result = AnalysisResult(
        source=str(path), frames=len(track), frames_with_person=int(np.count_nonzero(track.detected)),
        seconds=seconds, track=track, fps=info.fps, reliable=np.asarray(reliable, bool),
        measurements={n: table[:, i] for i, n in enumerate(names)}, reps=list(pipeline.tracker.reps),
        holds=list(pipeline.tracker.holds), baseline=pipeline.tracker.baseline, session_id=session_id,
        warnings=warnings, floor_calibration=None if final is None else final.to_dict(), floor_events=floor_events,
        floor_expected_error_deg=None if final is None else final.expected_turnout_error_deg(),
    )  # fmt: skip
    if out_dir is not None:
        _write_outputs(result, out_dir, Path(path).stem)
    return result


def _write_outputs(result: AnalysisResult, out_dir: Path, stem: str) -> None:
    """The track and the frames CSV into ``out_dir``, both or neither (issue 19, item 5): both are written under
    hidden names first and renamed into place together, so when the disk fills (or anything else stops a write)
    nothing new is left (no ``.tmp``), files of an earlier run keep their bytes, and the reason goes in
    ``result.output_error``; the stored session and the other files' outputs are not touched."""
    final = [out_dir / f"{stem}{SUFFIX}", out_dir / f"{stem}.frames.csv"]
    parts = [p.with_name(f".{p.name}.part") for p in final]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        save_track(result.track, parts[0])
        write_csv(result, parts[1])
        for part, path in zip(parts, final, strict=True):
            part.replace(path)
    except (OSError, TrackWriteError) as exc:
        for part in parts:
            part.unlink(missing_ok=True)
        result.output_error = exc.reason if isinstance(exc, TrackWriteError) else exc.strerror or str(exc)
        return
    result.track_path, result.csv_path = final


def _corner_calibration(spec: FloorSpec, bgr: np.ndarray, mirrored: bool, name: str) -> FloorCalibration:
    """The calibration from corners given in the video's own pixels, refined on its first frame."""
    from turnout.floor.reference import REFERENCES, FloorCalibration
    from turnout.floor.sheet import refine_corners

    h, w = bgr.shape[:2]
    corners = np.asarray(spec.corners_px, float).reshape(-1, 2)
    if corners.shape != (4, 2) or not np.all(np.isfinite(corners)):
        raise TurnoutError("--floor-corners needs four x,y pixel points going round the rectangle")
    outside = (corners[:, 0] < 0) | (corners[:, 0] > w - 1) | (corners[:, 1] < 0) | (corners[:, 1] > h - 1)
    if np.any(outside):
        raise TurnoutError(
            f"--floor-corners: a corner lies outside {name}'s {w}x{h} picture: give pixels of this video"
        )
    if mirrored:  # the frames are flipped back before measuring; the corners were read off the file
        corners[:, 0] = (w - 1) - corners[:, 0]
    if spec.size_m is not None:
        size = spec.size_m
    elif spec.reference in REFERENCES:
        size = REFERENCES[spec.reference]
    else:
        raise TurnoutError("--floor-corners: give the rectangle's size with --floor-size (e.g. 21x29.7 cm)")
    sigma = 1.0  # typed or clicked corners
    refined = refine_corners(bgr, corners)
    if refined is not None and float(np.max(np.abs(refined[0] - corners))) <= 6.0:
        corners, sigma = refined[0], float(max(np.max(refined[1]), 0.05))
    try:
        return FloorCalibration.from_corners(corners, size[0], size[1], (w, h), reference=spec.reference,
                                             corner_sigma_px=sigma)  # fmt: skip
    except ValueError as exc:
        raise TurnoutError(f"--floor-corners: {exc}") from None


#: Files analysed at once by :func:`analyze_batch` (each worker's model already uses two threads; two workers
#: fill the gaps between them on a 2-core laptop).
BATCH_WORKERS = 2


def analyze_batch(
    paths: Sequence[str | os.PathLike[str]],
    model_path: Path,
    out_dir: Path | None = None,
    *,
    settings: Settings | None = None,
    db_path: Path | None = None,
    dancer: str | None = None,
    model_variant: str = "full",
    mirrored: bool = False,
    workers: int = BATCH_WORKERS,
    floor: FloorSpec | None = None,
) -> Iterator[tuple[str, AnalysisResult | TurnoutError]]:
    """Analyse several recordings in ``workers`` processes; yields ``(path, result or error)`` in input order.

    Each worker opens the session database at ``db_path`` itself (SQLite in WAL mode with a busy timeout lets
    two write at once), so sessions are stored exactly as by :func:`analyze_file`; ``db_path=None`` stores
    nothing. With a ``dancer`` the files are analysed one after another in this process, because each session
    uses the hip profile the sessions before it updated. A bad file gives a :class:`TurnoutError` (one line)
    and the others go on.
    """
    jobs = [(str(p), model_path, out_dir, settings, db_path, dancer, model_variant, mirrored, floor) for p in paths]
    n = min(max(1, workers), len(jobs), os.cpu_count() or 1)
    if n <= 1 or dancer:
        for job in jobs:
            result, error = _analyze_job(job)
            yield job[0], result if result is not None else TurnoutError(error or "analysis failed")
        return
    for i, (result, error) in _in_processes(jobs, n):
        yield jobs[i][0], result if result is not None else TurnoutError(error or "analysis failed")


def _in_processes(
    jobs: Sequence[tuple[Any, ...]], n: int
) -> Iterator[tuple[int, tuple[AnalysisResult | None, str | None]]]:
    """Each file in a process of its own, ``n`` at a time; yields ``(index, (result, error))`` in input order.

    A process per file (not a pool): a worker that dies (the out-of-memory killer's SIGKILL, a crash in native
    code) takes only its own file with it, which is reported in one line; the other workers go on and the
    files after it are still analysed (a broken ``ProcessPoolExecutor`` abandoned them all)."""
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("spawn")
    running: dict[int, tuple[Any, Any]] = {}  # index -> (process, receiving end of its pipe)
    done: dict[int, tuple[AnalysisResult | None, str | None]] = {}
    started = emitted = 0
    try:
        while emitted < len(jobs):
            while len(running) < n and started < len(jobs):
                receive, send = context.Pipe(duplex=False)
                proc = context.Process(target=_worker, args=(jobs[started], send), daemon=True,
                                       name=f"turnout-analyze-{started}")  # fmt: skip
                proc.start()
                send.close()
                running[started] = (proc, receive)
                started += 1
            ready = set(wait([conn for _, conn in running.values()]))
            for i, (proc, conn) in list(running.items()):
                if conn not in ready:
                    continue
                try:
                    done[i] = conn.recv()
                except (EOFError, OSError):  # it died before sending its answer
                    proc.join()
                    done[i] = (None, _death(jobs[i][0], proc.exitcode))
                conn.close()
                proc.join()
                del running[i]
            while emitted in done:
                yield emitted, done.pop(emitted)
                emitted += 1
    finally:
        for proc, conn in running.values():
            proc.terminate()
            proc.join()
            conn.close()


def _death(path: str, exitcode: int | None) -> str:
    import signal

    name = display_name(Path(path).name)
    if exitcode is not None and exitcode < 0:
        try:
            how = f"was killed ({signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was killed (signal {-exitcode}"
        how += ", perhaps by the system when memory ran out)"
    else:
        how = f"ended unexpectedly (exit status {exitcode})"
    return (
        f"{name}: the process analysing it {how}; the other files went on. Analyse {name} again alone "
        "(--jobs 1); what it stored so far is listed as interrupted"
    )


def _worker(job: tuple[Any, ...], conn: Any) -> None:
    """A batch's worker process: one file, its result or one-line error sent back."""
    _share_cores()
    try:
        answer = _analyze_job(job)
    except Exception as exc:  # a bug must still be one line, and not stop the batch
        answer = (None, f"{display_name(Path(job[0]).name)}: analysis failed ({exc.__class__.__name__}: {exc})")
    conn.send(answer)
    conn.close()


def _share_cores() -> None:
    """In a batch's worker process: no core of its own for the model (the workers' models would all take the
    same one, :mod:`turnout.capture.cores`); the workers share the cores as the scheduler sees fit."""
    os.environ[cores.ENV] = "off"


def _analyze_job(job: tuple[Any, ...]) -> tuple[AnalysisResult | None, str | None]:
    """One file of a batch (in a worker process): the result, or the one-line error."""
    path, model_path, out_dir, settings, db_path, dancer, model_variant, mirrored, floor = job
    limit_opencv_threads()  # a worker process: as the command line does
    try:
        if db_path is None:
            return analyze_file(path, model_path, out_dir, settings=settings, dancer=dancer,
                                model_variant=model_variant, mirrored=mirrored, floor=floor), None  # fmt: skip
        from turnout.storage.store import Store

        with Store.open(db_path) as store:
            return analyze_file(path, model_path, out_dir, settings=settings, store=store, dancer=dancer,
                                model_variant=model_variant, mirrored=mirrored, floor=floor), None  # fmt: skip
    except TurnoutError as exc:
        return None, str(exc)


def source_path(path: str | os.PathLike[str]) -> str:
    """The full path of an analysed file as stored with its session (``sessions.source_path``): absolute, with
    bytes that are not UTF-8 written as ``\\xff``."""
    p = Path(path)
    try:
        p = p.resolve()
    except OSError:
        p = p.absolute()
    return display_name(p)


def _open_session(  # type: ignore[no-untyped-def]
    store: Store | None, dancer: str | None, settings: Settings, builder: TrackBuilder, info: Any, path_text: str
):
    if store is None:
        return None, None, None
    from turnout.storage.store import SessionInfo, SessionRecorder

    hip = None
    if dancer:
        hip = store.hip_profile(store.ensure_dancer(dancer))
    sid = store.create_session(
        SessionInfo(
            source=info.name, dancer=dancer, fps=info.fps, width=info.width, height=info.height,
            mirrored=info.mirrored, model_sha256=builder.meta["model_sha256"], settings=settings,
            source_path=path_text,
        )
    )  # fmt: skip
    store.set_start_state(sid, None, hip)
    return sid, SessionRecorder(store, sid, clip_settings=settings.clips), hip


def csv_header() -> list[str]:
    """The frames CSV's columns: the measurements, the landmarks they use, then (added with issue 16) each foot's
    reading from the picture with its 95 % range, (session 19) each leg's hem reach, and the p95 of the degree columns
    in the row's mode."""
    cols = ["frame", "timestamp_ms", "people", "reliable", "mode", *record_names()]
    for i in CSV_LANDMARKS:
        n = NAMES[i]
        cols += [f"{n}_x_px", f"{n}_y_px", f"{n}_visibility", f"{n}_world_x_m", f"{n}_world_y_m", f"{n}_world_z_m"]
    return [*cols, *picture_foot_names(), *hem_names(), *display.P95_COLUMNS]


def _fmt(v: float, digits: int) -> str:
    return f"{v:.{digits}f}" if math.isfinite(v) else ""


def write_csv(result: AnalysisResult, path: Path) -> Path:
    """One row per frame: measurements (blank where not measured), then the landmarks they use."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        _write_csv_rows(result, tmp)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half file behind
        raise
    return path


def _write_csv_rows(result: AnalysisResult, tmp: Path) -> None:
    track, names = result.track, record_names()
    with tmp.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(csv_header())
        for i in range(len(track)):
            pose = track.frame(i)
            row: list[object] = [pose.index, pose.timestamp_ms, pose.people, int(bool(result.reliable[i])),
                                 mode_label(float(result.measurements[MODE_COLUMN][i]))]  # fmt: skip
            row += [_fmt(float(result.measurements[n][i]), 4) for n in names]
            for j in CSV_LANDMARKS:
                if pose.image is None or pose.world is None:
                    row += [""] * 6
                    continue
                x, y, _z, vis, _pres = (float(v) for v in pose.image[j])
                wx, wy, wz = (float(v) for v in pose.world[j])
                row += [f"{x * track.width:.2f}", f"{y * track.height:.2f}", f"{vis:.3f}",
                        f"{wx:.4f}", f"{wy:.4f}", f"{wz:.4f}"]  # fmt: skip
            row += [_fmt(float(result.measurements[n][i]), 2) if n in result.measurements else ""
                    for n in picture_foot_names()]  # fmt: skip
            row += [_fmt(float(result.measurements[n][i]), 4) if n in result.measurements else ""
                    for n in hem_names()]  # fmt: skip
            row += [_fmt(v, 1) for v in display.p95_row(float(result.measurements[MODE_COLUMN][i])).values()]
            w.writerow(row)
