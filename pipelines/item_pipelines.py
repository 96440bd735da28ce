"""Scrapy item pipelines: thin wrappers that wire the processing stages into a crawl.

ProcessPipeline turns a fetched article into an archive record (pipelines.process), or leaves that to
the archive writer (LAWGOV_PROCESS_IN_WRITER); ArchivePipeline hands it to the archive's one writer
(archive.writer_thread: a thread or process owning the only read-write connection, fed through a
bounded queue) and keeps the crawl's counters.
"""

from __future__ import annotations

import logging
import time

from scrapy.utils.defer import maybe_deferred_to_future

from archive.writer import DUPLICATE, LOOKALIKE, NEW_REPORT, REVISED, UNREAD
from archive.writer_thread import WriterThread
from pipelines.process import failed_record, processed_record

logger = logging.getLogger(__name__)


class ProcessPipeline:
    """Runs process_page on each article: in the archive writer, just before its store
    (LAWGOV_PROCESS_IN_WRITER: the item passes through here unprocessed, unless the writer is behind:
    then here, in the reactor; both kinds reach the writer in the order they came), else in
    LAWGOV_PROCESS_WORKERS worker processes (0: in the reactor thread). Processing is pure CPU, so
    threads would only fight Scrapy for the GIL; one worker, like the one writer, keeps the order
    records are stored in (first seen stays canonical) while the reactor goes on downloading."""

    def __init__(self, crawler, workers: int = 0, in_writer: bool = False, writer_behind_at: int = 0):
        self.crawler = crawler
        self.workers = 0 if in_writer else workers
        self.in_writer = in_writer
        self.writer_behind_at = writer_behind_at
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(crawler, s.getint("LAWGOV_PROCESS_WORKERS", 0), s.getbool("LAWGOV_PROCESS_IN_WRITER", False),
                   s.getint("LAWGOV_WRITER_BEHIND", 0))

    def writer_behind(self) -> bool:
        """LAWGOV_WRITER_BEHIND calls or more wait to be handed to the archive writer: it is the busier
        one, so the reactor, which has time to spare, processes this article itself."""
        return 0 < self.writer_behind_at <= WriterThread.for_crawler(self.crawler).queue.qsize()

    def open_spider(self, spider=None):
        self.crawler.stats.set_value("lawgov/process_workers", self.workers)  # where process_page ran (bench)
        if self.workers > 0:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # forkserver: workers do not inherit the reactor, its threads or open sockets
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"))

    def close_spider(self, spider=None):
        if self.pool is not None:
            self.pool.shutdown(wait=True)

    async def process_item(self, item, spider=None):
        if "fetch_error" in item:  # the spider's errback: nothing to process, ArchivePipeline records it
            return item
        if self.in_writer:
            if not self.writer_behind():
                return item  # ArchivePipeline has it processed in the writer
            self.crawler.stats.inc_value("lawgov/processed_in_reactor")
        portal = item_portal(self.crawler, item)
        if self.pool is None:
            record, cpu_s, error = processed_record(item, portal)
        else:
            from twisted.internet import defer, reactor

            done = defer.Deferred()
            future = self.pool.submit(processed_record, item, portal)
            future.add_done_callback(lambda f: reactor.callFromThread(done.callback, f))
            finished = await maybe_deferred_to_future(done)
            try:
                record, cpu_s, error = finished.result()
            except Exception as e:  # the worker process died (BrokenProcessPool): keep the page raw
                record, cpu_s, error = failed_record(item, e), None, f"{type(e).__name__}: {e}"
        count_processing(self.crawler.stats, item["url"], cpu_s, error)
        return record


def item_portal(crawler, item):
    """The crawl's Portal an item was fetched for (issuer and region fallbacks), or None."""
    spider = crawler.spider
    return spider.portals_by_name.get(item["portal"]) if spider else None


def count_processing(stats, url: str, cpu_s: float | None, error: str | None) -> None:
    """Count one article's processing (pipelines.process.processed_record's outcome), wherever it ran."""
    if error is None:
        stats.inc_value("lawgov/cpu_s/process_page", cpu_s)
        return
    logger.error("processing failed for %s: %s", url, error)
    stats.inc_value("lawgov/errors")
    stats.inc_value("lawgov/errors/processing")


