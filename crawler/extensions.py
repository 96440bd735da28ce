"""Crawl extensions: progress lines on long runs; the garbage collector's tuning."""

from __future__ import annotations

import gc
import sys
import time

from scrapy import signals
from twisted.internet import task

from crawler.spiders.reports import memory_scheduler
from pipelines.item_pipelines import crawl_counters


class Progress:
    """Print pages, articles, reports, 304s, skipped known URLs, errors, the page rate and the
    frontier (requests queued in memory) every LAWGOV_PROGRESS_INTERVAL s (stderr); the largest
    frontier seen is kept in stat lawgov/frontier_max."""

    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop = None
        self.started = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler, crawler.settings.getfloat("LAWGOV_PROGRESS_INTERVAL"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.started = time.monotonic()
        if self.interval > 0:
            self.loop = task.LoopingCall(self.report)
            self.loop.start(self.interval, now=False)

    def spider_closed(self, spider):
        if self.loop and self.loop.running:
            self.loop.stop()

    def report(self):
        c = crawl_counters(self.crawler.stats.get_stats())
        elapsed = max(time.monotonic() - self.started, 1e-9)
        pages = c["pages_fetched"]
        frontier = self.frontier()
        print(
            f"[lawgov] {elapsed:6.0f}s  pages {pages}  articles {c['detail_pages']}  "
            f"reports {c['reports_archived']}  304 {c['not_modified']}  skipped {c['skipped_known']}  "
            f"errors {c['errors']}  "
            f"{pages / elapsed:.1f} pages/s" + (f"  frontier {frontier}" if frontier is not None else ""),
            file=sys.stderr, flush=True,
        )

    def frontier(self) -> int | None:
        """Requests waiting in Scrapy's in-memory scheduler (None with another scheduler: Redis)."""
        try:
            scheduler = memory_scheduler(self.crawler.engine)
        except RuntimeError:  # no engine: not crawling
            return None
        if scheduler is None:
            return None
        n = len(scheduler)
        self.crawler.stats.max_value("lawgov/frontier_max", n)
        return n


class GCTuning:
    """Python's cycle collector, tuned for a long crawl (LAWGOV_GC_FREEZE, LAWGOV_GC_THRESHOLD).

    Scrapy makes cyclic garbage on every request (Deferred chains, Failures), so the collector runs
    often, and each full collection walked everything imported at start-up (Scrapy, Twisted, lxml,
    the rules): in a 2,000-article loopback crawl the collector took 0.34 ms of the crawl process's
    CPU per article. Once the spider is open, the start-up objects are moved out of the collector's
    sight (gc.freeze: they live as long as the process anyway). A threshold > 0 also collects the
    youngest generation less often (see crawler/settings.py for what that costs in memory)."""

    def __init__(self, freeze: bool, threshold: int):
        self.freeze, self.threshold = freeze, threshold
        self.before = None  # the thresholds while the spider was not open

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler.settings.getbool("LAWGOV_GC_FREEZE"), crawler.settings.getint("LAWGOV_GC_THRESHOLD"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.before = gc.get_threshold()
        if self.freeze:
            gc.collect()  # what is garbage now is not frozen
            gc.freeze()
        if self.threshold > 0:
            gc.set_threshold(self.threshold, *self.before[1:])

    def spider_closed(self, spider):
        # the process may go on (tests, `lawgov demo`): collect as before, frozen objects included
        if self.before is None:  # the spider never opened
            return
        gc.set_threshold(*self.before)
        if self.freeze:
            gc.unfreeze()
        self.before = None
