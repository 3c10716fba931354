"""Can the window open here? Checked before Qt is loaded, so that a missing display, a missing Qt or a missing
system library is one line saying what to do, instead of Qt's own advice ("Reinstalling the application may fix
this problem") and a core dump."""

from __future__ import annotations

import ctypes.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

#: Libraries Qt's X11 (xcb) platform plugin needs, by soname, and the Debian/Ubuntu package that has each.
XCB_PACKAGES: Final = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libX11-xcb.so.1": "libx11-xcb1",
}
#: Loaded by the xcb plugin at run time (not a link-time dependency, so ``ldd`` does not list it).
XCB_RUNTIME: Final = ("libxcb-cursor.so.0",)
_NOT_FOUND: Final = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.M)


def window_problem(
    env: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    missing_libraries: Callable[[], list[str]] | None = None,
) -> str | None:
    """One line saying why the window cannot open here, or None when nothing stops it."""
    env = os.environ if env is None else env
    try:
        import PySide6  # noqa: F401  (the package only: cheap, and no platform plugin is loaded)
    except ImportError:
        return ("the window needs Qt (PySide6), which is not installed here: run `make run`, or "
                "`pip install -e .` in Turnout's folder; `turnout analyze VIDEO` works without it")  # fmt: skip
    if not platform.startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if qpa and qpa not in ("xcb", "wayland", "wayland-egl"):
        return None  # offscreen, vnc, eglfs ...: chosen on purpose
    x11, wayland = env.get("DISPLAY"), env.get("WAYLAND_DISPLAY")
    if not x11 and not wayland:
        return ("no display: the window needs a desktop session (X11 or Wayland); without one, use "
                "`turnout analyze VIDEO` (or set QT_QPA_PLATFORM=offscreen to run the window unseen)")  # fmt: skip
    wayland_session = bool(wayland) and env.get("XDG_SESSION_TYPE", "") == "wayland"
    if qpa.startswith("wayland") or (not qpa and wayland_session) or not x11:
        return None
    missing = (missing_libraries or xcb_missing_libraries)()
    if not missing:
        return None
    packages = sorted({XCB_PACKAGES.get(m, m) for m in missing})
    return (f"the window needs system libraries that are missing ({', '.join(missing)}); on Debian or Ubuntu: "
            f"sudo apt-get install {' '.join(packages)} (other systems: README, System requirements)")  # fmt: skip


def xcb_missing_libraries() -> list[str]:
    """Sonames the X11 platform plugin of this PySide6 needs and this machine lacks."""
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    plugins = [qt / "plugins" / "platforms" / "libqxcb.so", *sorted((qt / "lib").glob("libQt6XcbQpa.so*"))[:1]]
    missing: set[str] = set()
    for lib in plugins:
        if not lib.is_file():
            continue
        try:
            out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.SubprocessError):
            return []  # no ldd: let Qt try
        missing.update(_NOT_FOUND.findall(out))
    for soname in XCB_RUNTIME:
        if ctypes.util.find_library(soname.removeprefix("lib").split(".so")[0]) is None:
            missing.add(soname)
    return sorted(missing)


def main() -> int:
    """``python -m turnout.cli.preflight`` (``make run`` before opening the window): the problem in one line and
    exit status 2, or nothing and 0."""
    problem = window_problem()
    if problem is None:
        return 0
    print(f"turnout: {problem}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
