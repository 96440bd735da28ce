"""Incremental crawls: article pages already in the archive are not downloaded again.

The state lives in the archive (no JOBDIR): at spider open the archive (LAWGOV_DB) is read once,
read-only, for every article URL it holds (``archive.queries.known_urls``). List pages are always
fetched; a request for a known article (request.meta["kind"] == "article", first part only: a
split article is judged by its first page, and when that is fetched the spider fetches every part
again, so the article stays whole) is

- fetched again when the list shows a later date next to its link than the one archived
  (``list_changed``), or when it is due for a periodic recheck (``rechecks``). Both are conditional
  requests (If-None-Match / If-Modified-Since from the stored ETag / Last-Modified), so an unchanged
  page costs a 304 (``not_modified``: no item, no error; the URL's check time moves);
- otherwise never requested (``skipped_known``; not an error): the spider asks ``skips`` before it
  builds the request, and one that comes anyway (from another spider, a test) is dropped here before
  any download.

Recheck rule: a URL is due when its last check (fetch, 304 or gone answer) is at least
``LAWGOV_RECHECK_DAYS × (0.5 + h)`` days old, where ``h = crc32(url) / 2**32`` is fixed per URL. The
periods spread evenly between ½ and 1½ × LAWGOV_RECHECK_DAYS (mean LAWGOV_RECHECK_DAYS), so pages
first archived on one night are rechecked over many nights, not all on one. 0 rechecks every known
URL on every run.

Gone: a known URL answering 404/410, or redirected to a page that is not an article (its column, a
list, the home page), gets ``sources.gone_at`` (never deleted) and counts as ``gone``, not as an
error. When it answers again (200 or 304) gone_at is cleared (``returned``).

An archived article's ETag / Last-Modified and list date are stored with its pages by
``ArchiveWriter.store``, in the record's own transaction. The middleware's own writes (304, gone)
go through the crawl's one writer thread (archive.writer_thread), queued behind the records stored
before them.
"""

from __future__ import annotations

import logging
import zlib
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from archive.db import open_archive
from archive.queries import known_urls
from archive.writer_thread import WriterThread
from crawler import discovery_rules as R

logger = logging.getLogger(__name__)

GONE_STATUSES = (404, 410)
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class KnownPage(IgnoreRequest):
    """A known article dropped on purpose (skipped, 304, gone); already counted here."""

    counted = True


