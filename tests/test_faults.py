"""The sample web at a 20% fault rate (sampleweb/faults.py): a crawl and one re-run archive every
report exactly once, archive nothing from error or challenge pages, and record fetch errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sqlite_utils

from archive.pagebody import page_body
from crawler import fault_rules
from pipelines.attachments import is_file_response
from sampleweb import truth
from sampleweb.faults import BIG_PATH, FAULT_KINDS, FaultPlan
from sampleweb.server import SampleWeb, split_target
from tests.conftest import ROOT, SAMPLE_PORTALS
from tests.test_crawl_sampleweb import assert_archives_exactly_the_reports

SEED = 117  # hits every fault kind at least twice among the pages a crawl requests
# The limits of a real crawl, scaled down so the module stays fast (the same checks, fewer bytes and
# seconds): a 1 s timeout (the "timeout" fault holds 1.5 s), a 1 MB DOWNLOAD_MAXSIZE with the "10 MB"
# page just over it and a gzip bomb inflating to 4 MB, and list pages capped at 4 (the sample web's
# longest list has 4): the endless pagination trap's 下一页 chain is stopped by LAWGOV_MAX_LIST_PAGES,
# its calendar, 尾页 and nested-folder links by TRAP_RULES.
MAXSIZE = 1024 * 1024
OVERRIDES = {"DOWNLOAD_TIMEOUT": 1, "DOWNLOAD_MAXSIZE": MAXSIZE, "DOWNLOAD_WARNSIZE": MAXSIZE // 2,
             "LAWGOV_MAX_LIST_PAGES": 4}
PLAN = {"rate": 0.2, "seed": SEED, "timeout_hold": 1.5, "big_size": MAXSIZE + 64 * 1024,
        "bomb_size": 4 * MAXSIZE}
CRAWL = ("import json, sys; from lawgov.crawl import run_crawl; "
         "print(json.dumps(run_crawl(sys.argv[1], sys.argv[2], proxy=sys.argv[3], fast=True, "
         "overrides=json.loads(sys.argv[4]))))")
DOCUMENT_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
CHALLENGE_MARKERS = ("__jsl_clearance", "$_ts", "安全验证", "访问验证")


def crawl(db, proxy) -> dict:
    proc = subprocess.run([sys.executable, "-c", CRAWL, str(SAMPLE_PORTALS), str(db), proxy, json.dumps(OVERRIDES)],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    plan = FaultPlan(**PLAN)
    web = SampleWeb(faults=plan)
    web.start()
    db = tmp_path_factory.mktemp("faults") / "archive.db"
    try:
        first = crawl(db, web.proxy_url)
        first_requests = web.requests
        second = crawl(db, web.proxy_url)
        yield {"db": db, "plan": plan, "first": first, "second": second, "web": web,
               "first_requests": first_requests, "requests": web.requests}
    finally:
        web.stop()


def test_every_report_archived_exactly_once_after_one_rerun(faulty):
    assert_archives_exactly_the_reports(faulty["db"])
    expected = truth.expected_reports()
    db = sqlite_utils.Database(faulty["db"])
    n_urls = sum(len(v["urls"]) for v in expected.values())
    assert db["sources"].count == n_urls
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_faults_happened(faulty):
    """The plan really hit pages of every kind, and the first run met faults it could not get past."""
    plan, requests = faulty["plan"], faulty["requests"]
    hit = {plan.fault_for(h, p)[0] for m, h, p in requests if m == "GET" and plan.fault_for(h, p)}
    assert hit == set(FAULT_KINDS)
    assert faulty["first"]["errors"] > 0


def test_nothing_archived_from_error_or_challenge_pages(faulty):
    db = sqlite_utils.Database(faulty["db"])
    for row in db.query("SELECT url, status, content_type, body FROM pages"):
        body = page_body(row["body"])
        if is_file_response(row["url"], row["content_type"] or "") or body.startswith(DOCUMENT_MAGIC):
            continue  # PDF/DOC(X) attachments are binary by nature (pipelines/attachments.py)
        assert row["status"] == 200, row["url"]
        assert not any(m.encode() in body for m in CHALLENGE_MARKERS), row["url"]
        assert b"\x00" not in body[:4096] or body.startswith((b"\xff\xfe", b"\xfe\xff")), row["url"]
    for row in db.query("SELECT text FROM documents"):
        assert not any(m in row["text"] for m in CHALLENGE_MARKERS)
    paths = {split_target(r["url"], None)[1] for r in db.query("SELECT url FROM pages")}
    assert not {p for p in paths if p.startswith(("/_trap/", "/_big/")) or "_loop=" in p}


def test_fetch_errors_recorded_with_their_kinds(faulty):
    """Article pages whose fault outlasts a run's 3 attempts are fetch errors of the first crawl,
    with the kind the fault table says; they are archived by the re-run."""
    plan = faulty["plan"]
    db = sqlite_utils.Database(faulty["db"])
    first_id = min(r[0] for r in db.execute("SELECT id FROM crawls"))
    rows = {(r["url"], r["kind"]) for r in db.query("SELECT url, kind FROM fetch_errors WHERE crawl_id = ?",
                                                     [first_id])}
    outlasting = set()
    for m, host, path in faulty["first_requests"]:
        fault = plan.fault_for(host, path)
        if m == "GET" and fault and fault[1] > 2 and FAULT_KINDS[fault[0]]:
            outlasting.add((f"http://{host}{path}", FAULT_KINDS[fault[0]]))
    assert outlasting and outlasting <= rows
    known = {k for k in FAULT_KINDS.values() if k} | {r["kind"] for r in fault_rules.ERROR_KINDS}
    assert {kind for _, kind in rows} <= known
    # the page over DOWNLOAD_MAXSIZE is a "too_large" fetch error of every run, never a page
    big = f"http://{plan.big_host}{BIG_PATH}"
    assert [r[0] for r in db.execute("SELECT kind FROM fetch_errors WHERE url = ? ORDER BY crawl_id", [big])] \
        == ["too_large", "too_large"]
    # the re-run fails only pages it asked for the first time (a fresh fault budget), and the big page
    later = {r[0] for r in db.execute("SELECT url FROM fetch_errors WHERE crawl_id > ?", [first_id])}
    seen_first = {f"http://{h}{p}" for _, h, p in faulty["first_requests"]}
    assert {u for u in later if split_target(u, None)[1] != BIG_PATH} <= set(later) - seen_first
    archived_urls = {r[0] for r in db.execute("SELECT url FROM sources")}
    report_urls = {u for v in truth.expected_reports().values() for u in v["urls"]}
    assert {u for u, _ in outlasting} & report_urls <= archived_urls


def test_traps_are_cut_short(faulty):
    plan_paths = [p for m, h, p in faulty["requests"] if p.startswith("/_trap/")]
    assert plan_paths  # the trap was entered …
    assert not [p for p in plan_paths if "date=" in p or p.count("_trap") >= 3]  # … not followed
    assert max(int(p.rsplit("_", 1)[1].split(".")[0]) for p in plan_paths if "index_" in p) < 1000


def test_no_request_leaves_the_sample_hosts(faulty):
    hosts = {h for _, h, _ in faulty["requests"]}
    assert hosts <= {p.host for p in faulty["web"].portals}


def test_random_bytes_are_never_a_page():
    """Regression: binary_reason let random bytes through whenever they held "\\x00<" or "<\\x00"
    (its UTF-16 check), about 9 % of 3000-byte junk pages; a faulted home page then hid its portal."""
    import random

    from crawler.middlewares import binary_reason

    assert all(binary_reason(random.Random(i).randbytes(3000)) for i in range(300))
    page = "<html><body><p>法治政府建设年度报告</p></body></html>"
    assert binary_reason(page.encode("utf-16-le")) is None
    assert binary_reason(page.encode("utf-16-be")) is None
    assert binary_reason(b"\xff\xfe" + page.encode("utf-16-le")) is None
