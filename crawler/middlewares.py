"""Downloader middlewares: each small, configured by settings, built by from_crawler."""

from __future__ import annotations

import re
from functools import lru_cache

from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, TextResponse

from crawler import fault_rules as F
from pipelines.attachments import is_file_response


class ProxyMiddleware:
    """Route every request (robots.txt included) through LAWGOV_PROXY when it is set.

    The sample web is reached this way: its hosts are names under .test that only the loopback
    server knows, so nothing can leave the machine.
    """

    def __init__(self, proxy: str):
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("LAWGOV_PROXY") or "")

    def process_request(self, request, spider=None):
        if self.proxy and "proxy" not in request.meta:
            request.meta["proxy"] = self.proxy
        return None


class ContactUserAgentMiddleware:
    """Append the operator's contact (LAWGOV_CONTACT) to the User-Agent, as webmasters expect."""

    def __init__(self, user_agent: str):
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler):
        ua = crawler.settings.get("USER_AGENT")
        contact = crawler.settings.get("LAWGOV_CONTACT")
        if contact:
            ua = f"{ua[:-1]}; contact: {contact})" if ua.endswith(")") else f"{ua} (contact: {contact})"
        return cls(ua)

    def process_request(self, request, spider=None):
        request.headers[b"User-Agent"] = self.user_agent
        return None



# -- faults and hostile input ----------------------------------------------------------------------
# Requests the spider makes for pages (robots.txt and other internal requests carry no "kind").
_PAGE_KINDS = {"nav", "column", "list", "article"}


class FetchFault(IgnoreRequest):
    """A response that must not reach the spider as a page: ``kind`` is challenge or not_html.

    An IgnoreRequest, so Scrapy hands it to the request's errback quietly; the spider records it.
    """

    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


def challenge_rule(status: int, body: bytes) -> str | None:
    """The name of the CHALLENGE_RULES entry an interstitial matches, or None."""
    for rule in F.CHALLENGE_RULES:
        if (status in rule["statuses"] and len(body) <= rule["max_bytes"]
                and _may_match(rule["marker"], body) and rule["marker"].search(body)):
            return rule["name"]
    return None


def _may_match(pattern: re.Pattern, body: bytes) -> bool:
    """False only when no match of ``pattern`` can start in ``body``: none of the literal prefixes its
    matches begin with occurs. Substring scans take a tenth of the time of a search of the
    alternation on every page (~0.3 ms per 20 kB page for CHALLENGE_RULES)."""
    prefixes = literal_prefixes(pattern)
    return prefixes is None or any(p in body for p in prefixes)


@lru_cache(maxsize=64)
def literal_prefixes(pattern: re.Pattern) -> tuple[bytes, ...] | None:
    """Byte strings such that every match of the bytes ``pattern`` starts with one of them (its
    leading literals, through a top-level alternation), or None when it has no such prefixes."""
    if not isinstance(pattern.pattern, bytes) or pattern.flags & re.IGNORECASE:
        return None
    try:
        from re import _constants as C, _parser

        parsed = _parser.parse(pattern.pattern, pattern.flags)
        prefixes = _prefixes(list(parsed), C)
    except Exception:  # noqa: BLE001 -- a private API: without it, every page is searched
        return None
    if not prefixes or any(len(p) < 2 for p in prefixes):
        return None
    # "$_ts", "$_ts." and "$_ts[": a body without "$_ts" has none of them
    return tuple(p for p in dict.fromkeys(prefixes) if not any(p != q and p.startswith(q) for q in prefixes))


def _prefixes(items, C) -> tuple[bytes, ...]:
    lead = bytearray()
    for op, av in items:
        if op is C.LITERAL:
            lead.append(av)
            continue
        if op is C.BRANCH:
            return tuple(bytes(lead) + p for alt in av[1] for p in _prefixes(list(alt), C))
        break
    return (bytes(lead),)


def binary_reason(body: bytes) -> str | None:
    """Why ``body`` is not a text page (a file signature, control bytes, emptiness), or None."""
    if not body.strip():
        return "empty body"
    head = body[: F.SNIFF_BYTES]
    if head.startswith(F.UTF16_BOMS):
        return None
    lead = head.lstrip()
    for sig in F.BINARY_SIGNATURES:
        if lead.startswith(sig):
            return f"file signature {sig[:4]!r}"
    if _looks_utf16(head):  # UTF-16 without a BOM: every other byte NUL (a bare "\x00<" is not enough:
        return None        # 3000 random bytes hold one about 9 % of the time)
    controls = len(head.translate(None, _NOT_CONTROL))  # bytes < 32 but tab, LF, FF, CR, ESC
    if controls > F.MAX_CONTROL_RATIO * len(head):
        return f"{controls} control bytes in the first {len(head)}"
    return None


