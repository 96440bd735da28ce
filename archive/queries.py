"""Read-only questions asked of the archive (stats, listings)."""

from __future__ import annotations

import sqlite_utils


def archive_stats(db: sqlite_utils.Database, last_crawls: int = 5) -> dict:
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
        "last_crawls": [
            dict(zip([d[0] for d in cur.description], row))
            for cur in [db.execute(
                "SELECT id, started_at, finished_at, status, portals, pages_fetched, detail_pages, "
                "reports_archived, lookalikes_rejected, duplicates_merged, errors, elapsed_s "
                "FROM crawls ORDER BY id DESC LIMIT ?", [last_crawls])]
            for row in cur.fetchall()
        ],
    }
