"""Per-site extraction quirks: small hooks layered over the generic extraction in pipeline.extract.

A quirk is registered under a site key (config/sites.toml) and the host names it covers, so it is
found from ``site.quirk``, ``site.key`` or, when there is no site spec (``presswatch extract URL``),
from the URL's host. Only real, documented differences belong here (see ../shared/sites/SITES.md):
where the body is, where the sapo and byline are, which lines are the site's own furniture.

    @register("dantri")
    class Dantri(Quirk):
        hosts = ("dantri.com.vn",)
        body = ('//div[contains(@class,"singular-content")]',)

XPaths are evaluated on the whole page; ``body`` is the first XPath that matches (trafilatura is then
run on that element only); ``prune`` matches are removed before extraction; ``junk_lines`` are
regular expressions matched (``re.search``) against each output line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

__all__ = ["Quirk", "register", "find_quirk", "REGISTRY"]


def _cls(name: str) -> str:
    """XPath predicate: the class attribute contains ``name`` (a substring test: cheap, and the names
    used here are distinctive enough)."""
    return f"contains(@class, '{name}')"


class Quirk:
    key: ClassVar[str] = ""
    hosts: ClassVar[tuple[str, ...]] = ()
    body: ClassVar[tuple[str, ...]] = ()  # XPaths of the article body container (first match wins)
    title: ClassVar[tuple[str, ...]] = ()  # XPaths of the headline element
    sapo: ClassVar[tuple[str, ...]] = ()  # XPaths of the lead
    author: ClassVar[tuple[str, ...]] = ()  # XPaths of byline elements (the last non-empty match wins)
    prune: ClassVar[tuple[str, ...]] = ()  # XPaths removed before extraction
    junk_lines: ClassVar[tuple[str, ...]] = ()  # regexes; a matching output line is dropped
    site_names: ClassVar[tuple[str, ...]] = ()  # never an author
    # XPaths that recognise the site's pages when neither the site spec nor the URL host says which
    # site it is (a saved file, a mirror, a loopback copy): any match selects the quirk.
    markers: ClassVar[tuple[str, ...]] = ()
    # og:title is the site's own headline (not truncated, no suffix): take it first.
    prefer_og_title: ClassVar[bool] = False
    # Order of date sources; the URL timestamp first where it is the site's canonical publish time.
    date_order: ClassVar[tuple[str, ...]] = ("jsonld", "meta", "url")

    def lines(self, lines: list[str], meta: dict[str, Any]) -> list[str]:
        """First hook on the body lines (before the generic filters); may set meta['author']."""
        return lines


REGISTRY: dict[str, Quirk] = {}
_BY_HOST: dict[str, Quirk] = {}

Q = TypeVar("Q", bound=type[Quirk])


def register(key: str) -> Callable[[Q], Q]:
    """Class decorator: register a Quirk subclass under a site key (and its hosts)."""

    def deco(cls: Q) -> Q:
        inst = cls()
        cls.key = key
        REGISTRY[key] = inst
        for h in cls.hosts:
            _BY_HOST[h.lower()] = inst
        return cls

    return deco


def _by_host(url: str | None) -> Quirk | None:
    try:
        host = (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return None
    while host:
        if host in _BY_HOST:
            return _BY_HOST[host]
        if "." not in host:
            break
        host = host.split(".", 1)[1]
    return None


def find_quirk(site: Any = None, url: str | None = None, tree: Any = None) -> Quirk | None:
    """The quirk for a SiteSpec (``quirk`` then ``key``), else for the URL's host, else (given the
    parsed page) for the host of its canonical/og:url, else the first quirk whose markers match."""
    if site is not None:
        for name in (getattr(site, "quirk", None), getattr(site, "key", None)):
            if name and name in REGISTRY:
                return REGISTRY[name]
    found = _by_host(url)
    if found is not None or tree is None:
        return found
    try:
        for u in tree.xpath("//link[@rel='canonical']/@href|//meta[@property='og:url']/@content")[:2]:
            found = _by_host(str(u))
            if found is not None:
                return found
        for q in REGISTRY.values():
            if any(tree.xpath(m) for m in q.markers):
                return q
    except Exception:  # a marker XPath is best effort
        return None
    return None


# --------------------------------------------------------------------------------------------------
# The sites. Sources: ../shared/sites/SITES.md ([real] = seen in a saved page).


@register("dantri")
class Dantri(Quirk):
    # [real] Dec 2022 layout: article.singular-container > h1.title-page.detail, h2.singular-sapo,
    # div.singular-content (figures: figure.image > figcaption). 2025 template: .author-name b.
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


@register("vnexpress")
class VnExpress(Quirk):
    # [real] h1.title-detail, p.description, article.fck_detail p.Normal; the byline is the last
    # right-aligned p.Normal > strong (or p.author_mail strong); meta pubdate/itemprop datePublished.
    hosts = ("vnexpress.net",)
    body = ("//article[contains(@class,'fck_detail')]",)
    title = ("//h1[contains(@class,'title-detail')]",)
    sapo = ("//p[contains(@class,'description')]",)
    author = (
        "//article[contains(@class,'fck_detail')]/p[contains(@style,'right')]//strong",
        "//p[contains(@class,'author_mail')]//strong",
        "//article[contains(@class,'fck_detail')]/p[contains(@class,'author')]//strong",
    )
    prune = (
        "//article[contains(@class,'fck_detail')]//*[contains(@class,'box-tinlienquan')"
        " or contains(@class,'list-news') or contains(@class,'box_brief_info')]",
    )
    site_names = ("VnExpress", "Báo VnExpress", "vnexpress.net")
    markers = ("//meta[@property='og:site_name'][@content='vnexpress.net']",)

    def lines(self, lines: list[str], meta: dict[str, Any]) -> list[str]:
        # The byline closes the body ("Lê Phương"): it is the author, not text.
        author = meta.get("author")
        if author and lines and lines[-1].strip() == author:
            return lines[:-1]
        return lines


_FOLLOW = re.compile(r"^Theo dõi (?:Baoquocte\.vn|TGVN|Báo Thế giới)", re.I)


@register("baoquocte")
class BaoQuocTe(Quirk):
    # [3p] byline is the first line after the title, then "Theo dõi Baoquocte.vn trên" / "Theo dõi TGVN trên".
    hosts = ("baoquocte.vn",)
    junk_lines = (r"^Theo dõi (?:Baoquocte\.vn|TGVN)\b",)
    site_names = ("Báo Thế giới và Việt Nam", "TG&VN", "TGVN", "baoquocte.vn", "Báo Quốc tế")

    def lines(self, lines: list[str], meta: dict[str, Any]) -> list[str]:
        byline, rest = self.byline_before_follow(lines)
        if byline is None:
            return lines
        if not meta.get("author"):
            meta["author"] = byline
        return rest

    @staticmethod
    def byline_before_follow(lines: list[str]) -> tuple[str | None, list[str]]:
        """('Name', rest) when the first lines are a short byline then a 'Theo dõi … trên' line."""
        if (
            len(lines) >= 2
            and _FOLLOW.search(lines[1])
            and len(lines[0]) <= 60
            and not lines[0].endswith(".")
        ):
            return lines[0], lines[2:]
        return None, lines


@register("vietnamplus")
class VietnamPlus(Quirk):
    # [Zotero] JSON-LD NewsArticle; fallback .article__author; "Vietnam+" is not an author.
    hosts = ("vietnamplus.vn",)
    author = ("//*[contains(@class,'article__author')]//a", "//*[contains(@class,'article__author')]")
    site_names = ("Vietnam+", "VietnamPlus", "TTXVN", "Vietnam+ (TTXVN)")


@register("nhandan")
class NhanDan(Quirk):
    hosts = ("nhandan.vn", "nhandan.com.vn")
    author = ("//*[contains(@class,'article__author')]",)
    site_names = ("Báo Nhân Dân điện tử", "Nhân Dân", "Báo Nhân Dân", "nhandan.vn")


@register("baochinhphu")
class BaoChinhPhu(Quirk):
    # [3p "ok"] h1.detail__title, div.detail__summary, div.detail__content; JSON-LD headline is
    # entity-encoded (h1 preferred); author may be "baochinhphu.vn"; sapo "(Chinhphu.vn) - ".
    hosts = ("baochinhphu.vn", "chinhphu.vn")
    body = ("//div[contains(@class,'detail__content')]",)
    title = ("//h1[contains(@class,'detail__title')]",)
    sapo = ("//div[contains(@class,'detail__summary')]",)
    site_names = ("baochinhphu.vn", "Báo Chính phủ", "Chinhphu.vn", "Cổng TTĐT Chính phủ")
    # URL digits are "102" + YYMMDD + ...: not a yyyymmddhhmmss stamp (the generic URL reader skips them).


@register("qdnd")
class Qdnd(Quirk):
    # [Zotero] og:title truncated (h1 preferred, generic); author .author-top/.author, JSON-LD author
    # may append " - <office address>" (cut in the generic author cleaner).
    hosts = ("qdnd.vn",)
    author = ("//*[contains(@class,'author-top')]", f"//*[{_cls('author')}]")
    site_names = ("Báo Quân đội nhân dân", "QĐND", "qdnd.vn")


@register("dangcongsan")
class DangCongSan(Quirk):
    hosts = ("dangcongsan.vn",)
    author = (f"//*[{_cls('author')}]",)
    site_names = ("ĐCSVN", "Báo Điện tử Đảng Cộng sản Việt Nam", "dangcongsan.vn")


@register("tuoitre")
class TuoiTre(Quirk):
    # [3p "ok"] h1.detail-title, h2.detail-sapo, div.detail-cmain; "Trở thành người đầu tiên tặng sao".
    hosts = ("tuoitre.vn",)
    body = ("//div[contains(@class,'detail-cmain')]",)
    title = ("//h1[contains(@class,'detail-title')]",)
    sapo = ("//h2[contains(@class,'detail-sapo')]",)
    author = ("//*[contains(@class,'author-info')]//a", "//*[contains(@class,'detail-author')]")
    site_names = ("Tuổi Trẻ", "Báo Tuổi Trẻ", "TTO", "tuoitre.vn")


@register("thanhnien")
class ThanhNien(Quirk):
    # [3p "ok"] same family as Tuổi Trẻ; 18-digit URL IDs (185…) are not timestamps.
    hosts = ("thanhnien.vn",)
    body = TuoiTre.body
    title = TuoiTre.title
    sapo = TuoiTre.sapo
    author = TuoiTre.author
    site_names = ("Thanh Niên", "Báo Thanh Niên", "thanhnien.vn")


@register("tienphong")
class TienPhong(Quirk):
    # [3p "ok"] h1.article__title, div.article__sapo, div.article__body; sapo prefix "TPO - ".
    hosts = ("tienphong.vn",)
    body = ("//div[contains(@class,'article__body')]",)
    title = ("//h1[contains(@class,'article__title')]",)
    sapo = ("//div[contains(@class,'article__sapo')]",)
    site_names = ("Tiền Phong", "Báo Tiền Phong", "TPO", "tienphong.vn")


@register("vov")
class Vov(Quirk):
    hosts = ("vov.vn",)
    junk_lines = (r"^Mời quý độc giả theo dõi VOV\.VN",)
    site_names = ("VOV", "VOV.VN", "Đài Tiếng nói Việt Nam")
