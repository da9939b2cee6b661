"""The press summary as a Word document (python-docx): a title, the header, a table of contents by
province (or partner) whose lines link to the sections, one Heading 1 per group, one Heading 2 per
story (linked to the article), the date, the lead, the activity and the outlets as hyperlinks."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from pipeline.report.data import Report

FONT = "DejaVu Sans"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


class _Rels:
    """Relationship ids of external links, one per URL. python-docx's ``relate_to`` scans every
    relationship for each new link (quadratic: 5 s for 2,000 links); this adds each URL once."""

    def __init__(self, part: Any) -> None:
        self.part = part
        self.n = 1000
        self.ids: dict[str, str] = {}

    def rid(self, url: str) -> str:
        if url not in self.ids:
            while f"rId{self.n}" in self.part.rels:
                self.n += 1
            rid = f"rId{self.n}"
            self.part.rels.add_relationship(HYPERLINK, url, rid, is_external=True)
            self.ids[url] = rid
            self.n += 1
        return self.ids[url]


def _link(par: Paragraph, text: str, url: str | None = None, anchor: str | None = None,
          rels: _Rels | None = None) -> None:
    """Append a hyperlink run to ``par``: to ``url`` (external) or to the bookmark ``anchor``."""
    link = OxmlElement("w:hyperlink")
    if url is not None:
        assert rels is not None
        link.set(qn("r:id"), rels.rid(url))
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1D4F72")
    props.append(color)
    under = OxmlElement("w:u")
    under.set(qn("w:val"), "single")
    props.append(under)
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    link.append(run)
    par._p.append(link)


def _bookmark(par: Paragraph, name: str, bid: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bid))
    par._p.insert(0, start)
    par._p.append(end)


def docx_bytes(rep: Report) -> bytes:
    """The report as the bytes of a .docx file."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT  # type: ignore[attr-defined]
    normal.font.size = Pt(10.5)  # type: ignore[attr-defined]
    for sec in doc.sections:
        sec.page_width, sec.page_height = Mm(210), Mm(297)  # A4
        sec.left_margin = sec.right_margin = Mm(18)
    rels = _Rels(doc.part)
    h1, h2_style, toc = doc.styles["Heading 1"], doc.styles["Heading 2"], doc.styles["List Number"]
    doc.add_heading(rep.title(), level=0)
    doc.add_paragraph(f"Thời gian: {rep.period.label()} · {rep.filters()} · {len(rep.stories)} sự kiện, "
                      f"{rep.n_articles} bài báo · lập lúc {rep.made_at.strftime('%H:%M %d/%m/%Y')} (giờ Việt Nam)")
    if not rep.groups:
        doc.add_paragraph("Không có tin nào trong thời gian này.")
    else:
        doc.add_paragraph().add_run("Mục lục").bold = True
        for i, g in enumerate(rep.groups, 1):
            par = doc.add_paragraph(style=toc)
            _link(par, f"{g.name} ({len(g.stories)})", anchor=f"nhom_{i}")
    for i, g in enumerate(rep.groups, 1):
        h = doc.add_paragraph(g.name, style=h1)
        _bookmark(h, f"nhom_{i}", i)
        for st in g.stories:
            h2 = doc.add_paragraph(style=h2_style)
            _link(h2, st.title, url=st.outlets[0].url if st.outlets else None, rels=rels)
            meta = doc.add_paragraph()
            run = meta.add_run(st.when())
            run.italic = True
            if st.lead:
                doc.add_paragraph(st.lead)
            if st.activity:
                doc.add_paragraph(f"Hoạt động: {st.activity}")
            outs = doc.add_paragraph(f"Các báo đưa tin ({len(st.outlets)}): ")
            for j, o in enumerate(st.outlets):
                if j:
                    outs.add_run(", ")
                _link(outs, o.name, url=o.url, rels=rels)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
