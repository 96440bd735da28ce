"""The crawl frontier (requests discovered, not yet fetched) stays bounded: portals are opened as it
drains (LAWGOV_FRONTIER_SOFT_MAX), not all at once, and the archive is the same (issue 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import sqlite_utils
from scrapy import Request, Spider
from scrapy.core.engine import ExecutionEngine
from scrapy.core.scheduler import Scheduler
from scrapy.utils.test import get_crawler

from crawler.spiders.reports import frontier_full
from sampleweb.large import large_portals, registry_yaml
from sampleweb.server import SampleWeb
from tests.conftest import ROOT, SAMPLE_PORTALS, run_lawgov
from tests.test_crawl_sampleweb import assert_archives_exactly_the_reports

# run_crawl in a child process (one reactor per process); prints the largest frontier seen
CRAWL = r'''
import json, sys
from scrapy.crawler import CrawlerProcess
from lawgov.crawl import crawl_settings
settings = crawl_settings(sys.argv[2], proxy=sys.argv[3], fast=True, overrides=json.loads(sys.argv[4]))
process = CrawlerProcess(settings)
crawler = process.create_crawler("reports")
process.crawl(crawler, portals=sys.argv[1])
process.start()
stats = crawler.stats.get_stats()
print(json.dumps({"frontier_max": stats.get("lawgov/frontier_max"), "finish": stats.get("finish_reason"),
                  "responses": stats.get("response_received_count")}))
'''


def crawl(registry, db, proxy, **overrides) -> dict:
    # the progress tick samples the frontier: often, to see its peaks
    overrides = {"LAWGOV_PROGRESS_INTERVAL": 0.02, "LAWGOV_PROCESS_IN_WRITER": False, "LAWGOV_PROCESS_WORKERS": 0,
                 **overrides}
    proc = subprocess.run([sys.executable, "-c", CRAWL, str(registry), str(db), proxy, json.dumps(overrides)],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def sources(db) -> set[tuple[str, str]]:
    d = sqlite_utils.Database(db)
    return {(r["url"], r["canonical_url"]) for r in d.query(
        "SELECT s.url, d.canonical_url FROM sources s JOIN documents d ON d.id = s.document_id")}


def scheduler_with(requests) -> Scheduler:
    crawler = get_crawler(Spider, {"SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue"})
    crawler._apply_settings()
    crawler.engine = ExecutionEngine(crawler, lambda _: None)  # the queue asks its downloader for slots
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(Spider("s"))
    for r in requests:
        assert scheduler.enqueue_request(r)
    return scheduler


def test_frontier_full_counts_requests_and_sites():
    many_sites = [Request(f"http://www.s{i % 8}.gov.cn.test/a/{i}.html") for i in range(40)]
    one_site = [Request(f"http://www.s0.gov.cn.test/a/{i}.html") for i in range(40)]
    assert frontier_full(scheduler_with(many_sites), soft_max=40, min_domains=8)
    assert not frontier_full(scheduler_with(many_sites), soft_max=41, min_domains=8)  # room left
    # 40 requests for one site keep one downloader slot busy: open more portals anyway
    assert not frontier_full(scheduler_with(one_site), soft_max=10, min_domains=2)
    assert frontier_full(scheduler_with(one_site), soft_max=10, min_domains=1)


def test_portals_open_as_the_frontier_drains_same_archive(tmp_path):
    """12 portals x 20 articles, lists of 20: opened at once, every portal's list page waits in the
    frontier together; gated, the frontier stays near its soft maximum, and the archive is the same."""
    portals = large_portals(12, 20)
    registry = tmp_path / "portals.yaml"
    registry.write_text(registry_yaml(portals), encoding="utf-8")
    with SampleWeb(portals) as web:
        proxy = f"http://127.0.0.1:{web.port}"
        four = {"CONCURRENT_REQUESTS": 4, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
        at_once = crawl(registry, tmp_path / "a.db", proxy, LAWGOV_FRONTIER_SOFT_MAX=0, **four)
        gated = crawl(registry, tmp_path / "b.db", proxy, LAWGOV_FRONTIER_SOFT_MAX=20,
                      LAWGOV_FRONTIER_MIN_DOMAINS=2, LAWGOV_PORTALS_OPENING=2, **four)
    assert at_once["finish"] == gated["finish"] == "finished"
    assert at_once["responses"] == gated["responses"]
    # the soft max, plus what the list pages in flight (4 at most) add once fetched: 20 articles + next
    assert gated["frontier_max"] <= 20 + 4 * 21, (gated, at_once)
    assert at_once["frontier_max"] > 120  # > half of 12 portals x 20 articles
    got = sources(tmp_path / "b.db")
    assert len(got) == 12 * 20 // 2  # one article in two is a report
    assert got == sources(tmp_path / "a.db")


def test_one_portal_at_a_time_archives_exactly_the_reports(sample_web, proxy, tmp_path):
    """The whole sample web (cross-posts, near-copies, traps) with portals opened only on an empty frontier."""
    db = tmp_path / "archive.db"
    proc = run_lawgov("crawl", "--portals", SAMPLE_PORTALS, "--db", db, "--proxy", proxy, "--fast",
                      "-s", "LAWGOV_FRONTIER_SOFT_MAX=1", "-s", "LAWGOV_FRONTIER_MIN_DOMAINS=1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_archives_exactly_the_reports(db)
