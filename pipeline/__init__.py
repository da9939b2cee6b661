"""presswatch pipeline: pure extraction, normalisation, scoring, and the Scrapy item stages."""
