"""Ground truth for the sample web, derived from ``sampleweb.model`` (nothing is restated here).

- ``detail_pages()``: every article page the sample web serves (one entry per article, the gateway
  copies included), as dicts::

      url            first-part URL (no port)
      part_urls      every part's URL, in order (one element unless the article is split)
      portal         registry name of the portal;  portal_key, host, family also given
      title          the title in Simplified Chinese (the gateway copy's too)
      displayed_title  the title as printed on the page (Traditional on the gateway copy)
      published      "YYYY-MM-DD" (published_time: "YYYY-MM-DD HH:MM")
      written, issuer, source, index_no, doc_no, column
      is_report      True for genuine 法治政府建设年度报告 (look-alikes and news are False)
      doc_key        identity of the distinct document: cross-posts and the gateway copy share it
      year           year covered (reports), else None
      body_file      file in sampleweb/bodies (None for generated filler news)
      gateway        True for the /gate/big5/ Traditional copy

- ``expected_reports()``: ``{doc_key: {"title", "year", "urls": set of first-part URLs}}``: the reports
  whose text can be read (a report published as a scan or a DOC/WPS file is kept raw, not archived:
  see ``unreadable_reports()``).
- Reports published as files: the detail page is a stub; ``gold_text`` is the file's text.
  ``attachment_urls()`` maps each file URL to its kind.
- ``gold_text(url)``: the body lines a reader should extract from the article at ``url`` (all parts
  stitched when ``url`` is the first part; just that part for a continuation URL). Table rows come
  as one line, cells joined by a single space. For the gateway copy the Traditional + pinyin text
  exactly as served (normalizing it, i.e. pinyin removal + t2s, gives the Simplified body).
- ``start_urls()``, ``list_pages()``, ``forbidden_urls()``, ``served_urls()``, ``registry()``.
"""

from __future__ import annotations

from functools import lru_cache

from sampleweb.model import PORTALS, Article, Portal, doc_key, part_paths, registry  # noqa: F401
from sampleweb.render import make_site, opencc_convert
from sampleweb.text import article_lines, reader_lines, split_parts


def _copies():
    for p in PORTALS:
        for a in p.articles:
            yield p, a, False
            if p.gateway:
                yield p, a, True


def _path(p: Portal, path: str, gateway: bool) -> str:
    return p.url((p.gateway_prefix if gateway else "") + path)


@lru_cache(maxsize=1)
def _details() -> tuple[dict, ...]:
    out = []
    for p, a, gw in _copies():
        col = p.column(a.column)
        out.append({
            "url": _path(p, a.path, gw),
            "part_urls": [_path(p, x, gw) for x in part_paths(a)],
            "portal": p.name, "portal_key": p.key, "host": p.host, "family": p.family,
            "title": a.title,
            "displayed_title": opencc_convert(a.title, "s2t") if gw else a.title,
            "published": a.published[:10], "published_time": a.published,
            "written": a.written,
            # what a reader takes as the issuer: 发布机构 when the page names one, else its 来源
            "issuer": a.issuer or a.source or None, "source": a.source or None,
            "index_no": a.index_no, "doc_no": a.doc_no,
            "column": opencc_convert(col.name, "s2t") if gw else col.name,
            "is_report": a.is_report, "doc_key": doc_key(p, a), "year": a.year,
            "body_file": (a.big5_body or a.body) if gw else a.body,
            "gateway": gw,
            "attachment": a.attachment.kind if a.attachment else None,
            "attachment_url": p.url(a.attachment.path) if a.attachment else None,
            "readable": a.attachment is None or a.attachment.readable,
            "edited": bool(a.first_sentence or a.injected),
        })
    return tuple(out)


def detail_pages() -> list[dict]:
    return [dict(d, part_urls=list(d["part_urls"])) for d in _details()]


def expected_reports() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for d in _details():
        if not d["is_report"] or not d["readable"]:
            continue
        e = out.setdefault(d["doc_key"], {"title": d["title"], "year": d["year"], "urls": set()})
        e["urls"].add(d["url"])
    return out


def edited_reposts() -> set[str]:
    """Report URLs whose text the reposting site edited: a near, not exact, copy of its document."""
    return {d["url"] for d in _details() if d["edited"]}


def unreadable_reports() -> dict[str, str]:
    """Report pages whose file cannot be read: {url: "needs_ocr" | "not_extracted"}."""
    return {d["url"]: "needs_ocr" if d["attachment"] == "scan" else "not_extracted"
            for d in _details() if d["is_report"] and not d["readable"]}


def attachment_urls() -> dict[str, str]:
    """{file URL: kind} for every report published as a file."""
    return {d["attachment_url"]: d["attachment"] for d in _details() if d["attachment"]}


@lru_cache(maxsize=None)
def _index() -> dict[str, tuple[Portal, Article, bool, int | None]]:
    """URL → (portal, article, gateway, part or None for the whole article)."""
    idx = {}
    for p, a, gw in _copies():
        urls = [_path(p, x, gw) for x in part_paths(a)]
        for i, u in enumerate(urls):
            idx[u] = (p, a, gw, None if i == 0 else i)
    return idx


def gold_text(url: str, part: int | None = None) -> list[str]:
    """Body lines for ``url``. ``part`` selects one page of a split article by index (0-based);
    by default a first-part URL means the whole stitched article."""
    try:
        p, a, gw, which = _index()[url]
    except KeyError:
        raise KeyError(f"not a detail page of the sample web: {url}") from None
    if part is None:
        part = which
    if gw and a.big5_body:
        lines = article_lines(a, big5=True)
    elif gw:
        lines = [opencc_convert(x, "s2t") for x in article_lines(a)]
    else:
        lines = article_lines(a)
    if part is not None:
        lines = split_parts(lines, a.parts)[part]
    return reader_lines(lines)


def start_urls() -> list[str]:
    return [u for e in registry() for u in e["start_urls"]]


@lru_cache(maxsize=1)
def _sites():
    return {p.host: make_site(p) for p in PORTALS}


def list_pages() -> list[str]:
    """Every home, navigation and list page URL (gateway copies included)."""
    out = []
    for p in PORTALS:
        site = _sites()[p.host]
        paths = [p.home] + [x for c in p.columns for x in
                            ([c.path] if c.paging == "nav" else site.list_paths(c))]
        out += [_path(p, x, False) for x in paths]
        if p.gateway:
            out += [_path(p, x, True) for x in paths]
    return out


def forbidden_urls() -> list[str]:
    """Pages the sample web serves (and links to) that robots.txt forbids: a crawler must never
    request them."""
    out = []
    for p in PORTALS:
        for sp in p.specials:
            if any(sp.path.startswith(d) for d in p.robots_disallow):
                out.append(p.url(sp.path))
    return out


def served_urls() -> list[str]:
    """Every URL the server answers 200 for (pages only; robots.txt and dataproxy aside)."""
    return [p.url(path) for p in PORTALS for path in _sites()[p.host].routes]


def portal_for(url: str) -> Portal | None:
    from urllib.parse import urlsplit
    host = urlsplit(url).hostname
    return next((p for p in PORTALS if p.host == host), None)
