"""The press summary as PDF, drawn with fpdf2 from the same ``Report`` as the other outputs.

A4, one embedded font family (DejaVu Sans, regular and bold, subset: it covers Vietnamese; Debian
fonts-dejavu-core, else Noto Sans from fonts-noto-core), the title, the header line, a table of
contents whose lines link to the groups, one heading per province (or partner) and per story: the
title linked to the earliest report, the time, the lead, the activity and the outlets as links.
Lines are broken here (``_Layout``: words measured once), so a story's height is known before it is
drawn and a story that does not fit on the rest of a page starts the next; long titles wrap inside
the margins and a word wider than a line is cut. Page numbers "n / N" at the foot.

Why not WeasyPrint: a week of 2,000 articles in 300 stories took 4-16 s through WeasyPrint's HTML
layout on this machine (bench/report.py, which times both), fpdf2 about half a second. The printable HTML page
(html_page.py) stays for the browser's own print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.report.data import Report, Story

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/truetype/noto")
FONT_FILES = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"))
FAMILY = "pw"
MARGIN = 15.0  # mm
LINK = (29, 79, 114)
GREY = (85, 85, 85)
RULE = (39, 104, 144)


class ReportError(RuntimeError):
    """A report that cannot be rendered (no font with Vietnamese glyphs), with what to install."""


def font_files() -> tuple[Path, Path]:
    """(regular, bold) TTF files of the one family the PDF embeds; raises ``ReportError`` naming the
    Debian package when neither DejaVu Sans nor Noto Sans is installed."""
    for regular, bold in FONT_FILES:
        for d in FONT_DIRS:
            r, b = Path(d) / regular, Path(d) / bold
            if r.exists() and b.exists():
                return r, b
    raise ReportError("PDF needs a font with Vietnamese glyphs: apt-get install fonts-dejavu-core "
                      "(or fonts-noto-core)")


def _pdf_class() -> Any:
    from fpdf import FPDF

    class _PDF(FPDF):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FAMILY, "", 8)
            self.set_text_color(*GREY)
            self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R")

    return _PDF


class _Layout:
    """Greedy line breaking with each word's width measured once (fpdf2's own ``multi_cell``
    re-measures the line per character: 4 s for 300 stories; this is about ten times faster)."""

    def __init__(self, pdf: Any, width: float) -> None:
        self.pdf, self.width = pdf, width
        self._w: dict[tuple[str, float, str], float] = {}

    def _width(self, word: str) -> float:
        key = (self.pdf.font_style, self.pdf.font_size_pt, word)
        w = self._w.get(key)
        if w is None:
            w = self._w[key] = self.pdf.get_string_width(word)
        return w

    def lines(self, text: str, style: str, size: float, width: float | None = None) -> list[str]:
        """``text`` broken into lines no wider than ``width`` (default: the text width) in the font
        ``style``/``size``; a word wider than a line is cut."""
        self.pdf.set_font(FAMILY, style, size)
        width = self.width if width is None else width
        space = self._width(" ")
        out: list[str] = []
        line: list[str] = []
        used = 0.0
        for word in text.split():
            w = self._width(word)
            while w > width:  # a URL or a long run without spaces: cut it at the margin
                if line:
                    out.append(" ".join(line))
                    line, used = [], 0.0
                cut = len(word)
                while cut > 1 and self._width(word[:cut]) > width:
                    cut = max(1, cut * 3 // 4) if self._width(word[:cut // 2]) > width else cut - 1
                out.append(word[:cut])
                word = word[cut:]
                w = self._width(word)
            if line and used + space + w > width:
                out.append(" ".join(line))
                line, used = [], 0.0
            used += (space if line else 0.0) + w
            line.append(word)
        if line:
            out.append(" ".join(line))
        return out

    def block(self, lines: list[str], style: str, size: float, lh: float, link: str = "") -> None:
        self.pdf.set_font(FAMILY, style, size)
        for line in lines:
            self.pdf.cell(self.width, lh, line, link=link, new_x="LMARGIN", new_y="NEXT")


def _story(pdf: Any, lay: _Layout, st: Story) -> None:
    title = lay.lines(st.title, "B", 11)
    lead = lay.lines(st.lead, "", 10) if st.lead else []
    activity = lay.lines(f"Hoạt động: {st.activity}", "", 8.5) if st.activity else []
    prefix = f"Các báo đưa tin ({len(st.outlets)}): "
    height = 5.2 * len(title) + 4.5 + 4.8 * len(lead) + 4.2 * len(activity) + 4.2 * 2 + 3.0
    if pdf.get_y() + height > pdf.h - pdf.b_margin:  # a story is not split across two pages
        pdf.add_page()
    pdf.set_text_color(*LINK)
    lay.block(title, "B", 11, 5.2, st.outlets[0].url if st.outlets else "")
    pdf.set_text_color(*GREY)
    lay.block([st.when()], "", 8.5, 4.5)
    pdf.set_text_color(17, 17, 17)
    lay.block(lead, "", 10, 4.8)
    lay.block(activity, "", 8.5, 4.2)
    pdf.set_text_color(51, 51, 51)
    pdf.set_font(FAMILY, "", 8.5)
    right = pdf.l_margin + lay.width
    pdf.cell(lay._width(prefix), 4.2, prefix)
    pdf.set_text_color(*LINK)
    for i, o in enumerate(st.outlets):
        name = o.name + ("," if i < len(st.outlets) - 1 else "")
        w = lay._width(name) + lay._width(" ")
        if pdf.get_x() + w > right:
            pdf.ln(4.2)
        pdf.cell(w, 4.2, name, link=o.url)
    pdf.ln(4.2 + 3.0)
    pdf.set_text_color(17, 17, 17)


def pdf_bytes(rep: Report) -> bytes:
    """The report as PDF bytes (A4, fonts embedded). Raises ``ReportError`` without a usable font."""
    regular, bold = font_files()
    pdf = _pdf_class()(format="A4", unit="mm")
    pdf.set_margins(MARGIN, 16, MARGIN)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font(FAMILY, "", str(regular))
    pdf.add_font(FAMILY, "B", str(bold))
    pdf.set_title(rep.title())
    pdf.set_creator("presswatch")
    pdf.set_lang("vi")
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    lay = _Layout(pdf, width)
    lay.block(lay.lines(rep.title(), "B", 16), "B", 16, 7.5)
    n = len(rep.stories)
    more = f" (mới nhất {n} trong {rep.total})" if rep.total > n else ""
    head = (f"Thời gian: {rep.period.label()} · {rep.filters()} · {n} sự kiện{more}, {rep.n_articles} bài báo · "
            f"lập lúc {rep.made_at:%H:%M %d/%m/%Y} (giờ Việt Nam)")
    pdf.set_text_color(51, 51, 51)
    lay.block(lay.lines(head, "", 9.5), "", 9.5, 4.8)
    pdf.ln(3)
    if not rep.groups:
        pdf.set_text_color(17, 17, 17)
        lay.block(lay.lines("Không có tin nào trong thời gian này. No story in this period.", "", 10), "", 10, 5)
        return bytes(pdf.output())
    links = [pdf.add_link() for _ in rep.groups]
    pdf.set_font(FAMILY, "", 9.5)
    pdf.set_text_color(*LINK)
    for i, (g, link) in enumerate(zip(rep.groups, links, strict=True), 1):
        lay.block(lay.lines(f"{i}. {g.name} ({len(g.stories)})", "", 9.5), "", 9.5, 4.8, link)
    pdf.ln(2)
    for g, link in zip(rep.groups, links, strict=True):
        if pdf.get_y() + 30 > pdf.h - pdf.b_margin:  # a heading is not left alone at the foot of a page
            pdf.add_page()
        pdf.ln(3)
        pdf.set_link(link, page=pdf.page_no(), y=pdf.get_y())
        pdf.set_text_color(17, 17, 17)
        lay.block(lay.lines(g.name, "B", 13), "B", 13, 6.5)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.5)
        pdf.line(MARGIN, pdf.get_y() + 0.5, MARGIN + width, pdf.get_y() + 0.5)
        pdf.ln(3)
        for st in g.stories:
            _story(pdf, lay, st)
    return bytes(pdf.output())
