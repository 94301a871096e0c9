"""Build the Linux one-folder bundle: ``python packaging/build.py`` → ``packaging/dist/casebook/``.

Steps: PyInstaller on ``packaging/casebook.spec``; the ICU data Qt never reads cut out of
libicudata (icudata.py); symbols and debug information stripped from the shared objects where
the stripped file provably loads the same (strip_binaries); matplotlib's copies of fonts the
app ships made links (share_fonts); the desktop integration files copied into the bundle's
``share/`` (launcher, AppStream metadata, MIME type, icons) with ``install.sh`` beside the
executable. Prints the unpacked size (target: under 250 MB).

``--icons`` re-renders the PNG app icons in ``resources/icons/`` from ``casebook.svg`` (needs
PySide6; the PNGs are committed, so a build does not need it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import icudata  # packaging/icudata.py, beside this script

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


SHF_ALLOC = 0x2
SHT_NOBITS = 8
PT_LOAD = 1
PT_PHDR = 6


def elf_layout(path: Path) -> tuple[list, list, dict] | None:
    """The segments and the allocated sections (what the loader maps) of an ELF file.

    LOAD segments: (offset, vaddr, filesz, memsz, flags, align); the other segments: (type,
    vaddr, memsz, flags). Sections: name → (type, addr, size, bytes in the file or None for
    .bss-like ones, file offset). None for a file that is not a 64-bit little-endian ELF.
    """
    elf = path.read_bytes()
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        return None
    phoff, shoff = struct.unpack_from("<QQ", elf, 0x20)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", elf, 0x36)
    segments, others = [], []
    for i in range(phnum):
        kind, flags, offset, vaddr, _paddr, filesz, memsz, align = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize
        )
        if kind == PT_LOAD:
            segments.append((offset, vaddr, filesz, memsz, flags, align))
        elif kind != PT_PHDR:  # DYNAMIC, TLS, GNU_RELRO, GNU_EH_FRAME, notes, stack
            others.append((kind, vaddr, memsz, flags))
    headers = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    names = headers[shstrndx][4]
    sections = {}
    for name_at, kind, flags, addr, offset, size, *_rest in headers:
        if flags & SHF_ALLOC:
            name = elf[names + name_at : elf.index(b"\0", names + name_at)].decode()
            content = None if kind == SHT_NOBITS else elf[offset : offset + size]
            sections[name] = (kind, addr, size, content, offset)
    return segments, sorted(others), sections


def maps_the_same(original: Path, stripped: Path) -> bool:
    """True when the loader maps ``stripped`` exactly as ``original``.

    ``strip`` rewrites the file layout, and on libraries patchelf edited (the wheels'
    ``*.libs/`` and the modules given an ``$ORIGIN`` run path) it can produce segments the
    loader rejects ("ELF load command address/offset not page-aligned") or drop a segment.
    Checked here: the same LOAD segments (address, flags, alignment), each page-aligned in the
    file; the same other segments (dynamic, TLS, RELRO, ...); every allocated section unchanged
    in address, size and bytes, and placed in the file where its segment maps it.
    """
    before, after = elf_layout(original), elf_layout(stripped)
    if before is None or after is None:
        return False
    (old_segments, old_others, old_sections), (segments, others, sections) = before, after
    if old_others != others:
        return False
    if [s[1:2] + s[4:] for s in old_segments] != [s[1:2] + s[4:] for s in segments]:
        return False
    if any(offset % align != vaddr % align for offset, vaddr, *_x, align in segments if align):
        return False
    if {n: s[:4] for n, s in old_sections.items()} != {n: s[:4] for n, s in sections.items()}:
        return False
    for kind, addr, size, _content, offset in sections.values():
        if kind == SHT_NOBITS or not size:
            continue
        if not any(
            vaddr <= addr and addr + size <= vaddr + filesz and offset - seg_offset == addr - vaddr
            for seg_offset, vaddr, filesz, _memsz, _flags, _align in segments
        ):
            return False
    return True


def strip_binaries(bundle: Path) -> tuple[int, list[str]]:
    """Strip symbols and debug information from the bundle's ELF libraries and modules.

    Each file is stripped into a copy (``strip --strip-unneeded``: the dynamic symbols other
    objects link against stay) that replaces it only if it maps the same (maps_the_same).
    The executable is left alone (PyInstaller appends its archive to it). Returns the bytes
    saved and the files left as they were.
    """
    if not shutil.which("strip"):
        print("strip not found (Debian: binutils); bundle left unstripped")
        return 0, []
    saved, kept = 0, []
    executable = bundle / "casebook"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "stripped"
        for path in sorted(bundle.rglob("*")):
            if path.is_symlink() or not path.is_file() or path == executable:
                continue
            with path.open("rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
            done = subprocess.run(
                ["strip", "--strip-unneeded", "-o", str(copy), str(path)],
                capture_output=True,
                check=False,
            )
            if done.returncode != 0 or copy.stat().st_size >= path.stat().st_size:
                continue
            if not maps_the_same(path, copy):
                kept.append(str(path.relative_to(bundle)))
                continue
            saved += path.stat().st_size - copy.stat().st_size
            shutil.copymode(path, copy)
            copy.replace(path)
    return saved, kept


def trim_icu_data(bundle: Path) -> int:
    """Cut the ICU data Qt never reads out of the bundled libicudata (see icudata.py)."""
    if not (shutil.which("as") and shutil.which("ld")):
        print("as/ld not found (Debian: binutils); ICU data left whole")
        return 0
    saved = 0
    for lib in sorted(bundle.rglob("libicudata.so.*")):
        if lib.is_file() and not lib.is_symlink():
            saved += icudata.trim(lib)
    return saved


def share_fonts(bundle: Path) -> int:
    """Make matplotlib's copies of fonts the app ships links to the app's own; bytes saved.

    matplotlib brings DejaVu Sans (regular, bold, oblique) and DejaVu Sans Mono, which the app
    ships too (a newer release of the same faces, file for file the same names) and registers
    with matplotlib before any chart is drawn (ui/charts.py setup()).
    """
    internal = bundle / "_internal"
    ours = internal / "casebook" / "_resources" / "fonts"
    theirs = internal / "matplotlib" / "mpl-data" / "fonts" / "ttf"
    saved = 0
    for font in sorted(ours.glob("*.ttf")):
        copy = theirs / font.name
        if copy.is_file() and not copy.is_symlink():
            saved += copy.stat().st_size
            copy.unlink()
            copy.symlink_to(os.path.relpath(font, theirs))
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
    """Bytes under ``path`` as ``du -sb`` counts them: files, folders, symlinks (not followed)."""
    total = path.lstat().st_size
    for top, dirs, files in os.walk(path):
        total += sum((Path(top) / name).lstat().st_size for name in dirs + files)
    return total


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
    icu_saved = trim_icu_data(bundle)
    saved, unstripped = strip_binaries(bundle)
    fonts_saved = share_fonts(bundle)
    install_desktop_files(bundle)
    size = tree_size(bundle)
    print(f"bundle: {bundle}")
    print(f"unpacked size: {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB); target: under 250 MB")
    print(f"ICU data trimmed: {icu_saved / 1e6:.1f} MB")
    print(f"symbols and debug information stripped: {saved / 1e6:.1f} MB")
    print(f"matplotlib's copies of the app's fonts linked: {fonts_saved / 1e6:.1f} MB")
    if unstripped:
        print("left unstripped (strip would change how they load):", ", ".join(unstripped))
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
