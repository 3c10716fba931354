"""``turnout sessions list|show|export|delete`` and ``turnout reanalyze``, through the real ``turnout`` CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from test_practice import Synth
from test_storage import record
from turnout.cli.main import main
from turnout.measure.measures import MODE_COLUMN, flat_names
from turnout.session import display
from turnout.storage.migrations import SCHEMA_VERSION
from turnout.storage.store import FrameRecord, SessionInfo, SessionRecorder, Store, hem_names, picture_foot_names


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "sessions.sqlite3"
    with Store.open(path) as store:
        s1 = Synth().stand(6.0).plie(60, knees_in_m=0.05).stand(1.0).plie(60, torso_deg=6.0).stand(1.0)
        record(store, s1, poses=False)
        record(store, Synth().stand(3.0).plie(130, down=3, up=3).stand(1.0), dancer="bella", poses=False)
        clip = store.clips_dir(1) / "rep-001.mp4"
        clip.parent.mkdir(parents=True)
        clip.write_bytes(b"not really a video")
        store.add_clip(1, store.reps(1)[0].id, clip, 5.0, 10.0, 150)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sessions", "list", "--db", str(db))
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["ID", "STARTED", "STATUS"]
    rows = {int(line.split()[0]): line.split() for line in lines[1:]}
    assert rows[1][3:] == ["complete", "anna", "0:17", "2", "1", "1"]
    assert rows[2][3:] == ["complete", "bella", "0:10", "1", "0", "1"]
    code, out, _ = run(capsys, "sessions", "list", "--db", str(db), "--dancer", "bella")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["2"]


def test_list_without_a_database_is_friendly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "sessions", "list", "--db", str(tmp_path / "none.sqlite3"))
    assert code == 0 and "No sessions yet" in out and err == ""
    assert not (tmp_path / "none.sqlite3").exists()


def test_show(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sessions", "show", "1", "--db", str(db))
    assert code == 0
    assert "Session 1 (complete): synthetic" in out and "dancer anna" in out
    assert "2 reps (2 demi, 0 grand), 1 flagged; 1 holds" in out
    # the reason in a dancer's words, the degrees rounded to 5 or a range where the camera prior spreads them
    much = r"(about \d+|\d+ to \d+|more than \d+) degrees inside your foot"
    flag = rf"\[bad\] knees_inside_toes: left knee {much}; right knee {much}"
    assert re.search(flag + r".*Cue: Let your knees travel over your toes", out)
    assert "clip of rep 1: clips/session-1/rep-001.mp4" in out
    # no raw 3D numbers: the standing reference in words (straight knees read 0), each rep's depth as the hips' drop,
    # its feet as 95 % ranges or "calibrate to see degrees", its knees in words (turnout.session.display)
    assert re.search(r"standing reference \(rolling, [\d.]+-[\d.]+ s\): .*straight knees read 0°", out)
    reps = re.findall(r"rep +\d+ demi +hips +\d+% down .* feet (.*?)  (left knee .*), (right knee .*)", out)
    assert len(reps) == 2
    for feet, left, right in reps:
        assert feet == "calibrate to see degrees" or re.fullmatch(r"(-?\d+–-?\d+°|–) / (-?\d+–-?\d+°|–)", feet)
        assert "°" not in left + right


def test_export_csv_reps_and_frames(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sessions", "export", "1", "--csv", "--db", str(db))
    assert code == 0
    reps = list(csv.DictReader(io.StringIO(out)))
    assert [r["rep"] for r in reps] == ["1", "2"]
    assert float(reps[0]["depth_deg"]) == pytest.approx(60.0, abs=2.0)
    assert float(reps[0]["left_knee_over_toe_worst_m"]) == pytest.approx(0.05, abs=0.005)
    assert reps[0]["flags"] == "knees_inside_toes:bad:both" and reps[1]["flags"] == ""
    assert reps[0]["clip"] == "clips/session-1/rep-001.mp4" and reps[0]["worst_severity"] == "bad"
    assert float(reps[0]["descent_s"]) > 0.5 and "asymmetry_flexion_deg" in reps[0]
    # every degree with its uncertainty: each foot's reading and its 95 % range, what is shown, and the p95 of the
    # 3D columns in the rep's mode (not known for these synthetic rows: blank)
    for r in reps:
        for side in ("left", "right"):
            low, deg, high = (float(r[f"{side}_foot{k}_deg"]) for k in ("_low", "", "_high"))
            assert low <= deg <= high
        assert r["feet_shown"] == "calibrate to see degrees" or "–" in r["feet_shown"]
        assert set(display.P95_COLUMNS) <= set(r)

    target = tmp_path / "frames.csv"
    code, out, _ = run(
        capsys, "sessions", "export", "1", "--csv", "--table", "frames", "-o", str(target), "--db", str(db)
    )
    assert code == 0 and out == ""
    frames = list(csv.DictReader(target.open()))
    with Store.open(db) as store:
        assert len(frames) == store.get_session(1).n_frames
    assert list(frames[0])[:4] == ["frame", "t_s", "reliable", "mode"]
    assert list(frames[0])[4:] == [
        *flat_names(),
        MODE_COLUMN,
        *picture_foot_names(),
        *hem_names(),
        *display.P95_COLUMNS,
    ]
    assert {f["mode"] for f in frames} == {""}  # these synthetic rows do not say their mode (as older sessions)
    assert float(frames[31]["t_s"]) == pytest.approx(31 / 30, abs=1e-3)
    assert frames[0]["left_knee_turnout_deg"] == ""  # nan: knee too straight
    assert frames[0]["foot_turnout_p95_deg"] == ""  # the mode is not known: neither is its uncertainty

    code, out, _ = run(capsys, "sessions", "export", "1", "--csv", "--table", "flags", "--db", str(db))
    (flag,) = list(csv.DictReader(io.StringIO(out)))
    assert flag["code"] == "knees_inside_toes" and flag["cue"] == "Let your knees travel over your toes"
    code, out, _ = run(capsys, "sessions", "export", "1", "--csv", "--table", "holds", "--db", str(db))
    (hold,) = list(csv.DictReader(io.StringIO(out)))
    # 6 s of standing; the picture ends the hold where her hips have gone 1.2 cm down, 0.7 s into this slow
    # (2 s, 60 degree) descent: the hips drop as the square of the knees' bend (a known lag, docs/thresholds.md)
    assert float(hold["duration_s"]) == pytest.approx(6.0, abs=0.8)


def test_export_json(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sessions", "export", "1", "--json", "--db", str(db))
    data = json.loads(out)
    assert code == 0 and data["format"] == "turnout-session" and data["schema_version"] == SCHEMA_VERSION
    assert data["session"]["dancer"] == "anna" and data["session"]["baseline"]["method"] == "rolling"
    assert [r["kind"] for r in data["reps"]] == ["demi", "demi"]
    assert data["reps"][0]["flags"][0]["code"] == "knees_inside_toes"
    assert data["reps"][0]["left"]["knee_turnout_bottom_deg"] == pytest.approx(25.0, abs=1.0)
    assert data["uncertainty"] == display.uncertainty_table()  # every degree's measured error, with its source
    assert data["clips"][0]["path"] == "clips/session-1/rep-001.mp4" and "frames" not in data
    target = tmp_path / "s1.json"
    code, _, _ = run(capsys, "sessions", "export", "1", "--json", "--frames", "-o", str(target), "--db", str(db))
    frames = json.loads(target.read_text())["frames"]
    assert len(frames["t_s"]) == len(frames["left_knee_flexion_deg"]) == data["session"]["n_frames"]
    assert frames["left_knee_turnout_deg"][0] is None


def test_delete(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sessions", "delete", "1", "--db", str(db))
    assert code == 2 and err == "turnout: refusing to delete session 1 without --yes\n"
    code, out, _ = run(capsys, "sessions", "delete", "1", "--yes", "--db", str(db))
    assert code == 0 and out.startswith("Deleted session 1: 2 reps,") and "1 clips" in out
    assert not (db.parent / "clips" / "session-1").exists()
    with Store.open(db) as store:
        assert [s.id for s in store.list_sessions()] == [2]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("sessions", "show", "99"), "turnout: no session 99 in "),
        (("sessions", "export", "99", "--json"), "turnout: no session 99 in "),
        (("reanalyze", "1", "--source", "landmarks"), "turnout: session 1: no stored pose track"),
    ],
)
def test_errors_are_one_line_with_status_2(
    db: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, *argv, "--db", str(db))
    assert code == 2 and out == "" and err.startswith(message) and err.count("\n") == 1


def test_a_session_being_recorded_is_not_reanalysed(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open(db) as store:
        live = store.create_session(SessionInfo())  # this process is alive and "recording" it
    code, _, err = run(capsys, "reanalyze", str(live), "--db", str(db))
    assert code == 2 and err == f"turnout: session {live} is still being recorded; re-analyse it when it has ended\n"


def test_newer_database_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE x (y)")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "sessions", "list", "--db", str(path))
    assert code == 2 and "written by a newer Turnout" in err and err.count("\n") == 1


def test_reanalyze_with_new_settings(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lenient = tmp_path / "lenient.toml"
    lenient.write_text("[flags.knees_inside_toes]\nwarn = 60.0\nbad = 70.0\n")
    code, out, err = run(capsys, "reanalyze", "1", "--settings", str(lenient), "--db", str(db))
    assert code == 0 and err == ""
    assert out == "Session 1 re-analysed from stored measurements: 2 reps (0 flagged), 1 holds; it had 2 reps.\n"
    with Store.open(db) as store:
        assert [r.rep.flags for r in store.reps(1)] == [(), ()]
        assert store.get_session(1).settings["flags"]["knees_inside_toes"]["warn"] == 60.0  # type: ignore[index]
        assert store.clips(1)[0].rep_id == store.reps(1)[0].id
        hip = store.hip_profile(store.ensure_dancer("anna"))
        assert hip is not None and hip.n_reps == 2  # her knees' direction from the picture, one per demi-plié
    bad = tmp_path / "bad.toml"
    bad.write_text("[flags.knees_inside_toes]\nwarn = 'five'\n")
    code, _, err = run(capsys, "reanalyze", "1", "--settings", str(bad), "--db", str(db))
    assert code == 2 and "flags.knees_inside_toes.warn: expected a number" in err and err.count("\n") == 1
    with Store.open(db) as store:
        assert [r.rep.flags for r in store.reps(1)] == [(), ()]  # unchanged by the failed run


def test_reanalyze_from_stored_landmarks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Optional: with the geometry module, reanalysis re-measures the stored pose track (no inference)."""
    synth = pytest.importorskip("turnout.testing.synth")
    pytest.importorskip("turnout.measure.geometry")
    params = synth.DancerParams(forced_deg=(35.0, 35.0), heel_gap_m=0.06)  # heels a heel wide apart
    seq = synth.plie_sequence(stand_s=3.0, repetitions=2, params=params)
    db = tmp_path / "s.sqlite3"
    with Store.open(db) as store:
        sid = store.create_session(SessionInfo(source="synthetic"))
        rec = SessionRecorder(store, sid, background=False)
        presence = np.ones((33, 1))
        for i, t_ms in enumerate(seq.timestamps_ms):
            image = np.hstack([seq.image[i], seq.visibility[i][:, None], presence])
            rec.add_frame(FrameRecord(i, t_ms / 1000.0, True, {}, image, seq.world[i]))  # no measurements stored
        rec.close()
    code, out, err = run(capsys, "reanalyze", str(sid), "--db", str(db))
    assert code == 0, err
    assert "from stored landmarks: 2 reps (2 flagged)" in out
    with Store.open(db) as store:
        for stored in store.reps(sid):
            assert {f.code for f in stored.rep.flags} - {"rushed"} == {"knees_inside_toes"}
