"""``render_briefing``: lay out a BriefingData as a PDF (A4 or Letter) with ReportLab."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from casebook.briefing.data import BriefingData
from casebook.briefing.fonts import BOLD, CJK, SANS, register_fonts
from casebook.briefing.styles import GREY
from casebook.briefing.text import has_cjk
from casebook.core.errors import Cancelled

MARGIN = 50  # points (~18 mm)
ILLUSTRATIVE = "Illustrative data — fictional firms"


def paper_size(paper: str) -> tuple[float, float]:
    from reportlab.lib.pagesizes import A4, LETTER

    return {"a4": A4, "letter": LETTER}[paper]


def render_briefing(
    data: BriefingData,
    out: str | Path,
    *,
    paper: str = "a4",
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict:
    """Write the briefing PDF to ``out``; returns ``{out, pages, sha256}``."""
    from reportlab import rl_config

    from casebook.briefing.sections import story_for

    rl_config.invariant = 1
    register_fonts()
    size = paper_size(paper)
    story = story_for(data, width=size[0] - 2 * MARGIN)
    doc = _document(out, data, size, progress=progress, cancelled=cancelled)
    doc.build(story, canvasmaker=_canvas_maker(data))
    raw = Path(out).read_bytes()
    return {"out": str(out), "pages": doc.page_count, "sha256": hashlib.sha256(raw).hexdigest()}


def _document(out, data: BriefingData, size, *, progress, cancelled):
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    class Doc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            outline = getattr(flowable, "_outline", None)
            if outline:
                title, level, key = outline
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(title, key, level=level, closed=False)

        def handle_flowable(self, flowables):
            if cancelled is not None and cancelled():
                raise Cancelled("briefing cancelled")
            super().handle_flowable(flowables)
            self._done += 1
            if progress is not None and self._done % 25 == 0:
                progress(min(self._done, self._total - 1), self._total)

        def build(self, story, **kw):
            self._done, self._total = 0, max(1, len(story))
            super().build(story, **kw)
            self.page_count = self.canv._pages_total
            if progress is not None:
                progress(self._total, self._total)

    doc = Doc(
        str(out),
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 8,
        bottomMargin=MARGIN + 8,
        title=f"{data.case_ref}: {data.title}",
        author=data.author,
        subject=f"Casebook briefing — {data.case_ref}",
        keywords=[data.marking, data.case_ref, "Casebook briefing"]
        + (["illustrative", "fictional"] if data.illustrative else []),
        creator="Casebook",
        invariant=1,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    return doc


def _canvas_maker(data: BriefingData):
    """A canvas that holds pages until the end, then prints "Page X of Y" and the markings."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self._saved: list[dict] = []
            self._pages_total = 0

        def showPage(self):
            self._saved.append(dict(self.__dict__))
            # Destinations and outline entries name pages by this counter: keep it moving
            # while pages are held back, and replay them from page 1 in save().
            self._doc.pageCounter += 1
            self._startPage()

        def save(self):
            total = len(self._saved)
            self._pages_total = total
            self._doc.pageCounter = 1
            for number, state in enumerate(self._saved, start=1):
                saved = self._saved
                self.__dict__.update(state)
                self._saved = saved
                _decorate(self, data, number, total)
                Canvas.showPage(self)
            self._pages_total = total
            Canvas.save(self)

    return NumberedCanvas


def _marking_box(canvas, data: BriefingData, x: float, y: float, *, anchor: str) -> None:
    """The TLP label in its colour on black (FIRST TLP 2.0), prominent in greyscale too."""
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    label = data.marking
    width = stringWidth(label, BOLD, 9) + 10
    left = x - width / 2 if anchor == "centre" else x
    canvas.setFillColor(colors.black)
    canvas.rect(left, y - 3, width, 13, stroke=0, fill=1)
    canvas.setFillColor(colors.HexColor(data.marking_colour))
    canvas.setFont(BOLD, 9)
    canvas.drawString(left + 5, y, label)


def _decorate(canvas, data: BriefingData, number: int, total: int) -> None:
    from reportlab.lib import colors

    width, height = canvas._pagesize
    canvas.saveState()
    _marking_box(canvas, data, width / 2, height - MARGIN + 18, anchor="centre")
    _marking_box(canvas, data, width / 2, MARGIN - 26, anchor="centre")
    canvas.setFont(SANS, 7.5)
    canvas.setFillColor(colors.HexColor(GREY))
    canvas.drawString(MARGIN, height - MARGIN + 18, data.case_ref)
    title = data.title if len(data.title) <= 60 else data.title[:59] + "…"
    canvas.setFont(CJK if has_cjk(title) else SANS, 7.5)
    canvas.drawRightString(width - MARGIN, height - MARGIN + 18, title)
    canvas.setFont(SANS, 7.5)
    canvas.drawString(MARGIN, MARGIN - 26, data.case_ref)
    canvas.drawRightString(width - MARGIN, MARGIN - 26, f"Page {number} of {total}")
    if data.illustrative:
        canvas.setFont(BOLD, 7.5)
        canvas.setFillColor(colors.HexColor("#8C2D04"))
        canvas.drawCentredString(width / 2, MARGIN - 38, ILLUSTRATIVE)
    canvas.setStrokeColor(colors.HexColor("#B0B4B8"))
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, height - MARGIN + 12, width - MARGIN, height - MARGIN + 12)
    canvas.line(MARGIN, MARGIN - 14, width - MARGIN, MARGIN - 14)
    canvas.restoreState()
