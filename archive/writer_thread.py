"""The archive's one writer, in its own thread or process, for a crawl: SQLite writes never hold up
downloading.

One ``WriterThread`` per crawler (``WriterThread.for_crawler``) owns the only read-write connection
and an ``ArchiveWriter`` on it. The reactor thread hands it calls of ArchiveWriter methods (store,
mark_not_modified, mark_gone, record_fetch_error, finish_crawl ...) through a bounded
FIFO queue: they run one at a time in the order they were submitted. Records (``store``) that
arrive while others wait share one commit, each in its own savepoint (``ArchiveWriter.begin_group``;
at most GROUP_MAX); every other call runs in its own transaction after the group is committed. A
record is reported stored only once committed, so crash-safety is unchanged (a record still queued
or uncommitted at a kill was never reported and is fetched again next run). Results come back to
the reactor thread as Deferreds fired there (reactor.callFromThread, in submission order), where
Scrapy stats are updated.

Process mode (LAWGOV_WRITER_PROCESS, the default): the ArchiveWriter runs in a child process
(``serve_process``, started by forkserver) and this thread only forwards the queue to it over a pipe;
a second thread hands its answers back. The SQLite work (FTS5 index, signatures, zlib: ~half of a
crawl's CPU per article) then no longer shares the reactor's GIL. Same loop (``serve_jobs``), same
contract: the child ignores Ctrl-C/SIGTERM (the crawl stops it when done), rolls back what it had not
committed if the crawl process dies, and if the child dies every waiting and later call fails.

Backpressure: the queue holds at most LAWGOV_WRITE_QUEUE calls; when writes fall behind downloads,
``submit`` blocks the reactor until the writer catches up, so memory cannot grow without bound.
(Items rarely get there: Scrapy already stops taking responses once SCRAPER_SLOT_MAX_ACTIVE_SIZE
bytes of them wait for their items to be stored.)

Users (ArchivePipeline, IncrementalMiddleware) ``acquire`` it when their spider opens and
``release`` it when it closes; the last release drains the queue, closes the connection and joins.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import pickle
import queue
import signal
import threading
import time
from collections import deque

from twisted.internet import defer
from twisted.python.failure import Failure

from archive.writer import ArchiveWriter

logger = logging.getLogger(__name__)

_STOP = object()
GROUPED = ("store", "process_and_store")  # the calls that may share a commit (record groups)


class WriterThread:
    GROUP_MAX = 64  # stores sharing one commit at most (see ArchiveWriter.begin_group)

    def __init__(self, db_path: str, maxsize: int = 32, group_max: int | None = None, process: bool = False,
                 group_wait: float = 0.0, preload: tuple[str, ...] = ()):
        self.db_path = db_path
        self.group_wait = group_wait  # process mode: how long an open group waits for one more store
        self.preload = preload  # process mode: modules the writer process imports before it is ready
        self.process = process  # ArchiveWriter in a child process (serve_process), not in this one
        self._remote_error: BaseException | None = None  # the writer process died: every call fails
        self.pid: int | None = None  # the writer process's, while it runs
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
                     s.getint("LAWGOV_WRITE_GROUP", cls.GROUP_MAX), s.getbool("LAWGOV_WRITER_PROCESS", False),
                     s.getfloat("LAWGOV_WRITE_GROUP_WAIT", 0.0),
                     # the processing rules, when the writer runs them: imported before the first
                     # request (and an import error fails the crawl's start, not its first article)
                     ("pipelines.process",) if s.getbool("LAWGOV_PROCESS_IN_WRITER") else ())
            crawler._lawgov_writer_thread = wt
        return wt

    # -- lifecycle --------------------------------------------------------------------------------
    def acquire(self) -> WriterThread:
        self.users += 1
        if self._thread is None:
            self._remote_error = None
            self._thread = threading.Thread(target=self._run_remote if self.process else self._run,
                                            name="lawgov-archive-writer", daemon=True)
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
        try:
            serve_jobs(writer, self.queue.get, lambda: not self.queue.empty(),
                       lambda done, fire, result: self._finish(reactor, done, fire, result),
                       self.cpu_s, self.GROUP_MAX)
        finally:
            writer.close()

    def _run_remote(self) -> None:
        """Process mode: this thread forwards the queue to the writer process, a second thread
        (_receive) hands its results back; SQLite's CPU no longer competes with the reactor."""
        from twisted.internet import reactor

        ctx = multiprocessing.get_context("forkserver")  # no copy of the reactor, its threads or sockets
        here, there = ctx.Pipe()
        alive_r, alive_w = ctx.Pipe(duplex=False)  # never written: EOF tells the child we are gone
        proc = ctx.Process(target=serve_process, name="lawgov-archive-writer", daemon=True,
                           args=(there, alive_r, self.db_path, self.GROUP_MAX, self.group_wait, self.preload))
        try:
            proc.start()
        except BaseException as e:  # noqa: BLE001 -- reported to acquire()
            self._open_error = e
            self._ready.set()
            return
        self.pid = proc.pid
        there.close()
        alive_r.close()
        try:
            kind, payload = here.recv()
        except EOFError:
            kind, payload = "error", _portable(RuntimeError(
                f"the archive writer process exited before opening {self.db_path}"))
        if kind == "error":
            self._open_error = _rebuilt(payload)
            proc.join()
            self._ready.set()
            return
        self._ready.set()
        pending: dict[int, object] = {}  # job number -> its Deferred / Event, until answered
        receiver = threading.Thread(target=self._receive, args=(here, pending, proc, reactor),
                                    name="lawgov-archive-writer-results", daemon=True)
        receiver.start()
        seq = 0
        try:
            while True:
                job = self.queue.get()
                if job is _STOP:
                    break
                done, method, args, kwargs, can_group = job
                if self._remote_error is None:
                    seq += 1
                    pending[seq] = done
                    try:
                        here.send((seq, method, args, kwargs, can_group))
                        continue
                    except (OSError, EOFError):  # the process died: _receive reports it
                        pending.pop(seq, None)
                        receiver.join()
                self._finish(reactor, done, "errback", Failure(self._remote_error))
        finally:
            try:
                here.send(None)  # stop: the process commits its group, closes the archive, exits
            except OSError:
                pass
            receiver.join()
            proc.join()
            self.pid = None
            here.close()
            alive_w.close()

    def _receive(self, conn, pending: dict, proc, reactor) -> None:
        while True:
            try:
                seq, fire, result, cpu_s = conn.recv()
            except (EOFError, OSError):
                break
            self.cpu_s.update(cpu_s)
            if fire == "errback":
                result = Failure(_rebuilt(result))
            self._finish(reactor, pending.pop(seq), fire, result)
        proc.join(timeout=5)
        self._remote_error = RuntimeError(
            f"the archive writer process died (exit code {proc.exitcode}) before answering")
        for seq in sorted(pending):  # asked, never answered: not stored, as far as anyone knows
            self._finish(reactor, pending.pop(seq), "errback", Failure(self._remote_error))

    def _finish(self, reactor, done, fire, result) -> None:
        if done is None:
            return
        if isinstance(done, threading.Event):  # call(): a blocking caller
            done.result, done.fire = result, fire
            done.set()
        else:
            self._post(reactor, done, fire, result)

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
        self.queue.put((done, method, args, kwargs, method in GROUPED))
        return done

    def barrier(self) -> defer.Deferred:
        """Fires once every call submitted before it is done and its Deferred has fired (results
        come back through callFromThread in submission order)."""
        return self.submit(None)

    def call(self, method: str, *args, **kwargs):
        """Queue a call and wait for it in this thread (outside a running crawl: start, finish)."""
        done = threading.Event()
        self.queue.put((done, method, args, kwargs, False))
        done.wait()
        if done.fire == "errback":
            done.result.raiseException()
        return done.result


