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
LOG_LEVEL = "INFO"
LOG_FORMATTER = "spiders.logformatter.QuietDrops"
ITEM_PIPELINES = {
    "pipeline.stages.s100_extract.ExtractStage": 100,
    "pipeline.stages.s300_relevance.RelevanceStage": 300,
    "pipeline.stages.s900_store.StoreStage": 900,
}
DOWNLOADER_MIDDLEWARES = {
    # conditional GET for feeds/sitemaps/sections, 429/503 back-off; before RetryMiddleware (550)
    "spiders.middlewares.PoliteSourcesMiddleware": 555,
}
