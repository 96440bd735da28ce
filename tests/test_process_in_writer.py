"""process_page in the archive writer (LAWGOV_PROCESS_IN_WRITER) or in a worker process: the same
archive either way, and a page that processing fails on is still archived raw, with the error."""

from __future__ import annotations

import asyncio
import sqlite3

from scrapy.utils.test import get_crawler

import pipelines.process
from archive.pagebody import page_body
from archive.writer import LOOKALIKE, NEW_REPORT, ArchiveWriter
from archive.writer_thread import WriterThread
from crawler.settings import LAWGOV_PROCESS_IN_WRITER
from lawgov.bench import crawl_stats
from pipelines.item_pipelines import ProcessPipeline
from sampleweb import truth
from sampleweb.server import SampleWeb
from tests.conftest import SAMPLE_PORTALS, run_lawgov
from tests.test_crawl_sampleweb import assert_archives_exactly_the_reports

# a report on one page, served as published (no attachment, no gateway copy)
ARTICLE = next(d for d in truth.detail_pages()
               if d["is_report"] and len(d["part_urls"]) == 1 and not d["attachment"] and not d["gateway"])


def pages_by_url(db) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        return {r[0]: r[1:] for r in conn.execute(
            "SELECT p.url, p.sha256, p.is_report, p.class_reason, p.list_date, d.text, d.title, d.year "
            "FROM pages p LEFT JOIN documents d ON d.id = p.document_id")}


def test_processing_in_the_writer_or_in_a_worker_archives_the_same(crawled, proxy, tmp_path):
    """The session's crawl ran this machine's default layout; the other layout crawls the same web
    into the same archive: every page with the same class, list date and document text."""
    other_db = tmp_path / "other.db"
    other = {"LAWGOV_PROCESS_IN_WRITER": int(not LAWGOV_PROCESS_IN_WRITER), "LAWGOV_PROCESS_WORKERS": 1}
    proc = run_lawgov("crawl", "--portals", SAMPLE_PORTALS, "--db", other_db, "--proxy", proxy, "--fast",
                      *[a for k, v in other.items() for a in ("-s", f"{k}={v}")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_archives_exactly_the_reports(other_db)
    assert pages_by_url(other_db) == pages_by_url(crawled["db"])
    default, switched = crawl_stats(crawled["db"]), crawl_stats(other_db)
    # where processing ran: a worker counts itself, the writer's CPU includes processing
    assert (default["lawgov/process_workers"], switched["lawgov/process_workers"]) == \
        ((0, 1) if LAWGOV_PROCESS_IN_WRITER else (1, 0))
    in_writer = default if LAWGOV_PROCESS_IN_WRITER else switched
    assert in_writer["lawgov/cpu_s/process_and_store"] > in_writer["lawgov/cpu_s/process_page"] > 0
    assert "lawgov/errors/processing" not in default and "lawgov/errors/processing" not in switched


def _item(url="http://www.example.gov.cn.test/art/2024/3/1/art_1_1.html", body=b""):
    return {"url": url, "portal": "p1", "list_date": "2024-03-01",
            "parts": [{"url": url, "status": 200, "content_type": "text/html; charset=utf-8",
                       "body": body}]}


def test_process_and_store_archives_a_report_as_process_page_then_store_would(tmp_path):
    url = ARTICLE["url"]
    body = SampleWeb().page(url)
    item = _item(url, body)
    record, cpu_s, error = pipelines.process.processed_record(item, None)
    assert error is None and cpu_s > 0 and record["list_date"] == "2024-03-01"
    by_store = ArchiveWriter(str(tmp_path / "store.db"))
    outcome = by_store.store(record)
    in_writer = ArchiveWriter(str(tmp_path / "in-writer.db"))
    got = in_writer.process_and_store(_item(url, body))
    assert got[0] == outcome and got[1] == record["title"] and got[3] is None
    by_store.close(), in_writer.close()
    assert pages_by_url(tmp_path / "in-writer.db") == pages_by_url(tmp_path / "store.db")
    assert outcome == NEW_REPORT and record["title"] == ARTICLE["title"]


def test_a_page_processing_fails_on_is_archived_raw_with_the_error(monkeypatch, tmp_path):
    def failing(parts, portal=None):
        raise ValueError("a rule broke")

    monkeypatch.setattr(pipelines.process, "process_page", failing)
    body = "<html><body>报告正文</body></html>".encode("gbk")
    writer = ArchiveWriter(str(tmp_path / "a.db"))
    outcome, title, cpu_s, error = writer.process_and_store(_item(body=body))
    writer.close()
    assert (outcome, title, cpu_s) == (LOOKALIKE, None, None)
    assert "ValueError: a rule broke" in error
    with sqlite3.connect(tmp_path / "a.db") as conn:
        (class_reason, is_report, stored, list_date), = conn.execute(
            "SELECT class_reason, is_report, body, list_date FROM pages").fetchall()
    assert (class_reason, is_report, page_body(stored), list_date) == ("error:ValueError", 0, body, "2024-03-01")


def test_the_reactor_processes_an_article_itself_only_while_the_writer_is_behind(tmp_path):
    """LAWGOV_WRITER_BEHIND: with that many writer calls still queued (not sent to the writer), the
    item leaves ProcessPipeline processed; otherwise untouched, for the writer to process."""
    crawler = get_crawler(settings_dict={"LAWGOV_DB": str(tmp_path / "a.db"), "LAWGOV_PROCESS_IN_WRITER": True,
                                         "LAWGOV_WRITER_BEHIND": 2})
    writer = WriterThread.for_crawler(crawler)  # never started: what is queued stays queued
    pipeline = ProcessPipeline.from_crawler(crawler)
    body = SampleWeb().page(ARTICLE["url"])
    seen = []
    for queued in range(4):
        out = asyncio.run(pipeline.process_item(_item(ARTICLE["url"], body)))
        seen.append("parts" not in out)  # processed here: a record, no longer the spider's item
        if seen[-1]:
            assert out["title"] == ARTICLE["title"] and out["list_date"] == "2024-03-01"
        writer.queue.put(("call", queued))
    assert seen == [False, False, True, True]
    assert crawler.stats.get_value("lawgov/processed_in_reactor") == 2
    assert crawler.stats.get_value("lawgov/cpu_s/process_page") > 0
