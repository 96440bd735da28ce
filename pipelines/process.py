"""The processing path for one fetched article: decode, extract, normalize, classify.

Used by the Scrapy item pipelines, by ``lawgov extract`` and by anything that re-processes stored
pages, so all of them produce the same record from the same bytes.
"""

from __future__ import annotations

import hashlib

from pipelines.classify import classify, covered_year
from pipelines.enrich import enrich
from pipelines.extract import extract
from pipelines.normalize import normalize_text, normalize_title
from pipelines.sections import split_sections

METADATA_FIELDS = (
    "title", "published", "written", "issuer", "index_no", "doc_no", "source", "site_name",
    "column", "keywords",
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extract_parts(parts: list[dict]) -> dict:
    """Extract every part of an article and stitch them: text joined in order, metadata from the
    first part that has it."""
    merged: dict = {f: None for f in METADATA_FIELDS}
    texts = []
    for part in parts:
        fields = extract(part["body"], url=part.get("url"), content_type=part.get("content_type"))
        part["encoding"] = fields.get("encoding")
        for f in METADATA_FIELDS:
            if merged[f] is None and fields.get(f):
                merged[f] = fields[f]
        if fields.get("text"):
            texts.append(fields["text"])
    merged["text"] = "\n".join(texts)
    return merged


def process_page(parts: list[dict], portal=None) -> dict:
    """Turn the raw parts of one article into an archive record.

    ``parts``: dicts with ``url``, ``body`` (bytes) and optionally ``status``, ``content_type``.
    ``portal``: a ``crawler.portals.Portal`` (or None): supplies issuer and region fallbacks.
    """
    fields = extract_parts(parts)
    text = normalize_text(fields["text"] or "")
    title = normalize_title(fields["title"] or "")
    for f in ("issuer", "source", "site_name", "column", "keywords", "index_no", "doc_no"):
        if fields[f]:
            fields[f] = normalize_title(fields[f])
    if not fields["issuer"] and portal is not None:
        fields["issuer"] = portal.issuer
    is_report, reason = classify(title, text)
    year = covered_year(title, text, fields["published"])
    record = dict(fields)
    # issuer_kind, level, region_code, province, city, county, published_late
    record.update(enrich(fields["issuer"], getattr(portal, "region_code", None),
                         getattr(portal, "level", None), fields["published"], year, title))
    record.update(
        url=parts[0]["url"],
        title=title or None,
        text=text,
        text_sha256=sha256(text.encode("utf-8")),
        year=year,
        is_report=bool(is_report and text),
        class_reason=reason if text else "empty-text",
        sections=split_sections(text) if is_report and text else [],
        portal=getattr(portal, "name", None),
        pages=[
            {
                "url": p["url"],
                "status": p.get("status", 200),
                "content_type": p.get("content_type"),
                "encoding": p.get("encoding"),
                "body": p["body"],
                "sha256": sha256(p["body"]),
            }
            for p in parts
        ],
    )
    return record
