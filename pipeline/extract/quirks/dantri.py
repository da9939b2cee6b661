"""Extraction quirk of Dân Trí (dantri.com.vn).

Site key "dantri"; registered with the others in pipeline.extract.quirks (OUTLETS)."""

from __future__ import annotations

from pipeline.extract.quirks.base import Quirk, _cls


class Dantri(Quirk):
    # [real] Dec 2022 layout: article.singular-container > h1.title-page.detail, h2.singular-sapo,
    # div.singular-content (figures: figure.image > figcaption). 2025 template: .author-name b.
    key = "dantri"
    hosts = ("dantri.com.vn",)
    body = (
        f"//div[{_cls('singular-content')}]",
        f"//div[{_cls('e-magazine__body')}]",
        f"//*[{_cls('singular-container')}]",
    )
    title = (f"//h1[{_cls('title-page')}]", f"//article[{_cls('singular-container')}]//h1")
    sapo = (
        f"//h2[{_cls('singular-sapo')}]",
        f"//*[{_cls('singular-sapo')}]",
        f"//*[{_cls('e-magazine__sapo')}]",
    )
    author = (f"//div[{_cls('author-name')}]//b", f"//*[{_cls('author-name')}]")
    prune = (
        f"//div[{_cls('singular-content')}]//*[{_cls('article-related')} or {_cls('news-related')}"
        f" or {_cls('dt-news__related')}]",
    )
    site_names = ("Dân Trí", "Báo Dân trí", "Báo điện tử Dân Trí", "Dantri", "dantri.com.vn")
    markers = (
        "//meta[@property='og:site_name'][contains(@content,'Dân Trí') or contains(@content,'Dân trí')]",
        f"//article[{_cls('singular-container')}]",
    )
    prefer_og_title = True  # [real] og:title == h1 on every saved page; JSON-LD only on some
    # The URL's 17-digit stamp is the publish minute the site shows; the JSON-LD datePublished of the
    # saved pages is sometimes a later (re-publish) time.
    date_order = ("url", "jsonld", "meta")
