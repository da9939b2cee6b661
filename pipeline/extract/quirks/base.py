"""The Quirk base class and the registry (site key -> quirk, host -> quirk).

Kept apart from the package's ``__init__`` so that the outlet modules (dantri.py, vnexpress.py, ...)
can import ``Quirk`` without importing the package that imports them. ``register(key)`` adds a
Quirk subclass under a site key and its hosts; pipeline.extract.quirks registers every outlet from
its explicit list, so the registry never depends on which modules happen to have been imported.

CMS families (``FAMILIES``, not in the registry): shared markup recognised by the markup itself, not by the host name.

A family quirk has no hosts: ``find_quirk`` picks it through its ``markers`` when no site quirk
matched (a new outlet on the same CMS, a mirror, a saved page), and the outlets known to run that CMS
subclass it (quirks/tienphong.py, nhandan.py, vietnamplus.py).

- ``CmsArticle``: the CMS of VietnamPlus, Nhân Dân and Tiền Phong (``h1.article__title``,
  ``div.article__sapo``, ``div.article__body.cms-body``, ``time[datetime]`` in ``div.article__meta``;
  in-body ad slots ``div.sda_middle``, related teasers ``div.article-relate``, the author block and
  the source line ``div.article__source`` inside the body).
- ``DetailAspNet``: the ASP.NET layout of Báo Tin tức (``h1.detail-title``, ``h2.sapo``, the body
  split in ``#divfirst`` / ``#divend`` with a video player between, text written as HTML entities).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

__all__ = ["Quirk", "register", "REGISTRY", "FAMILIES", "CmsArticle", "DetailAspNet"]


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
    # a CMS family (quirks/families.py), not an outlet: never names the article's site
    family: ClassVar[bool] = False

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


# -- CMS families -------------------------------------------------------------------------------


class CmsArticle(Quirk):
    key = "cms-article"
    family = True
    body: ClassVar[tuple[str, ...]] = (f"//div[{_cls('article__body')}]", f"//div[{_cls('cms-body')}]")
    title: ClassVar[tuple[str, ...]] = (f"//h1[{_cls('article__title')}]", f"//h1[{_cls('cms-title')}]")
    sapo: ClassVar[tuple[str, ...]] = (f"//div[{_cls('article__sapo')}]", f"//*[{_cls('cms-desc')}]")
    author: ClassVar[tuple[str, ...]] = (
        f"//div[{_cls('article__meta')}]//*[{_cls('author')}]",
        f"//*[{_cls('article__author')}]//*[{_cls('name')}]",
        f"//*[{_cls('article__author')}]",
    )
    prune: ClassVar[tuple[str, ...]] = (
        f"//div[{_cls('article__body')} or {_cls('cms-body')}]//*[{_cls('sda_')} or {_cls('article-relate')}"
        f" or {_cls('article__source')} or {_cls('article__author')} or {_cls('rennab')}]",
    )
    markers: ClassVar[tuple[str, ...]] = (
        f"//div[{_cls('article__body')} and {_cls('cms-body')}]",
        f"//h1[{_cls('article__title')}][following::div[{_cls('article__body')}]]",
    )


class DetailAspNet(Quirk):
    key = "aspnet-detail"
    family = True
    body: ClassVar[tuple[str, ...]] = ("//*[@id='divfirst']/..", "//*[@id='divfirst']")
    title: ClassVar[tuple[str, ...]] = (f"//h1[{_cls('detail-title')}]",)
    sapo: ClassVar[tuple[str, ...]] = (f"//h2[{_cls('sapo')}]", f"//*[{_cls('detail-sapo')}]")
    author: ClassVar[tuple[str, ...]] = (f"//*[{_cls('author')}]//strong", f"//*[{_cls('author')}]")
    prune: ClassVar[tuple[str, ...]] = ("//*[@id='divfirst']/..//*[self::video or self::iframe or self::object]",)
    markers: ClassVar[tuple[str, ...]] = ("//*[@id='divfirst'][following::*[@id='divend']]",)


FAMILIES: tuple[Quirk, ...] = (CmsArticle(), DetailAspNet())