class ArchivePipeline:
    """Writes records into the archive at LAWGOV_DB and records the crawl in `crawls`."""

    COUNTERS = {NEW_REPORT: "reports_archived", DUPLICATE: "duplicates_merged",
                LOOKALIKE: "lookalikes_rejected", REVISED: "revisions_new",
                UNREAD: "files_unread"}

    def __init__(self, crawler, db_path: str):
        self.crawler = crawler
        self.db_path = db_path
        self.writer: WriterThread | None = None
        self.crawl_id: int | None = None
        self.started = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.get("LAWGOV_DB"))

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        self.started = time.monotonic()
        self.writer = WriterThread.for_crawler(self.crawler).acquire()
        self.crawl_id = self.writer.call("start_crawl", spider.portals_file, len(spider.portals))

    async def process_item(self, record, spider=None):
        # the item waits here (not the reactor) until the writer thread has committed it
        if "fetch_error" in record:
            await maybe_deferred_to_future(
                self.writer.submit("record_fetch_error", self.crawl_id, **record["fetch_error"]))
            return record
        stats = self.crawler.stats
        if "parts" in record:  # not processed yet (LAWGOV_PROCESS_IN_WRITER): the writer does it first
            outcome, title, cpu_s, error = await maybe_deferred_to_future(self.writer.submit(
                "process_and_store", record, item_portal(self.crawler, record), crawl_id=self.crawl_id))
            count_processing(stats, record["url"], cpu_s, error)
            record = {"url": record["url"], "title": title}
        else:
            outcome = await maybe_deferred_to_future(self.writer.submit("store", record, crawl_id=self.crawl_id))
        stats.inc_value(f"lawgov/{outcome}")
        if outcome in self.COUNTERS:
            stats.inc_value(f"lawgov/{self.COUNTERS[outcome]}")
        return {"url": record["url"], "outcome": outcome, "title": record.get("title")}

    async def close_spider(self, spider=None):
        # every write queued so far (the middleware's too) is done and counted before the summary
        await maybe_deferred_to_future(self.writer.barrier())
        for method, cpu_s in self.writer.cpu_s.items():
            self.crawler.stats.set_value(f"lawgov/cpu_s/{method}", round(cpu_s, 3))
        self.crawler.stats.set_value("lawgov/writer_process", int(self.writer.process))  # where that CPU ran
        stats = dict(self.crawler.stats.get_stats())  # a copy: the writer thread serializes it
        counters = crawl_counters(stats)
        # Scrapy sets finish_reason only after the pipelines have closed; a graceful stop (Ctrl-C,
        # SIGTERM) has already cleared engine.running by now
        reason = stats.get("finish_reason") or ("finished" if self.crawler.engine.running else "shutdown")
        status = "ok" if reason == "finished" and not counters["errors"] else (
            "partial" if reason == "finished" else f"stopped:{reason}")
        await maybe_deferred_to_future(self.writer.submit(
            "finish_crawl", self.crawl_id, status, counters, stats, time.monotonic() - self.started))
        self.writer.release()


def crawl_counters(stats: dict) -> dict:
    """The summary figures of a crawl, from Scrapy's stats."""
    return {
        "pages_fetched": stats.get("response_received_count", 0),
        "detail_pages": stats.get("lawgov/articles", 0),
        "reports_archived": stats.get("lawgov/reports_archived", 0),
        "lookalikes_rejected": stats.get("lawgov/lookalikes_rejected", 0),
        "files_unread": stats.get("lawgov/files_unread", 0),
        "duplicates_merged": stats.get("lawgov/duplicates_merged", 0),
        "unchanged": stats.get("lawgov/unchanged", 0),
        "errors": stats.get("lawgov/errors", 0),
        # incremental crawls (crawler/incremental.py)
        "not_modified": stats.get("lawgov/not_modified", 0),
        "skipped_known": stats.get("lawgov/skipped_known", 0),
        "list_changed": stats.get("lawgov/list_changed", 0),
        "rechecks": stats.get("lawgov/rechecks", 0),
        "gone": stats.get("lawgov/gone", 0),
        "returned": stats.get("lawgov/returned", 0),
        "revisions_new": stats.get("lawgov/revisions_new", 0),
        "errors_by_kind": {k.removeprefix("lawgov/errors/"): v for k, v in sorted(stats.items())
                           if k.startswith("lawgov/errors/")},
    }
