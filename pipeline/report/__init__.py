"""The press summary (điểm báo): one data function, four outputs.

``build_report(conn, period, provinces=, countries=, by=, relevant_only=)`` (data.py) reads the
stories of a period from the database; ``render(report, fmt)`` turns it into bytes:

- ``html``: a whole A4 document (html_page.py; the workspace page shows the same fragment),
- ``docx``: Word, python-docx, with a table of contents by province and hyperlinks (word.py),
- ``pdf``: fpdf2, A4, DejaVu Sans embedded (pdf.py; needs Debian fonts-dejavu-core or
  fonts-noto-core; WeasyPrint from the HTML was 3-10 times slower, bench/report.py times both),
- ``md``: Markdown (md.py).
"""

from __future__ import annotations

from pipeline.report.data import OTHER, Group, Outlet, Period, Report, Story, build_report, vn_time

FORMATS = ("html", "docx", "pdf", "md")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
}

__all__ = ["FORMATS", "MEDIA_TYPES", "OTHER", "Group", "Outlet", "Period", "Report", "Story", "build_report",
           "render", "vn_time"]


def render(rep: Report, fmt: str) -> bytes:
    """The report in ``fmt`` (one of ``FORMATS``) as bytes; raises ValueError for another format."""
    if fmt == "html":
        from pipeline.report.html_page import document

        return document(rep).encode("utf-8")
    if fmt == "md":
        from pipeline.report.md import markdown

        return markdown(rep).encode("utf-8")
    if fmt == "docx":
        from pipeline.report.word import docx_bytes

        return docx_bytes(rep)
    if fmt == "pdf":
        from pipeline.report.pdf import pdf_bytes

        return pdf_bytes(rep)
    raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(FORMATS)})")
