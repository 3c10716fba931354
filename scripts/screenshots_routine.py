"""Screenshots of issue 17's routine screens on the real window, model and pipeline, with studio renders standing in
for the camera: the routine panel counting pliés, resting, a hold's countdown (first position, a held low plié and
high relevé, one broken), the summary at the end, the guided self-check's answers (knees over the toes, knees
inside, no verdict in fifth), and Review and Progress with the exercises stored.

    xvfb-run -a -s "-screen 0 1280x720x24" \\
        .venv/bin/python scripts/screenshots_routine.py --out build/screenshots/routine

(``--only holds``: the held low plié's and high relevé's screens alone, and side-on the relevé's where
``scripts/side_on_study.py`` has rendered it; ``--only barre``: three relevés counted and
their summary, two side-on, then tendus to the side and the front, and side-on to the front and back; turned
three-quarter, relevés counted and tendus not (the panel says to face the camera);
``--only stretches``: the floor stretches'
screens alone: two butterflies against an earlier session's figure, then a frog and a low lunge; ``--only profile``:
side-on, a first-position hold and a demi-plié with her pelvis arched, then tucked, with no routine.)

Scenes come from build/studio (rendered by the studio; nothing is copied into the project); the database is written
into OUT/data/.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STUDIO = ROOT / "build" / "studio"


def scene(name: str) -> Path:
    found = sorted(STUDIO.glob(f"{name}-*/{name}.mp4"))
    if not found:
        raise SystemExit(f"studio scene {name} is not rendered under {STUDIO}")
    return found[0]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, type=Path, help="folder for the PNGs (and data/)")
    p.add_argument("--size", default="1280x720", help="window size (default: %(default)s)")
    p.add_argument("--only", choices=("all", "holds", "barre", "stretches", "profile"), default="all",
                   help="'holds': only the held low plié's and relevé's screens; 'barre': only the relevés' and "
                        "tendus'; 'stretches': only the floor stretches'; 'profile': only the side-on view's "
                        "(default: %(default)s)")  # fmt: skip
    args = p.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from turnout.app.context import AppContext
    from turnout.app.controller import LiveController
    from turnout.app.qtfix import undo_opencv_qt_env
    from turnout.app.sound import CuePlayer
    from turnout.app.window import MainWindow
    from turnout.practice.routine import SELF_CHECK_ROUTINE, Exercise, Routine
    from turnout.session.engine import SourceSpec
    from turnout.session.processor import RealEngine

    out: Path = args.out
    data = out / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    undo_opencv_qt_env()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    qs = QSettings(str(data / "app.ini"), QSettings.Format.IniFormat)
    ctx = AppContext.load(qs, settings_path=data / "settings.toml", db=str(data / "sessions.sqlite3"))
    window = MainWindow(LiveController(RealEngine(ctx)), ctx, cues=CuePlayer(enabled=False))
    window.resize(width, height)
    window.show()
    live = window.live
    panel = live.routine_panel

    def wait(cond: Callable[[], bool], timeout: float = 60.0) -> bool:
        end = time.monotonic() + timeout
        while not cond() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        return cond()

    def pause(seconds: float) -> None:
        wait(lambda: False, seconds)

    def grab(widget: Any, name: str) -> None:
        pause(0.2)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"saved {path}: {panel.text()!r}")

    def play(path: Path, record: bool = True) -> None:
        live.start_source(SourceSpec(path=path))
        if record:
            live.toggle_recording()

    def ended() -> None:
        wait(lambda: not window.controller.running, 120)
        pause(0.5)

    def done() -> int:
        """No routine left chosen, the window closed: the run's end (after any part)."""
        live.choose_routine(None)
        window.close()
        return 0

    if args.only in ("stretches", "profile"):
        screens = stretch_screens if args.only == "stretches" else profile_screens
        screens(window, live, play, wait, grab, ended)
        return done()

    if args.only in ("all", "barre"):
        # relevés counted (three straight ones on barre_releve, its pliés not counted toward them), then tendus to
        # the side and to the front (barre_tendu: right side, right front, left front, left side)
        def releves(name: str, clip: str, reps: int, counting: str, summary: str) -> None:
            live.choose_routine(Routine(name, (Exercise("releve", sets=1, reps=reps, rest_s=0),)))
            play(scene(clip))
            if wait(lambda: panel.text().endswith(f"1 / {reps}"), 60):
                grab(window, counting)
            ended()
            grab(window, summary)

        releves("Relevés", "barre_releve", 3, "b1_releves_counting", "b2_releves_summary")
        # side-on (turned to the barre): two relevés counted from her hips' rise, no share of the foot said
        releves("Relevés side-on", "side_on_releves", 2, "b2s_releves_side_on_counting", "b2s_releves_side_on_summary")
        tendus = (Exercise("tendu", sets=1, reps=2, rest_s=0, variant="side"),
                  Exercise("tendu", sets=1, reps=2, rest_s=0, variant="front"))  # fmt: skip
        live.choose_routine(Routine("Tendus", tendus))
        play(scene("barre_tendu"))
        if wait(lambda: panel.text().endswith("1 / 2"), 60):
            grab(window, "b3_tendus_side_counting")
        ended()
        grab(window, "b4_tendus_summary")
        side_tendus = sorted(STUDIO.glob("sx_tendus-*/sx_tendus.mp4"))
        if side_tendus:  # side-on (rendered by scripts/side_on_study.py): tendus to the side are not counted there
            aside = Exercise("tendu", sets=1, reps=1, rest_s=0, variant="side")
            live.choose_routine(Routine("Side tendus side-on", (aside,)))
            play(side_tendus[0])
            if wait(lambda: "Face the camera" in panel.prompt.text(), 60):
                grab(window, "b4s_tendus_to_the_side_side_on")
            ended()
            # her right leg's front and back tendus
            tendus = (Exercise("tendu", sets=1, reps=1, rest_s=0, variant="front"),
                      Exercise("tendu", sets=1, reps=1, rest_s=0, variant="back"))  # fmt: skip
            live.choose_routine(Routine("Tendus side-on", tendus))
            play(side_tendus[0])
            if wait(lambda: "back" in panel.text(), 60):
                grab(window, "b5_tendus_side_on_counting")
            ended()
            grab(window, "b6_tendus_side_on_summary")
        part_way = sorted(STUDIO.glob("tq_releves-*/tq_releves.mp4"))
        if part_way:  # turned three-quarter (tests/test_releve_three_quarter.py renders it): relevés counted
            live.choose_routine(Routine("Relevés turned", (Exercise("releve", sets=1, reps=3, rest_s=0),)))
            play(part_way[0])
            if wait(lambda: panel.text().endswith("1 / 3"), 60):
                grab(window, "b7_releves_three_quarter_counting")
            ended()
            grab(window, "b7_releves_three_quarter_summary")
            front = Exercise("tendu", sets=1, reps=1, rest_s=0, variant="front")
            live.choose_routine(Routine("Tendus turned", (front,)))  # not counted there: the panel says so
            play(part_way[0])
            if wait(lambda: "turned part-way" in panel.prompt.text(), 60):
                grab(window, "b8_tendus_three_quarter")
            ended()
        if args.only == "barre":
            return done()

    # the held low plié and high relevé (issue 17, item 3): what the hold asks, its countdown from her arrival, a hold
    # that broke before its time (and why), a hold done and the summary
    live.choose_routine(Routine("Low plié hold", (Exercise("hold", sets=2, hold_s=10, rest_s=5, variant="low_plie"),)))
    play(scene("hold_low_plie"))
    if wait(lambda: "take the position" in panel.text(), 60):
        grab(window, "h1_low_plie_take_the_position")
    if wait(lambda: "s left" in panel.text(), 60):
        grab(window, "h2_low_plie_countdown")
    if wait(lambda: "again" in panel.said.text(), 60):
        grab(window, "h3_low_plie_broken")
    ended()
    live.choose_routine(
        Routine("High relevé hold", (Exercise("hold", sets=1, hold_s=4, rest_s=0, variant="high_releve"),))
    )
    play(scene("hold_high_releve"))
    if wait(lambda: "s left" in panel.text(), 60):
        grab(window, "h4_high_releve_countdown")
    ended()
    grab(window, "h5_high_releve_summary")
    side_hold = sorted(STUDIO.glob("sxh_high_releve_right-*/sxh_high_releve_right.mp4"))
    if side_hold:  # side-on (rendered by scripts/side_on_study.py): the held relevé timed from her hips
        live.choose_routine(
            Routine("High relevé hold side-on", (Exercise("hold", sets=1, hold_s=4, rest_s=0, variant="high_releve"),))
        )
        play(side_hold[0])
        if wait(lambda: "s left" in panel.text(), 60):
            grab(window, "h6_high_releve_side_on_countdown")
        ended()
        grab(window, "h7_high_releve_side_on_summary")
    if args.only == "holds":
        return done()

    # 1. pliés counted, then the rest between sets
    barre = Routine("Barre basics", (Exercise("plie", sets=2, reps=2, rest_s=20),
                                     Exercise("hold", sets=5, hold_s=60, rest_s=15, variant="first")))  # fmt: skip
    live.choose_routine(barre)
    play(scene("first45_demi"))
    if wait(lambda: panel.text().endswith("1 / 2"), 60):
        grab(window, "1_plies_counting")
    if wait(lambda: panel.text().startswith("Rest"), 60):
        grab(window, "2_rest")
    ended()
    # 2. a hold's countdown
    live.choose_routine(
        Routine("First position hold", (Exercise("hold", sets=2, hold_s=5, rest_s=5, variant="first"),))
    )
    play(scene("first45_hold"))
    if wait(lambda: "s left" in panel.text(), 60):
        grab(window, "3_hold_countdown")
    ended()
    grab(window, "4_summary")
    # 3. the self-check: knees over the toes, knees inside (forced), no verdict in fifth
    for name, shot in (("first45_demi", "5_selfcheck_over"), ("first_forced25", "6_selfcheck_inside"),
                       ("fifth45_demi", "7_selfcheck_fifth")):  # fmt: skip
        live.choose_routine(SELF_CHECK_ROUTINE)
        play(scene(name))
        prompted = wait(lambda: panel.prompt.text().startswith("Now"), 60)
        if prompted and shot == "5_selfcheck_over":
            grab(window, "5a_selfcheck_prompt")
        ended()
        grab(window, shot)
    live.choose_routine(None)
    # 4. Review and Progress with the exercises stored
    window.tabs.setCurrentWidget(window.review)
    window.review.refresh()
    pause(0.5)
    sessions = window.review.session_ids()
    if sessions:
        window.review.select_session(sessions[-1])
        pause(0.5)
    grab(window, "8_review_exercises")
    window.tabs.setCurrentWidget(window.progress)
    window.progress.refresh()
    grab(window, "9_progress_weekly")
    window.close()
    return 0