_NOT_CONTROL = bytes([9, 10, 12, 13, 27, *range(32, 256)])


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 markup without a BOM: NULs fill one byte of each pair (ASCII markup), and a '<' shows."""
    for high, encoding in ((head[1::2], "utf-16-le"), (head[0::2], "utf-16-be")):
        if high and high.count(0) > 0.3 * len(high) and "<" in head[:400].decode(encoding, "replace"):
            return True
    return False


class ResponseGuardMiddleware:
    """Stop challenge pages and binary junk before they reach the spider; repair page responses.

    - a WAF interstitial (CHALLENGE_RULES) becomes FetchFault("challenge"), whatever its status;
    - bytes that are no page (BINARY_SIGNATURES, control bytes) become FetchFault("not_html"),
      unless the Content-Type or extension says document file (pipelines.attachments.is_file_response);
    - a page served with a wrong Content-Type (octet-stream, text/plain) is still parsed as HTML,
      and a wrong charset header is overruled by pipelines.encoding.decode_html (strict checks),
      so list pages give their links whatever the headers say.

    Sits between RetryMiddleware (550) and HttpCompressionMiddleware (590): it sees decompressed
    bodies. The spider's errback records and retries FetchFaults.
    """

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def __init__(self, stats=None):
        self.stats = stats

    def process_response(self, request, response, spider=None):
        if request.meta.get("kind") not in _PAGE_KINDS or request.method == "HEAD":
            return response
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        name = challenge_rule(response.status, response.body)
        if name:
            self._count("challenge")
            raise FetchFault("challenge", f"{name} interstitial, status {response.status}")
        if response.status != 200 or is_file_response(response.url, ctype) or request.meta.get("attachment"):
            return response  # (meta "attachment": the spider asked for a file, e.g. downfile.jsp?filename=…)
        reason = binary_reason(response.body)
        if reason:
            self._count("not_html")
            raise FetchFault("not_html", f"{reason} (Content-Type {ctype or 'none'})")
        return self._as_html(response, ctype)

    def _as_html(self, response, ctype):
        from pipelines.encoding import decode_html

        _, encoding = decode_html(response.body, ctype)
        if not isinstance(response, TextResponse):
            return response.replace(cls=HtmlResponse, encoding=encoding)
        if response.encoding != encoding and encoding:
            return response.replace(encoding=encoding)
        return response

    def _count(self, kind):
        if self.stats is not None:
            self.stats.inc_value(f"lawgov/guard/{kind}")


class TrapGuardMiddleware:
    """Drop requests for crawler traps (TRAP_RULES): repeating path segments, page numbers past any
    real list, calendar links. Counted as lawgov/trap_skipped; the request never leaves."""

    def __init__(self, stats=None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_request(self, request, spider=None):
        reason = trap_reason(request.url)
        if reason:
            if self.stats is not None:
                self.stats.inc_value("lawgov/trap_skipped")
            raise IgnoreRequest(f"trap: {reason}")
        return None


@lru_cache(maxsize=1024)  # asked by the spider before the request and by TrapGuardMiddleware
def trap_reason(url: str) -> str | None:
    """Why ``url`` looks like a crawler trap (see TRAP_RULES), or None."""
    rules = F.TRAP_RULES
    path = url.split("?")[0].split("#")[0]
    segments = [s for s in path.split("/")[3:] if s]
    for seg in set(segments):
        if segments.count(seg) >= rules["max_segment_repeats"]:
            return f"path segment {seg!r} repeated {segments.count(seg)} times"
    for pattern in rules["page_number"]:
        m = pattern.search(url)
        if m and int(m.group(1)) > rules["max_page_number"]:
            return f"page number {m.group(1)} > {rules['max_page_number']}"
    if rules["calendar"].search(url):
        return "calendar link"
    return None


class RetryBackoffMiddleware:
    """Delay every retry: base · 2^(n-1) seconds before the n-th retry, at most LAWGOV_RETRY_BACKOFF_MAX.

    Scrapy's RetryMiddleware reschedules a failed request at once, and AutoThrottle only adapts
    delays to latency (a server answering 503 fast even shortens them), so a 5xx burst would be
    retried into the same burst. Retries from RetryMiddleware and from the spider's errback both go
    through get_retry_request, which sets meta["retry_times"]; this middleware waits before such a
    request is downloaded (without blocking the reactor, and without holding the site's slot).
    """

    def __init__(self, base: float, cap: float, stats=None):
        self.base = base
        self.cap = cap
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(s.getfloat("LAWGOV_RETRY_BACKOFF_BASE"), s.getfloat("LAWGOV_RETRY_BACKOFF_MAX"),
                   crawler.stats)

    def delay(self, retry_times: int) -> float:
        return min(self.cap, self.base * 2 ** (retry_times - 1)) if retry_times > 0 else 0.0

    async def process_request(self, request, spider=None):
        n = request.meta.get("retry_times", 0)
        if n <= request.meta.get("backoff_done", 0):
            return None
        request.meta["backoff_done"] = n
        wait = self.delay(n)
        if wait > 0:
            from twisted.internet import reactor
            from twisted.internet.task import deferLater
            from scrapy.utils.defer import maybe_deferred_to_future

            if self.stats is not None:
                self.stats.inc_value("lawgov/retry_backoff_s", wait)
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return None


def error_kind(failure) -> tuple[str | None, bool, str]:
    """(kind, retry, detail) of a failed request, from ERROR_KINDS; kind None: dropped on purpose."""
    exc = failure.value
    names = {c.__name__ for c in type(exc).__mro__}
    message = str(exc)
    if isinstance(exc, FetchFault):
        names.add("FetchFault")
    for rule in F.ERROR_KINDS:
        if rule["exception"] in names and re.search(rule["message"], message):
            kind = rule["kind"]
            if kind == "http":
                kind = f"http_{exc.response.status}"
            return kind, rule["retry"], message[:300]
    if isinstance(exc, IgnoreRequest):  # robots.txt, traps, offsite: dropped on purpose
        return None, False, message[:300]
    return type(exc).__name__, False, message[:300]
