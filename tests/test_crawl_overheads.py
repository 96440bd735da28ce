"""Overheads of a crawl, cut without changing what it does: the garbage collector's tuning
(crawler.extensions.GCTuning), the stats collector without Scrapy's per-call shim
(crawler.stats.StatsCollector), list pages' scripts read from the response's own parse, the
archive writer's later WAL checkpoints, and keep-alive connections through a proxy (crawler.handlers)."""

import gc
import sqlite3
import warnings

import pytest
from parsel import Selector
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from archive.db import open_archive
from archive.writer import ArchiveWriter
from crawler import jslists
from crawler.extensions import GCTuning
from crawler.stats import StatsCollector
from lawgov.crawl import FAST_SETTINGS, crawl_settings
from sampleweb.large import large_portals, registry_yaml
from sampleweb.server import SampleWeb
from tests.conftest import run_lawgov


@pytest.fixture
def gc_state():
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)
    gc.unfreeze()


def _crawler(**settings):
    """A crawler with lawgov's settings for these components (not its reactor: none runs here)."""
    ours = crawl_settings("unused.db")
    keys = ("LAWGOV_GC_FREEZE", "LAWGOV_GC_THRESHOLD", "STATS_CLASS")
    return get_crawler(settings_dict={**{k: ours[k] for k in keys}, **settings})


def test_gc_tuning_while_the_spider_runs(gc_state):
    ext = GCTuning.from_crawler(_crawler(LAWGOV_GC_THRESHOLD=5000))
    ext.spider_opened(None)
    assert gc.get_threshold() == (5000, *gc_state[1:])
    assert gc.get_freeze_count() > 1000  # start-up objects: out of the collector's sight
    # garbage made during the crawl is still collected
    cycle = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
    ext.spider_closed(None)
    assert gc.get_threshold() == gc_state
    assert gc.get_freeze_count() == 0


def test_gc_defaults_freeze_only(gc_state):
    ext = GCTuning.from_crawler(_crawler())
    ext.spider_opened(None)
    assert gc.get_threshold() == gc_state  # a higher threshold made memory grow with the crawl
    assert gc.get_freeze_count() > 1000
    ext.spider_closed(None)
    assert gc.get_freeze_count() == 0


def test_gc_tuning_closed_without_opening(gc_state):
    GCTuning.from_crawler(_crawler(LAWGOV_GC_THRESHOLD=5000)).spider_closed(None)  # the spider failed to open
    assert gc.get_threshold() == gc_state


def test_gc_tuning_off_changes_nothing(gc_state):
    ext = GCTuning.from_crawler(_crawler(LAWGOV_GC_FREEZE=False, LAWGOV_GC_THRESHOLD=0))
    ext.spider_opened(None)
    assert gc.get_threshold() == gc_state
    assert gc.get_freeze_count() == 0
    ext.spider_closed(None)
    assert gc.get_threshold() == gc_state


def test_crawl_settings_turn_the_overheads_off():
    settings = crawl_settings("unused.db")
    assert settings.getbool("WARN_ON_GENERATOR_RETURN_VALUE") is False
    assert settings["EXTENSIONS"]["crawler.extensions.GCTuning"] is not None
    assert isinstance(_crawler().stats, StatsCollector)


def test_stats_collector_counts_as_scrapys():
    ours, scrapys = StatsCollector(_crawler()), MemoryStatsCollector(_crawler())
    for stats in (ours, scrapys):
        stats.open_spider()
        stats.inc_value("a")
        stats.inc_value("a", 2)
        stats.inc_value("b", start=10)
        stats.max_value("m", 3)
        stats.max_value("m", 1)
        stats.min_value("n", 3)
        stats.min_value("n", 1)
        stats.set_value("s", "x")
    assert ours.get_stats() == scrapys.get_stats() == {"a": 3, "b": 11, "m": 3, "n": 1, "s": "x"}
    assert ours.get_value("a") == 3 and ours.get_value("missing", 7) == 7
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a spider argument is taken, without the deprecation warning
        ours.inc_value("a", spider=None)
    assert ours.get_value("a") == 4


def test_script_records_from_the_responses_own_parse():
    page = """<html><body><ul id="list"></ul>
    <script>var docs = [{"title": "2023年法治政府建设年度报告", "url": "/art/2024/3/1/art_1_1.html"},
    {"title": "关于公开征求意见的通知", "url": "/art/2024/2/1/art_1_2.html"}];</script>
    <script src="/js/jquery.js"></script></body></html>"""
    records = jslists.script_records(page)
    assert records == jslists.script_records(page, Selector(text=page))
    assert [u for u, _t in records] == ["/art/2024/3/1/art_1_1.html", "/art/2024/2/1/art_1_2.html"]


def test_only_the_writer_checkpoints_later(tmp_path):
    path = str(tmp_path / "a.db")
    writer = ArchiveWriter(path)
    other = open_archive(path)
    try:
        assert writer.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == ArchiveWriter.WAL_AUTOCHECKPOINT == 10000
        assert other.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000  # other connections: readers, serve
        assert writer.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        writer.close()
        other.conn.close()


def test_many_sites_through_one_proxy_reuse_their_connections(tmp_path):
    """12 sites crawled at once through the proxy share one pool key: Scrapy's pool kept 8 idle
    connections for all of them and opened 46-60 for these 156 requests; ours keeps up to
    CONCURRENT_REQUESTS, so no more are ever opened."""
    portals = large_portals(12, 10)
    registry = tmp_path / "portals.yaml"
    registry.write_text(registry_yaml(portals), encoding="utf-8")
    with SampleWeb(portals) as web:
        proc = run_lawgov("crawl", "--portals", registry, "--db", tmp_path / "a.db", "--proxy", web.proxy_url,
                          "--fast")
        requests, connections = len(web.requests), web.connections
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("SELECT count(*) FROM pages").fetchone()[0] == 12 * 10  # every article
    assert requests > 4 * FAST_SETTINGS["CONCURRENT_REQUESTS"]
    assert 0 < connections <= FAST_SETTINGS["CONCURRENT_REQUESTS"]

