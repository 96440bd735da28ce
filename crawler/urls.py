"""One canonical spelling per URL, applied to every link before it becomes a request.

Scrapy's seen-check (the dupefilter fingerprint, w3lib ``canonicalize_url``) already ignores query
order and fragments, but not tracking parameters, host case or percent-encoding variants; and the
URL we archive should be the one we requested. So the spider requests ``canonical_url(link)``.

Decisions:
- Default index pages are kept as written (``/col/`` and ``/col/index.html`` stay distinct). Portals
  use index.html, index.shtml, index.htm, index.jsp …, so folding one into the other would request
  a URL the site may not serve; and a site that redirects ``/col/`` → ``/col/index.html`` would have
  its redirect dropped by the seen-check. Both spellings fetched costs one extra list page; the
  pages are list pages (nothing archived) or, for articles, merged by the text hash.
- Query order is kept: the fingerprint already sorts it for the seen-check, and the URL we request
  stays the one the site printed (some JSP/ASP handlers read parameters positionally).
- Tracking parameters (TRACKING_PARAMS, TRACKING_PREFIXES) are dropped: they never select content.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

# Query parameters that only say where a click came from; never part of what a page is.
TRACKING_PARAMS = frozenset({
    "spm", "from", "scene", "share", "share_from", "sharefrom", "share_source", "share_medium",
    "shareid", "share_token", "isappinstalled", "clicktime", "wxshare", "wxfrom", "fbclid", "gclid",
    "msclkid", "yclid", "_hsenc", "_hsmi", "mc_cid", "mc_eid", "from_source", "timestamp_share",
})
TRACKING_PREFIXES = ("utm_", "share_", "wx_")
DEFAULT_PORTS = {"http": "80", "https": "443"}

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_BARE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Characters left as they are (RFC 3986 reserved + unreserved + '%' of existing escapes).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/?:@!$&'()*+,;=-._~%"


def _normalize_escapes(part: str, safe: str) -> str:
    """%7e → ~ (unreserved decoded), %2f → %2F (hex upper-cased), raw non-ASCII/space → %XX (UTF-8)."""
    part = _BARE_PERCENT.sub("%25", part)

    def fix(m: re.Match) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED else "%" + m.group(1).upper()

    part = _ESCAPE.sub(fix, part)
    return quote(part, safe=safe, encoding="utf-8", errors="surrogatepass")


def _is_tracking(name: str) -> bool:
    key = name.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _netloc(scheme: str, netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # IPv6 literal
        host, _, rest = hostport.partition("]")
        host, port = host + "]", rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = hostport.partition(":")
    host = host.lower()
    if port == DEFAULT_PORTS.get(scheme) or (not port and ":" in hostport and not hostport.startswith("[")):
        port = ""
    return f"{userinfo}{at}{host}" + (f":{port}" if port else "")


@lru_cache(maxsize=1024)  # menu and pager links recur on every list page; _request canonicalizes again
def canonical_url(url: str) -> str:
    """The canonical spelling of ``url`` (see the module docstring). Never raises; idempotent."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket: leave it to Scrapy to refuse
        return url
    scheme = parts.scheme.lower()
    netloc = _netloc(scheme, parts.netloc)
    path = _normalize_escapes(parts.path, _PATH_SAFE)
    if netloc and not path:
        path = "/"
    query = "&".join(
        _normalize_escapes(pair, _QUERY_SAFE)
        for pair in parts.query.split("&")
        if pair and not _is_tracking(pair.partition("=")[0])
    )
    return urlunsplit((scheme, netloc, path, query, ""))
