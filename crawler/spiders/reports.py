"""The generic report spider: one spider for every portal.

From each start URL it walks towards the report column (anchor texts), walks the column's list pages
(TRS createPageHTML, 下一页/?page=N links, Hanweb jpage dataproxy POSTs), and fetches articles; an
article split over several pages (TRS t2024…_1.html) is fetched whole and yielded as one item.
All site knowledge is in crawler/discovery_rules.py.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlencode, urljoin, urlsplit

import scrapy
from lxml import etree
from scrapy import signals
from scrapy.core.scheduler import Scheduler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.utils.asyncio import sleep
from parsel import Selector

from crawler import discovery_rules as R
from crawler import jslists
from crawler.incremental import IncrementalMiddleware
from crawler.middlewares import error_kind, trap_reason
from crawler.portals import load_portals
from crawler.urls import canonical_url
from pipelines.attachments import is_attachment_link, is_file_url, is_own_attachment, may_link_files

# Kinds of pages the spider asks for; carried in request.meta["kind"].
NAV = "nav"  # home page or a navigation column: look for the way to the reports
COLUMN = "column"  # the report column (every article is fetched)
LIST = "list"  # another column that may list reports among other things
ARTICLE = "article"


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, portals: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not portals:
            raise ValueError("the reports spider needs -a portals=FILE (a portal registry YAML)")
        self.portals_file = portals
        self.portals = load_portals(portals)
        self.portals_by_name = {p.name: p for p in self.portals}
        # Scrapy's offsite filter gets the union; each link is also checked against its own portal.
        self.allowed_domains = sorted({d for p in self.portals for d in p.allowed_domains})
        self._requests_per_portal: dict[str, int] = {}
        self._opening: set[str] = set()  # portals whose start pages are not answered yet

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.max_pages = s.getint("LAWGOV_MAX_PAGES_PER_PORTAL")
        spider.max_nav_hops = s.getint("LAWGOV_MAX_NAV_HOPS")
        spider.max_list_pages = s.getint("LAWGOV_MAX_LIST_PAGES")
        spider.max_parts = s.getint("LAWGOV_MAX_ARTICLE_PARTS")
        spider.frontier_soft_max = s.getint("LAWGOV_FRONTIER_SOFT_MAX")
        spider.frontier_min_domains = s.getint("LAWGOV_FRONTIER_MIN_DOMAINS")
        spider.portals_opening = s.getint("LAWGOV_PORTALS_OPENING")
        crawler.signals.connect(lambda request, **_: spider._opened(request), signal=signals.request_dropped,
                                weak=False)  # a start URL seen before (dupefilter)
        return spider

    # -- requests -------------------------------------------------------------------------------
    async def start(self):
        for portal in self.portals:
            await self._room_for_portal()
            self._opening.add(portal.name)
            for url in portal.start_urls:
                kind = NAV if _is_home(url) else COLUMN
                req = self._request(url, portal, kind, hops=0, list_pages=1, meta={"opens_portal": True})
                if req is not None:
                    yield req
            for req in jslists.search_requests(self, portal, LIST):  # 站内搜索, when configured
                yield req

    async def _room_for_portal(self):
        """Wait until the frontier has room for one more portal (LAWGOV_FRONTIER_SOFT_MAX).

        Scrapy's downloader-aware queue serves every started site in turn, so portals opened all at
        once walk their lists in lockstep: portals x list length requests wait in memory (~3 kB each;
        8000, ~25 MB, on 400 portals). Opened as the frontier drains, a few dozen walk at a time.
        A portal counts as opening until its first start page was parsed (its links are then in the
        frontier): at most LAWGOV_PORTALS_OPENING at once. Polled rather than woken by a signal:
        requests a middleware drops (robots.txt, incremental skips) never reach the downloader.
        Not with another scheduler: the Redis frontier (distributed mode) is not in this process,
        and `lawgov enqueue` fetches nothing.
        """
        engine = self.crawler.engine
        scheduler = memory_scheduler(engine)
        if self.frontier_soft_max <= 0 or scheduler is None:
            return
        while ((len(self._opening) >= self.portals_opening
                or frontier_full(scheduler, self.frontier_soft_max, self.frontier_min_domains))
               and (engine.downloader.active or len(scheduler))):  # idle: open one anyway
            await sleep(0.05)

    def _opened(self, request) -> None:
        """The start page of a portal was answered (parsed, failed or dropped): it is open."""
        if request.meta.get("opens_portal"):
            self._opening.discard(request.meta["portal"])

    def _request(self, url, portal, kind, *, hops=0, list_pages=1, anchor="", **kwargs):
        """A request for ``url`` on behalf of ``portal``, or None when a cap or the domain says no."""
        url = canonical_url(url)
        if not portal.allows(url):
            self.crawler.stats.inc_value("lawgov/offsite_skipped")
            return None
        if trap_reason(url):  # crawler/fault_rules.py TRAP_RULES (TrapGuardMiddleware checks redirects)
            self.crawler.stats.inc_value("lawgov/trap_skipped")
            return None
        count = self._requests_per_portal.get(portal.name, 0)
        if count >= self.max_pages:
            self.crawler.stats.inc_value("lawgov/portal_cap_reached")
            return None
        self._requests_per_portal[portal.name] = count + 1
        callback = self.parse_article if kind == ARTICLE else self.parse_listing
        meta = {"portal": portal.name, "kind": kind, "hops": hops, "list_pages": list_pages,
                "anchor": anchor}
        meta.update(kwargs.pop("meta", {}))
        if kind == ARTICLE and (incremental := IncrementalMiddleware.for_crawler(self.crawler)) is not None \
                and incremental.skips(url, meta.get("list_date")):
            return None  # archived, unchanged in the list, not due: no request (crawler/incremental.py)
        cls = kwargs.pop("cls", scrapy.Request)
        return cls(url, callback=callback, errback=self.on_error, meta=meta, **kwargs)

    def on_error(self, failure):
        request = failure.request
        self._opened(request)
        if getattr(failure.value, "counted", False):
            return  # dropped and counted by a middleware (incremental: skipped_known, 304, gone)
        kind, retry, detail = error_kind(failure)  # crawler/fault_rules.py ERROR_KINDS
        if kind is None:
            # robots.txt said no, a trap, or a middleware dropped it on purpose: not a fault
            self.crawler.stats.inc_value("lawgov/ignored")
            return
        request = _before_redirects(request)
        if retry and (again := get_retry_request(request, spider=self, reason=kind)) is not None:
            yield again  # delayed by RetryBackoffMiddleware
            return
        self.crawler.stats.inc_value("lawgov/errors")
        self.crawler.stats.inc_value(f"lawgov/errors/{kind}")
        self.logger.warning("fetch failed: %s (%s: %s)", request.url, kind, detail)
        # recorded in fetch_errors (never as a page): not archived, so the next run fetches it again
        yield {"fetch_error": {"url": request.url, "portal": request.meta.get("portal"), "kind": kind,
                               "detail": detail}}

    # -- listings -------------------------------------------------------------------------------
    def parse_listing(self, response):
        """Home pages, navigation columns and lists: yield further listings and articles."""
        try:
            yield from self._parse_listing(response)
        finally:  # every link is in the frontier now
            self._opened(response.request)

    def _parse_listing(self, response):
        if not hasattr(response, "text"):
            return
        portal = self.portals_by_name[response.meta["portal"]]
        kind = response.meta["kind"]
        hops = response.meta["hops"]
        body = response.text
        sel = response.selector if not response.meta.get("jpage") else Selector(text=_records_html(body))
        if sel.type != "html":  # a JSON answer (listModel search): its records are read by jslists.follow
            sel = Selector(text="<html></html>")

        anchors = _anchors(sel)  # read once for _pagination and _links
        yield from self._pagination(response, portal, kind, body, anchors)
        yield from self._jpage(response, portal, kind, body)
        # Records embedded in the page as Hanweb XML (CDATA is invisible to the HTML parser).
        if not response.meta.get("jpage") and R.JPAGE_RECORD.search(body):
            sel_records = Selector(text=_records_html(body))
            yield from self._links(response, portal, kind, hops, sel_records)
        yield from self._links(response, portal, kind, hops, sel, anchors)
        yield from jslists.follow(self, response, portal, kind, hops)  # listModel, JSON in scripts

    def _links(self, response, portal, kind, hops, sel, anchors=None):
        """Follow the links in ``sel`` (``anchors``: its _anchors, when the caller has read them)."""
        for a, href, text in _anchors(sel) if anchors is None else anchors:
            if not href or R.SKIP_URL_PATTERNS.search(href):
                continue
            url = canonical_url(urljoin(response.url, href))
            if not url.startswith(("http://", "https://")):
                continue
            if R.PAGINATION_ANCHORS.match(text):
                continue  # handled by _pagination
            if R.GATEWAY_ANCHORS.match(text):
                yield from _some(self._request(url, portal, NAV, hops=0, anchor=text))
                continue
            if is_attachment_link(url, text):  # a report published as a file, listed directly
                if kind == COLUMN or R.ARTICLE_ANCHORS.search(text):
                    yield from _some(self._request(url, portal, ARTICLE, hops=hops + 1, anchor=text,
                                                   meta={"attachment": True}))
                continue
            if _is_article_url(url):
                if kind == COLUMN or R.ARTICLE_ANCHORS.search(text):
                    req = self._request(url, portal, ARTICLE, hops=hops + 1, anchor=text,
                                        meta={"list_date": _list_date(a)})
                    if req is not None:
                        yield req
                continue
            if hops >= self.max_nav_hops:
                continue
            if R.REPORT_COLUMN_ANCHORS.search(text):
                yield from _some(self._request(url, portal, COLUMN, hops=hops + 1, anchor=text))
            elif R.NAVIGATION_ANCHORS.match(text):
                yield from _some(self._request(url, portal, LIST, hops=hops + 1, anchor=text))

    def _pagination(self, response, portal, kind, body, anchors):
        """Other pages of the same list: TRS pager scripts, 下一页/number links, ?page=N."""
        pages = response.meta["list_pages"]
        if pages >= self.max_list_pages:
            return
        urls = []
        for m in R.TRS_PAGER.finditer(body):
            total, name, ext = int(m.group(1)), m.group(3), m.group(4)
            total = min(total, self.max_list_pages)
            urls += [urljoin(response.url, name + (f"_{i}" if i else "") + "." + ext) for i in range(total)]
        if not urls and (m := R.TRS_COUNT_PAGE.search(body)):
            ext = posixpath.splitext(urlsplit(response.url).path)[1] or ".html"
            total = min(int(m.group(1)), self.max_list_pages)
            urls += [urljoin(response.url, "index" + (f"_{i}" if i else "") + ext) for i in range(total)]
        for _a, href, text in anchors:
            if R.PAGINATION_ANCHORS.match(text):
                if href and not R.SKIP_URL_PATTERNS.search(href):
                    urls.append(urljoin(response.url, href))
        here = canonical_url(response.url)
        for url in urls:
            url = canonical_url(url)
            if url != here and _same_list(url, response.url):
                yield from _some(self._request(url, portal, kind, hops=response.meta["hops"],
                                               list_pages=pages + 1))

    def _jpage(self, response, portal, kind, body):
        """Hanweb jpage lists: POST for the records, 45 at a time, as the page's own script does."""
        if response.meta.get("jpage"):
            start = response.meta["jpage_start"]
            total = int(m.group(1)) if (m := R.JPAGE_TOTAL.search(body)) else 0
            nxt = start + R.JPAGE_BATCH
            if nxt <= total and response.meta["list_pages"] < self.max_list_pages:
                yield from _some(self._jpage_request(response, portal, kind, response.meta["jpage_form"],
                                                     response.meta["jpage_url"], nxt,
                                                     response.meta["list_pages"] + 1))
            return
        m = R.JPAGE_PROXY.search(body)
        if not m:
            return
        form = dict(R.JPAGE_DEFAULTS)
        for field in R.JPAGE_FIELDS:
            value = _find_param(body, field)
            if value is not None:
                form[field] = value
        if "columnid" not in form:
            self.logger.warning("jpage list without columnid: %s", response.url)
            return
        proxy_url = urljoin(response.url, m.group(0))
        yield from _some(self._jpage_request(response, portal, kind, form, proxy_url, 1, 2))

    def _jpage_request(self, response, portal, kind, form, proxy_url, start, list_pages):
        end = start + R.JPAGE_BATCH - 1
        url = f"{proxy_url}?{urlencode({'startrecord': start, 'endrecord': end, 'perpage': R.JPAGE_PERPAGE})}"
        return self._request(
            url, portal, kind, hops=response.meta["hops"], list_pages=list_pages,
            cls=scrapy.FormRequest, formdata=form,
            meta={"jpage": True, "jpage_start": start, "jpage_form": form, "jpage_url": proxy_url},
        )

    # -- articles -------------------------------------------------------------------------------
    def parse_article(self, response):
        """Fetch the remaining parts of a split article, then yield the whole article."""
        part = _part(response)
        files = response.meta.get("attachments", [])
        if response.url in files:
            part["attachment_link"] = True
        parts = response.meta.get("parts", []) + [part]
        first = response.meta.get("first_url", response.url)
        todo = response.meta.get("todo")
        if todo is None:
            todo = self._more_parts(response)
            files = [u for u in self._attachments(response) if u not in todo]
            todo = todo + files
        if todo:
            nxt, rest = todo[0], todo[1:]
            yield scrapy.Request(
                nxt, callback=self.parse_article, errback=self.on_error,
                # an attachment another page already fetched must not silently end this article
                dont_filter=nxt in files,
                meta={**_carry(response.meta), "parts": parts, "todo": rest, "first_url": first,
                      "attachments": files, "attachment": nxt in files},
            )
            return
        self.crawler.stats.inc_value("lawgov/articles")
        yield {"url": first, "portal": response.meta["portal"], "parts": parts,
               "list_date": response.meta.get("list_date")}

    def _attachments(self, response) -> list[str]:
        """Links to the article's files (PDF, DOCX, DOC, WPS, OFD) on this portal."""
        if not hasattr(response, "text") or not may_link_files(response.text):
            return []
        portal = self.portals_by_name[response.meta["portal"]]
        out = []
        own = canonical_url(response.url)
        for a in response.css("a[href]"):
            href = a.attrib.get("href", "").strip()
            if not href or R.SKIP_URL_PATTERNS.search(href):
                continue
            url = canonical_url(urljoin(response.url, href))
            # the link's paragraph (an XPath per link) only for file URLs: most links are not
            if url in out or url == own or not is_file_url(url) or not portal.allows(url):
                continue
            context = " ".join(a.xpath("normalize-space(..)").getall())
            if is_own_attachment(url, _anchor_text(a), context):
                out.append(url)
        return out

    def _more_parts(self, response) -> list[str]:
        """TRS splits long articles: createPageHTML(3, 0, "t20240328_693227", "html") on part 0."""
        if not hasattr(response, "text"):
            return []
        stem, ext = posixpath.splitext(posixpath.basename(urlsplit(response.url).path))
        for m in R.TRS_PAGER.finditer(response.text):
            total, current, name, ext2 = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            if name == stem and current == 0 and total > 1:
                total = min(total, self.max_parts)
                return [canonical_url(urljoin(response.url, f"{name}_{i}.{ext2}")) for i in range(1, total)]
        return []