# -- the writer's loop, in the thread or in the writer process ------------------------------------
def serve_jobs(writer: ArchiveWriter, next_job, more_waiting, finish, cpu_s: dict, group_max: int,
               may_commit=lambda: True) -> None:
    """Run jobs ``(done, method, args, kwargs, can_group)`` from ``next_job()`` until it returns _STOP,
    calling ``finish(done, "callback"/"errback", result)`` for each, in order. Groupable stores share a
    commit while ``more_waiting()`` (at most ``group_max``), and are finished only after it; any other
    call first commits the open group. ``may_commit()`` false: the caller is gone, roll back instead."""
    grouped: list = []  # (done, fire, result) of stores in the open group, not committed yet

    def commit_group():
        started = time.thread_time()
        try:
            if not may_commit():
                writer.rollback_group()
                raise RuntimeError("the crawl process is gone: its uncommitted records were rolled back")
            writer.commit_group()
        except BaseException:  # noqa: BLE001 -- nothing of the group was stored: say so to each
            failure = Failure()
            grouped[:] = [(done, "errback", failure) for done, _fire, _result in grouped]
        cpu_s["store"] = cpu_s.get("store", 0.0) + time.thread_time() - started
        for entry in grouped:
            finish(*entry)
        grouped.clear()

    try:
        while True:
            job = next_job()
            if job is _STOP:
                break
            done, method, args, kwargs, in_group = job
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
                cpu_s[method] = cpu_s.get(method, 0.0) + time.thread_time() - started
            if in_group:
                grouped.append((done, fire, result))
                if not more_waiting() or len(grouped) >= group_max:
                    commit_group()
            else:
                finish(done, fire, result)
    finally:
        if writer.in_group:
            commit_group()


