"""Running a crawl from Python: the code behind `lawgov crawl` and `lawgov demo`."""

from __future__ import annotations

import time
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from archive import forkserver
from archive.db import open_archive
from crawler.portals import load_portals
from pipelines.item_pipelines import crawl_counters

# Settings for servers we own (the loopback sample web): no throttling, more parallelism.
FAST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 2,
    "DOWNLOAD_TIMEOUT": 15,
    "LAWGOV_RETRY_BACKOFF_BASE": 0.1,
}


def crawl_settings(db: str, *, proxy: str | None = None, fast: bool = False, contact: str | None = None,
                   log_level: str = "WARNING", overrides: dict | None = None):
    settings = get_project_settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("LAWGOV_DB", str(db), priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if proxy:
        settings.set("LAWGOV_PROXY", proxy, priority="cmdline")
    if contact:
        settings.set("LAWGOV_CONTACT", contact, priority="cmdline")
    if fast:
        settings.setdict(FAST_SETTINGS, priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def run_crawl(portals_file: str, db: str, **kwargs) -> dict:
    """Crawl every portal in ``portals_file`` into the archive at ``db``; return the summary.

    The portal file and the archive are checked before any request is made (errors raise
    PortalFileError / ArchiveError with a one-line message).
    """
    forkserver.start()  # the writer process's imports, beside Scrapy's set-up (no-op when started)
    portals = load_portals(portals_file)
    open_archive(db).conn.close()  # create or migrate now, and fail early on a foreign file
    settings = crawl_settings(db, **kwargs)
    started = time.monotonic()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("reports")
    process.crawl(crawler, portals=str(Path(portals_file)))
    process.start()
    stats = crawler.stats.get_stats()
    summary = {"portals": len(portals), **crawl_counters(stats),
               "elapsed_s": round(time.monotonic() - started, 2),
               "finish_reason": stats.get("finish_reason")}
    return summary


SUMMARY_ROWS = (
    ("portals", "portals"),
    ("pages fetched", "pages_fetched"),
    ("articles fetched", "detail_pages"),
    ("reports archived", "reports_archived"),
    ("look-alikes rejected", "lookalikes_rejected"),
    ("report files not read", "files_unread"),
    ("duplicates merged", "duplicates_merged"),
    ("unchanged", "unchanged"),
    ("revisions", "revisions_new"),
    ("skipped (known)", "skipped_known"),
    ("not modified (304)", "not_modified"),
    ("gone", "gone"),
    ("errors", "errors"),
    ("elapsed (s)", "elapsed_s"),
)


def format_rows(title: str, rows, values: dict) -> str:
    """A titled two-column table of ``values`` picked by ``rows`` ((label, key), ...)."""
    width = max(len(label) for label, _ in rows)
    lines = [title, "-" * (width + 12)]
    lines += [f"{label:<{width}}  {values.get(key, 0):>10}" for label, key in rows]
    return "\n".join(lines)


def format_summary(summary: dict) -> str:
    return format_rows("crawl summary", SUMMARY_ROWS, summary)