# -- helpers (pure functions, tested alone) ---------------------------------------------------
def memory_scheduler(engine) -> Scheduler | None:
    """The engine's scheduler if it is Scrapy's own, whose frontier is in this process's memory (not
    the Redis one). Not isinstance: Scrapy's scheduler metaclass makes any class with its methods an
    instance."""
    scheduler = engine.scheduler
    return scheduler if Scheduler in type(scheduler).__mro__ else None


def frontier_full(scheduler: Scheduler, soft_max: int, min_domains: int) -> bool:
    """True when Scrapy's in-memory scheduler holds ``soft_max`` requests or more, for at least
    ``min_domains`` sites (fewer sites could not keep the downloader busy: open more portals)."""
    if len(scheduler) < soft_max:
        return False
    per_site = getattr(scheduler.mqs, "pqueues", None)  # DownloaderAwarePriorityQueue: site -> queue
    return per_site is None or len(per_site) >= min_domains


def _some(req):
    return [req] if req is not None else []


def _is_home(url: str) -> bool:
    """A portal's home page (walked for the way to the reports) rather than a column URL."""
    return R.HOME_PATHS.match(urlsplit(url).path or "/") is not None


# The XPaths of a.css("::text") and a.xpath(R.LIST_ITEM_TEXT), compiled once and run on the lxml
# element: parsel would translate the CSS and wrap every text node in a Selector, per link.
_TEXT_NODES = etree.XPath("descendant-or-self::text()", smart_strings=False)
_LIST_ITEM_TEXT = etree.XPath(R.LIST_ITEM_TEXT, smart_strings=False)


