"""Incremental crawls: known articles are not downloaded again; 304s, changed list dates, gone pages.

One sample web of this module's own (the tests change it between crawls) and one archive, crawled
three times in order: fresh, unchanged, changed (recheck everything). The middleware is also driven
alone against that archive.
"""

from __future__ import annotations

import json
import re
import sqlite3
from urllib.parse import urljoin, urlsplit

import pytest
import sqlite_utils
import yaml
from parsel import Selector
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.incremental import IncrementalMiddleware, KnownPage, is_gone_answer, list_changed, recheck_due
from crawler.spiders.reports import _list_date
from lawgov.cli import main as cli_main
from pipelines.encoding import decode_html
from sampleweb import truth
from tests.conftest import SAMPLE_PORTALS, run_lawgov


def report(doc_key: str, host: str) -> dict:
    return next(d for d in truth.detail_pages() if (d["doc_key"], d["host"]) == (doc_key, host))


CHANGED = report("nanchong-sfj-2023", "sfj.nanchong.gov.cn.test")  # a later list date, and new text
REMOVED = report("taizhou-2023", "www.zjtz.gov.cn.test")["url"]  # answers 404, then comes back unchanged
MOVED = report("xiangcheng-2020", "www.xiangcheng.gov.cn.test")["url"]  # redirected to its column
SPLIT = report("nanchong-2023", "www.nanchong.gov.cn.test")  # a report over three pages
NEW_LIST_DATE = "2026-01-15"
# Four portals of the sample web (TRS, TRS department, Hanweb jpage, UCAP) keep the three crawls short.
HOSTS = {"www.nanchong.gov.cn.test", "sfj.nanchong.gov.cn.test", "www.zjtz.gov.cn.test",
         "www.xiangcheng.gov.cn.test"}


@pytest.fixture(scope="module")
def web():
    from sampleweb.server import SampleWeb

    with SampleWeb() as web:
        yield web


@pytest.fixture(scope="module")
def runs(web, tmp_path_factory):
    """Crawl the same archive three times, changing the web before the third; each run's outcome."""
    tmp = tmp_path_factory.mktemp("incremental")
    db, portals = tmp / "archive.db", tmp / "portals.yaml"
    registry = yaml.safe_load(SAMPLE_PORTALS.read_text(encoding="utf-8"))
    registry["portals"] = [p for p in registry["portals"] if urlsplit(p["start_urls"][0]).hostname in HOSTS]
    assert len(registry["portals"]) == len(HOSTS)
    portals.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    article_paths = {(d["host"], u.split(d["host"], 1)[1]) for d in truth.detail_pages() for u in d["part_urls"]}

    def crawl(name, *extra):
        before = len(web.requests)
        proc = run_lawgov("crawl", "--portals", portals, "--db", db, "--proxy", web.proxy_url,
                          "--fast", *extra)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        gets = [f"http://{h}{p}" for m, h, p in web.requests[before:] if m == "GET" and (h, p) in article_paths]
        served = [(m, p) for m, h, p in web.requests[before:] if p != "/robots.txt"]
        row = list(sqlite_utils.Database(db).query("SELECT * FROM crawls ORDER BY id DESC LIMIT 1"))[0]
        out[name] = {"proc": proc, "article_gets": gets, "served": served, "crawl": row, "snapshot": snapshot(db)}

    out: dict[str, dict] = {}
    crawl("first")
    crawl("unchanged")
    # change the web: a new list date and text for one report, one page removed, one redirected away
    web.set_list_date(CHANGED["url"], NEW_LIST_DATE)
    html = web.page(CHANGED["url"]).decode("utf-8")
    line = next(x for x in truth.gold_text(CHANGED["url"])[2:] if len(x) > 20 and x in html)
    web.replace_page(CHANGED["url"], html.replace(line, line + "本段已修订。"))
    web.remove_page(REMOVED, 404)
    column = MOVED.rsplit("/", 2)[0] + "/index.shtml"
    web.remove_page(MOVED, 302, location=column)
    crawl("changed", "--recheck-days", "0")
    out["db"] = db
    return out


def snapshot(db) -> dict:
    d = sqlite_utils.Database(db)
    return {
        "counts": {t: d[t].count for t in ("documents", "sources", "pages")},
        "sources": {r["url"]: r for r in d.query("SELECT url, gone_at, gone_reason, checked_at FROM sources")},
        "known": {r[0] for r in d.execute("SELECT DISTINCT url FROM pages WHERE part_of IS NULL")},
    }


def test_unchanged_web_downloads_no_article(runs):
    first, second = runs["first"], runs["unchanged"]
    assert first["article_gets"] and second["article_gets"] == []
    known = first["snapshot"]["known"]
    c = second["crawl"]
    assert (c["skipped_known"], c["not_modified"], c["reports_archived"], c["gone"], c["errors"]) == \
        (len(known), 0, 0, 0, 0)
    assert second["snapshot"]["counts"] == first["snapshot"]["counts"]
    # the spider asked before building the known articles' requests: none was scheduled, only what
    # was served (lists, navigation pages)
    stats = json.loads(c["stats_json"])
    assert stats["scheduler/enqueued"] == len(second["served"]) and "lawgov/ignored" not in stats
    summary = dict(re.match(r"(.*?)\s{2,}(\S+)$", line).groups() for line in second["proc"].stdout.splitlines()[2:])
    assert (summary["skipped (known)"], summary["not modified (304)"], summary["gone"]) == (str(len(known)), "0", "0")


