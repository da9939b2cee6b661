"""Per-site extraction quirks: small hooks layered over the generic extraction in pipeline.extract.

A quirk is registered under a site key (config/sites.toml) and the host names it covers, so it is
found from ``site.quirk``, ``site.key`` or, when there is no site spec (``presswatch extract URL``),
from the URL's host. Only real, documented differences belong here (see ../shared/sites/SITES.md):
where the body is, where the sapo and byline are, which lines are the site's own furniture.

    class Dantri(Quirk):  # quirks/dantri.py, listed in OUTLETS below
        key = "dantri"
        hosts = ("dantri.com.vn",)
        body = ('//div[contains(@class,"singular-content")]',)

XPaths are evaluated on the whole page; ``body`` is the first XPath that matches (trafilatura is then
run on that element only); ``prune`` matches are removed before extraction; ``junk_lines`` are
regular expressions matched (``re.search``) against each output line.

One outlet per module (dantri.py, vnexpress.py, ...), each a Quirk subclass with its site ``key``;
this package registers all of them from the explicit ``OUTLETS`` list at the bottom, so
``find_quirk`` always sees every outlet whatever was imported before. A new outlet: add its module
and its class to ``OUTLETS``. The base class and ``register`` live in ``base.py``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pipeline.extract.quirks.base import _BY_HOST, FAMILIES, REGISTRY, Quirk, register

__all__ = ["Quirk", "register", "find_quirk", "REGISTRY", "OUTLETS"]


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
    parsed page) for the host of its canonical/og:url, else the first quirk whose markers match, else
    the CMS family (base.FAMILIES) whose markup the page has."""
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
        for q in (*REGISTRY.values(), *FAMILIES):  # outlets first, then CMS families (base.py)
            if any(tree.xpath(m) for m in q.markers):
                return q
    except Exception:  # a marker XPath is best effort
        return None
    return None


# --------------------------------------------------------------------------------------------------
# The outlets, registered explicitly (imported here, after Quirk/register exist in base.py).
# Sources: ../shared/sites/SITES.md ([real] = seen in a saved page). The order is the order in
# which ``markers`` are tried.

from pipeline.extract.quirks.baochinhphu import BaoChinhPhu  # noqa: E402
from pipeline.extract.quirks.baoquocte import BaoQuocTe  # noqa: E402
from pipeline.extract.quirks.dangcongsan import DangCongSan  # noqa: E402
from pipeline.extract.quirks.dantri import Dantri  # noqa: E402
from pipeline.extract.quirks.nhandan import NhanDan  # noqa: E402
from pipeline.extract.quirks.qdnd import Qdnd  # noqa: E402
from pipeline.extract.quirks.thanhnien import ThanhNien  # noqa: E402
from pipeline.extract.quirks.tienphong import TienPhong  # noqa: E402
from pipeline.extract.quirks.tuoitre import TuoiTre  # noqa: E402
from pipeline.extract.quirks.vietnamplus import VietnamPlus  # noqa: E402
from pipeline.extract.quirks.vnexpress import VnExpress  # noqa: E402
from pipeline.extract.quirks.vov import Vov  # noqa: E402

OUTLETS: tuple[type[Quirk], ...] = (
    Dantri,
    VnExpress,
    BaoQuocTe,
    VietnamPlus,
    NhanDan,
    BaoChinhPhu,
    Qdnd,
    DangCongSan,
    TuoiTre,
    ThanhNien,
    TienPhong,
    Vov,
)
for _outlet in OUTLETS:
    register(_outlet.key)(_outlet)
del _outlet
