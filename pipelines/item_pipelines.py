"""Scrapy item pipelines: thin wrappers that wire the processing stages into a crawl.

ProcessPipeline turns a fetched article into an archive record (pipelines.process);
ArchivePipeline writes it through the archive's one writer and keeps the crawl's counters.
"""

from __future__ import annotations

import logging
import time
import traceback

from archive.writer import DUPLICATE, LOOKALIKE, NEW_REPORT, ArchiveWriter
from pipelines.process import process_page, sha256

logger = logging.getLogger(__name__)


class ProcessPipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        spider = self.crawler.spider
        portal = spider.portals_by_name.get(item["portal"]) if spider else None
        try:
            record = process_page(item["parts"], portal)
        except Exception as e:  # a page we cannot process is still archived raw, with the error
            logger.error("processing failed for %s: %s", item["url"], traceback.format_exc(limit=3))
            self.crawler.stats.inc_value("lawgov/errors")
            self.crawler.stats.inc_value("lawgov/errors/processing")
            record = {
                "url": item["url"], "portal": item["portal"], "title": None, "text": "",
                "is_report": False, "class_reason": f"error:{type(e).__name__}",
                "pages": [dict(p, sha256=sha256(p["body"])) for p in item["parts"]],
            }
        return record


class ArchivePipeline:
    """Writes records into the archive at LAWGOV_DB and records the crawl in `crawls`."""

    COUNTERS = {NEW_REPORT: "reports_archived", DUPLICATE: "duplicates_merged",
                LOOKALIKE: "lookalikes_rejected"}

    def __init__(self, crawler, db_path: str):
        self.crawler = crawler
        self.db_path = db_path
        self.writer: ArchiveWriter | None = None
        self.crawl_id: int | None = None
        self.started = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.get("LAWGOV_DB"))

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        self.started = time.monotonic()
        self.writer = ArchiveWriter(self.db_path)
        self.crawl_id = self.writer.start_crawl(spider.portals_file, len(spider.portals))

    def process_item(self, record, spider=None):
        outcome = self.writer.store(record, crawl_id=self.crawl_id)
        stats = self.crawler.stats
        stats.inc_value(f"lawgov/{outcome}")
        if outcome in self.COUNTERS:
            stats.inc_value(f"lawgov/{self.COUNTERS[outcome]}")
        return {"url": record["url"], "outcome": outcome, "title": record.get("title")}

    def close_spider(self, spider=None):
        stats = self.crawler.stats.get_stats()
        counters = crawl_counters(stats)
        reason = stats.get("finish_reason", "finished")
        status = "ok" if reason == "finished" and not counters["errors"] else (
            "partial" if reason == "finished" else f"stopped:{reason}")
        self.writer.finish_crawl(self.crawl_id, status, counters, stats, time.monotonic() - self.started)
        self.writer.close()


def crawl_counters(stats: dict) -> dict:
    """The summary figures of a crawl, from Scrapy's stats."""
    return {
        "pages_fetched": stats.get("response_received_count", 0),
        "detail_pages": stats.get("lawgov/articles", 0),
        "reports_archived": stats.get("lawgov/reports_archived", 0),
        "lookalikes_rejected": stats.get("lawgov/lookalikes_rejected", 0),
        "duplicates_merged": stats.get("lawgov/duplicates_merged", 0),
        "unchanged": stats.get("lawgov/unchanged", 0),
        "errors": stats.get("lawgov/errors", 0),
    }
