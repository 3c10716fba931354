"""Re-analysis goes through the one pipeline on the stored landmarks: unchanged settings give the stored session
back exactly (reps, kinds, flags, holds, clips of flagged reps), on real footage through the real model."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import media_file
from turnout.session.analysis import analyze_file
from turnout.session.reanalysis import reanalyze_session
from turnout.settings import Settings
from turnout.storage.store import Store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _same(a: Any, b: Any) -> bool:
    """Equal structure, equal text and flags; numbers equal to 1e-9 (the last bits may differ where numpy sums the
    same values in another order)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return isinstance(b, list | tuple) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)
    return bool(a == b)


def _analysis(store: Store, session_id: int) -> dict[str, Any]:
    clips = {c.rep_id: c.path for c in store.clips(session_id)}
    reps = store.reps(session_id)
    return {
        "reps": [s.rep.to_dict() for s in reps],
        "holds": [h.hold.to_dict() for h in store.holds(session_id)],
        "clips": [clips.get(s.id) for s in reps],
    }


def _clip(name: str) -> Path:
    """A shared real clip, or a rendered studio scene ("studio:NAME", rendered once and cached)."""
    if name.startswith("studio:"):
        from turnout.testing.studio import cached, load_catalogue

        return cached(load_catalogue()[name.removeprefix("studio:")]).video
    return media_file(name)


@pytest.mark.parametrize("clip", ["commons/ballet_plie.mp4", "studio:first45_hold"])
def test_reanalysis_with_unchanged_settings_gives_the_session_back(clip: str, model_path: Path, tmp_path: Path) -> None:
    # a clip of every rep (the teacher's correct plié raises no flag), to check each keeps its clip
    settings = replace(Settings(), clips=replace(Settings().clips, min_severity="any"))
    with Store.open(tmp_path / "s.sqlite3") as store:
        # an earlier session of hers: her hip profile exists before this one starts, and changes after it
        analyze_file(media_file("commons/ballet_plie.mp4"), model_path, store=store, dancer="anna", settings=settings)
        result = analyze_file(_clip(clip), model_path, store=store, dancer="anna", settings=settings)
        sid = result.session_id
        assert sid is not None
        before = _analysis(store, sid)
        assert before["reps"] or before["holds"], "the clip should give something to re-analyse"
        r = reanalyze_session(store, sid, settings)
        assert r.source == "landmarks"
        after = _analysis(store, sid)
    assert _same(after, before), (before, after)
    assert all(c is not None for c in before["clips"]), "every rep keeps its clip"


def _plie_before_standing(tmp_path: Path) -> Path:
    """Real footage re-cut: ballet_plie's demi-plié first, then her standing still, then the plié again (so the
    standing baseline is found only after the first plié)."""
    import cv2

    cap = cv2.VideoCapture(str(media_file("commons/ballet_plie.mp4")))
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(bgr)
    cap.release()
    order = [*range(96, 145), *range(40, 100), *range(96, 145)]
    path = tmp_path / "plie_then_standing.mp4"
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, (w, h))
    for i in order:
        out.write(frames[i])
    out.release()
    return path


def test_a_session_that_starts_with_a_plie_is_given_back_too(model_path: Path, tmp_path: Path) -> None:
    """Re-analysis starts from what the session started from, not from the standing reference found later in it,
    so the frames before that reference are judged as they were (it used to count a second plié there)."""
    settings = Settings()
    with Store.open(tmp_path / "s.sqlite3") as store:
        result = analyze_file(_plie_before_standing(tmp_path), model_path, store=store, settings=settings)
        sid = result.session_id
        assert sid is not None
        before = _analysis(store, sid)
        reanalyze_session(store, sid, settings)
        assert _same(_analysis(store, sid), before)


def test_a_session_recorded_in_the_window_updates_her_hip_profile(model_path: Path, tmp_path: Path) -> None:
    """The window's processor (the real pose model, a video file standing in for the camera) records a session
    with one demi-plié; when recording stops her hip profile includes it, as after a file or a re-analysis."""
    from turnout.capture.live import Captured
    from turnout.capture.sources import open_source
    from turnout.session.engine import SourceSpec
    from turnout.session.processor import RealProcessor

    clip = media_file("commons/ballet_plie.mp4")
    db = tmp_path / "s.sqlite3"
    processor = RealProcessor(SourceSpec.parse(str(clip)), model_path, Settings(), db, dancer="anna")
    try:
        processor.set_recording(True)
        with open_source(clip) as source:
            for frame in source:
                processor.process(Captured(frame, 0.0))
    finally:
        processor.close()
    with Store.open(db) as store:
        (session,) = store.list_sessions()
        assert session.n_reps == 1
        hip = store.hip_profile(store.ensure_dancer("anna"))
        assert hip is not None and hip.n_reps == 1
