from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from turnout.errors import TrackError
from turnout.pose.estimator import PoseFrame
from turnout.pose.track import TrackBuilder, load_track, save_track


def _track(n: int = 6):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    b = TrackBuilder(
        source="clip.mp4",
        fps=25.0,
        width=960,
        height=540,
        mirrored=True,
        model_variant="full",
        model_sha256="ab" * 32,
    )
    for i in range(n):
        if i % 3 == 0:
            b.add(PoseFrame(i, i * 40))
        else:
            b.add(PoseFrame(i, i * 40, rng.random((33, 5)), rng.normal(size=(33, 3)), people=1))
    return b.build()


def test_round_trip(tmp_path: Path) -> None:
    track = _track()
    back = load_track(save_track(track, tmp_path / "t.track.npz"))
    assert (back.source, back.fps, back.width, back.height, back.mirrored) == (
        "clip.mp4",
        25.0,
        960,
        540,
        True,
    )
    assert back.model_sha256 == "ab" * 32
    np.testing.assert_array_equal(back.timestamp_ms, track.timestamp_ms)
    np.testing.assert_array_equal(back.detected, [False, True, True, False, True, True])
    np.testing.assert_array_equal(back.image, track.image)
    np.testing.assert_array_equal(back.world, track.world)
    f = back.frame(1)
    assert f.detected and f.world is not None and f.world.shape == (33, 3)
    assert not back.frame(0).detected


def test_pose_frame_validates_shapes() -> None:
    with pytest.raises(ValueError, match=r"expected shape \(33, 3\)"):
        PoseFrame(0, 0, np.zeros((33, 5)), np.zeros((32, 3)), people=1)
    with pytest.raises(ValueError, match="both"):
        PoseFrame(0, 0, np.zeros((33, 5)), None)


def test_pose_frame_arrays_are_read_only() -> None:
    f = PoseFrame(0, 0, np.zeros((33, 5)), np.zeros((33, 3)), people=1)
    assert f.world is not None
    with pytest.raises(ValueError):
        f.world[0, 0] = 1.0


def test_not_a_track(tmp_path: Path) -> None:
    bad = tmp_path / "x.track.npz"
    bad.write_bytes(b"garbage")
    with pytest.raises(TrackError, match="not a readable Turnout pose track"):
        load_track(bad)
    with pytest.raises(TrackError, match="no such"):
        load_track(tmp_path / "missing.npz")


def test_newer_version_is_refused(tmp_path: Path) -> None:
    path = save_track(_track(), tmp_path / "t.track.npz")
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    header = json.loads(str(arrays["header"]))
    header["version"] = 99
    arrays["header"] = np.array(json.dumps(header))
    np.savez(path, **arrays)
    with pytest.raises(TrackError, match="newer"):
        load_track(path)


def test_truncated_track(tmp_path: Path) -> None:
    path = save_track(_track(), tmp_path / "t.track.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(TrackError):
        load_track(path)