def serve_process(conn, alive, db_path: str, group_max: int, group_wait: float = 0.0,
                  preload: tuple[str, ...] = ()) -> None:
    """The writer process (LAWGOV_WRITER_PROCESS): ArchiveWriter on ``db_path`` serving the jobs
    WriterThread sends over ``conn``, answering ``(job number, fire, result, cpu_s)``. Ctrl-C and
    SIGTERM are the crawl's to handle: this process stops when told (None) or when the crawl
    process is gone (``alive`` at EOF), and then rolls back what it had not committed, as a
    killed writer thread would have lost it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    pin_mmap_threshold()
    try:
        for module in preload:
            importlib.import_module(module)
        writer = ArchiveWriter(db_path)
    except BaseException as e:  # noqa: BLE001 -- reported to WriterThread.acquire
        conn.send(("error", _portable(e)))
        return
    conn.send(("ready", None))
    cpu_s: dict[str, float] = {}

    def next_job():
        if alive.poll(0):  # the crawl process is gone: what it sent will never be reported stored
            return _STOP
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return _STOP
        return _STOP if job is None else job

    def finish(seq, fire, result):
        conn.send((seq, fire, _portable(result.value) if fire == "errback" else result, cpu_s))

    try:
        serve_jobs(writer, next_job, lambda: conn.poll(group_wait), finish, cpu_s, group_max,
                   may_commit=lambda: not alive.poll(0))
    except (OSError, EOFError):  # the crawl process is gone mid-answer
        pass
    finally:
        writer.close()


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)


def pin_mmap_threshold(size: int = 128 * 1024) -> bool:
    """Keep glibc serving blocks of ``size`` bytes and more by mmap (its starting threshold) for good.

    glibc raises the threshold each time such a block is freed, after which the writer's large transient
    buffers (page bodies, texts, pickled records: 15-50 kB, some far larger) come from the heap, where
    long-lived small blocks pinned between them keep the freed pages: the writer process grew ~0.5 MB
    per 1,000 records stored although its Python heap (tracemalloc) and SQLite's memory
    (sqlite3_memory_used) stayed flat, and malloc_trim gave nothing back. Pinned: ~0.1 MB per 1,000
    (issue 11). False where there is no glibc."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, size))


def _portable(exc: BaseException) -> bytes:
    """An exception as bytes that unpickle in the crawl process (else a RuntimeError naming it)."""
    import traceback

    where = "".join(traceback.format_exception(exc, limit=-3)).rstrip()
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)
    except Exception:  # noqa: BLE001 -- unpicklable exceptions travel as their text
        data = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
    return pickle.dumps((data, where))


def _rebuilt(payload: bytes) -> BaseException:
    data, where = pickle.loads(payload)
    exc = pickle.loads(data)
    exc.add_note(f"in the archive writer process:\n{where}")
    return exc
