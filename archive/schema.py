"""The archive's tables, in one place.

Each table is declared as data (columns, primary key, unique indexes) and created with sqlite-utils.
The schema version lives in ``PRAGMA user_version`` so an archive written by a newer lawgov is
refused instead of being silently misread.
"""

from __future__ import annotations

SCHEMA_VERSION = 2

# One row per distinct report (after exact dedup on the normalized text).
DOCUMENTS = {
    "columns": {
        "id": int,
        "title": str,
        "text": str,
        "text_sha256": str,
        "year": int,
        "issuer": str,
        "region_code": str,
        "level": str,
        "issuer_kind": str,
        "province": str,
        "city": str,
        "county": str,
        "published": str,
        "published_late": int,
        "written": str,
        "index_no": str,
        "doc_no": str,
        "source": str,
        "site_name": str,
        "column": str,
        "keywords": str,
        "class_reason": str,
        "canonical_url": str,
        "portal": str,
        "n_sources": int,
        "chars": int,
        "first_seen": str,
        "last_seen": str,
    },
    "pk": "id",
    "not_null": {"text", "text_sha256"},
    "unique": [["text_sha256"]],
    "indexes": [["year"], ["issuer"], ["region_code"], ["province", "year"]],
}

# One row per heading of a report (一、/(一)/1.), so sections such as 存在的问题 can be read across reports.
SECTIONS = {
    "columns": {
        "id": int,
        "document_id": int,
        "position": int,
        "level": int,
        "number": str,
        "heading": str,
        "text": str,
    },
    "pk": "id",
    "not_null": {"document_id"},
    "unique": [["document_id", "position"]],
    "indexes": [["heading"]],
    "foreign_keys": [("document_id", "documents", "id")],
}

# One row per URL where a report was seen; cross-posts share a document.
SOURCES = {
    "columns": {
        "id": int,
        "url": str,
        "document_id": int,
        "portal": str,
        "title": str,
        "published": str,
        "written": str,
        "issuer": str,
        "index_no": str,
        "doc_no": str,
        "source": str,
        "site_name": str,
        "column": str,
        "keywords": str,
        "page_sha256": str,
        "part_urls": str,  # JSON list when the article was stitched from several pages
        "fetched_at": str,
        "first_seen": str,
    },
    "pk": "id",
    "not_null": {"url", "document_id"},
    "unique": [["url"]],
    "indexes": [["document_id"], ["portal"]],
    "foreign_keys": [("document_id", "documents", "id")],
}

# Every fetched detail page, raw bytes zlib-compressed, so the archive can be re-extracted offline.
# One row per (url, sha256): refetching identical bytes only moves fetched_at.
PAGES = {
    "columns": {
        "id": int,
        "url": str,
        "portal": str,
        "status": int,
        "content_type": str,
        "encoding": str,
        "sha256": str,
        "size": int,
        "body": bytes,
        "first_fetched_at": str,
        "fetched_at": str,
        "crawl_id": int,
        "title": str,
        "is_report": int,
        "class_reason": str,
        "document_id": int,
        "part_of": str,  # first-part URL when this page continues a split article
    },
    "pk": "id",
    "not_null": {"url", "sha256"},
    "unique": [["url", "sha256"]],
    "indexes": [["is_report"], ["document_id"]],
}

# One row per crawl run.
CRAWLS = {
    "columns": {
        "id": int,
        "started_at": str,
        "finished_at": str,
        "status": str,
        "portals_file": str,
        "portals": int,
        "pages_fetched": int,
        "detail_pages": int,
        "reports_archived": int,
        "lookalikes_rejected": int,
        "duplicates_merged": int,
        "errors": int,
        "elapsed_s": float,
        "stats_json": str,
    },
    "pk": "id",
    "not_null": set(),
    "unique": [],
    "indexes": [],
}

TABLES = {
    "documents": DOCUMENTS,
    "sources": SOURCES,
    "pages": PAGES,
    "crawls": CRAWLS,
    "sections": SECTIONS,
}