def test_recheck_is_conditional_and_split_articles_stay_whole(runs):
    changed = runs["changed"]
    known = runs["first"]["snapshot"]["known"]
    # every known article asked once (first parts only: a 304 on part 0 answers for the whole article)
    assert sorted(changed["article_gets"]) == sorted(known)
    assert not set(SPLIT["part_urls"][1:]) & set(changed["article_gets"])
    c = changed["crawl"]
    assert (c["not_modified"], c["list_changed"], c["gone"], c["skipped_known"], c["errors"]) == \
        (len(known) - 3, 1, 2, 0, 0)
    assert json.loads(c["errors_by_kind"]) == {}


def test_changed_list_date_refetches_and_keeps_the_new_page(runs):
    db = sqlite_utils.Database(runs["db"])
    rows = list(db.query("SELECT sha256, list_date, etag FROM pages WHERE url = ? ORDER BY id", [CHANGED["url"]]))
    assert len(rows) == 2 and rows[0]["sha256"] != rows[1]["sha256"]
    assert rows[0]["list_date"] == CHANGED["published"]
    assert rows[1]["list_date"] == NEW_LIST_DATE and rows[1]["etag"]
    # the changed text is a new revision of the same report (archive.writer: REVISED)
    assert runs["changed"]["crawl"]["revisions_new"] == 1
    texts = [r[0] for r in db.execute("SELECT text FROM revisions WHERE source_url = ? ORDER BY id", [CHANGED["url"]])]
    assert "本段已修订。" not in texts[0] and "本段已修订。" in texts[-1]
    assert runs["changed"]["snapshot"]["counts"]["documents"] == runs["first"]["snapshot"]["counts"]["documents"]


def test_gone_pages_are_marked_never_deleted(runs):
    after_change = runs["changed"]["snapshot"]
    assert after_change["sources"][REMOVED]["gone_reason"] == "http_404"
    assert after_change["sources"][MOVED]["gone_reason"] == "redirect:" + MOVED.rsplit("/", 2)[0] + "/index.shtml"
    assert after_change["sources"][REMOVED]["gone_at"] and after_change["sources"][MOVED]["gone_at"]
    assert set(after_change["sources"]) == set(runs["first"]["snapshot"]["sources"])
    gone = {u for u, s in after_change["sources"].items() if s["gone_at"]}
    assert gone == {REMOVED, MOVED}



def test_gone_page_answering_again_is_cleared(runs, tmp_path):
    """The removed page is back, unchanged: its conditional request gets a 304, gone_at is cleared."""
    db = tmp_path / "back.db"
    with sqlite3.connect(runs["db"]) as src, sqlite3.connect(db) as dst:
        src.backup(dst)  # WAL included
    mw = make_middleware(db, recheck_days=0)
    req = Request(REMOVED, meta={"kind": "article"})
    assert mw.process_request(req) is None and req.headers[b"If-None-Match"]
    with pytest.raises(KnownPage):
        mw.process_response(req, Response(REMOVED, status=304))
    mw.spider_closed()
    gone = {r[0]: r[1] for r in sqlite_utils.Database(db).execute("SELECT url, gone_at FROM sources")}
    assert {u for u, at in gone.items() if at} == {MOVED}
    assert (mw.stats.get_value("lawgov/returned"), mw.stats.get_value("lawgov/not_modified")) == (1, 1)


def test_stats_shows_the_runs(runs, capsys):
    assert cli_main(["stats", "--db", str(runs["db"])]) == 0
    table = capsys.readouterr().out.split("last 3 crawls:\n", 1)[1].splitlines()
    header = table[0].split()
    assert header == ["#", "started", "finished", "status", "pages", "304", "skipped", "new", "revised",
                      "merged", "gone", "errors", "s"]
    rows = {int(line.split()[0]): line.split() for line in table[1:]}
    col = {h: j + 2 for j, h in enumerate(header) if j >= 3}  # started/finished are two words each
    crawls = [runs[name]["crawl"] for name in ("first", "unchanged", "changed")]
    for c in crawls:
        assert [rows[c["id"]][col[h]] for h in ("status", "pages", "304", "skipped", "new", "gone", "errors")] \
            == [c["status"], *map(str, (c["pages_fetched"], c["not_modified"], c["skipped_known"],
                                        c["reports_archived"], c["gone"], c["errors"]))]
    assert [rows[c["id"]][col["gone"]] for c in crawls] == ["0", "0", "2"]


# -- the middleware alone ---------------------------------------------------------------------------
def make_middleware(db, recheck_days=30) -> IncrementalMiddleware:
    crawler = get_crawler(settings_dict={"LAWGOV_DB": str(db), "LAWGOV_RECHECK_DAYS": recheck_days})
    crawler.stats.open_spider()
    mw = IncrementalMiddleware.from_crawler(crawler)
    mw.spider_opened()
    return mw


