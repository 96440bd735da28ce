"""Distributed mode against a real redis-server on loopback: workers, a killed worker, a killed writer.

Each run is checked against the single-machine crawl of the same sample web (the `crawled` fixture):
the same documents (by text hash) with the same source URLs, the same pages, and no extra rows.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time

import pytest
import redis
import sqlite_utils

from crawler.portals import load_portals
from crawler.redis_frontier import RedisFrontier, dumps, loads
from lawgov.bench_distributed import start_redis
from lawgov.cli import main
from lawgov.ports import free_port
from tests.conftest import LAWGOV, ROOT, SAMPLE_PORTALS, run_lawgov

REDIS_SERVER = shutil.which("redis-server") or next(
    (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if os.path.exists(p)), None)

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None,
    reason="redis-server is not installed (`apt-get install -y redis-server`; .ci/run installs it)")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A private redis-server on a free loopback port, in a temp dir, without persistence."""
    try:
        proc, url = start_redis(tmp_path_factory.mktemp("redis"), binary=REDIS_SERVER)
    except RuntimeError as e:
        pytest.fail(str(e))
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _popen_lawgov(*args) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([*LAWGOV, *map(str, args)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _worker(redis_url, ns, proxy, *extra, ttl=2, until_idle=0.5) -> subprocess.Popen:
    return _popen_lawgov("crawl", "--redis", redis_url, "--namespace", ns, "--proxy", proxy,
                         "--until-idle", until_idle, "--heartbeat-ttl", ttl, *extra)


def _finish(proc: subprocess.Popen, timeout=90) -> tuple[int, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out + err


def _enqueue(redis_url, ns):
    proc = run_lawgov("enqueue", "--redis", redis_url, "--namespace", ns, "--portals", SAMPLE_PORTALS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    n_portals = len(load_portals(SAMPLE_PORTALS))
    assert re.search(rf"enqueued [1-9]\d* start requests for {n_portals} portals \(0 already seen", proc.stdout)


def _summary_value(output: str, label: str) -> int:
    line = next(ln for ln in output.splitlines() if ln.startswith(label))
    return int(float(line.split()[-1]))


def archived_set(db_path) -> dict:
    """documents by text hash -> their source URLs, and the (url, sha256) of every stored page"""
    db = sqlite_utils.Database(db_path)
    docs = {}
    for doc_id, text_sha in db.execute("SELECT id, text_sha256 FROM documents"):
        docs[text_sha] = frozenset(r[0] for r in db.execute(
            "SELECT url FROM sources WHERE document_id = ?", [doc_id]))
    pages = {(r[0], r[1]) for r in db.execute("SELECT url, sha256 FROM pages")}
    counts = {t: db[t].count for t in ("documents", "sources", "pages", "sections")}
    # what the next incremental run needs: validators and list dates, written by store() itself
    validators = {tuple(r) for r in db.execute("SELECT url, etag, last_modified, list_date FROM pages")}
    checked = db.execute("SELECT count(*) FROM sources WHERE checked_at IS NOT NULL").fetchone()[0]
    return {"documents": docs, "pages": pages, "counts": counts, "validators": validators,
            "sources_checked": checked}


@pytest.fixture(scope="module")
def single(crawled):
    return archived_set(crawled["db"])


# -- no Redis needed ----------------------------------------------------------------------------
def test_request_codec_roundtrip_keeps_bytes_headers_and_form_bodies():
    import scrapy

    from crawler.redis_queue import deserialize_request, serialize_request
    from crawler.spiders.reports import ReportsSpider

    spider = ReportsSpider(portals=str(SAMPLE_PORTALS))
    req = scrapy.FormRequest("http://www.jiaojiang.gov.cn.test/module/jpupdate/dataproxy.jsp?startrecord=1",
                             formdata={"columnid": "1229", "unitid": "中文"}, callback=spider.parse_listing,
                             errback=spider.on_error, meta={"portal": "p", "parts": [{"body": b"\xff\x00raw"}]})
    back = deserialize_request(serialize_request(req, spider), spider)
    assert type(back) is scrapy.FormRequest
    assert (back.url, back.method, back.body, back.meta) == (req.url, "POST", req.body, req.meta)
    assert back.headers.getlist(b"Content-Type") == req.headers.getlist(b"Content-Type")
    assert back.callback == spider.parse_listing and back.errback == spider.on_error
    record = {"url": "u", "pages": [{"body": b"\x00\x01gb18030 \xc4\xe3"}], "n": None, "ok": True}
    assert loads(dumps(record)) == record
    with pytest.raises(TypeError, match="cannot send a set"):
        dumps({"meta": {"tags": {"a"}}})


def test_bad_redis_url_is_one_line_and_exit_2(capsys):
    # in-process: these fail before Scrapy starts
    assert main(["crawl", "--redis", f"redis://127.0.0.1:{free_port()}/0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach Redis" in err
    assert main(["crawl", "--db", "x.db"]) == 2
    assert "--portals and --db are required" in capsys.readouterr().err


# -- real redis-server --------------------------------------------------------------------------
def test_worker_without_enqueue_says_so(redis_url, capsys):
    assert main(["crawl", "--redis", redis_url, "--namespace", "empty", "--wait-enqueue", "0.3"]) == 2
    assert "nothing enqueued under empty within 0.3 s" in capsys.readouterr().err


def test_two_workers_and_one_writer_archive_the_same_set(redis_url, proxy, single, tmp_path):
    ns = "two"
    frontier = RedisFrontier(redis_url, ns)
    conn, keys = frontier.conn, frontier.keys
    _enqueue(redis_url, ns)
    # Hold the start requests back until both workers are up, so that both take part.
    conn.rename(keys.requests, f"{keys.requests}:held")
    workers = [_worker(redis_url, ns, proxy, "--fast", until_idle=2) for _ in range(2)]
    deadline = time.monotonic() + 60
    while frontier.snapshot()["workers_alive"] < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    conn.rename(f"{keys.requests}:held", keys.requests)
    ingest = _popen_lawgov("ingest", "--redis", redis_url, "--namespace", ns, "--db", tmp_path / "a.db",
                           "--until-idle", "1", "--progress", "1")
    rc, ingest_out = _finish(ingest)
    assert rc == 0, ingest_out
    outs = [_finish(w) for w in workers]
    for rc, out in outs:
        assert rc == 0, out
    # (how the pages split between the two depends on the OS scheduler: on a loaded machine one
    # worker may get nearly all of them, so only their sum is checked)
    pages = sum(_summary_value(out, "pages fetched") for _, out in outs)
    assert pages >= single["counts"]["pages"]
    assert "[ingest]" in ingest_out  # progress lines
    got = archived_set(tmp_path / "a.db")
    assert got == single
    assert {bool(etag) and bool(list_date) for _u, etag, _lm, list_date in got["validators"]} == {True, False}
    assert got["sources_checked"] == got["counts"]["sources"]
    snap = frontier.snapshot()
    assert (snap["queued"], snap["in_flight"], snap["items"], snap["items_processing"]) == (0, 0, 0, 0)
    assert _summary_value(ingest_out, "records stored") == sum(
        _summary_value(out, "records pushed") for _, out in outs)


@pytest.fixture(scope="module")
def killed_run(redis_url, proxy, tmp_path_factory):
    """A worker SIGKILLed mid-crawl and another started; then a writer SIGKILLed mid-drain and
    restarted."""
    ns = "killed"
    frontier = RedisFrontier(redis_url, ns)
    conn, keys = frontier.conn, frontier.keys
    _enqueue(redis_url, ns)
    seeded = conn.scard(keys.seen)
    # Worker A is polite (1 s per site): it holds many in-flight requests when it dies, which is
    # once it has pushed requests of its own (links found on the pages it fetched).
    a = _worker(redis_url, ns, proxy, ttl=1)
    deadline = time.monotonic() + 60
    while conn.scard(keys.seen) < seeded + 5 and a.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    a.send_signal(signal.SIGKILL)
    a.wait()
    left_in_flight = frontier.snapshot()["in_flight"]
    b = _worker(redis_url, ns, proxy, "--fast")
    rc_b, out_b = _finish(b)

    # The writer: every record pushed 4 times over (idempotent duplicates) so it is mid-drain when killed.
    records = conn.lrange(keys.items, 0, -1)
    for _ in range(3):
        conn.lpush(keys.items, *records)
    total = conn.llen(keys.items)
    db = tmp_path_factory.mktemp("killed") / "archive.db"
    w = _popen_lawgov("ingest", "--redis", redis_url, "--namespace", ns, "--db", db, "--progress", "0")
    deadline = time.monotonic() + 60
    while conn.llen(keys.items) > total - 20 and w.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    w.send_signal(signal.SIGKILL)
    w.wait()
    left_items, left_processing = conn.llen(keys.items), conn.llen(keys.items_processing)
    restart = run_lawgov("ingest", "--redis", redis_url, "--namespace", ns, "--db", db, "--until-idle", "0.5",
                         "--progress", "0")
    return {"left_in_flight": left_in_flight, "rc_b": rc_b, "out_b": out_b, "total": total,
            "left_items": left_items, "left_processing": left_processing, "restart": restart, "db": db,
            "snapshot": frontier.snapshot()}


def test_killed_worker_loses_no_request(killed_run, single):
    assert killed_run["left_in_flight"] > 0  # worker A died holding requests
    assert killed_run["rc_b"] == 0, killed_run["out_b"]
    # worker B put every one of them back in the queue
    assert _summary_value(killed_run["out_b"], "requests requeued") == killed_run["left_in_flight"]
    assert archived_set(killed_run["db"]) == single


def test_killed_writer_restarts_without_duplicate_rows(killed_run, single):
    restart = killed_run["restart"]
    assert restart.returncode == 0, restart.stdout + restart.stderr
    assert 0 < killed_run["left_items"] < killed_run["total"]  # killed mid-drain
    assert _summary_value(restart.stdout, "re-stored after a crash") == killed_run["left_processing"]
    assert (_summary_value(restart.stdout, "records stored")
            == killed_run["left_items"] + killed_run["left_processing"])
    got = archived_set(killed_run["db"])
    assert got["counts"] == single["counts"]
    assert got == single
    snap = killed_run["snapshot"]
    assert (snap["items"], snap["items_processing"], snap["queued"], snap["in_flight"]) == (0, 0, 0, 0)
