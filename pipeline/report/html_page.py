"""The press summary as HTML: a fragment for the workspace page, a whole A4 document for print and PDF.

Printable: ``@page`` A4 with margins, titles and links wrap (``overflow-wrap: anywhere``) so no
title is cut at the page edge, a story is not split across pages when it fits on one, and every
element with the class ``pw-noprint`` (the workspace's controls) is hidden when printed. Fonts:
DejaVu Sans / Noto Sans (Debian fonts-dejavu-core, fonts-noto-core), which cover Vietnamese.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from pipeline.report.data import Report, Story

CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #666; } }
.pw-report { font-family: "DejaVu Sans", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  font-size: 10.5pt; line-height: 1.45; color: #111; max-width: 180mm; }
.pw-report h1 { font-size: 17pt; margin: 0 0 4pt 0; line-height: 1.25; }
.pw-report .pw-head { color: #333; margin: 0 0 10pt 0; }
.pw-report h2 { font-size: 13pt; margin: 14pt 0 6pt 0; padding-bottom: 2pt; border-bottom: 1.5pt solid #276890;
  break-after: avoid; page-break-after: avoid; }
.pw-report h3 { font-size: 11pt; margin: 0 0 2pt 0; line-height: 1.3; }
.pw-report h1, .pw-report h2, .pw-report h3, .pw-report a, .pw-report p {
  overflow-wrap: anywhere; word-break: normal; hyphens: auto; }
.pw-report .pw-story { margin: 0 0 9pt 0; break-inside: avoid; page-break-inside: avoid; }
.pw-report .pw-when { color: #555; font-size: 9pt; }
.pw-report .pw-lead { margin: 2pt 0; text-align: justify; }
.pw-report .pw-outlets, .pw-report .pw-activity { font-size: 9pt; margin: 1pt 0; color: #333; }
.pw-report .pw-toc { columns: 2; font-size: 9.5pt; margin: 0 0 8pt 0; padding-left: 1.2em; }
.pw-report a { color: #1d4f72; }
@media print {
  .pw-noprint, header, footer, nav, .crumbs, .hd, .ft { display: none !important; }
  .pw-report { max-width: none; }
  .pw-report a { text-decoration: none; }
}
"""


def _story(st: Story) -> Markup:
    outlets = Markup(", ").join(
        Markup('<a href="{}">{}</a>').format(o.url, o.name) for o in st.outlets
    )
    parts = [
        Markup('<div class="pw-story" data-story="{}">').format(st.key),
        Markup('<h3><a href="{}">{}</a></h3>').format(st.outlets[0].url if st.outlets else "#", st.title),
        Markup('<div class="pw-when">{}</div>').format(st.when()),
    ]
    if st.lead:
        parts.append(Markup('<p class="pw-lead">{}</p>').format(st.lead))
    if st.activity:
        parts.append(Markup('<p class="pw-activity">Hoạt động: {}</p>').format(st.activity))
    parts.append(Markup('<p class="pw-outlets">Các báo đưa tin ({}): {}</p>').format(len(st.outlets), outlets))
    parts.append(Markup("</div>"))
    return Markup("").join(parts)


def anchor(i: int) -> str:
    return f"nhom-{i}"


def fragment(rep: Report) -> Markup:
    """The report as an HTML fragment (``<div class="pw-report">``), for a page of its own or the
    workspace; titles link to the earliest report, each outlet to its own article."""
    n = len(rep.stories)
    head = Markup('<p class="pw-head">Thời gian: <b>{}</b> · {} · <b>{}</b> sự kiện, {} bài báo · '
                  'lập lúc {} (giờ Việt Nam)</p>').format(
        rep.period.label(), rep.filters(), n, rep.n_articles, rep.made_at.strftime("%H:%M %d/%m/%Y"))
    out = [Markup('<div class="pw-report">'), Markup("<h1>{}</h1>").format(rep.title()), head]
    if not rep.groups:
        out.append(Markup("<p><em>Không có tin nào trong thời gian này. No story in this period.</em></p>"))
    else:
        toc = Markup("").join(
            Markup('<li><a href="#{}">{}</a> ({})</li>').format(anchor(i), g.name, len(g.stories))
            for i, g in enumerate(rep.groups, 1))
        out.append(Markup('<ol class="pw-toc">{}</ol>').format(toc))
    for i, g in enumerate(rep.groups, 1):
        out.append(Markup('<h2 id="{}">{}</h2>').format(anchor(i), g.name))
        out += [_story(st) for st in g.stories]
    out.append(Markup("</div>"))
    return Markup("\n").join(out)


def document(rep: Report) -> str:
    """A whole HTML document (UTF-8, A4 print CSS): ``presswatch report --format html`` and the
    input of the PDF."""
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
            f"<title>{escape(rep.title())}</title><style>{CSS}</style></head>\n"
            f"<body>{fragment(rep)}</body></html>\n")
