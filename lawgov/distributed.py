"""Distributed mode: `lawgov enqueue`, `lawgov crawl --redis` (workers) and `lawgov ingest`.

    redis host:      redis-server
    once:            lawgov enqueue --redis redis://HOST:6379/0 --portals portals.yaml
    N machines:      lawgov crawl --redis redis://HOST:6379/0
    one machine:     lawgov ingest --redis redis://HOST:6379/0 --db data/archive.db --until-idle 60

The Scrapy side (scheduler, item pipeline) is crawler/redis_queue.py, the key layout and the
atomic Redis steps crawler/redis_frontier.py.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import redis

from crawler.redis_frontier import DEFAULT_NAMESPACE, RedisFrontier, loads
from lawgov.errors import BadInput

REDIS_SCHEDULER = "crawler.redis_queue.RedisScheduler"
ARCHIVE_PIPELINE = "pipelines.item_pipelines.ArchivePipeline"
REDIS_PIPELINE = "crawler.redis_queue.RedisItemPipeline"


def worker_settings(url: str, namespace: str, *, role: str = "worker", until_idle: float = 60.0,
                    heartbeat_ttl: float = 30.0, **crawl_kwargs):
    """The ordinary crawl settings, with the Redis scheduler, and records pushed to Redis
    where the archive pipeline would have written them (the other item pipelines stay)."""
    from lawgov.crawl import crawl_settings

    settings = crawl_settings("", **crawl_kwargs)
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    order = pipelines.pop(ARCHIVE_PIPELINE, None) or 800
    if role == "worker":
        pipelines.update({ARCHIVE_PIPELINE: None, REDIS_PIPELINE: order})
        settings.set("SPIDER_MIDDLEWARES", {**settings.getdict("SPIDER_MIDDLEWARES"),
                                            "crawler.redis_queue.SkipStartRequests": 10}, priority="cmdline")
    else:  # `lawgov enqueue` runs the spider only to build the start requests and push them
        pipelines = {}
        settings.set("ROBOTSTXT_OBEY", False, priority="cmdline")  # nothing is fetched
        settings.set("LAWGOV_PROGRESS_INTERVAL", 0, priority="cmdline")
    settings.setdict({
        "SCHEDULER": REDIS_SCHEDULER, "ITEM_PIPELINES": pipelines,
        "LAWGOV_REDIS_URL": url, "LAWGOV_REDIS_NAMESPACE": namespace, "LAWGOV_REDIS_ROLE": role,
        "LAWGOV_REDIS_UNTIL_IDLE": until_idle, "LAWGOV_REDIS_HEARTBEAT_TTL": heartbeat_ttl,
        # Incremental skipping reads the archive, which workers do not have: every article is fetched
        # and the writer files the known ones as unchanged.
        "LAWGOV_INCREMENTAL": False,
        # no archive writer here either: records are processed before they go to Redis
        "LAWGOV_PROCESS_IN_WRITER": False,
    }, priority="cmdline")
    return settings


class DistributedError(BadInput):
    """Redis unreachable, or nothing enqueued: one line for the user, exit code 2 (as BadInput)."""


def connect(url: str, namespace: str) -> RedisFrontier:
    try:
        frontier = RedisFrontier(url, namespace)
        frontier.conn.ping()
    except (redis.exceptions.RedisError, ValueError) as e:
        raise DistributedError(f"{url}: cannot reach Redis ({e})") from None
    return frontier


def _run_spider(portals_file: str, settings) -> dict:
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    crawler = process.create_crawler("reports")
    process.crawl(crawler, portals=str(portals_file))
    process.start()
    return crawler.stats.get_stats()


def run_enqueue(url: str, portals_file: str, *, namespace: str = DEFAULT_NAMESPACE, reset: bool = False,
                **settings_kwargs) -> dict:
    """Store the portal registry in Redis and push the start requests (those not seen yet)."""
    from crawler.portals import load_portals

    portals = load_portals(portals_file)  # fails early, with a one-line message
    frontier = connect(url, namespace)
    if reset:
        keys = frontier.keys.all_keys(frontier.conn)
        if keys:
            frontier.conn.delete(*keys)
    frontier.conn.set(frontier.keys.portals, Path(portals_file).read_text(encoding="utf-8"))
    settings = worker_settings(url, namespace, role="enqueue", **settings_kwargs)
    stats = _run_spider(portals_file, settings)
    return {"portals": len(portals), "pushed": stats.get("lawgov/redis/enqueued", 0),
            "already_seen": stats.get("lawgov/redis/seen_dropped", 0),
            "queued": frontier.conn.llen(frontier.keys.requests)}


def run_worker(url: str, *, namespace: str = DEFAULT_NAMESPACE, until_idle: float = 60.0,
               heartbeat_ttl: float = 30.0, wait_enqueue: float = 60.0, **settings_kwargs) -> dict:
    """One worker: fetch and process requests from the shared queue until the crawl is idle."""
    from crawler.portals import load_portals
    from pipelines.item_pipelines import crawl_counters

    frontier = connect(url, namespace)
    # Workers may be started before `lawgov enqueue`.
    deadline = time.monotonic() + wait_enqueue
    while (registry := frontier.conn.get(frontier.keys.portals)) is None:
        if time.monotonic() >= deadline:
            raise DistributedError(f"{url}: nothing enqueued under {namespace} within {wait_enqueue:g} s "
                                   "(run `lawgov enqueue` first)")
        time.sleep(0.2)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lawgov-worker-") as tmp:
        portals_file = Path(tmp) / "portals.yaml"
        portals_file.write_bytes(registry)
        n_portals = len(load_portals(portals_file))
        settings = worker_settings(url, namespace, until_idle=until_idle, heartbeat_ttl=heartbeat_ttl,
                                   **settings_kwargs)
        stats = _run_spider(str(portals_file), settings)
    return {"portals": n_portals, **crawl_counters(stats),
            "items_pushed": stats.get("lawgov/redis/items_pushed", 0),
            "requeued": stats.get("lawgov/redis/requeued", 0),
            "elapsed_s": round(time.monotonic() - started, 2),
            "finish_reason": stats.get("finish_reason")}


WORKER_SUMMARY_ROWS = (
    ("portals", "portals"),
    ("pages fetched", "pages_fetched"),
    ("articles fetched", "detail_pages"),
    ("records pushed", "items_pushed"),
    ("requests requeued", "requeued"),
    ("errors", "errors"),
    ("elapsed (s)", "elapsed_s"),
)


# -- the single writer ------------------------------------------------------------------------
def run_ingest(url: str, db: str, *, namespace: str = DEFAULT_NAMESPACE, until_idle: float | None = None,
               progress_interval: float = 10.0, max_records: int | None = None, out=sys.stderr) -> dict:
    """Drain NS:items into the archive at ``db`` (reliable queue: LMOVE, store, then LREM).

    A record is removed from NS:items:processing only after its transaction committed; on start,
    whatever a killed writer left there is stored again (store() is idempotent). Stops when the
    crawl has been idle for ``until_idle`` seconds (no queued, in-flight or pushed work, no live
    worker); runs until interrupted when None. ``max_records`` stops early (tests, batch runs).
    """
    from archive.db import open_archive
    from archive.writer import DUPLICATE, LOOKALIKE, NEW_REPORT, UNCHANGED, UNREAD, ArchiveWriter

    open_archive(db).conn.close()  # create or migrate now, and fail early on a foreign file
    frontier = connect(url, namespace)  # (after the local check: a bad --db is named before Redis is)
    keys, conn = frontier.keys, frontier.conn
    writer = ArchiveWriter(db)
    registry = conn.get(keys.portals)
    n_portals = 0
    if registry is not None:
        import yaml

        n_portals = len(yaml.safe_load(registry) or [])
    crawl_id = _resume_or_start_crawl(writer, conn, keys, db, f"{url} {namespace}", n_portals)
    outcomes = {NEW_REPORT: 0, DUPLICATE: 0, UNCHANGED: 0, LOOKALIKE: 0, UNREAD: 0, "fetch_error": 0}
    started = last_progress = time.monotonic()
    idle_since: float | None = None
    stored = recovered = 0

    def store(payload: bytes) -> None:
        nonlocal stored
        record = loads(payload)
        if "fetch_error" in record:  # a request that failed for good (the spider's errback)
            outcome = "fetch_error"
            fe = record["fetch_error"]
            if not writer.db.execute("SELECT 1 FROM fetch_errors WHERE crawl_id = ? AND url = ? AND kind = ?",
                                     [crawl_id, fe["url"], fe["kind"]]).fetchone():
                writer.record_fetch_error(crawl_id, **fe)
        else:
            outcome = writer.store(record, crawl_id=crawl_id)
        conn.lrem(keys.items_processing, 1, payload)  # only after the commit
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        stored += 1

    def progress(final: bool = False) -> None:
        snap = frontier.snapshot()
        print(f"[ingest] {time.monotonic() - started:6.0f}s  stored {stored} (new {outcomes[NEW_REPORT]}, "
              f"duplicate {outcomes[DUPLICATE]}, unchanged {outcomes[UNCHANGED]}, "
              f"look-alike {outcomes[LOOKALIKE]})  items waiting {snap['items']}  "
              f"requests queued {snap['queued']}, in flight {snap['in_flight']}  "
              f"workers alive {snap['workers_alive']}" + ("  done" if final else ""),
              file=out, flush=True)

    status = "stopped:error"
    try:
        # A writer killed between LMOVE and LREM left records here: store them again.
        for payload in conn.lrange(keys.items_processing, 0, -1)[::-1]:
            store(payload)
            recovered += 1
        if recovered:
            print(f"[ingest] re-stored {recovered} records a previous writer had not confirmed",
                  file=out, flush=True)
        while max_records is None or stored < max_records:
            payload = conn.blmove(keys.items, keys.items_processing, 1.0, "RIGHT", "LEFT")
            now = time.monotonic()
            if payload is not None:
                store(payload)
                idle_since = None
            elif until_idle is not None:
                snap = frontier.snapshot()
                busy = snap["items"] or snap["queued"] or snap["in_flight"] or snap["workers_alive"]
                idle_since = None if busy else (idle_since or now)
                if idle_since is not None and now - idle_since >= until_idle:
                    break
            if progress_interval and now - last_progress >= progress_interval:
                progress()
                last_progress = now
        status = "ok"
    except KeyboardInterrupt:
        status = "stopped:interrupted"
        raise
    finally:
        worker_stats = {k.decode(): int(v) for k, v in conn.hgetall(keys.stats).items()}
        counters = {"pages_fetched": worker_stats.get("pages_fetched", 0),
                    "detail_pages": worker_stats.get("detail_pages", 0),
                    "reports_archived": outcomes[NEW_REPORT], "lookalikes_rejected": outcomes[LOOKALIKE],
                    "files_unread": outcomes[UNREAD],
                    "duplicates_merged": outcomes[DUPLICATE], "errors": worker_stats.get("errors", 0)}
        writer.finish_crawl(crawl_id, status, counters, {"outcomes": outcomes, "workers": worker_stats},
                            time.monotonic() - started)
        writer.close()
    progress(final=True)
    return {"stored": stored, "recovered": recovered, **counters, "unchanged": outcomes[UNCHANGED],
            "elapsed_s": round(time.monotonic() - started, 2)}


def _resume_or_start_crawl(writer, conn, keys, db: str, label: str, n_portals: int) -> int:
    """One `crawls` row per distributed crawl and archive: a restarted writer goes on with it."""
    tag_key = keys.ingest_crawl
    tag = conn.get(tag_key)
    here = str(Path(db).resolve())
    if tag is not None:
        path, _, crawl_id = tag.decode().rpartition("|")
        row = writer.db.execute("SELECT status FROM crawls WHERE id = ?", [int(crawl_id)]).fetchone()
        if path == here and row is not None and row[0] in ("running", "interrupted", "stopped:interrupted", "stopped:error"):
            return int(crawl_id)
    crawl_id = writer.start_crawl(label, n_portals)
    conn.set(tag_key, f"{here}|{crawl_id}")
    return crawl_id


INGEST_SUMMARY_ROWS = (
    ("records stored", "stored"),
    ("re-stored after a crash", "recovered"),
    ("reports archived", "reports_archived"),
    ("look-alikes rejected", "lookalikes_rejected"),
    ("report files not read", "files_unread"),
    ("duplicates merged", "duplicates_merged"),
    ("unchanged", "unchanged"),
    ("pages fetched (workers)", "pages_fetched"),
    ("errors (workers)", "errors"),
    ("elapsed (s)", "elapsed_s"),
)


# -- command line ------------------------------------------------------------------------------
def add_worker_arguments(p) -> None:
    """`lawgov crawl --redis URL`: the options a worker adds to `lawgov crawl`."""
    g = p.add_argument_group("distributed mode (see README: Distributed crawling)")
    g.add_argument("--redis", metavar="URL", help="be a worker of the crawl enqueued in this Redis "
                   "(redis://HOST:6379/0); --portals and --db are not used: records go to Redis")
    g.add_argument("--namespace", default=DEFAULT_NAMESPACE, help=f"Redis key prefix (default: {DEFAULT_NAMESPACE})")
    g.add_argument("--until-idle", type=float, default=60.0, metavar="SECONDS",
                   help="stop once the whole crawl has had no queued or in-flight request for this long "
                        "(default: 60)")
    g.add_argument("--wait-enqueue", type=float, default=60.0, metavar="SECONDS",
                   help="a worker started before `lawgov enqueue` waits this long for it (default: 60)")
    g.add_argument("--heartbeat-ttl", type=float, default=30.0, metavar="SECONDS",
                   help="a worker silent this long is taken for dead and its in-flight requests go back "
                        "to the queue (default: 30)")


def cmd_worker(args) -> int:
    summary = run_worker(args.redis, namespace=args.namespace, until_idle=args.until_idle,
                         heartbeat_ttl=args.heartbeat_ttl, wait_enqueue=args.wait_enqueue, proxy=args.proxy, fast=args.fast,
                         contact=args.contact, log_level=args.log_level)
    from lawgov.crawl import format_rows

    print(format_rows("worker summary", WORKER_SUMMARY_ROWS, summary))
    return 0 if summary["errors"] == 0 else 1


def _cmd_enqueue(args) -> int:
    summary = run_enqueue(args.redis, args.portals, namespace=args.namespace, reset=args.reset,
                          log_level=args.log_level)
    print(f"enqueued {summary['pushed']} start requests for {summary['portals']} portals "
          f"({summary['already_seen']} already seen; {summary['queued']} requests now queued)")
    return 0


def _cmd_ingest(args) -> int:
    summary = run_ingest(args.redis, args.db, namespace=args.namespace, until_idle=args.until_idle,
                         progress_interval=args.progress, max_records=args.max_records)
    from lawgov.crawl import format_rows

    print(format_rows("ingest summary", INGEST_SUMMARY_ROWS, summary))
    return 0


def add_distributed_parsers(sub) -> None:
    p = sub.add_parser(
        "enqueue", help="start a distributed crawl: push a registry's start requests to Redis",
        description="Store the portal registry in Redis and push its start requests onto the shared "
                    "queue (requests already seen in this namespace are skipped; --reset starts over). "
                    "Then run `lawgov crawl --redis URL` on any number of machines and one "
                    "`lawgov ingest`.",
        epilog="example: lawgov enqueue --redis redis://10.0.0.5:6379/0 --portals portals.yaml",
    )
    p.add_argument("--redis", required=True, metavar="URL", help="redis://HOST:PORT/DB")
    p.add_argument("--portals", required=True, metavar="FILE", help="portal registry (YAML)")
    p.add_argument("--namespace", default=DEFAULT_NAMESPACE, help=f"Redis key prefix (default: {DEFAULT_NAMESPACE})")
    p.add_argument("--reset", action="store_true", help="delete this namespace's queue, seen-filter, "
                   "in-flight requests and unwritten records first")
    p.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.set_defaults(func=_cmd_enqueue)

    p = sub.add_parser(
        "ingest", help="the one archive writer of a distributed crawl",
        description="Drain the records the workers pushed to Redis into the archive (created if "
                    "missing), one transaction each. Crash-safe: a record leaves Redis only after its "
                    "commit, and a restarted writer re-stores what it had taken (storing is idempotent).",
        epilog="example: lawgov ingest --redis redis://10.0.0.5:6379/0 --db data/archive.db --until-idle 60",
    )
    p.add_argument("--redis", required=True, metavar="URL", help="redis://HOST:PORT/DB")
    p.add_argument("--db", required=True, metavar="PATH", help="archive SQLite file")
    p.add_argument("--namespace", default=DEFAULT_NAMESPACE, help=f"Redis key prefix (default: {DEFAULT_NAMESPACE})")
    p.add_argument("--until-idle", type=float, metavar="SECONDS", help="stop once nothing is queued, in "
                   "flight or waiting to be written and no worker is alive, for this long "
                   "(default: run until interrupted)")
    p.add_argument("--progress", type=float, default=10.0, metavar="SECONDS",
                   help="seconds between progress lines on stderr (default: 10; 0: none)")
    p.add_argument("--max-records", type=int, metavar="N", help="stop after storing N records")
    p.set_defaults(func=_cmd_ingest)
