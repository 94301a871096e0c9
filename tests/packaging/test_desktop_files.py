"""The Linux desktop integration files: launcher, AppStream metadata, MIME type, icons."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "org.casebook.Casebook"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
MIME = PACKAGING / f"{APP_ID}.mime.xml"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {package}; .ci/system-deps has it)")
    return path


def test_desktop_file_validates():
    done = subprocess.run(
        [_tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_metainfo_validates():
    done = subprocess.run(
        [_tool("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mime_type_installs(tmp_path):
    """update-mime-database accepts the package and maps *.casebook to our type."""
    tool = _tool("update-mime-database", "shared-mime-info")
    (tmp_path / "packages").mkdir()
    shutil.copy(MIME, tmp_path / "packages" / f"{APP_ID}.xml")
    done = subprocess.run([tool, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "application/x-casebook:*.casebook" in (tmp_path / "globs2").read_text()


def test_launcher_opens_bundles_with_the_gui():
    """Double-clicking a .casebook file runs `casebook gui FILE`."""
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"] == "casebook gui %f"
    assert section["Icon"] == APP_ID
    mime = ET.parse(MIME).getroot().find(f"{MIME_NS}mime-type")
    assert mime.get("type") in section["MimeType"].split(";")
    assert mime.find(f"{MIME_NS}glob").get("pattern") == "*.casebook"


def test_metainfo_names_the_launcher_and_the_mime_type():
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.find("launchable").text == DESKTOP.name
    assert component.findtext("provides/binary") == "casebook"
    assert component.findtext("provides/mediatype") == "application/x-casebook"
    version = (ROOT / "desktop/casebook/__init__.py").read_text(encoding="utf-8")
    newest = component.find("releases/release").get("version")
    assert f'__version__ = "{newest}"' in version, "add a <release> for the new version"


@pytest.mark.parametrize("size", [16, 32, 48, 64, 128, 256])
def test_app_icon_png_sizes(size):
    data = (ROOT / "resources" / "icons" / f"casebook-{size}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (size, size)
