"""crawler.dupefilter.SQLiteDupeFilter: Scrapy's seen-check with the seen-set in SQLite (issue 11)."""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.dupefilter import SQLiteDupeFilter


def make(jobdir: Path | None = None, batch: int = 3) -> SQLiteDupeFilter:
    settings = {"REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7"}
    if jobdir is not None:
        settings["JOBDIR"] = str(jobdir)
    df = SQLiteDupeFilter.from_crawler(get_crawler(settings_dict=settings))
    df.BATCH = batch
    return df


def test_seen_across_flushes_and_canonical_urls():
    df = make(batch=3)
    urls = [f"http://a.gov.cn/p/{i}.html?x=1&y=2" for i in range(10)]
    assert [df.request_seen(Request(u)) for u in urls] == [False] * 10
    assert len(df._new) < 3  # most fingerprints went to the table, memory holds the last batch only
    assert all(df.request_seen(Request(u)) for u in urls)
    # same canonical URL (query order, fragment) = same request, as with RFPDupeFilter
    assert df.request_seen(Request("http://a.gov.cn/p/3.html?y=2&x=1#top"))
    assert not df.request_seen(Request("http://a.gov.cn/p/3.html", method="POST"))
    assert len(df) == 11
    path = df.db_path
    assert path.exists()
    df.close("finished")
    assert not path.exists() and not path.parent.exists()  # a run's scratch file is removed


def test_two_runs_do_not_share_a_seen_set():
    a, b = make(), make()
    assert a.db_path != b.db_path
    assert not a.request_seen(Request("http://a.gov.cn/x"))
    assert not b.request_seen(Request("http://a.gov.cn/x"))
    a.close("finished")
    b.close("finished")


def test_jobdir_keeps_the_seen_set_for_a_resumed_job(tmp_path):
    first = make(tmp_path / "job", batch=100)
    assert not first.request_seen(Request("http://a.gov.cn/1"))
    assert not first.request_seen(Request("http://a.gov.cn/2"))
    first.close("shutdown")  # the unflushed batch is written on close
    resumed = make(tmp_path / "job")
    assert resumed.request_seen(Request("http://a.gov.cn/1")) and resumed.request_seen(Request("http://a.gov.cn/2"))
    assert not resumed.request_seen(Request("http://a.gov.cn/3"))
    resumed.close("finished")
    assert (tmp_path / "job" / "requests.seen.sqlite").exists()


def test_project_settings_use_it():
    from crawler import settings

    assert settings.DUPEFILTER_CLASS == "crawler.dupefilter.SQLiteDupeFilter"


def test_a_killed_runs_scratch_directory_is_removed_by_the_next_run(tmp_path, monkeypatch):
    import subprocess
    import sys
    import tempfile

    from crawler.dupefilter import TMP_PREFIX

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    orphan = tmp_path / f"{TMP_PREFIX}{dead}-abc"
    orphan.mkdir()
    (orphan / "requests.seen.sqlite").write_bytes(b"x")
    live = make()  # this process is alive: its own directory stays while it runs
    assert not orphan.exists()
    assert live.db_path.parent.parent == tmp_path and live.db_path.exists()
    live.close("finished")
