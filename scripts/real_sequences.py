"""A labelled real plié practised as a set: the same dancer's plié spliced into a sequence, with its answers.

    python scripts/real_sequences.py                                   # ballet_plie: 5 pliés, 0.8 s, 1.5 s
    python scripts/real_sequences.py --clip ballet_plie --plies 3 --first 0.4 --pause 1.0
    python scripts/real_sequences.py --hold 6 --plies 1                 # 6 s held still, then the plié
    python scripts/real_sequences.py --slow 2 --plies 2                 # each plié at half speed

The clips in `../shared/media/labels.toml` show one plié each, after seconds of standing: a dancer at home stands
less and does a set. Issue 16's first failure was exactly that (a dancer who stood 0.8 s and paused 1.5 s between
pliés lost her first two). This rewrites a labelled clip's first plié, frame for frame, into a set: FIRST seconds
of her standing, then PLIES times the plié followed by PAUSE seconds of standing; her standing is the labelled
frames just before the plié (she stands still there in every clip this is meant for: the label's note says so).
The answers come from the clip's own labels (each plié's start, bottom, end, kind, knees and flags, shifted to
where it now is); no hold is expected (pauses under 3 s). With HOLD seconds the set begins with her standing held
still that long instead: the same frames just before the plié played back and forth (a still stand's sway
reversed is a still stand's), so one hold is expected (3 s or more, as `labels.toml` counts holds), ending where the
first plié starts. With SLOW k each of the plié's frames is shown k times (a slow plié, as a barre set asks for:
"slow, controlled descent and ascent"), its answers moved to match: its start the start frame's first copy, its
bottom the middle of the bottom frame's copies, its end the end frame's last copy (a label's own frame or two of
doubt grows k times too). The sequence goes into `build/real_sequences/` (never
into the repository), `turnout analyze` runs on it, and it is scored with `eval_real.py`'s rules. The exit status
is 1 when any answer differs from the labels (or the clip could not be read), 0 otherwise. The tests run it
(tests/test_real_sequences.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_real import (
    DEFAULT_MEDIA,
    REPO,
    TIME_TOLERANCE_S,
    Case,
    ClipResult,
    ExpectedPlie,
    find_turnout_cli,
    load_shared_cases,
    print_report,
    run_analyze,
    score_clip,
)
from real_variants import Variant, label_differences, write_mp4

#: a held stand is played back and forth over this much of her standing just before the plié (seconds)
HOLD_WINDOW_S = 2.0
#: a found hold's end against the first plié's labelled start (s): a plié ends a hold where the plié begins
HOLD_END_TOLERANCE_S = 0.3


def plan(
    fps: float, plie: ExpectedPlie, plies: int, first_s: float, pause_s: float, hold_s: float = 0.0, slow: int = 1
) -> tuple[list[int], list[int]]:
    """(the source frames to write, in order; the index in that list where each plié starts). The plié is its
    labelled frames start..end, each ``slow`` times; the standing before it is the frames just before its start; with
    ``hold_s`` the first standing is that long, the last :data:`HOLD_WINDOW_S` of it played back and forth, ending at
    the plié."""
    start, end = round(plie.start_s * fps), round(plie.end_s * fps)
    first, pause = round((hold_s or first_s) * fps), round(pause_s * fps)
    if min(first, pause) < 1 or plies < 1 or slow < 1:
        raise ValueError("the set needs at least one plié, a frame of standing before each and a slowing of 1 or more")
    window = min(round(HOLD_WINDOW_S * fps), start) if hold_s else first
    if max(window, pause) > start or window < 2:
        raise ValueError(f"the clip has {start / fps:.1f} s before its plié: less than the standing asked for")
    held: list[int] = []
    k, step = start - 1, -1
    while len(held) < first:  # back from the plié's start through the window and forth again, then reversed
        held.append(k)
        if not start - window <= k + step < start:
            step = -step
        k += step
    frames, starts = held[::-1], []
    for _ in range(plies):
        starts.append(len(frames))
        frames += [k for k in range(start, end + 1) for _ in range(slow)] + list(range(start - pause, start))
    return frames, starts


def expected(
    case: Case, fps: float, starts: list[int], name: str, video: Path, hold_s: float = 0.0, slow: int = 1
) -> Case:
    """The set's answers: the clip's first labelled plié at each of ``starts`` (frames of the set), each of its
    frames shown ``slow`` times; a hold where ``hold_s`` is 3 s or more (the labels count holds of 3 s or more), else
    none."""
    p = case.plies[0]
    start = round(p.start_s * fps)
    bottom, end = (
        (round(p.bottom_s * fps) - start) * slow + (slow - 1) / 2,
        (round(p.end_s * fps) - start + 1) * slow - 1,
    )
    plies = tuple(dataclasses.replace(p, start_s=s / fps, bottom_s=(s + bottom) / fps, end_s=(s + end) / fps)
                  for s in starts)  # fmt: skip
    return dataclasses.replace(case, name=name, video=video, plies=plies, holds=int(hold_s >= 3.0),
                               note=f"{case.name}'s plié x{len(starts)}")  # fmt: skip


def write(src: Path, dst: Path, frames: list[int]) -> float:
    """``frames`` of ``src`` (indices, any order, repeats allowed) written to ``dst`` (mp4) at the source's frame
    rate, which it returns."""
    cap = cv2.VideoCapture(str(src))
    if not cap.isOpened():
        raise RuntimeError(f"cannot read {src}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    need, pictures = set(frames), dict[int, np.ndarray]()
    i = 0
    try:
        while len(pictures) < len(need):
            ok, picture = cap.read()
            if not ok:
                break
            if i in need:
                pictures[i] = picture
            i += 1
    finally:
        cap.release()
    missing = need - set(pictures)
    if missing:
        raise RuntimeError(f"{src} has no frame {min(missing)}")
    write_mp4((pictures[k] for k in frames), dst, fps)
    return float(fps)


def fps_of(video: Path) -> float:
    cap = cv2.VideoCapture(str(video))
    try:
        if not cap.isOpened():
            raise RuntimeError(f"cannot read {video}")
        return float(cap.get(cv2.CAP_PROP_FPS) or 25.0)
    finally:
        cap.release()


def run(
    case: Case,
    root: Path,
    plies: int = 5,
    first_s: float = 0.8,
    pause_s: float = 1.5,
    hold_s: float = 0.0,
    slow: int = 1,
) -> ClipResult:
    """The set made from ``case`` under ``root``, analysed and scored against the answers :func:`expected` gives."""
    if not case.plies:
        raise ValueError(f"{case.name} has no labelled plié")
    fps = fps_of(case.video)
    frames, starts = plan(fps, case.plies[0], plies, first_s, pause_s, hold_s, slow)
    name = f"{case.name}_x{plies}" + (f"_hold{hold_s:g}" if hold_s else "") + (f"_slow{slow}" if slow > 1 else "")
    video = root / f"{name}.mp4"
    write(case.video, video, frames)
    doc = run_analyze(find_turnout_cli(), video, root / name, case.analyze_args)
    return score_clip(expected(case, fps, starts, name, video, hold_s, slow), doc)


def differences(result: ClipResult) -> list[str]:
    """What differs from the answers: the scoreboard's (``real_variants.label_differences``: pliés, kinds, false
    reps, knees, holds, flags), each found plié's start, bottom or end further than the issue's 0.3 s, and a hold
    that does not end where the first plié starts (:data:`HOLD_END_TOLERANCE_S`)."""
    out = label_differences(Variant(result.name, "set", result))
    if result.holds and result.plies:
        first = float(result.plies[0].expected["start_s"])
        out += [f"hold ends at {h['end_s']:.2f} s, the plié starts at {first:.2f} s" for h in result.holds
                if h.get("end_s") is None or abs(float(h["end_s"]) - first) > HOLD_END_TOLERANCE_S]  # fmt: skip
    for p in result.plies:
        for what in ("start", "bottom", "end"):
            err = getattr(p, f"{what}_err_s")
            if err is not None and abs(err) > TIME_TOLERANCE_S:
                out.append(f"plié {p.expected['bottom_s']:.2f} s: {what} {err:+.2f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("--media", type=Path, default=DEFAULT_MEDIA, help="shared media folder (labels.toml)")
    ap.add_argument("--clip", default="ballet_plie", help="a labelled clip with a plié (default ballet_plie)")
    ap.add_argument("--plies", type=int, default=5, help="pliés in the set (default 5)")
    ap.add_argument("--first", type=float, default=0.8, help="seconds of standing before the first (default 0.8)")
    ap.add_argument("--pause", type=float, default=1.5, help="seconds of standing after each (default 1.5)")
    ap.add_argument("--hold", type=float, default=0.0, help="begin with her standing held this long (seconds)")
    ap.add_argument("--slow", type=int, default=1, help="show each of the plié's frames this many times (default 1)")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "real_sequences", help="where the set goes")
    args = ap.parse_args(argv)
    if not (args.media / "labels.toml").exists():
        print(f"no labels.toml in {args.media}: give --media", file=sys.stderr)
        return 1
    cases = [c for c in load_shared_cases(args.media) if c.name == args.clip]
    if not cases or not cases[0].plies:
        print(f"{args.clip}: no labelled clip of that name with a plié in {args.media / 'labels.toml'}",
              file=sys.stderr)  # fmt: skip
        return 1
    try:
        result = run(cases[0], args.out, args.plies, args.first, args.pause, args.hold, args.slow)
    except (RuntimeError, ValueError) as e:
        print(f"{args.clip}: {e}", file=sys.stderr)
        return 1
    print_report([result])
    differs = differences(result)
    for line in differs:
        print(f"DIFFERS: {line}")
    return 1 if differs or result.error else 0


if __name__ == "__main__":
    sys.exit(main())
