"""Text from data reaches Paragraphs escaped, and CJK runs get the CJK font."""

from __future__ import annotations

from casebook.briefing.fonts import CJK
from casebook.briefing.text import clip, esc


def test_markup_characters_are_escaped():
    assert esc("A&B <Trading> Ltd") == "A&amp;B &lt;Trading&gt; Ltd"


def test_chinese_runs_are_set_in_the_cjk_font():
    assert esc("北京 & Co") == f'<font name="{CJK}">北京</font> &amp; Co'


def test_none_is_empty():
    assert esc(None) == ""


def test_clip_shortens_with_an_ellipsis():
    from casebook.briefing.fonts import register_fonts

    register_fonts()
    assert clip("short", 100, CJK, 7) == "short"
    cut = clip("a very long firm name that does not fit", 40, CJK, 7)
    assert cut.endswith("…") and len(cut) < 20


def test_escaped_paragraph_prints_exactly(tmp_path):
    from pypdf import PdfReader
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from casebook.briefing.styles import styles

    out = tmp_path / "p.pdf"
    text = "A&B <Trading> Ltd · ООО «Техностанок» · 北京精雕科技集团有限公司"
    SimpleDocTemplate(str(out)).build([Paragraph(esc(text), styles()["body"])])
    assert text in PdfReader(out).pages[0].extract_text()
