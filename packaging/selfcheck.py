"""What the bundle checks on itself, frozen: the parts of Qt, ICU and matplotlib the build trims.

The bundled executable runs this instead of the app when ``CASEBOOK_BUNDLE_SELFCHECK=1``
(see launcher.py); tests/packaging/test_bundle.py does so::

    CASEBOOK_BUNDLE_SELFCHECK=1 casebook --db DEMO.db --case REF --out DIR

and gets one JSON document on stdout:

- ``icu``: what Qt asks ICU for (collation, time-zone names, legacy codecs through
  QXmlStreamReader, locale case mapping). The test compares it with the same answers from
  PySide6 in the venv (``python packaging/selfcheck.py --icu``), whose ICU data is whole.
- ``images``: every image format the Evidence tab can show, written and read back by Qt
  (GIF written by Pillow, which Qt reads only), and the SVG renderer, icon engine and
  the app's SVG icons.
- ``charts``: each Analysis tab chart of the case drawn by the tab's own drawing code into
  PNG (Agg) and SVG files in DIR, and once on the Qt canvas; the fonts matplotlib resolves;
  mathtext.

Fixed checks only: it runs no code it is given.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from pathlib import Path

COLLATION_WORDS = ["Zürich", "zebra", "Ökonomie", "Oslo", "Åland", "Ärger", "Çorum", "ıspanak",
                   "İzmir", "ch", "cz", "ha", "北京", "上海", "广州", "東京", "서울", "apple",
                   "Apple", "file10", "file9", "ä", "a", "z"]  # fmt: skip
COLLATION_LOCALES = ["C", "en_US", "de_DE", "sv_SE", "tr_TR", "cs_CZ", "es_ES", "zh_CN", "ja_JP",
                     "ko_KR", "ru_RU", "ar_SA"]  # fmt: skip
ZONES = ["Europe/Berlin", "Asia/Shanghai", "America/New_York", "Asia/Kolkata", "UTC"]
ZONE_LOCALES = ["en_US", "en_GB", "de_DE", "zh_CN", "ru_RU", "ar_AE", "fr_FR"]
CODEC_SAMPLES = {
    "Shift_JIS": "東京",
    "EUC-JP": "東京",
    "GB18030": "北京",
    "GBK": "上海",
    "Big5": "臺北",
    "EUC-KR": "서울",
    "windows-1251": "Москва",
    "KOI8-R": "Москва",
    "ISO-8859-2": "Łódź",
    "windows-1256": "دبي",
}
CASE_TEXT = "istanbul İSTANBUL Iı ὈΔΥΣΣΕΎΣ straße"


def icu_answers() -> dict:
    """Qt's answers from the ICU services it uses (QtCore links nothing else of ICU)."""
    from PySide6.QtCore import (
        QBuffer,
        QByteArray,
        QCollator,
        QLocale,
        QStringConverter,
        QTimeZone,
        QXmlStreamReader,
    )

    out: dict = {}
    for name in COLLATION_LOCALES:
        collator = QCollator(QLocale(name))
        out[f"collation {name}"] = sorted(
            COLLATION_WORDS, key=functools.cmp_to_key(collator.compare)
        )
    numeric = QCollator(QLocale("en_US"))
    numeric.setNumericMode(True)  # as the file dialog sorts
    out["collation numeric"] = sorted(COLLATION_WORDS, key=functools.cmp_to_key(numeric.compare))
    kinds = [
        (QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName),
        (QTimeZone.TimeType.StandardTime, QTimeZone.NameType.ShortName),
        (QTimeZone.TimeType.DaylightTime, QTimeZone.NameType.LongName),
        (QTimeZone.TimeType.GenericTime, QTimeZone.NameType.LongName),
    ]
    for zone_id in ZONES:
        zone = QTimeZone(QByteArray(zone_id.encode()))
        for name in ZONE_LOCALES:
            names = [zone.displayName(t, n, QLocale(name)) for t, n in kinds]
            out[f"zone {zone_id} {name}"] = [zone.isValid(), *names]
    out["codecs"] = len(QStringConverter.availableCodecs())
    for codec, text in CODEC_SAMPLES.items():
        xml = f'<?xml version="1.0" encoding="{codec}"?><a>'.encode() + text.encode(codec)
        buffer = QBuffer()
        buffer.setData(QByteArray(xml + b"</a>"))
        buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        reader, read = QXmlStreamReader(buffer), ""
        while not reader.atEnd():
            reader.readNext()
            if reader.isCharacters():
                read += reader.text()
        out[f"codec {codec}"] = [read, reader.errorString()]
    for name in ("en_US", "tr_TR", "lt_LT", "el_GR"):
        locale = QLocale(name)
        out[f"case {name}"] = [locale.toUpper(CASE_TEXT), locale.toLower(CASE_TEXT)]
    return out


