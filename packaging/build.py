"""Build the Linux one-folder bundle: ``python packaging/build.py`` → ``packaging/dist/casebook/``.

Steps: PyInstaller on ``packaging/casebook.spec``; debug information stripped from the binaries
that carry it (the Python runtime and some extension modules; symbols and code untouched);
the desktop integration files copied into the bundle's ``share/`` (launcher, AppStream
metadata, MIME type, icons) with ``install.sh`` beside the executable. Prints the unpacked size.

``--icons`` re-renders the PNG app icons in ``resources/icons/`` from ``casebook.svg`` (needs
PySide6; the PNGs are committed, so a build does not need it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APP_ID = "org.casebook.Casebook"
ICON_SVG = ROOT / "resources" / "icons" / "casebook.svg"
ICON_SIZES = (16, 32, 48, 64, 128, 256)


def icon_png(size: int) -> Path:
    """The committed PNG app icon of ``size`` pixels."""
    return ROOT / "resources" / "icons" / f"casebook-{size}.png"


def render_icons() -> list[Path]:
    """Render the app icon's PNG sizes from the SVG with Qt's SVG renderer."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (must stay alive)
    renderer = QSvgRenderer(str(ICON_SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {ICON_SVG}")
    written = []
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        if not image.save(str(icon_png(size)), "PNG"):
            raise SystemExit(f"cannot write {icon_png(size)}")
        written.append(icon_png(size))
    return written


def strippable(path: Path) -> bool:
    """True for an ELF file with DWARF sections that ``strip --strip-debug`` may safely drop.

    Libraries a wheel vendored (``*.libs/``) and modules linked to them (an ``$ORIGIN`` run
    path) were rewritten by patchelf, and ``strip`` can corrupt such files (``ELF load command
    address/offset not page-aligned``): they are left alone. What remains is mostly the Python
    runtime (built with debug information) and self-contained extension modules.
    """
    if path.parent.name.endswith(".libs"):
        return False
    with path.open("rb") as f:
        if f.read(4) != b"\x7fELF":
            return False
    headers = subprocess.run(
        ["objdump", "-h", "-p", str(path)], capture_output=True, text=True, check=False
    ).stdout
    return ".debug_info" in headers and "$ORIGIN" not in headers


def strip_debug(bundle: Path) -> int:
    """Remove debug sections from the bundle's shared objects; returns the bytes saved."""
    if not shutil.which("strip") or not shutil.which("objdump"):
        print("strip/objdump not found (Debian: binutils); bundle left unstripped")
        return 0
    saved = 0
    for path in sorted(bundle.rglob("*.so*")):
        if path.is_symlink() or not path.is_file() or not strippable(path):
            continue
        before = path.stat().st_size
        subprocess.run(["strip", "--strip-debug", str(path)], check=True)
        saved += before - path.stat().st_size
    return saved


def install_desktop_files(bundle: Path) -> None:
    """Lay out ``share/`` as an XDG prefix inside the bundle, plus install.sh."""
    share = bundle / "share"
    files = {
        HERE / f"{APP_ID}.desktop": share / "applications" / f"{APP_ID}.desktop",
        HERE / f"{APP_ID}.metainfo.xml": share / "metainfo" / f"{APP_ID}.metainfo.xml",
        HERE / f"{APP_ID}.mime.xml": share / "mime" / "packages" / f"{APP_ID}.xml",
        ICON_SVG: share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
    }
    for size in ICON_SIZES:
        files[icon_png(size)] = (
            share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        )
    for src, dest in files.items():
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    shutil.copy2(HERE / "linux" / "install.sh", bundle / "install.sh")
    (bundle / "install.sh").chmod(0o755)


def tree_size(path: Path) -> int:
    """Bytes in the files under ``path`` (symlinks not followed)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller and finish the bundle; returns its folder."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit(
            "PyInstaller is not installed: pip install '.[package]' (or pip install pyinstaller)"
        ) from None
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(HERE / "casebook.spec"),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
        ],
        check=True,
        cwd=ROOT,
    )
    bundle = dist / "casebook"
    saved = strip_debug(bundle)
    install_desktop_files(bundle)
    size = tree_size(bundle)
    print(f"bundle: {bundle}")
    print(f"unpacked size: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB)")
    print(f"debug information stripped: {saved / 1e6:.1f} MB")
    print(f"build time: {time.monotonic() - started:.0f} s")
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=HERE / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=HERE / "build", help="PyInstaller work folder")
    parser.add_argument(
        "--icons", action="store_true", help="re-render the PNG app icons from the SVG and exit"
    )
    args = parser.parse_args(argv)
    if args.icons:
        for path in render_icons():
            print(path.relative_to(ROOT))
        return 0
    build(args.dist.resolve(), args.work.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
