"""A crawl killed with SIGKILL at several points and started again finishes the work exactly.

Three portals of the sample web (TRS with a split report and cross-posts, a TRS department site, UCAP)
keep the four runs short; the archive is checked against the sample web's truth.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from urllib.parse import urlsplit

import pytest
import sqlite_utils
import yaml

from sampleweb import truth
from sampleweb.server import SampleWeb
from tests.conftest import LAWGOV, ROOT, SAMPLE_PORTALS
from tests.test_crawl_sampleweb import archived

HOSTS = {"www.nanchong.gov.cn.test", "sfj.nanchong.gov.cn.test", "www.cnjialing.gov.cn.test"}


def host(url: str) -> str:
    return urlsplit(url).hostname


def expected_sources() -> set[frozenset]:
    """Every expected report as the set of its URLs on these portals."""
    out = {frozenset(u for u in v["urls"] if host(u) in HOSTS) for v in truth.expected_reports().values()}
    return out - {frozenset()}


def count_rows(db, table: str = "pages WHERE part_of IS NULL") -> int:
    """Committed rows of ``table`` (by default articles: reports and look-alikes); 0 while the
    archive does not exist yet."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def crawl_until(db, portals, proxy, kill_at: int | None, writer_process: bool = False) -> int:
    """Run a real crawl; SIGKILL it once it has started (its `crawls` row) and ``kill_at`` articles
    are committed. Its exit code."""
    runs = count_rows(db, "crawls")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([*LAWGOV, "crawl", "--portals", str(portals), "--db", str(db),
                             "--proxy", proxy, "--fast", "-s", "LAWGOV_WRITE_GROUP=2",
                             "-s", "CONCURRENT_REQUESTS=2", "-s", f"LAWGOV_WRITER_PROCESS={int(writer_process)}"],
                            cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if kill_at is not None and count_rows(db) >= kill_at and count_rows(db, "crawls") > runs:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    return proc.wait(timeout=30)


@pytest.fixture
def slow_proxy():
    """The sample web answering after 50 ms, fetched two at a time (crawl_until): reports are
    committed far enough apart that the kill lands at its point even when this test's polling is
    starved on a loaded machine."""
    with SampleWeb() as web:
        web.delay_s = 0.05
        yield web.proxy_url


@pytest.mark.parametrize("writer_process", [False, True], ids=["writer-thread", "writer-process"])
def test_killed_crawls_resume_to_exactly_the_archive(slow_proxy, crawled, tmp_path, writer_process):
    proxy = slow_proxy
    db, portals = tmp_path / "resumed.db", tmp_path / "portals.yaml"
    registry = yaml.safe_load(SAMPLE_PORTALS.read_text(encoding="utf-8"))
    registry["portals"] = [p for p in registry["portals"] if host(p["start_urls"][0]) in HOSTS]
    portals.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    expected = expected_sources()
    n_sources = sum(map(len, expected))
    linked = {p["url"] for p in truth.detail_pages() if host(p["url"]) in HOSTS}
    with sqlite3.connect(crawled["db"]) as c:  # the articles an unbroken crawl archives from them
        n_articles = sum(host(u) in HOSTS for (u,) in c.execute("SELECT url FROM pages WHERE part_of IS NULL"))
    # Records that queue up for the writer share a commit (archive.writer_thread): groups of at
    # most 2 here, so a kill lands at its point, sometimes mid-group (records processed, not committed)
    kills = [1, n_articles // 2, n_articles - 3]  # after the first article, mid-way, near the end
    progress = []
    for kill_at in kills:
        assert crawl_until(db, portals, proxy, kill_at, writer_process) == -signal.SIGKILL
        progress.append(count_rows(db))
    assert progress == sorted(progress) and progress[-1] < n_articles  # each kill left work undone
    assert crawl_until(db, portals, proxy, None, writer_process) == 0

    assert set(archived(db)) == expected  # every report, with exactly its URLs
    d = sqlite_utils.Database(db)
    assert d["sources"].count == n_sources
    assert d.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # nothing half-stored: every report has its sections and its source count
    assert d.execute("SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM sections)"
                     ).fetchone()[0] == 0
    assert d.execute("SELECT count(*) FROM documents WHERE n_sources != "
                     "(SELECT count(*) FROM sources WHERE document_id = documents.id)").fetchone()[0] == 0
    # the web did not change, so one pages row per URL, and every article listed was fetched
    assert d.execute("SELECT count(*) - count(DISTINCT url) FROM pages").fetchone()[0] == 0
    assert {r[0] for r in d.execute("SELECT url FROM pages WHERE part_of IS NULL")} <= linked
    statuses = [r[0] for r in d.execute("SELECT status FROM crawls ORDER BY id")]
    assert statuses == ["interrupted"] * len(kills) + ["ok"]


def test_ctrl_c_stops_the_crawl_gracefully_and_the_next_run_completes(slow_proxy, crawled, tmp_path):
    """SIGINT (Ctrl-C) reaches the whole foreground process group: the writer process ignores it and
    commits what the crawl hands it while Scrapy stops; the run is recorded as stopped, exits 130,
    and the same command finishes the work."""
    db, portals = tmp_path / "stopped.db", tmp_path / "portals.yaml"
    registry = yaml.safe_load(SAMPLE_PORTALS.read_text(encoding="utf-8"))
    registry["portals"] = [p for p in registry["portals"] if host(p["start_urls"][0]) in HOSTS]
    portals.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    args = [*LAWGOV, "crawl", "--portals", str(portals), "--db", str(db), "--proxy", slow_proxy, "--fast",
            "-s", "CONCURRENT_REQUESTS=2"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)  # its own group, as a terminal's job
    deadline = time.monotonic() + 120
    while count_rows(db) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the crawl, its writer process, its worker
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "stopped before the end" in err
    stopped = count_rows(db)
    d = sqlite_utils.Database(db)
    assert [r[0] for r in d.execute("SELECT status FROM crawls")] == ["stopped:shutdown"]
    assert stopped >= 2 and d.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert subprocess.run(args, cwd=ROOT, env=env, capture_output=True).returncode == 0
    assert set(archived(db)) == expected_sources()
    assert [r[0] for r in d.execute("SELECT status FROM crawls ORDER BY id")] == ["stopped:shutdown", "ok"]
