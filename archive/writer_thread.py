"""The archive's one writer, in its own thread, for a crawl: SQLite writes never hold up downloading.

One ``WriterThread`` per crawler (``WriterThread.for_crawler``) owns the only read-write connection
and an ``ArchiveWriter`` on it. The reactor thread hands it calls of ArchiveWriter methods (store,
mark_not_modified, mark_gone, record_fetch_error, finish_crawl ...) through a bounded
FIFO queue: they run one at a time in the order they were submitted. Records (``store``) that
arrive while others wait share one commit, each in its own savepoint (``ArchiveWriter.begin_group``;
at most GROUP_MAX); every other call runs in its own transaction after the group is committed. A
record is reported stored only once committed, so crash-safety is unchanged (a record still queued
or uncommitted at a kill was never reported and is fetched again next run). Results come back to the reactor thread as Deferreds fired there
(reactor.callFromThread, in submission order), where Scrapy stats are updated.

Backpressure: the queue holds at most LAWGOV_WRITE_QUEUE calls; when writes fall behind downloads,
``submit`` blocks the reactor until the writer catches up, so memory cannot grow without bound.
(Items rarely get there: Scrapy already stops taking responses once SCRAPER_SLOT_MAX_ACTIVE_SIZE
bytes of them wait for their items to be stored.)

Users (ArchivePipeline, IncrementalMiddleware) ``acquire`` it when their spider opens and
``release`` it when it closes; the last release drains the queue, closes the connection and joins.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque

from twisted.internet import defer
from twisted.python.failure import Failure

from archive.writer import ArchiveWriter

logger = logging.getLogger(__name__)

_STOP = object()


class WriterThread:
    GROUP_MAX = 64  # stores sharing one commit at most (see ArchiveWriter.begin_group)

    def __init__(self, db_path: str, maxsize: int = 32, group_max: int | None = None):
        self.db_path = db_path
        if group_max is not None:
            self.GROUP_MAX = max(1, group_max)
        self.queue: queue.Queue = queue.Queue(maxsize)
        self.users = 0
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._open_error: BaseException | None = None
        self._results: deque = deque()  # (Deferred, "callback"/"errback", result), in submission order
        self._delivery_due = False  # a _deliver is scheduled in the reactor and has not started yet
        self.cpu_s: dict[str, float] = {}  # CPU seconds of this thread per ArchiveWriter method (bench)

    @classmethod
    def for_crawler(cls, crawler) -> WriterThread:
        """The crawler's writer thread, made on first use (shared by the pipeline and the middleware)."""
        wt = getattr(crawler, "_lawgov_writer_thread", None)
        if wt is None:
            s = crawler.settings
            wt = cls(s.get("LAWGOV_DB"), s.getint("LAWGOV_WRITE_QUEUE", 32),
                     s.getint("LAWGOV_WRITE_GROUP", cls.GROUP_MAX))
            crawler._lawgov_writer_thread = wt
        return wt

    # -- lifecycle --------------------------------------------------------------------------------
    def acquire(self) -> WriterThread:
        self.users += 1
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="lawgov-archive-writer", daemon=True)
            self._thread.start()
            self._ready.wait()
            if self._open_error is not None:
                self._thread.join()
                self._thread = None
                self.users -= 1
                raise self._open_error
        return self

    def release(self) -> None:
        """The last user's release drains the queue (every call submitted is done) and stops."""
        self.users -= 1
        if self.users <= 0 and self._thread is not None:
            self.queue.put(_STOP)
            self._thread.join()
            self._thread = None
            self._deliver()  # results not yet delivered (no running reactor, e.g. a middleware alone)

    def _run(self) -> None:
        from twisted.internet import reactor

        try:
            writer = ArchiveWriter(self.db_path)  # the connection belongs to this thread
        except BaseException as e:  # noqa: BLE001 -- reported to acquire()
            self._open_error = e
            self._ready.set()
            return
        self._ready.set()
        grouped: list = []  # (Deferred, fire, result) of stores in the open group, not committed yet

        def commit_group():
            started = time.thread_time()
            try:
                writer.commit_group()
            except BaseException:  # noqa: BLE001 -- nothing of the group was stored: say so to each
                failure = Failure()
                grouped[:] = [(done, "errback", failure) for done, _fire, _result in grouped]
            self.cpu_s["store"] = self.cpu_s.get("store", 0.0) + time.thread_time() - started
            for entry in grouped:
                self._post(reactor, *entry)
            grouped.clear()

        try:
            while True:
                job = self.queue.get()
                if job is _STOP:
                    break
                done, method, args, kwargs = job
                # stores with a Deferred share one commit while more calls wait (ArchiveWriter groups)
                in_group = method == "store" and isinstance(done, defer.Deferred)
                if writer.in_group and not in_group:
                    commit_group()  # anything else runs after the group, in submission order
                if in_group and not writer.in_group:
                    writer.begin_group()
                started = time.thread_time()
                try:
                    result = getattr(writer, method)(*args, **kwargs) if method else None
                except BaseException:  # noqa: BLE001 -- handed to the caller's errback
                    result, fire = Failure(), "errback"
                else:
                    fire = "callback"
                if method:
                    self.cpu_s[method] = self.cpu_s.get(method, 0.0) + time.thread_time() - started
                if in_group:
                    grouped.append((done, fire, result))
                    if self.queue.empty() or len(grouped) >= self.GROUP_MAX:
                        commit_group()
                elif done is None:
                    continue
                elif isinstance(done, threading.Event):  # call(): a blocking caller
                    done.result, done.fire = result, fire
                    done.set()
                else:
                    self._post(reactor, done, fire, result)
        finally:
            if writer.in_group:
                commit_group()
            writer.close()

    def _post(self, reactor, done, fire, result) -> None:
        self._results.append((done, fire, result))
        if not self._delivery_due:  # one wake-up of the reactor per batch of results
            self._delivery_due = True
            reactor.callFromThread(self._deliver)

    def _deliver(self) -> None:
        """Fire the Deferreds of finished calls, in order (reactor thread)."""
        self._delivery_due = False  # before draining: a result appended from now on schedules anew
        while self._results:
            done, fire, result = self._results.popleft()
            getattr(done, fire)(result)

    # -- calls ------------------------------------------------------------------------------------
    def submit(self, method: str, *args, **kwargs) -> defer.Deferred:
        """Queue ``ArchiveWriter.<method>(*args, **kwargs)``; the Deferred fires in the reactor thread
        with its result once it is committed (errback with its exception)."""
        done = defer.Deferred()
        self.queue.put((done, method, args, kwargs))
        return done

    def barrier(self) -> defer.Deferred:
        """Fires once every call submitted before it is done and its Deferred has fired (results
        come back through callFromThread in submission order)."""
        return self.submit(None)

    def call(self, method: str, *args, **kwargs):
        """Queue a call and wait for it in this thread (outside a running crawl: start, finish)."""
        done = threading.Event()
        self.queue.put((done, method, args, kwargs))
        done.wait()
        if done.fire == "errback":
            done.result.raiseException()
        return done.result
