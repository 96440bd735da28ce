"""Lists built by JavaScript, read without a browser.

- Fujian ``listModel({...})`` pages: the first page(s) are static; the rest is POSTed for to the
  platform's search endpoint (form fields channelid, classsql, sortfield, prepage, page) which
  answers JSON ``{"docs": [{"title", "url", "pubtime"}, …], "pagecount", "recordCount"}``.
- Records embedded as a JSON array in a ``<script>`` (``var listData = [{"title":…, "url":…}]``).
- Site search (站内搜索): a portal whose report column is unknown is asked for SEARCH_QUERY through
  its registry ``search_url`` (``…?q={query}``); the result page is walked as a list.

Parsing is pure (tested alone in tests/test_jslists.py); ``follow()`` and ``search_requests()`` turn
the results into the spider's requests. Patterns live in crawler/discovery_rules.py.
"""

from __future__ import annotations

import html
import json
import math
import re
from urllib.parse import quote, urljoin

from parsel import Selector

from crawler import discovery_rules as R


# -- parsing ---------------------------------------------------------------------------------------
def _js_object(body: str, start: int) -> str | None:
    """The balanced ``{…}`` starting at ``start`` (quotes respected)."""
    depth, i, quote_ch = 0, start, None
    while i < len(body):
        c = body[i]
        if quote_ch:
            if c == "\\":
                i += 1
            elif c == quote_ch:
                quote_ch = None
        elif c in "'\"":
            quote_ch = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return body[start:i + 1]
        i += 1
    return None


def _js_value(obj: str, key: str) -> str | None:
    """A scalar value of ``key`` anywhere in a JS object literal (quoted or bare)."""
    m = re.search(rf"\b{key}\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([\w.-]+))", obj)
    if not m:
        return None
    return next(g for g in m.groups() if g is not None)


def listmodel(body: str) -> dict | None:
    """The arguments of a Fujian ``listModel({...})`` call: channelid, classsql, prepage,
    record_count, max_static, endpoint (None when the page has no such call)."""
    m = R.LISTMODEL_CALL.search(body)
    if not m:
        return None
    obj = _js_object(body, m.end() - 1)
    if obj is None:
        return None
    channelid = _js_value(obj, "channelid")
    if channelid is None:
        return None
    ep = R.LISTMODEL_ENDPOINT_ARG.search(obj)
    return {
        "channelid": channelid,
        "classsql": _js_value(obj, "classsql") or "",
        "prepage": int(_js_value(obj, "prepage") or R.LISTMODEL_DEFAULT_PREPAGE),
        "record_count": int(_js_value(obj, "recordCount") or 0),
        "max_static": int(_js_value(obj, "maxStaticIndex") or 0),
        "endpoint": ep.group(1) if ep else R.LISTMODEL_ENDPOINT,
    }


def listmodel_forms(args: dict) -> list[dict]:
    """The POST forms for the pages the endpoint serves (after the static ones)."""
    pages = math.ceil(args["record_count"] / args["prepage"]) if args["prepage"] else 0
    return [{"channelid": args["channelid"], "classsql": args["classsql"], "sortfield": R.LISTMODEL_SORT,
             "prepage": str(args["prepage"]), "page": str(page)}
            for page in range(max(1, args["max_static"] + 1), pages + 1)]


def _records(value) -> list[tuple[str, str]]:
    """(url, title) of every object that has a link key and a title key, searched recursively."""
    out = []
    if isinstance(value, dict):
        low = {str(k).lower(): v for k, v in value.items()}
        url = next((low[k] for k in R.RECORD_URL_KEYS if isinstance(low.get(k), str) and low[k].strip()), None)
        title = next((low[k] for k in R.RECORD_TITLE_KEYS if isinstance(low.get(k), str)), None)
        if url and title is not None:
            out.append((url.strip(), html.unescape(re.sub(r"<[^>]+>", "", title)).strip()))
        else:
            for v in value.values():
                out += _records(v)
    elif isinstance(value, list):
        for v in value:
            out += _records(v)
    return out


def json_records(text: str) -> list[tuple[str, str]]:
    """Records of a JSON answer (a search endpoint's)."""
    try:
        return _records(json.loads(text))
    except ValueError:
        return []


def script_records(body: str, selector: Selector | None = None) -> list[tuple[str, str]]:
    """Records embedded as JSON in the page's scripts (``selector``: ``body`` parsed already, as HTML)."""
    out: list[tuple[str, str]] = []
    decoder = json.JSONDecoder()
    for script in (selector or Selector(text=body)).css("script:not([src])::text").getall():
        for m in R.SCRIPT_JSON_START.finditer(script):
            try:
                value, _ = decoder.raw_decode(script, m.start(1))
            except ValueError:
                continue
            out += [r for r in _records(value) if r not in out]
    return out


def links_html(records: list[tuple[str, str]]) -> str:
    """Records as anchors, so the spider's link rules apply to them as to any list."""
    return "".join(f'<a href="{html.escape(u)}">{html.escape(t)}</a>\n' for u, t in records)


def search_url(template: str, query: str = R.SEARCH_QUERY) -> str:
    return template.replace("{query}", quote(query))


# -- requests (the spider's side) ---------------------------------------------------------------------
def follow(spider, response, portal, kind, hops):
    """Requests for a listing's JavaScript-built records: the listModel POST pages, and links held
    in the page's scripts or in a JSON answer."""
    import scrapy

    body = response.text
    if response.meta.get("listmodel"):
        records = json_records(body)
    else:
        if "<script" in body:  # (read from the response's own parse: parsing again cost ~0.3 ms a page)
            records = script_records(body, response.selector if response.selector.type == "html" else None)
        else:
            records = json_records(body)
        args = listmodel(body)
        if args:
            endpoint = urljoin(response.url, args["endpoint"])
            for i, form in enumerate(listmodel_forms(args)):
                if response.meta["list_pages"] + i >= spider.max_list_pages:
                    break
                req = spider._request(endpoint, portal, kind, hops=hops, list_pages=response.meta["list_pages"] + i + 1,
                                      cls=scrapy.FormRequest, formdata=form, meta={"listmodel": True})
                if req is not None:
                    yield req
    if records:
        yield from spider._links(response, portal, kind, hops, Selector(text=links_html(records)))


def search_requests(spider, portal, kind):
    """The portal's site search asked for the report title, when the registry gives a search_url."""
    template = getattr(portal, "search_url", None)
    if not template:
        return
    req = spider._request(search_url(template), portal, kind, hops=0, list_pages=1, anchor=R.SEARCH_QUERY)
    if req is not None:
        yield req
