"""Discovery: from an outlet's home page to a working site spec (feeds, sitemaps, section pages,
``article_pattern``), with the reasons for each, so that a new outlet is one line of TOML.

- ``core.discover(home, fetcher)``: the search (robots.txt, home, sections, feeds and RSS index
  pages, sitemaps, URL shapes checked by extracting sample pages with ``pipeline.process.process_page``);
- ``pages``: reading HTML links, ``<link rel="alternate">`` feeds, feeds, robots.txt, sitemaps;
- ``shapes``: clustering links into path shapes and the regex of a shape;
- ``result``: ``Discovery`` (what was found and why), ``effective(spec, discovery)`` (discovered
  fields merged under the block's explicit ones), ``toml_block`` (what ``presswatch sites discover``
  prints).

Pure: the network is a ``Fetcher`` handed in (pipeline/run/discover.py has the polite one, with
robots.txt, the crawl's guards and a request budget); storage is db/discovery.py.
"""

from pipeline.discover.core import discover
from pipeline.discover.result import BudgetExhausted, Discovery, Fetcher, FetchError, Page, effective, toml_block

__all__ = ["discover", "Discovery", "Fetcher", "FetchError", "BudgetExhausted", "Page", "effective", "toml_block"]
