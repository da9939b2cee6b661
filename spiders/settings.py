"""Scrapy settings for presswatch (scrapy.cfg points here). Polite by default."""

from __future__ import annotations

BOT_NAME = "presswatch"
SPIDER_MODULES = ["spiders"]
USER_AGENT = "presswatch/0.1 (press monitoring of Vietnamese local foreign-affairs news; +https://pypi.org/project/presswatch/)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a 50 MB page is cut off, not stored
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_TIMES = 1
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy >= 2.15 starts a "remote control" HTTP server in every crawl that runs Python code sent to
# it (token in a file under the user's profile): an unattended monitor has no use for it.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
LOG_VERSIONS: list[str] = []  # no multi-line version dump at the start of every pass
LOG_FORMATTER = "spiders.logformatter.QuietDrops"
# Request guards (spiders/guards.py): only http(s), only the site's own domains, no private-range
# IP literals a site does not list; redirects off the site or round a loop fail with a reason.
# RequestGuard runs before OffsiteMiddleware (50) and robots.txt (100) so nothing refused is sent;
# RedirectGuard sits above RedirectMiddleware (600) so it sees each 3xx before it is followed.
DOWNLOADER_MIDDLEWARES = {
    "spiders.guards.RequestGuard": 40,
    # conditional GET for feeds/sitemaps/sections, 429/503 back-off; before RetryMiddleware (550)
    "spiders.middlewares.PoliteSourcesMiddleware": 555,
    "spiders.guards.RedirectGuard": 650,
}
# No download handler for anything but http(s): a file:// or data: URL cannot be fetched even if
# a guard were bypassed.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
ITEM_PIPELINES = {
    "spiders.stages.s100_extract.ExtractStage": 100,
    "spiders.stages.s300_relevance.RelevanceStage": 300,
    "spiders.stages.s500_dedup.DedupStage": 500,
    "spiders.stages.s900_store.StoreStage": 900,
}
