"""The stretch's "since last time" (issue 17, item 5): her previous figure per stretch read from a real SQLite store
and handed to the routine, by the command line (``turnout analyze --routine``) and by the window's routine panel."""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

from test_stretches import BUTTERFLY, session
from turnout.practice.routine import Exercise, Routine
from turnout.session.routine_run import earlier_stretches
from turnout.storage.store import SessionInfo, Store, StoredExercise

STRETCH = Routine("Stretch", (Exercise("stretch", sets=1, hold_s=3.0, rest_s=0.0, variant="butterfly"),))


def butterfly(figure: float) -> StoredExercise:
    line = "butterfly: 1 of 1 sets, 3 s held"
    return StoredExercise(0, "stretch", "butterfly", "butterfly", 1, 1, 3.0, line, {"figure": figure},
                          routine="Stretch")  # fmt: skip


def stored_sessions(db: Path) -> dict[str, int]:
    """Ana's butterflies 0.60 then 0.50 (her latest), Bea's 0.10, and a straddle of Ana's; ids by name."""
    ids = {}
    straddle = StoredExercise(1, "stretch", "straddle", "straddle", 1, 1, 3.0, "", {"figure": 3.7})
    with Store.open(db) as store:
        day = iter(range(1, 10))
        for name, dancer, exercises in (
            ("ana1", "Ana", [butterfly(0.60)]),
            ("bea", "Bea", [butterfly(0.10)]),
            ("ana2", "Ana", [butterfly(0.50), straddle]),
            ("plie", "Ana", [StoredExercise(0, "plie", "", "demi-pliés", 1, 1, 10, "demi-pliés: 1 of 1 sets")]),
        ):
            ids[name] = sid = store.create_session(SessionInfo(source="camera 0", dancer=dancer))
            store.set_started_at(sid, f"2026-11-0{next(day)}T18:00:00+00:00")
            store.set_exercises(sid, exercises)
    return ids


def test_her_latest_figure_per_stretch_is_read_from_the_store(tmp_path: Path) -> None:
    db = tmp_path / "sessions.sqlite3"
    ids = stored_sessions(db)
    with Store.open(db) as store:
        history = store.exercise_history("Ana")
        assert earlier_stretches(history) == {"butterfly": 0.5, "straddle": 3.7}
        assert earlier_stretches(store.exercise_history("Bea")) == {"butterfly": 0.1}
        assert earlier_stretches(store.exercise_history()) == {"butterfly": 0.5, "straddle": 3.7}
        # the session under way is left out, and so is a later one (a video analysed after newer sessions)
        assert earlier_stretches(history, session_id=ids["ana2"]) == {"butterfly": 0.6}
        first = store.get_session(ids["ana1"]).started_at
        assert earlier_stretches(history, before=first) == {"butterfly": 0.6}
        assert earlier_stretches(store.exercise_history("Cleo")) == {}


def analysis(session_id: int) -> Any:
    """An analysed video's results (``turnout.session.analysis.AnalysisResult``'s fields the routine reads): a
    butterfly held 5 s with her knees 0.25 torsos above her hips (tests/test_stretches.py)."""
    frames = session(BUTTERFLY, held_s=5.0)
    names = sorted(frames[0][1])
    return SimpleNamespace(
        track=SimpleNamespace(timestamp_ms=np.array([round(t * 1000) for t, _ in frames])),
        measurements={n: np.array([r[n] for _, r in frames]) for n in names},
        reliable=np.ones(len(frames), bool), reps=[], holds=[], session_id=session_id,
    )  # fmt: skip


