"""The offline model build: deterministic, with the image metadata the Tasks API needs, and loadable."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from turnout.pose import modelbuild as mb

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "models" / ".cache"


@pytest.fixture(scope="module")
def wheel() -> Path:
    return mb.fetch_wheel(CACHE)


def test_two_builds_give_one_sha256(wheel: Path) -> None:
    first = hashlib.sha256(mb.bundle_bytes(wheel)).hexdigest()
    second = hashlib.sha256(mb.bundle_bytes(wheel)).hexdigest()
    assert first == second


def test_installed_model_is_what_the_script_builds(wheel: Path, model_path: Path) -> None:
    assert model_path.read_bytes() == mb.bundle_bytes(wheel)


def test_bundle_layout_and_metadata(wheel: Path) -> None:
    import io

    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta_fb
    from mediapipe.tasks.metadata import schema_py_generated as schema_fb

    with zipfile.ZipFile(io.BytesIO(mb.bundle_bytes(wheel))) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
        assert all(i.date_time == mb.ZIP_DATE for i in infos)
        with zipfile.ZipFile(wheel) as whl:
            assert zf.read("pose_detector.tflite") == whl.read(mb.DETECTOR_MEMBER)
        landmarks = zf.read("pose_landmarks_detector.tflite")
    model = schema_fb.Model.GetRootAsModel(landmarks, 0)
    entries = {model.Metadata(i).Name(): model.Metadata(i).Buffer() for i in range(model.MetadataLength())}
    assert b"TFLITE_METADATA" in entries
    raw = model.Buffers(entries[b"TFLITE_METADATA"]).DataAsNumpy().tobytes()
    meta = meta_fb.ModelMetadataT.InitFromObj(meta_fb.ModelMetadata.GetRootAsModelMetadata(raw, 0))
    image = meta.subgraphMetadata[0].inputTensorMetadata[0]
    norm = image.processUnits[0].options
    assert list(norm.mean) == [0.0] and list(norm.std) == [255.0]
    # every weight buffer starts on 16 bytes, so TFLite maps it in place
    for i in range(model.BuffersLength()):
        buf = model.Buffers(i)
        if buf.DataLength() > 0:
            start = buf._tab.Vector(buf._tab.Offset(4))
            assert start % 16 == 0, f"buffer {i} starts at {start}"


def test_build_writes_a_loadable_bundle(tmp_path: Path) -> None:
    out = tmp_path / "pose.task"
    digest = mb.build(out, CACHE, verify=True)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    assert not out.with_suffix(".tmp").exists()
