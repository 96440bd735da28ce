"""Read-only questions asked of the archive (stats, listings)."""

from __future__ import annotations

import json

import sqlite_utils

# What `lawgov stats` shows of each crawl run (errors_by_kind is decoded from JSON).
CRAWL_COLUMNS = (
    "id", "started_at", "finished_at", "status", "portals", "pages_fetched", "detail_pages",
    "not_modified", "skipped_known", "reports_archived", "revisions_new", "duplicates_merged",
    "lookalikes_rejected", "files_unread", "gone", "errors", "errors_by_kind", "elapsed_s",
)


def archive_stats(db: sqlite_utils.Database, last_crawls: int = 10) -> dict:
    """What the archive holds: counts, reports per year and portal, the last crawl runs."""
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "documents": one("SELECT count(*) FROM documents"),
        "sources": one("SELECT count(*) FROM sources"),
        "pages": one("SELECT count(*) FROM pages"),
        "pages_rejected": one("SELECT count(*) FROM pages WHERE is_report = 0 AND part_of IS NULL"),
        "raw_bytes": one("SELECT coalesce(sum(size), 0) FROM pages"),
        "stored_bytes": one("SELECT coalesce(sum(length(body)), 0) FROM pages"),
        "crawls": one("SELECT count(*) FROM crawls"),
        "by_year": [
            {"year": y, "documents": n}
            for y, n in db.execute(
                "SELECT year, count(*) FROM documents GROUP BY year ORDER BY year"
            ).fetchall()
        ],
        "by_portal": [
            {"portal": p, "sources": n}
            for p, n in db.execute(
                "SELECT portal, count(*) FROM sources GROUP BY portal ORDER BY portal"
            ).fetchall()
        ],
        "rejected_reasons": [
            {"class_reason": r, "pages": n}
            for r, n in db.execute(
                "SELECT class_reason, count(*) FROM pages WHERE is_report = 0 AND part_of IS NULL "
                "GROUP BY class_reason ORDER BY count(*) DESC"
            ).fetchall()
        ],
        "last_crawls": last_crawl_runs(db, last_crawls),
    }


def last_crawl_runs(db: sqlite_utils.Database, n: int = 10) -> list[dict]:
    """The last ``n`` crawl runs, newest first (columns an older archive lacks come back as None)."""
    have = set(db["crawls"].columns_dict)
    cols = ", ".join(c if c in have else f"NULL AS {c}" for c in CRAWL_COLUMNS)
    cur = db.execute(f"SELECT {cols} FROM crawls ORDER BY id DESC LIMIT ?", [n])
    names = [d[0] for d in cur.description]
    return [decode_crawl(dict(zip(names, row))) for row in cur.fetchall()]


def known_urls(db: sqlite_utils.Database) -> dict[str, dict]:
    """Every article URL the archive has fetched (reports and look-alikes; continuation parts
    excluded), with what an incremental crawl needs: the newest page's validators and list date,
    when it was last checked, the report's published date, and gone_at."""
    sql = """
        WITH latest AS (
            SELECT url, etag, last_modified, list_date, fetched_at, part_of,
                   row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC, id DESC) AS n
            FROM pages)
        SELECT l.url, l.etag, l.last_modified, l.list_date, l.fetched_at, s.checked_at, s.gone_at,
               s.published
        FROM latest l LEFT JOIN sources s ON s.url = l.url
        WHERE l.n = 1 AND l.part_of IS NULL"""
    cur = db.execute(sql)
    cols = [d[0] for d in cur.description]
    return {row[0]: dict(zip(cols, row)) for row in cur.fetchall()}


def decode_crawl(row: dict) -> dict:
    row = dict(row)
    row["errors_by_kind"] = json.loads(row.get("errors_by_kind") or "{}")
    return row
