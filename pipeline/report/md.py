"""The press summary as Markdown (a message body, a wiki page)."""

from __future__ import annotations

from pipeline.report.data import Report


def _esc(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def markdown(rep: Report) -> str:
    """The report as Markdown: a title, the header line, a contents list, one ``##`` per group and
    one ``###`` per story (linked), its date, lead, activity and outlets as links."""
    lines = [f"# {rep.title()}", "",
             f"Thời gian: {rep.period.label()} · {rep.filters()} · {len(rep.stories)} sự kiện, "
             f"{rep.n_articles} bài báo", ""]
    if not rep.groups:
        lines.append("_Không có tin nào trong thời gian này._")
    for g in rep.groups:
        lines.append(f"- {g.name} ({len(g.stories)})")
    for g in rep.groups:
        lines += ["", f"## {g.name}"]
        for st in g.stories:
            url = st.outlets[0].url if st.outlets else ""
            lines += ["", f"### [{_esc(st.title)}]({url})", "", f"_{st.when()}_", ""]
            if st.lead:
                lines += [st.lead, ""]
            if st.activity:
                lines += [f"Hoạt động: {st.activity}", ""]
            lines.append("Các báo đưa tin: " + ", ".join(f"[{_esc(o.name)}]({o.url})" for o in st.outlets))
    return "\n".join(lines) + "\n"