def test_the_command_line_compares_with_her_stored_figure_and_stores_today(tmp_path: Path) -> None:
    from turnout.cli.main import _report_routine

    db = tmp_path / "sessions.sqlite3"
    stored_sessions(db)
    with Store.open(db) as store:
        sid = store.create_session(SessionInfo(source="butterfly.mp4", dancer="Ana"))
        out = io.StringIO()
        _report_routine(STRETCH, analysis(sid), store, out, "Ana")
        # today 0.245 against her 0.50: lower by about a quarter of her torso's length
        assert "butterfly: 1 of 1 sets" in out.getvalue()
        assert "knees lower than last time (by 0.26 of your torso's length)" in out.getvalue(), out.getvalue()
        (today,) = store.exercises(sid)
        assert today.detail["figure"] == pytest.approx(0.245, abs=0.01)
        out = io.StringIO()
        _report_routine(STRETCH, analysis(store.create_session(SessionInfo(source="x.mp4", dancer="Ana"))), store,
                        out, "Ana")  # fmt: skip
        assert "about the same as last time" in out.getvalue()  # against today's, now her latest
        out = io.StringIO()
        _report_routine(STRETCH, analysis(sid), None, out)  # --no-store: nothing to compare with
        assert "than last time" not in out.getvalue() and "same as last time" not in out.getvalue()


@pytest.mark.gui
def test_the_window_hands_her_stored_figures_to_the_routine(qtbot: Any, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from app_fakes import FakeEngine, forbid_dialogs
    from conftest import media_file
    from test_app_routine import make_window
    from turnout.app import controller as controller_module
    from turnout.session.engine import SourceSpec

    forbid_dialogs(monkeypatch)
    made: list[Any] = []
    real = controller_module.RoutineRun

    def recording(*args: Any, **kwargs: Any) -> Any:
        run = real(*args, **kwargs)
        made.append(run)
        return run

    monkeypatch.setattr(controller_module, "RoutineRun", recording)
    w = make_window(qtbot, tmp_path, FakeEngine(media_file("commons/ballet_plie.mp4")))
    stored_sessions(w.ctx.db_path)
    w.ctx.prefs = replace(w.ctx.prefs, dancer="Ana")
    assert w.earlier_stretches() == {"butterfly": 0.5, "straddle": 3.7}
    w.live.choose_routine(STRETCH)
    w.live.start_source(SourceSpec(camera=0))
    qtbot.waitUntil(lambda: bool(made), timeout=5000)
    assert made[-1].earlier_stretches == {"butterfly": 0.5, "straddle": 3.7}
    w.live.choose_routine(STRETCH)  # chosen again while running: the new run gets them too
    qtbot.waitUntil(lambda: len(made) >= 2, timeout=5000)
    assert made[-1].earlier_stretches == {"butterfly": 0.5, "straddle": 3.7}
    w.controller.stop()
    w.close()


@pytest.mark.gui
def test_on_the_floor_the_standing_guidance_is_not_shown(qtbot: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """While the routine is at a stretch (and after its last one), the pipeline's "stand tall in first position" (her
    standing baseline) and "step into view" (a stretch hides a leg: the pose is called unreliable) are not put over
    the picture; at a standing exercise they are."""
    from app_fakes import black_frame, forbid_dialogs, make_result, plie_seq
    from test_app_routine import make_window
    from turnout.practice.routine import RoutineRunner, RoutineStatus
    from turnout.session.pipeline import STAND_STILL
    from turnout.session.routine_run import RoutineProgress

    forbid_dialogs(monkeypatch)
    w = make_window(qtbot, tmp_path, None)
    live = w.live
    frame = make_result(black_frame(), 10, plie_seq(), guidance=(STAND_STILL,))
    unreliable = make_result(black_frame(), 11, plie_seq(), reliable=False)

    def shown() -> str:
        return "" if live.video.guidance.isHidden() else live.video.guidance.text()

    def at(exercise: Exercise) -> None:
        runner = RoutineRunner(Routine("r", (exercise,)))
        live.show_routine(RoutineProgress(0.0, "r", runner.status(0.0)))

    at(Exercise("plie", sets=1, reps=2))
    live.show_result(frame)
    assert shown() == STAND_STILL
    at(Exercise("stretch", sets=1, hold_s=10.0, variant="frog"))
    live.show_result(frame)
    assert shown() == ""
    live.show_result(unreliable)
    assert shown() == ""
    done = RoutineStatus(None, 1, 0, 0, "done", None, None)
    live.show_routine(RoutineProgress(0.0, "r", done, summary=("frog: 1 of 1 sets, 10 s held",)))
    live.show_result(frame)  # the routine done after a stretch: she is still on the floor
    assert shown() == ""
    live.choose_routine(None)
    live.show_result(frame)
    assert shown() == STAND_STILL
    w.close()
