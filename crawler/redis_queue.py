"""Distributed crawling: the shared frontier in Redis, as Scrapy components wired by settings.

Every worker (`lawgov crawl --redis URL`) runs the ordinary `reports` spider with:

- RedisScheduler (SCHEDULER): the request queue and the seen-filter are Redis keys shared by all
  workers. A popped request is kept in the worker's in-flight hash until Scrapy has finished with it
  (its callback ran and the new requests and items it made were pushed); the worker keeps a heartbeat
  key alive, and every worker returns the in-flight requests of workers whose heartbeat expired to
  the queue. A worker killed mid-crawl therefore loses no request (at-least-once: a request may be
  fetched twice, and the archive writer is idempotent).
- RedisItemPipeline (ITEM_PIPELINES, after ProcessPipeline): pushes each processed record to the
  items list, as JSON (bytes as base64); `lawgov ingest` is the one writer that drains it.
- SkipStartRequests (SPIDER_MIDDLEWARES): workers do not seed; `lawgov enqueue` does.

Keys (crawler/redis_frontier.py), for namespace NS (default ``lawgov:reports``):
  NS:portals            the portal registry (YAML text), stored by `lawgov enqueue`
  NS:requests           list of serialized requests (LPUSH, popped from the right: FIFO)
  NS:seen               set of request fingerprints (hex)
  NS:workers            set of worker ids that may own in-flight entries
  NS:worker:ID          heartbeat key of worker ID (expires after LAWGOV_REDIS_HEARTBEAT_TTL s)
  NS:inflight:ID        hash token -> serialized request, popped by worker ID and not yet finished
  NS:items              list of processed records (JSON), newest on the left
  NS:items:processing   records the ingest writer took and has not committed yet
  NS:stats              hash of counters the workers add to when they stop
  NS:ingest:crawl       "archive path|crawls.id" of the writer's crawl row (a restart goes on with it)
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import socket
import time
import uuid
import weakref

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.request import request_from_dict
from twisted.internet import task

from crawler.redis_frontier import DEFAULT_NAMESPACE, RedisFrontier, dumps, loads

logger = logging.getLogger(__name__)


def serialize_request(request, spider) -> str:
    return dumps(request.to_dict(spider=spider))


def deserialize_request(data: bytes | str, spider):
    return request_from_dict(loads(data), spider=spider)


# -- Scrapy components ------------------------------------------------------------------------
def _settings_frontier(settings) -> RedisFrontier:
    url = settings.get("LAWGOV_REDIS_URL")
    if not url:
        raise ValueError("distributed mode needs LAWGOV_REDIS_URL")
    return RedisFrontier(url, settings.get("LAWGOV_REDIS_NAMESPACE") or DEFAULT_NAMESPACE)


class RedisScheduler:
    """Scrapy scheduler whose queue, seen-filter and in-flight bookkeeping live in Redis.

    A popped request leaves the worker's in-flight hash when the request object is freed (Scrapy
    holds it until its callback's outputs went through), checked every RELEASE_INTERVAL s, and all at
    once whenever the worker is idle. A crash thus refetches at most the requests finished in the
    last few seconds, besides the unfinished ones.

    Roles (LAWGOV_REDIS_ROLE): "worker" pops and fetches; "enqueue" only pushes (the start requests
    of `lawgov enqueue`) and never hands a request to its own engine.
    """

    RELEASE_INTERVAL = 5.0

    def __init__(self, crawler, frontier: RedisFrontier, *, role: str, heartbeat_ttl: float,
                 until_idle: float):
        self.crawler = crawler
        self.frontier = frontier
        self.role = role
        self.heartbeat_ttl = heartbeat_ttl
        self.until_idle = until_idle
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._tokens = itertools.count()
        self._done: list[str] = []  # tokens of requests Scrapy has finished with, to clear in Redis
        self._idle_since: float | None = None
        self._last_gc = time.monotonic()
        self._loops: list = []
        self.spider = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        sched = cls(crawler, _settings_frontier(s), role=s.get("LAWGOV_REDIS_ROLE"),
                    heartbeat_ttl=s.getfloat("LAWGOV_REDIS_HEARTBEAT_TTL"),
                    until_idle=s.getfloat("LAWGOV_REDIS_UNTIL_IDLE"))
        crawler.signals.connect(sched.spider_idle, signal=signals.spider_idle)
        return sched

    # -- lifecycle ---------------------------------------------------------------------------
    def open(self, spider):
        self.spider = spider
        if self.role != "worker":
            return None
        self.frontier.beat(self.worker_id, self.heartbeat_ttl)
        self._requeue_dead()
        self._loops = [
            (task.LoopingCall(self._beat), self.heartbeat_ttl / 3),
            (task.LoopingCall(self._tick), 0.5),
        ]
        for loop, interval in self._loops:
            loop.start(interval, now=False)
        return None

    def close(self, reason):
        if self.role != "worker":
            return None
        for loop, _ in self._loops:
            if loop.running:
                loop.stop()
        # Whatever Scrapy did not finish (a shutdown before the end) goes back to the queue.
        gc.collect()
        self._flush_done()
        back = self.frontier.requeue(self.worker_id, force=True)
        if back and reason == "finished":
            logger.warning("%d in-flight entries left at a clean finish; requeued", back)
        elif back:
            logger.warning("stopping (%s): %d unfinished requests back in the queue", reason, back)
        self.frontier.conn.delete(self.frontier.keys.heartbeat(self.worker_id))
        return None

    def _beat(self):
        self.frontier.beat(self.worker_id, self.heartbeat_ttl)
        self._requeue_dead()

    def _requeue_dead(self):
        back = self.frontier.requeue_dead_workers(except_worker=self.worker_id)
        if back:
            logger.warning("requeued %d in-flight requests of stopped workers", back)
            self.crawler.stats.inc_value("lawgov/redis/requeued", back)

    def _tick(self):
        now = time.monotonic()
        if now - self._last_gc >= self.RELEASE_INTERVAL:
            # Finished requests sit in reference cycles (response, failure, deferreds) until a full
            # collection frees them and their finalizers mark them done.
            gc.collect()
            self._last_gc = now
        self._flush_done()
        # Scrapy polls an empty scheduler only on its 5 s heartbeat; requests pushed by other
        # workers should start sooner, so poke the engine while it waits.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and getattr(slot, "nextcall", None) is not None:
            slot.nextcall.schedule()

    def _flush_done(self):
        if self._done:
            done, self._done = self._done, []
            self.frontier.conn.hdel(self.frontier.keys.inflight(self.worker_id), *done)
            self.crawler.stats.inc_value("lawgov/redis/released", len(done))

    # -- the scheduler interface -------------------------------------------------------------
    def has_pending_requests(self) -> bool:
        return self.role == "worker" and self.frontier.conn.llen(self.frontier.keys.requests) > 0

    def __len__(self) -> int:
        return self.frontier.conn.llen(self.frontier.keys.requests)

    def enqueue_request(self, request) -> bool:
        fp = None if request.dont_filter else self.crawler.request_fingerprinter.fingerprint(request).hex()
        try:
            payload = serialize_request(request, self.spider)
        except (TypeError, ValueError) as e:  # meta that is not JSON, a callback not on the spider
            logger.error("cannot queue %s in Redis: %s", request.url, e)
            self.crawler.stats.inc_value("lawgov/errors")
            self.crawler.stats.inc_value("lawgov/errors/unserializable")
            return False
        queued = self.frontier.push(payload, fp)
        self.crawler.stats.inc_value("lawgov/redis/enqueued" if queued else "lawgov/redis/seen_dropped")
        if queued:
            self.crawler.stats.inc_value("scheduler/enqueued/redis")
        return queued

    def next_request(self):
        if self.role != "worker":
            return None
        token = f"{next(self._tokens)}"
        payload = self.frontier.pop(self.worker_id, token)
        if payload is None:
            return None
        try:
            request = deserialize_request(payload, self.spider)
        except Exception as e:  # a request this worker cannot rebuild would come back forever
            logger.error("dropping an unreadable request from the queue: %s (%.200r)", e, payload)
            self.crawler.stats.inc_value("lawgov/redis/unreadable")
            self._done.append(token)
            return None
        # The entry leaves the in-flight hash once Scrapy holds no reference to the request:
        # the response (kept until the callback's items went through the pipelines) refers to it,
        # and retries/redirects are new requests pushed to the queue before this one is dropped.
        weakref.finalize(request, self._done.append, token)
        self.crawler.stats.inc_value("scheduler/dequeued/redis")
        return request

    # -- when the crawl is over --------------------------------------------------------------
    def spider_idle(self, spider=None):
        """Local engine idle: stop only when the whole distributed crawl is idle for until_idle s."""
        if self.role != "worker":
            return
        # Idle means every request this worker popped is finished: its in-flight hash is empty.
        self._done.clear()
        self.frontier.conn.delete(self.frontier.keys.inflight(self.worker_id))
        self._requeue_dead()
        snap = self.frontier.snapshot()
        if snap["queued"] or snap["in_flight"]:
            self._idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.until_idle:
            raise DontCloseSpider


class RedisItemPipeline:
    """Push each processed record to NS:items for `lawgov ingest` (workers never write SQLite)."""

    def __init__(self, crawler, frontier: RedisFrontier):
        self.crawler = crawler
        self.frontier = frontier

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, _settings_frontier(crawler.settings))

    def process_item(self, record, spider=None):
        self.frontier.conn.lpush(self.frontier.keys.items, dumps(record))
        self.crawler.stats.inc_value("lawgov/redis/items_pushed")
        return {"url": record.get("url"), "outcome": "pushed"}

    def close_spider(self, spider=None):
        # Add this worker's figures to the crawl's totals (a killed worker's are lost).
        from pipelines.item_pipelines import crawl_counters

        stats = self.crawler.stats.get_stats()
        counters = crawl_counters(stats)
        pipe = self.frontier.conn.pipeline()
        for key in ("pages_fetched", "detail_pages", "errors"):
            pipe.hincrby(self.frontier.keys.stats, key, int(counters[key]))
        pipe.hincrby(self.frontier.keys.stats, "items_pushed", int(stats.get("lawgov/redis/items_pushed", 0)))
        pipe.execute()


class SkipStartRequests:
    """Workers do not seed the crawl: `lawgov enqueue` pushed the start requests once."""

    async def process_start(self, start):
        return
        yield  # an async generator that yields nothing