def recheck_due(url: str, last_checked: str | None, now: datetime, days: float) -> bool:
    """Whether ``url``, last checked at ``last_checked`` (ISO UTC), is due for a recheck (rule above)."""
    if days <= 0 or not last_checked:
        return True
    checked = datetime.strptime(last_checked[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    spread = 0.5 + zlib.crc32(url.encode("utf-8")) / 2**32
    return (now - checked).total_seconds() >= days * spread * 86400


def list_changed(list_date: str | None, state: dict) -> bool:
    """The list shows a later date than the one archived (the list date seen last time, else the
    report's published date)."""
    archived = state.get("list_date") or (state.get("published") or "")[:10]
    return bool(list_date and archived and list_date > archived)


def last_checked(state: dict) -> str | None:
    return max(filter(None, (state.get("fetched_at"), state.get("checked_at"))), default=None)


def is_gone_answer(request_url: str, status: int, location: str | None) -> str | None:
    """The gone_reason for an answer to a known article, or None when it still exists."""
    if status in GONE_STATUSES:
        return f"http_{status}"
    if status in REDIRECT_STATUSES and location:
        target = urljoin(request_url, location)
        if not any(p.search(target) for p in R.DETAIL_URL_PATTERNS):
            return f"redirect:{target}"
    return None


class IncrementalMiddleware:
    """Downloader middleware applying the rules above; state read from and written to LAWGOV_DB."""

    def __init__(self, crawler, db_path: str, recheck_days: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.recheck_days = recheck_days
        self.known: dict[str, dict] = {}
        self._skipped: set[str] = set()  # known URLs skipped (counted once each, wherever decided)
        self.writer: WriterThread | None = None  # the crawl's one writer, shared with ArchivePipeline
        self.now = datetime.now(timezone.utc)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        if not s.getbool("LAWGOV_INCREMENTAL", True):
            raise NotConfigured("LAWGOV_INCREMENTAL is off")
        mw = cls(crawler, s.get("LAWGOV_DB"), s.getfloat("LAWGOV_RECHECK_DAYS", 30))
        crawler._lawgov_incremental = mw  # the spider asks it before it builds a request (skips)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(mw.item_scraped, signal=signals.item_scraped)
        return mw

    # -- lifecycle --------------------------------------------------------------------------------
    def spider_opened(self, spider=None):
        self.now = datetime.now(timezone.utc)
        if self.db_path and Path(self.db_path).exists():
            db = open_archive(self.db_path, create=False, readonly=True)
            try:
                self.known = known_urls(db)
            finally:
                db.conn.close()
        self.stats.set_value("lawgov/known_urls", len(self.known))
        if self.db_path:
            self.writer = WriterThread.for_crawler(self.crawler).acquire()

    def spider_closed(self, spider=None):
        if self.writer is not None:
            self.writer.release()
            self.writer = None

    def _write(self, method: str, *args, returned: bool = False) -> None:
        """Queue a write behind the records before it (store comes first); with ``returned``, a True
        result (the URL had been gone) counts as lawgov/returned when it comes back."""
        def counted(result):
            if returned and result:
                self.stats.inc_value("lawgov/returned")

        def failed(failure):
            logger.error("archive write %s%r failed: %s", method, args, failure.getTraceback())

        self.writer.submit(method, *args).addCallbacks(counted, failed)

    # -- requests ---------------------------------------------------------------------------------
    @staticmethod
    def for_crawler(crawler) -> IncrementalMiddleware | None:
        """The crawl's incremental middleware, or None when LAWGOV_INCREMENTAL is off."""
        return getattr(crawler, "_lawgov_incremental", None)

    def verdict(self, url: str, list_date: str | None) -> str | None:
        """What a list's link to article ``url`` gets: None (not archived: fetched), "list_changed" or
        "recheck" (fetched, conditionally), or "skip"."""
        state = self.known.get(url)
        if state is None:
            return None
        if list_changed(list_date, state):
            return "list_changed"
        if recheck_due(url, last_checked(state), self.now, self.recheck_days):
            return "recheck"
        return "skip"

    def skips(self, url: str, list_date: str | None) -> bool:
        """Asked by the spider before it builds an article's request: True (counted once per URL as
        skipped_known) when the request would only be dropped here. 1,000 known articles cost a
        re-crawl ~0.45 s when each went through the scheduler, its seen-set and the middlewares first."""
        if self.verdict(url, list_date) != "skip":
            return False
        self._count_skip(url)
        return True

    def _count_skip(self, url: str) -> None:
        if url not in self._skipped:
            self._skipped.add(url)
            self.stats.inc_value("lawgov/skipped_known")

    def process_request(self, request, spider=None):
        meta = request.meta
        if (meta.get("kind") != "article" or "first_url" in meta or "redirect_urls" in meta
                or request.method != "GET" or meta.get("lawgov_known")):
            return None
        verdict = self.verdict(request.url, meta.get("list_date"))
        if verdict is None:
            return None
        if verdict == "skip":  # (a request the spider did not ask about first: tests, other spiders)
            self._count_skip(request.url)
            raise KnownPage(f"archived, unchanged in the list, not due: {request.url}")
        self.stats.inc_value("lawgov/list_changed" if verdict == "list_changed" else "lawgov/rechecks")
        state = self.known[request.url]
        meta["lawgov_known"] = True
        if state.get("etag"):
            request.headers[b"If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            request.headers[b"If-Modified-Since"] = state["last_modified"]
        return None

    def process_response(self, request, response, spider=None):
        if not request.meta.get("lawgov_known"):
            return response
        url = request.url
        if response.status == 304:
            self.stats.inc_value("lawgov/not_modified")
            if self.writer:
                self._write("mark_not_modified", url, returned=True)
            raise KnownPage(f"not modified: {url}")
        location = response.headers.get("Location", b"").decode("latin-1") or None
        reason = is_gone_answer(url, response.status, location)
        if reason:
            self.stats.inc_value("lawgov/gone")
            if self.writer:
                self._write("mark_gone", url, reason)
            logger.info("gone: %s (%s)", url, reason)
            raise KnownPage(f"gone: {url} ({reason})")
        return response

    # -- after an article is archived -------------------------------------------------------------
    def item_scraped(self, item, response=None, spider=None):
        # ArchiveWriter.store has kept the validators and list date and cleared gone_at in the
        # record's own transaction; here the answer of a URL that had been gone is counted.
        # (Items yielded from an errback come with a Failure instead of a response.)
        if not isinstance(response, Response) or response.meta.get("kind") != "article":
            return
        state = self.known.get(response.meta.get("first_url", response.url))
        if state and state.get("gone_at"):
            self.stats.inc_value("lawgov/returned")