def _anchors(sel) -> list[tuple]:
    """(selector, stripped href, anchor text) of each link in ``sel``."""
    return [(a, a.attrib.get("href", "").strip(), _anchor_text(a)) for a in sel.css("a[href]")]


def _anchor_text(a) -> str:
    text = " ".join(t.strip() for t in _TEXT_NODES(a.root)).strip()
    return text or (a.attrib.get("title") or "").strip()


def _is_article_url(url: str) -> bool:
    return any(p.search(url) for p in R.DETAIL_URL_PATTERNS)


def _before_redirects(request):
    """The request as the spider made it, for a failure that happened after redirects."""
    urls = request.meta.get("redirect_urls")
    if not urls:
        return request
    meta = {k: v for k, v in request.meta.items() if not k.startswith("redirect_")}
    return request.replace(url=urls[0], meta=meta)


def _same_list(url: str, base: str) -> bool:
    """A pagination link stays in the list's own folder (index_2.html, ?page=3)."""
    u, b = urlsplit(url), urlsplit(base)
    return u.netloc == b.netloc and posixpath.dirname(u.path) == posixpath.dirname(b.path)


def _records_html(body: str) -> str:
    return "\n".join(R.JPAGE_RECORD.findall(body))


def _find_param(body: str, field: str) -> str | None:
    """A jpage parameter's value wherever the page states it: url query, JS var/object, input."""
    pats = (
        rf"[?&;]{field}=([^&\"'\s<>]+)",
        rf"\b{field}\s*[:=]\s*['\"]([^'\"]*)['\"]",
        rf"\b{field}\s*[:=]\s*(\d+)",
        rf"name=['\"]{field}['\"][^>]*value=['\"]([^'\"]*)['\"]",
    )
    for p in pats:
        m = re.search(p, body)
        if m:
            return m.group(1)
    return None


def _part(response) -> dict:
    return {
        "url": response.url,
        "status": response.status,
        "content_type": response.headers.get("Content-Type", b"").decode("latin-1") or None,
        "body": response.body,
        "anchor": response.meta.get("anchor"),
        # validators for the next run's conditional request (crawler/incremental.py)
        "etag": response.headers.get("ETag", b"").decode("latin-1") or None,
        "last_modified": response.headers.get("Last-Modified", b"").decode("latin-1") or None,
    }


def _list_date(a) -> str | None:
    """The date the list shows next to link ``a`` ("YYYY-MM-DD"), or None."""
    m = R.LIST_DATE.search(" ".join(_LIST_ITEM_TEXT(a.root)))
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def _carry(meta: dict) -> dict:
    return {k: meta[k] for k in ("portal", "kind", "hops", "list_pages", "anchor", "list_date")
            if k in meta}