def images(out: Path) -> dict:
    """Image formats, SVG rendering and the app's SVG icons, through Qt's plugins."""
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QIcon, QImage, QImageReader, QImageWriter, QPainter
    from PySide6.QtSvg import QSvgRenderer

    from casebook import resources
    from casebook.ui import theme

    result: dict = {
        "readable": sorted(bytes(f).decode() for f in QImageReader.supportedImageFormats())
    }
    sample = QImage(40, 30, QImage.Format.Format_RGB32)
    sample.fill(QColor("#4E79A7"))
    for fmt in ("png", "jpeg", "tiff", "webp", "ico", "bmp"):
        path = out / f"sample.{fmt}"
        QImageWriter(str(path), fmt.encode()).write(sample)
        back = QImageReader(str(path)).read()
        result[fmt] = [back.width(), back.height()]
    Image.new("RGB", (40, 30), "#4E79A7").save(out / "sample.gif")  # Qt reads GIF, never writes
    back = QImageReader(str(out / "sample.gif")).read()
    result["gif"] = [back.width(), back.height()]

    svg = resources.path("icons", "casebook.svg")
    renderer = QSvgRenderer(str(svg))
    image = QImage(128, 128, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    image.save(str(out / "casebook-svg.png"))
    result["svg renderer"] = renderer.isValid()
    result["svg opaque pixels"] = sum(
        image.pixelColor(x, y).alpha() > 0 for x in range(0, 128, 4) for y in range(0, 128, 4)
    )
    result["svg via image reader"] = not QImageReader(str(svg)).read().isNull()
    result["svg icon engine"] = not QIcon(str(svg)).pixmap(48, 48).isNull()
    result["theme icon"] = not theme.icon("refresh").pixmap(32, 32).isNull()
    return result


def charts(db: Path, ref: str, out: Path) -> dict:
    """The Analysis tab's charts of case ``ref``, drawn as the tab draws them."""
    from matplotlib import font_manager
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure

    from casebook.book import Casebook
    from casebook.ui import charts as drawing
    from casebook.ui.analysis_tab import SHARE_DEFAULT, _specs

    drawing.setup()
    result: dict = {}
    with Casebook.open(db) as book:
        for spec in _specs(SHARE_DEFAULT):
            table = book.chart(spec.chart, case_ref=ref, **spec.options)
            figure = Figure(figsize=(6.0, 3.3), dpi=96)
            spec.draw(figure, table, drawing.Style(), **spec.draw_options)
            for fmt in ("png", "svg"):
                figure.savefig(out / f"{spec.key}.{fmt}", format=fmt)
            result[spec.key] = (out / f"{spec.key}.png").stat().st_size
        canvas = FigureCanvasQTAgg(figure)
        canvas.resize(600, 330)
        canvas.draw()
        result["qt canvas"] = not canvas.grab().isNull()
    # The fonts matplotlib resolves exist (its DejaVu copies are links to the app's), and
    # mathtext (a "$" in a label) still draws.
    fonts = {}
    for family in ("DejaVu Sans", "DejaVu Sans Mono", "WenQuanYi Micro Hei"):
        found = Path(font_manager.findfont(family, fallback_to_default=False))
        fonts[family] = [found.name, found.resolve().is_file()]
    result["fonts"] = fonts
    figure = Figure(figsize=(3, 1), dpi=96)
    figure.text(0.05, 0.4, r"$\alpha^2 + \sum_i x_i$ Москва")
    figure.savefig(out / "mathtext.png", format="png")
    result["mathtext"] = (out / "mathtext.png").stat().st_size
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="selfcheck")
    parser.add_argument("--icu", action="store_true", help="only the ICU answers")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--case")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication([])  # noqa: F841 (must stay alive)
    report = {"icu": icu_answers()}
    if not args.icu:
        args.out.mkdir(parents=True, exist_ok=True)
        report["images"] = images(args.out)
        report["charts"] = charts(args.db, args.case, args.out)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