@pytest.fixture()
def middleware(runs):
    mw = make_middleware(runs["db"])
    yield mw
    mw.spider_closed()


def test_middleware_decides_per_request(middleware):
    mw = middleware
    known = SPLIT["url"]
    with pytest.raises(KnownPage):
        mw.process_request(Request(known, meta={"kind": "article", "list_date": SPLIT["published"]}))
    # not an article, an unknown article, a later part of a split article: untouched
    for req in (Request(known, meta={"kind": "list"}),
                Request("http://www.nanchong.gov.cn.test/zwgk/t20990101_1.html", meta={"kind": "article"}),
                Request(SPLIT["part_urls"][1], meta={"kind": "article", "first_url": SPLIT["url"]})):
        assert mw.process_request(req) is None and b"If-None-Match" not in req.headers
    req = Request(known, meta={"kind": "article", "list_date": "2030-01-01"})
    assert mw.process_request(req) is None
    assert req.headers[b"If-None-Match"].startswith(b'"') and req.headers[b"If-Modified-Since"].endswith(b"GMT")
    assert mw.stats.get_value("lawgov/skipped_known") == 1 and mw.stats.get_value("lawgov/list_changed") == 1


# -- the rules --------------------------------------------------------------------------------------
def test_recheck_rule_spreads_between_half_and_one_and_a_half_periods():
    from datetime import datetime, timedelta, timezone

    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    urls = [f"http://www.example.gov.cn/art/t2024_{i}.html" for i in range(1000)]

    def due(days_ago):
        checked = (now - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return sum(recheck_due(u, checked, now, 30) for u in urls)

    assert (due(14.9), due(45.1)) == (0, 1000)
    assert 400 < due(30) < 600  # about half are due at the mean period: not all on one night
    assert due(20) < due(30) < due(40)
    assert all(recheck_due(u, now.strftime("%Y-%m-%dT%H:%M:%SZ"), now, 0) for u in urls[:5])


@pytest.mark.parametrize("list_date, state, changed", [
    ("2024-03-29", {"list_date": "2024-03-28"}, True),
    ("2024-03-28", {"list_date": "2024-03-28"}, False),
    ("2024-03-01", {"list_date": "2024-03-28"}, False),
    ("2024-04-02", {"list_date": None, "published": "2024-03-28"}, True),
    ("2024-04-02", {"list_date": None, "published": None}, False),
    (None, {"list_date": "2024-03-28"}, False),
])
def test_list_changed(list_date, state, changed):
    assert list_changed(list_date, state) is changed


@pytest.mark.parametrize("status, location, reason", [
    (404, None, "http_404"),
    (410, None, "http_410"),
    (302, "/zwgk/fzzfjs/index.html", "redirect:http://www.a.gov.cn.test/zwgk/fzzfjs/index.html"),
    (301, "http://www.a.gov.cn.test/", "redirect:http://www.a.gov.cn.test/"),
    (301, "https://www.a.gov.cn.test/zwgk/202403/t20240301_5.html", None),  # moved, still an article
    (500, None, None),
])
def test_gone_answers(status, location, reason):
    assert is_gone_answer("http://www.a.gov.cn.test/zwgk/202403/t20240301_5.html", status, location) == reason


def test_list_dates_are_read_next_to_every_article_link():
    """Every article link on every list page of the sample web: the date the list shows is the
    article's published date (TRS spans, Hanweb records, UCAP, ASP tables, home-page blocks)."""
    from sampleweb.server import SampleWeb

    web = SampleWeb()  # unchanged, answered without sockets
    published = {d["url"]: d["published"] for d in truth.detail_pages()}
    seen = 0
    for url in truth.list_pages():
        status, ctype, body = web.respond("GET", url)
        if status != 200:
            continue
        html, _ = decode_html(body, ctype.get("Content-Type"))
        for a in Selector(text=html).css("a[href]"):
            target = urljoin(url, a.attrib["href"])
            if target in published:
                assert _list_date(a) == published[target], (url, target)
                seen += 1
    assert seen >= 30


def test_progress_line_shows_pages_reports_304s_errors_and_rate(capsys):
    from crawler.extensions import Progress

    crawler = get_crawler(settings_dict={"LAWGOV_PROGRESS_INTERVAL": 10})
    crawler.stats.open_spider()
    for key, value in {"response_received_count": 40, "lawgov/articles": 12, "lawgov/reports_archived": 3,
                       "lawgov/not_modified": 7, "lawgov/skipped_known": 20, "lawgov/errors": 1}.items():
        crawler.stats.set_value(key, value)
    progress = Progress.from_crawler(crawler)
    assert progress.interval == 10
    progress.report()
    line = capsys.readouterr().err.strip()
    assert re.fullmatch(r"\[lawgov\]\s+\d+s  pages 40  articles 12  reports 3  304 7  skipped 20  errors 1  "
                        r"\d+\.\d pages/s", line), line
