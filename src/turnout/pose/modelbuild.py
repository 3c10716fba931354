"""Build ``pose_landmarker_full.task`` offline and reproducibly from the ``mediapipe==0.10.21`` wheel.

mediapipe 1.2.2 ships no model files, and Google's model host may be out of reach. The 0.10.21 wheel on
PyPI (Apache-2.0) carries the two BlazePose models the Tasks ``PoseLandmarker`` needs:

* ``mediapipe/modules/pose_detection/pose_detection.tflite``  -> ``pose_detector.tflite`` (as is)
* ``mediapipe/modules/pose_landmark/pose_landmark_full.tflite`` -> ``pose_landmarks_detector.tflite``

The landmark model lacks TFLite image-input metadata, so the Tasks API refuses it ("requires specifying
NormalizationOptions metadata"). We add that metadata, written with the flatbuffer schema code that the
mediapipe 1.2.2 wheel ships: an RGB image input normalised with mean 0 and std 255 (input in [0, 1], as the
legacy graph fed it). The bundle is a zip with fixed timestamps, so two builds give the same sha256.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Final

WHEEL_VERSION: Final = "0.10.21"
WHEEL_NAME: Final = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
WHEEL_SHA256: Final = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
DETECTOR_MEMBER: Final = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKS_MEMBER: Final = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
ZIP_DATE: Final = (1980, 1, 1, 0, 0, 0)
METADATA_NAME: Final = "TFLITE_METADATA"
_LANDMARK_OUTPUTS: Final = ("landmarks", "pose_presence", "segmentation_mask", "heatmap", "world_landmarks")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_wheel(cache_dir: Path) -> Path:
    """Return the pinned 0.10.21 wheel, downloading it from PyPI with pip if it is not cached."""
    wheel = cache_dir / WHEEL_NAME
    if wheel.is_file() and _sha256(wheel.read_bytes()) == WHEEL_SHA256:
        return wheel
    cache_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
        "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64",
        f"mediapipe=={WHEEL_VERSION}", "--dest", str(cache_dir),
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not wheel.is_file():
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"could not download {WHEEL_NAME} from PyPI: {last}")
    digest = _sha256(wheel.read_bytes())
    if digest != WHEEL_SHA256:
        wheel.unlink()
        raise RuntimeError(f"{WHEEL_NAME} has sha256 {digest}, expected {WHEEL_SHA256}: refusing it")
    return wheel


def _schemas() -> tuple[Any, Any]:
    from mediapipe.tasks.metadata import metadata_schema_py_generated as meta_fb
    from mediapipe.tasks.metadata import schema_py_generated as schema_fb

    return schema_fb, meta_fb


def _landmark_metadata(meta_fb: Any) -> bytes:
    """ModelMetadata for the landmark model: RGB image input in [0, 1] (mean 0, std 255)."""
    import flatbuffers

    norm = meta_fb.NormalizationOptionsT()
    norm.mean = [0.0]
    norm.std = [255.0]
    unit = meta_fb.ProcessUnitT()
    unit.optionsType = meta_fb.ProcessUnitOptions.NormalizationOptions
    unit.options = norm

    props = meta_fb.ImagePropertiesT()
    props.colorSpace = meta_fb.ColorSpaceType.RGB
    content = meta_fb.ContentT()
    content.contentPropertiesType = meta_fb.ContentProperties.ImageProperties
    content.contentProperties = props
    stats = meta_fb.StatsT()
    stats.max = [1.0]
    stats.min = [0.0]

    image = meta_fb.TensorMetadataT()
    image.name = "image"
    image.description = "Person crop, RGB, 256x256, values in [0, 1]."
    image.content = content
    image.processUnits = [unit]
    image.stats = stats

    outputs = []
    for name in _LANDMARK_OUTPUTS:
        t = meta_fb.TensorMetadataT()
        t.name = name
        outputs.append(t)

    subgraph = meta_fb.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [image]
    subgraph.outputTensorMetadata = outputs

    model = meta_fb.ModelMetadataT()
    model.name = "BlazePose GHUM 3D landmarks (full)"
    model.description = "Pose landmark model from mediapipe 0.10.21, image-input metadata added by Turnout."
    model.version = "0.10.21"
    model.author = "Google (model); Turnout (metadata)"
    model.license = "Apache License 2.0"
    model.minParserVersion = "1.0.0"
    model.subgraphMetadata = [subgraph]

    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), b"M001")
    return bytes(builder.Output())


def _aligned_builder(size: int) -> Any:
    """A flatbuffers Builder that starts every byte vector (the model's weight buffers) on 16 bytes.

    TFLite maps weights in place only when they are aligned; unaligned ones are copied at load time
    with a warning. 16 is what TFLite's own converter uses.
    """
    import flatbuffers
    import numpy as np

    class AlignedBuilder(flatbuffers.Builder):
        def CreateNumpyVector(self, x: Any) -> int:
            if not (isinstance(x, np.ndarray) and x.dtype == np.uint8):
                return int(super().CreateNumpyVector(x))
            data = x.tobytes()
            self.StartVector(1, len(data), 16)
            head: int = int(getattr(self, "head")) - len(data)  # noqa: B009 (untyped attribute)
            self.head = head
            self.Bytes[head : head + len(data)] = data
            return int(self.EndVector())

    return AlignedBuilder(size)


def add_image_metadata(tflite: bytes) -> bytes:
    """Return ``tflite`` with a TFLITE_METADATA buffer describing its image input (replacing any)."""
    import numpy as np

    schema_fb, meta_fb = _schemas()
    model = schema_fb.ModelT.InitFromObj(schema_fb.Model.GetRootAsModel(tflite, 0))
    buffer = schema_fb.BufferT()
    buffer.data = np.frombuffer(_landmark_metadata(meta_fb), dtype=np.uint8)
    model.metadata = [m for m in (model.metadata or []) if m.name not in (METADATA_NAME.encode(), METADATA_NAME)]
    model.buffers.append(buffer)
    entry = schema_fb.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata.append(entry)
    builder = _aligned_builder(len(tflite) + (1 << 16))
    builder.Finish(model.Pack(builder), b"TFL3")
    return bytes(builder.Output())


def bundle_bytes(wheel: Path) -> bytes:
    """The .task bundle (a zip) built from ``wheel``, byte for byte the same on every run."""
    with zipfile.ZipFile(wheel) as zf:
        detector = zf.read(DETECTOR_MEMBER)
        landmarks = add_image_metadata(zf.read(LANDMARKS_MEMBER))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in (("pose_detector.tflite", detector), ("pose_landmarks_detector.tflite", landmarks)):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, data)
    return out.getvalue()


def verify_bundle(path: Path) -> int:
    """Load the bundle with the Tasks PoseLandmarker and run it on one blank frame; return 33."""
    import numpy as np

    from turnout.pose.estimator import PoseEstimator

    with PoseEstimator(path) as est:
        est.process(np.zeros((256, 256, 3), np.uint8), timestamp_ms=0)
    return 33


def build(dest: Path, cache_dir: Path, verify: bool = True) -> str:
    """Build the bundle into ``dest`` (atomically) and return its sha256."""
    data = bundle_bytes(fetch_wheel(cache_dir))
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".tmp")
    tmp.write_bytes(data)
    if verify:
        try:
            verify_bundle(tmp)
        except Exception:
            tmp.unlink(missing_ok=True)
            raise
    tmp.replace(dest)
    return _sha256(data)
