"""The press summary as PDF: WeasyPrint renders the A4 HTML document (html_page.py), the fonts it
uses (DejaVu Sans / Noto Sans, which cover Vietnamese) embedded as subsets.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0) and a font with Vietnamese
glyphs (fonts-dejavu-core or fonts-noto-core); without them the import raises OSError, reported as
``ReportError`` with the package names.
"""

from __future__ import annotations

import logging

from pipeline.report.data import Report
from pipeline.report.html_page import document


class ReportError(RuntimeError):
    """A report that cannot be rendered (a missing system library), with what to install."""


def pdf_bytes(rep: Report) -> bytes:
    """The report as PDF bytes. Raises ``ReportError`` when WeasyPrint cannot load Pango."""
    try:
        from weasyprint import HTML
    except OSError as e:  # the shared libraries are missing
        raise ReportError(f"PDF needs Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
                          f"fonts-dejavu-core): {e}") from None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    out = HTML(string=document(rep)).write_pdf()
    assert out is not None
    return bytes(out)