def stretch_screens(window: Any, live: Any, play: Callable[..., None], wait: Callable[..., bool],
                    grab: Callable[[Any, str], None], ended: Callable[[], None]) -> None:  # fmt: skip
    """The floor stretches (issue 17, item 5): a butterfly routine of two sets against her earlier session's figure
    (stored first: her knees were higher then), its hint, countdown and summary ("knees lower than last time"); then a
    frog and a low lunge timed, and their summary."""
    from turnout.practice.routine import Exercise, Routine
    from turnout.storage.store import SessionInfo, Store, StoredExercise

    panel = live.routine_panel
    with Store.open(window.ctx.db_path) as store:
        sid = store.create_session(SessionInfo(source="camera 0"))
        store.set_started_at(sid, "2026-12-01T18:00:00+00:00")
        store.set_exercises(sid, [StoredExercise(0, "stretch", "butterfly", "butterfly", 2, 2, 5.0,
                                                 "butterfly: 2 of 2 sets, 5 s held", {"figure": 0.45},
                                                 routine="Stretches")])  # fmt: skip
    butterfly = Exercise("stretch", sets=2, hold_s=2.5, rest_s=1.0, variant="butterfly")
    live.choose_routine(Routine("Butterfly", (butterfly,)))
    play(scene("stretch_butterfly_sets"))
    if wait(lambda: "take the position" in panel.text(), 60):
        grab(window, "s1_butterfly_take_the_position")
    if wait(lambda: "s left" in panel.text(), 60):
        grab(window, "s2_butterfly_countdown")
    ended()
    grab(window, "s3_butterfly_summary_since_last_time")
    frog = Exercise("stretch", sets=1, hold_s=2.5, rest_s=1.0, variant="frog")
    lunge = Exercise("stretch", sets=1, hold_s=2.5, rest_s=0.0, variant="low_lunge")
    live.choose_routine(Routine("Frog and lunge", (frog, lunge)))
    play(scene("stretch_frog_lunge"))
    if wait(lambda: "Frog" in panel.text() and "s left" in panel.text(), 60):
        grab(window, "s4_frog_countdown")
    if wait(lambda: "lunge" in panel.text() and "take the position" in panel.text(), 60):
        grab(window, "s5_low_lunge_take_the_position")
    if wait(lambda: "lunge" in panel.text() and "s left" in panel.text(), 60):
        grab(window, "s6_low_lunge_countdown")
    ended()
    grab(window, "s7_frog_lunge_summary")


def profile_screens(window: Any, live: Any, play: Callable[..., None], wait: Callable[..., bool],
                    grab: Callable[[Any, str], None], ended: Callable[[], None]) -> None:  # fmt: skip
    """Side-on (issue 17, item 4): a first-position hold timed from the side with her pelvis arched, her posture read
    out and turnout said not to be judged; then, tucked, with no routine: the demi-plié and the end."""
    from turnout.practice.routine import Exercise, Routine

    panel = live.routine_panel
    live.choose_routine(Routine("Side-on hold", (Exercise("hold", sets=1, hold_s=4, rest_s=0, variant="first"),)))
    play(scene("profile_arch_right"))
    if wait(lambda: "s left" in panel.text(), 60):
        grab(window, "p1_profile_hold_countdown_arched")
    ended()
    grab(window, "p2_profile_hold_summary")
    live.choose_routine(None)
    play(scene("profile_tuck_right"))
    if wait(lambda: (r := window.controller.latest()) is not None and r.timestamp_ms >= 6000, 60):
        grab(window, "p3_profile_plie_tucked")
    ended()
    grab(window, "p4_profile_end_tucked")


if __name__ == "__main__":
    raise SystemExit(main())
