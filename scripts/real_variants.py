"""The labelled real clips as other home recordings would show them: the same dancer and the same answers.

    python scripts/real_variants.py                          # every variant of every scored clip
    python scripts/real_variants.py --variant mirror --variant dark --clip ballet_plie

A teacher's answers (`../shared/media/labels.toml`: pliés, their kinds and times, knees over the toes, holds, flags)
do not change when the same practice is filmed by a selfie camera, a cheaper webcam, a dimmer room or a laptop
that is not quite level. Each VARIANT rewrites a scored clip with OpenCV into `build/real_variants/` (never into
the repository), runs `turnout analyze` on it, and scores it with `eval_real.py`'s rules against the clip's own
labels (times in seconds, so a lower frame rate keeps them); the barre's counters go over the rows it wrote,
against the tendus seen by eye (TENDUS_BY_EYE). What differs is printed per clip and variant; the exit status is
1 when any answer changed (or a clip could not be read), 0 otherwise.

The variants are what a home recording varies by, each one at a time and moderate (docs/measurements.md, "Real clips
as other cameras would film them"): a mirrored (selfie) picture, a 640-pixel-wide webcam, half the frame rate, an old
426-pixel webcam at half the frame rate, the dancer smaller in the picture (the camera further back), a dim, noisy
room, the camera rolled by 3 degrees; and all of these but the mirror at once. The mirrored file is analysed with
`--mirrored`, as a dancer loads a selfie recording, so her left is still her left. (A phone held upright cannot be
made from these: a crop of a level picture is a narrower lens than a phone's; the studio renders one:
tests/test_phone_upright.py.) The tests run some of them (tests/test_real_variants.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_real import (
    DEFAULT_MEDIA,
    REPO,
    Case,
    ClipResult,
    find_turnout_cli,
    load_shared_cases,
    run_analyze,
    score_clip,
)

Frame = np.ndarray


def _mirror(f: Frame) -> Frame:
    return cv2.flip(f, 1)


def _webcam(f: Frame, width: int) -> Frame:
    """The picture as a webcam ``width`` pixels wide films it (its height even, for the video codec)."""
    h, w = f.shape[:2]
    return cv2.resize(f, (width, round(h * width / w / 2) * 2), interpolation=cv2.INTER_AREA)


def _far(f: Frame) -> Frame:
    """The picture shrunk to 70 % and set in the middle of the frame, the edges' pixels carried outward: the
    dancer smaller, as from a camera further back."""
    h, w = f.shape[:2]
    s = cv2.resize(f, (round(w * 0.7), round(h * 0.7)), interpolation=cv2.INTER_AREA)
    top, left = (h - s.shape[0]) // 2, (w - s.shape[1]) // 2
    return cv2.copyMakeBorder(s, top, h - s.shape[0] - top, left, w - s.shape[1] - left, cv2.BORDER_REPLICATE)


def _dark(f: Frame, rng: np.random.Generator) -> Frame:
    """A dim room: 40 % of the light, a webcam's gain noise (sd 4 grey levels)."""
    g = f.astype(np.float32) * 0.4 + rng.normal(0.0, 4.0, f.shape).astype(np.float32)
    return np.clip(g, 0, 255).astype(np.uint8)


