"""A request dupefilter whose seen-set lives in SQLite, so a crawl's memory does not grow with its requests.

Scrapy's RFPDupeFilter keeps every request fingerprint (20-byte sha1) in a Python set for the crawl's
life: ~100 bytes per request, ~1 MB per 10k requests, growing without bound on a long crawl.
``SQLiteDupeFilter`` keeps the most recent ``BATCH`` fingerprints in a set and writes them in one
transaction to a table once that many are new; ``request_seen`` looks in the set first, then the
table (one primary-key lookup, ~10 µs).

Where the table lives:
- without JOBDIR: a file in a fresh temporary directory of this run, removed when the spider closes
  (one run, one file: two crawls at once never share a seen-set);
- with JOBDIR (a resumable job): ``JOBDIR/requests.seen.sqlite``, kept, so a resumed job skips what
  it saw, as RFPDupeFilter's ``requests.seen`` does. One JOBDIR belongs to one job: two runs given
  the same JOBDIR share (and fight over) the file, as they would with Scrapy's own.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

logger = logging.getLogger(__name__)

TMP_PREFIX = "lawgov-seen-"  # + pid + "-": a killed run's directory is found by its dead pid


def _remove_orphans() -> None:
    """Remove the seen-set directories of runs that were killed (SIGKILL skips close())."""
    for d in Path(tempfile.gettempdir()).glob(f"{TMP_PREFIX}*-*"):
        pid = d.name[len(TMP_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class SQLiteDupeFilter(RFPDupeFilter):
    BATCH = 4096  # new fingerprints held in memory before they are written (~0.4 MB at most)

    def __init__(self, path: str | None = None, debug: bool = False, *, fingerprinter=None) -> None:
        # the parent's own requests.seen file is not used: its seen-set is ours
        super().__init__(None, debug, fingerprinter=fingerprinter)
        if path:
            self._tmpdir = None
            Path(path).mkdir(parents=True, exist_ok=True)
            db_path = Path(path) / "requests.seen.sqlite"
        else:
            _remove_orphans()
            self._tmpdir = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
            db_path = Path(self._tmpdir) / "requests.seen.sqlite"
        self.db_path = db_path
        self._conn = sqlite3.connect(str(db_path), isolation_level=None, check_same_thread=False)
        if self._tmpdir:  # scratch file, gone at close: no durability needed
            self._conn.execute("PRAGMA journal_mode=OFF")
            self._conn.execute("PRAGMA synchronous=OFF")
        else:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("CREATE TABLE IF NOT EXISTS seen (fp BLOB PRIMARY KEY) WITHOUT ROWID")
        self._new: set[bytes] = set()  # seen in this run, not in the table yet

    @classmethod
    def from_crawler(cls, crawler):
        return cls(job_dir(crawler.settings), crawler.settings.getbool("DUPEFILTER_DEBUG"),
                   fingerprinter=crawler.request_fingerprinter)

    def request_seen(self, request) -> bool:
        fp = self._fingerprint(request)
        if fp in self._new:
            return True
        if self._conn.execute("SELECT 1 FROM seen WHERE fp = ?", (fp,)).fetchone():
            return True
        self._new.add(fp)
        if len(self._new) >= self.BATCH:
            self._flush()
        return False

    def _flush(self) -> None:
        if not self._new:
            return
        self._conn.execute("BEGIN")
        self._conn.executemany("INSERT OR IGNORE INTO seen (fp) VALUES (?)", ((fp,) for fp in sorted(self._new)))
        self._conn.execute("COMMIT")
        self._new.clear()

    def __len__(self) -> int:
        """Fingerprints seen (in the table and in memory)."""
        return self._conn.execute("SELECT count(*) FROM seen").fetchone()[0] + len(self._new)

    def close(self, reason: str) -> None:
        try:
            if self._tmpdir is None:
                self._flush()  # a resumable job keeps everything it saw
            self._conn.close()
        finally:
            if self._tmpdir:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
        super().close(reason)
