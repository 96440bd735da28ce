"""Shared fixtures: the sample web on loopback, and one real crawl of it shared by the tests."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PORTALS = ROOT / "sampleweb" / "portals.yaml"
LAWGOV = [sys.executable, "-m", "lawgov.cli"]


def run_lawgov(*args, timeout=300, **kwargs) -> subprocess.CompletedProcess:
    """Run the real `lawgov` command in a child process (Scrapy's reactor runs once per process)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([*LAWGOV, *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def as_older_rows(db, every: int = 1) -> int:
    """Rewrite every ``every``-th stored page (by id) as lawgov wrote them before zstd: zlib
    (archive/pagebody.py). Returns how many."""
    from archive.pagebody import page_body

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, body FROM pages ORDER BY id").fetchall()[::every]
        conn.executemany("UPDATE pages SET body = ? WHERE id = ?",
                         [(zlib.compress(page_body(body), 4), pid) for pid, body in rows])
    conn.close()
    return len(rows)


@pytest.fixture(scope="session")
def sample_web():
    from sampleweb.server import SampleWeb

    web = SampleWeb()
    web.start()
    yield web
    web.stop()


@pytest.fixture(scope="session")
def proxy(sample_web):
    return f"http://127.0.0.1:{sample_web.port}"


@pytest.fixture(scope="session")
def crawled(sample_web, proxy, tmp_path_factory):
    """One crawl of the whole sample web into a fresh archive."""
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    before = len(sample_web.requests)
    proc = run_lawgov("crawl", "--portals", SAMPLE_PORTALS, "--db", db, "--proxy", proxy, "--fast")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"db": db, "proc": proc, "requests": list(sample_web.requests[before:])}