def _roll(f: Frame) -> Frame:
    h, w = f.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 3.0, 1.0)
    return cv2.warpAffine(f, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


#: name -> (what it stands for, frame step (2: every other frame), per-frame rewrite (frame, rng) -> frame, the
#: arguments `turnout analyze` is given as a dancer would load such a file)
VARIANTS: dict[str, tuple[str, int, Callable[[Frame, np.random.Generator], Frame], tuple[str, ...]]] = {
    "mirror": ("a selfie camera's mirrored picture, loaded as mirrored", 1, lambda f, _: _mirror(f), ("--mirrored",)),
    "small": ("a 640-pixel-wide webcam", 1, lambda f, _: _webcam(f, 640), ()),
    "half_fps": ("half the frame rate (a webcam slowed by a dim room)", 2, lambda f, _: f, ()),
    "tiny": ("an old 426-pixel webcam at half the frame rate", 2, lambda f, _: _webcam(f, 426), ()),
    "far": ("the dancer at 70 % of her size in the picture (the camera further back)", 1, lambda f, _: _far(f), ()),
    "dark": ("a dim room: 40 % of the light with gain noise", 1, _dark, ()),
    "roll": ("the camera rolled 3 degrees (a laptop not quite level)", 1, lambda f, _: _roll(f), ()),
    "cheap": ("all at once but the mirror: a dim room, a 640-pixel webcam at half the frame rate, "
              "further back and rolled", 2, lambda f, rng: _webcam(_dark(_roll(_far(f)), rng), 640), ()),
}  # fmt: skip

#: The barre's reps seen by eye on the scored clips (labels.toml gives none; tests/test_barre.py's counts): (leg,
#: direction) of each tendu; no clip shows a relevé.
TENDUS_BY_EYE: dict[str, list[tuple[str, str]]] = {
    "tendu_tutorial": [("right", "front")] * 2 + [("right", "side")] * 2,
    "ballet_plie": [],
    "simple_step": [],
}


@dataclass
class Variant:
    """One clip under one variant: its scoreboard score, and the barre's counts over the rows analyze wrote."""

    clip: str
    variant: str
    score: ClipResult
    #: (leg, direction) of each tendu counted, and the relevés counted; None where they could not be counted
    tendus: list[tuple[str, str]] | None = None
    releves: int | None = None


def write_variant(src: Path, dst: Path, variant: str, seed: int = 0) -> Path:
    """``src`` rewritten as ``variant`` into ``dst`` (mp4); skipped when ``dst`` is newer than ``src``."""
    if dst.exists() and dst.stat().st_mtime >= src.stat().st_mtime:
        return dst
    _, step, rewrite, _ = VARIANTS[variant]
    rng = np.random.default_rng(seed)
    cap = cv2.VideoCapture(str(src))
    if not cap.isOpened():
        raise RuntimeError(f"cannot read {src}")
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0

    def rewritten() -> Iterator[Frame]:
        i = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            if i % step == 0:
                yield rewrite(frame, rng)
            i += 1

    try:
        written = write_mp4(rewritten(), dst, fps / step)
    finally:
        cap.release()
    if not written:
        raise RuntimeError(f"no frames in {src}")
    return dst


def write_mp4(pictures: Iterable[Frame], dst: Path, fps: float) -> int:
    """``pictures`` written to ``dst`` (mp4, the first one's size) at ``fps`` through a ``.part.mp4`` beside it, which
    replaces ``dst`` once whole; how many were written (none: nothing is written)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(".part.mp4")
    writer: cv2.VideoWriter | None = None
    written = 0
    try:
        for picture in pictures:
            if writer is None:
                h, w = picture.shape[:2]
                writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
            writer.write(picture)
            written += 1
    finally:
        if writer is not None:
            writer.release()
    if written:
        tmp.replace(dst)
    return written


def differences(got: Variant) -> list[str]:
    """What a teacher would see changed from the clip's labels and the tendus seen by eye: missed or wrong pliés,
    false reps, knees, holds, flags (:func:`label_differences`), then tendus lost or false and relevés (empty: every
    answer the same)."""
    out = label_differences(got)
    if got.score.error:
        return out
    lost, false = tendus_lost_and_false(got)
    if lost:
        out.append(f"tendus lost {lost} (counted {got.tendus}, by eye {TENDUS_BY_EYE[got.clip]})")
    if false:
        out.append(f"false tendus {false}")
    if got.clip in TENDUS_BY_EYE and got.releves != 0:
        out.append(f"relevés {got.releves} (by eye 0)")
    return out


def label_differences(got: Variant) -> list[str]:
    """What differs from labels.toml alone (the scoreboard's answers): missed or wrong pliés, false reps, knees,
    holds, flags."""
    res, out = got.score, []
    if res.error:
        return [f"error: {res.error}"]
    if res.plies_found != res.plies_expected:
        out += [f"plié {p.expected['bottom_s']:.2f} s {p.status}" for p in res.plies if p.status != "ok"]
    out += [f"false rep at {r.get('bottom_s', r.get('start_s'))}" for r in res.false_reps]
    if res.knees_right != res.knees_scored:
        out += [f"knees {p.knees_found} (label {p.knees_expected})" for p in res.plies
                if p.knees_right != p.knees_scored]  # fmt: skip
    if res.holds_found != res.holds_expected:
        out.append(f"holds {res.holds_found} (label {res.holds_expected})")
    if res.false_flags or res.missed_flags:
        out.append(f"flags false {res.false_flags} missed {res.missed_flags}")
    return out


def tendus_lost_and_false(got: Variant) -> tuple[int, list[tuple[str, str]]]:
    """(how many of the tendus seen by eye were not counted, the counted ones that match none in order): the
    counted tendus are matched to those seen by eye in order, each by its leg and direction. (0, []) for a clip
    without tendus by eye."""
    want = TENDUS_BY_EYE.get(got.clip)
    if want is None or got.tendus is None:
        return 0, []
    i, false = 0, []
    for t in got.tendus:
        j = next((j for j in range(i, len(want)) if want[j] == t), None)
        if j is None:
            false.append(t)
        else:
            i = j + 1
    return len(want) - (len(got.tendus) - len(false)), false


def barre_counts(csv_path: Path) -> tuple[list[tuple[str, str]], int]:
    """The barre counters (``turnout.practice.barre.count_rows``) over the frames CSV `turnout analyze` wrote."""
    from turnout.practice.barre import count_rows
    from turnout.testing.frames_csv import read_frame_rows

    rows = read_frame_rows(csv_path)
    t = [r["timestamp_ms"] / 1000.0 for r in rows]
    releves, tendus, _ = count_rows(t, rows, [r["reliable"] == 1.0 for r in rows])
    return [(x.leg, x.direction) for x in tendus], len(releves)


def run(cases: list[Case], variants: list[str], root: Path, jobs: int = 2) -> list[Variant]:
    """Each case under each variant, scored."""
    cli = find_turnout_cli()
    todo = [(c, v) for c in cases for v in variants]

    def one(cv: tuple[Case, str]) -> Variant:
        case, variant = cv
        try:
            video = write_variant(case.video, root / variant / f"{case.name}.mp4", variant)
            out = root / variant / case.name
            doc = run_analyze(cli, video, out, VARIANTS[variant][3])
            got = Variant(case.name, variant, score_clip(dataclasses.replace(case, video=video), doc))
            got.tendus, got.releves = barre_counts(out / f"{video.stem}.frames.csv")
            return got
        except RuntimeError as e:
            return Variant(case.name, variant, ClipResult(case.name, case.source, case.scored, case.view, error=str(e)))

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, todo))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("--media", type=Path, default=None, help="shared media folder (default $TURNOUT_MEDIA, "
                    "then ../shared/media beside the repository)")  # fmt: skip
    ap.add_argument("--variant", action="append", choices=sorted(VARIANTS), default=[],
                    help="only this variant (repeatable; default all)")  # fmt: skip
    ap.add_argument("--clip", action="append", default=[], help="only this clip (repeatable; default the scored)")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "real_variants", help="where the variants go")
    ap.add_argument("--jobs", type=int, default=2, help="variants analysed at once (default 2)")
    args = ap.parse_args(argv)
    media = args.media or Path(os.environ.get("TURNOUT_MEDIA", "") or DEFAULT_MEDIA)
    if not (media / "labels.toml").exists():
        print(f"no labels.toml in {media}: give --media", file=sys.stderr)
        return 1
    cases = [c for c in load_shared_cases(media) if (c.name in args.clip if args.clip else c.scored)]
    variants = args.variant or list(VARIANTS)
    results = run(cases, variants, args.out, args.jobs)
    changed = 0
    for got in results:
        name, variant, res = got.clip, got.variant, got.score
        diff = differences(got)
        changed += bool(diff)
        summary = (f"pliés {res.plies_found}/{res.plies_expected}, false reps {len(res.false_reps)}, "
                   f"knees {res.knees_right}/{res.knees_scored}, holds {res.holds_found}/{res.holds_expected}, "
                   f"technique flags {res.technique_flags or 'none'}, tendus {len(got.tendus or [])}, "
                   f"relevés {got.releves}")  # fmt: skip
        print(f"{name:16s} {variant:9s} {'SAME' if not diff else 'CHANGED'}  {summary}")
        for d in diff:
            print(f"{'':27s}- {d}")
    print(f"{len(results) - changed} of {len(results)} clip variants give the labelled answers")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
