"""Run: one crawl pass (crawl.py), the scheduler that runs passes forever (scheduler.py), site health."""
