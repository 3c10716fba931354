"""Which pose model file is used, and checking that it is a usable bundle.

``resolve_model_path`` is the one place that decides: ``--model``, then ``$TURNOUT_MODEL``, then the
project's ``models/`` folder (or the user's data folder, where ``turnout model fetch`` puts bundles).
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

ENV_VAR: Final = "TURNOUT_MODEL"
DEFAULT_VARIANT: Final = "full"
VARIANTS: Final = ("lite", "full", "heavy")
BUNDLE_MEMBERS: Final = ("pose_detector.tflite", "pose_landmarks_detector.tflite")
_HINT: Final = "run `make model` to build it (or `turnout model fetch` where a network exists)"


def bundle_name(variant: str = DEFAULT_VARIANT) -> str:
    return f"pose_landmarker_{variant}.task"


def project_models_dir() -> Path:
    """``models/`` at the project root, for a source checkout (``pip install -e``)."""
    return Path(__file__).resolve().parents[3] / "models"


def user_models_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("turnout", appauthor=False)) / "models"


def resolve_model_path(cli_path: str | os.PathLike[str] | None = None, variant: str = DEFAULT_VARIANT) -> Path:
    """Return the model bundle to use, checked to exist and to be a pose landmarker bundle.

    Order: ``cli_path`` (``--model``), then ``$TURNOUT_MODEL``, then ``models/`` of the project, then the
    user's data folder. Raises :class:`ModelError` with one line naming ``make model`` otherwise.
    """
    from turnout.errors import ModelError

    if variant not in VARIANTS:
        raise ModelError(f"unknown model variant {variant!r}: choose one of {', '.join(VARIANTS)}")
    if cli_path:
        return check_bundle(Path(cli_path), origin="--model")
    env = os.environ.get(ENV_VAR)
    if env:
        return check_bundle(Path(env), origin=f"${ENV_VAR}")
    for folder in (project_models_dir(), user_models_dir()):
        candidate = folder / bundle_name(variant)
        if candidate.is_file():
            return check_bundle(candidate, origin="models/")
    raise ModelError(f"pose model {bundle_name(variant)} not found in {project_models_dir()}: {_HINT}")


def check_bundle(path: Path, origin: str = "model") -> Path:
    """Check that ``path`` is a zip holding the two tflite models; return it. One-line error otherwise."""
    from turnout.errors import ModelError

    if not path.exists():
        raise ModelError(f"pose model {path} (from {origin}) does not exist: {_HINT}")
    if not path.is_file():
        raise ModelError(f"pose model {path} (from {origin}) is not a file: {_HINT}")
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"pose model {path} is corrupt ({exc}): {_HINT}") from None
    missing = [m for m in BUNDLE_MEMBERS if m not in names]
    if missing:
        raise ModelError(f"pose model {path} is not a pose landmarker bundle (lacks {missing[0]}): {_HINT}")
    if bad is not None:
        raise ModelError(f"pose model {path} is corrupt (bad member {bad}): {_HINT}")
    return path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class OfficialBundle:
    variant: str
    url: str
    sha256: str
    size: int


_BASE: Final = "https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_{v}/float16/1/pose_landmarker_{v}.task"

#: Google's published bundles (float16, version 1), pinned by checksum and size.
OFFICIAL: Final[dict[str, OfficialBundle]] = {
    "lite": OfficialBundle(
        "lite",
        _BASE.format(v="lite"),
        "59929e1d1ee95287735ddd833b19cf4ac46d29bc7afddbbf6753c459690d574a",
        5777746,
    ),
    "full": OfficialBundle(
        "full",
        _BASE.format(v="full"),
        "5134a3aad27a58b93da0088d431f366da362b44e3ccfbe3462b3827a839011b1",
        9398198,
    ),
    "heavy": OfficialBundle(
        "heavy",
        _BASE.format(v="heavy"),
        "64437af838a65d18e5ba7a0d39b465540069bc8aae8308de3e318aad31fcbc7b",
        30664242,
    ),
}


def fetch_official(variant: str, dest_dir: Path | None = None, timeout_s: float = 20.0) -> Path:
    """Download Google's official bundle for ``variant``, verify its checksum, and return its path.

    Fails with one line (no partial file left behind) when there is no network or the checksum differs.
    """
    import urllib.error
    import urllib.request

    from turnout.errors import ModelError

    if variant not in OFFICIAL:
        raise ModelError(f"unknown model variant {variant!r}: choose one of {', '.join(VARIANTS)}")
    spec = OFFICIAL[variant]
    dest_dir = dest_dir or user_models_dir()
    dest = dest_dir / bundle_name(variant)
    dest_dir.mkdir(parents=True, exist_ok=True)
    part = dest.with_suffix(".part")
    h = hashlib.sha256()
    try:
        with urllib.request.urlopen(spec.url, timeout=timeout_s) as resp, part.open("wb") as out:
            for chunk in iter(lambda: resp.read(1 << 16), b""):
                h.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise ModelError(
            f"could not download the {variant} pose model ({reason}); no network? "
            "Use `make model` to build the full model offline"
        ) from None
    if h.hexdigest() != spec.sha256:
        part.unlink(missing_ok=True)
        raise ModelError(
            f"downloaded {variant} model has sha256 {h.hexdigest()[:12]}..., expected {spec.sha256[:12]}...: "
            "not using it; try again later or use `make model`"
        )
    part.replace(dest)
    return dest
