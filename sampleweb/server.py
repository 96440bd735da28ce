"""The sample web server: every sample portal, virtual-hosted on one loopback port.

It works both as an HTTP proxy target (absolute-URI request lines, what a crawler sends when told
``--proxy http://127.0.0.1:PORT``) and as a plain server (origin-form requests + ``Host`` header).
Unknown hosts answer 502, unknown paths 404. Every request is recorded in ``requests`` as
``(method, host, path_with_query)``.

    with SampleWeb() as web:           # starts on a free port
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
        opener.open("http://www.cnjialing.gov.cn.test/index.shtml")
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from sampleweb.model import PORTALS, Portal, part_paths
from sampleweb.render import HanwebSite, Site, TableSite, make_site

HTML_INDEXES = ("index.html", "index.shtml", "index.htm", "index.asp")


class _HTTPServer(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a crawl opening 32 connections at once overflows it,
    # the kernel drops the SYN and the client resends it 1 s later, so a request can fail on
    # "connect timeout" without the server ever seeing it (issue 8: "failed 3 times", 2 requests).
    request_queue_size = 128


class SampleWeb:
    def __init__(self, portals: tuple[Portal, ...] = PORTALS, faults=None):
        self.portals = portals
        # sampleweb.faults.FaultPlan: seeded 5xx, timeouts, resets, challenges, traps … (None: a healthy web)
        self.faults = faults.bind(self) if faults is not None else None
        self.sites: dict[str, Site] = {p.host: make_site(p) for p in portals}
        # article pages answer with ETag/Last-Modified and 304 (incremental crawls); tests change the
        # web between crawls with replace_page / remove_page / set_list_date
        self._article_times: dict[tuple[str, str], datetime] = {
            (p.host, prefix + path): _china_time(a.published)
            for p in portals for a in p.articles for path in part_paths(a)
            for prefix in ([""] + ([p.gateway_prefix] if p.gateway else []))
        }
        self._changed: dict[tuple[str, str], tuple[int, dict[str, str], bytes, datetime]] = {}
        self._list_dates: dict[tuple[str, str], str] = {}
        self._requests: list[tuple[str, str, str]] = []
        self.connections = 0  # TCP connections accepted (a crawler's keep-alive reuse shows here)
        self.delay_s = 0.0  # added before every answer: a slow site (kill-and-resume tests catch a crawl mid-way)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self, port: int = 0) -> int:
        if self._httpd is not None:
            return self.port  # type: ignore[return-value]
        web = self

        class Handler(_Handler):
            sampleweb = web

        httpd = _HTTPServer(("127.0.0.1", port), Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sampleweb:{self.port}", daemon=True)
        self._thread.start()
        return self.port

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> "SampleWeb":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def prerender(self) -> int:
        """Render every page of every site before serving (see Site.prerender); returns the count."""
        return sum(site.prerender() for site in self.sites.values())

    # -- what tests use ----------------------------------------------------------------------------
    @property
    def requests(self) -> list[tuple[str, str, str]]:
        """A copy of every request served so far: (method, host, path_with_query)."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    @property
    def proxy_url(self) -> str:
        if self.port is None:
            raise RuntimeError("SampleWeb not started")
        return f"http://127.0.0.1:{self.port}"

    def url_for(self, host_or_key: str, path: str = "/") -> str:
        """``url_for("jialing", "/index.shtml")`` or ``url_for("www.cnjialing.gov.cn.test", …)``."""
        for p in self.portals:
            if host_or_key in (p.key, p.host, p.name):
                return p.url(path)
        raise KeyError(host_or_key)

    # -- changing the web between crawls (incremental-crawl tests) ---------------------------------
    def replace_page(self, url: str, body: bytes | str) -> None:
        """Serve ``body`` (str: in the site's encoding) at ``url`` from now on: a new ETag, and
        Last-Modified now."""
        host, path = split_target(url, None)
        site = self.sites[host]
        data = body.encode(site.p.encoding) if isinstance(body, str) else body
        self._changed[(host, path)] = (200, {"Content-Type": site.content_type}, data,
                                       datetime.now(timezone.utc).replace(microsecond=0))

    def remove_page(self, url: str, status: int = 404, location: str | None = None) -> None:
        """``url`` answers ``status`` from now on: 404/410 (the site's error page), or a redirect
        (301/302) to ``location`` (e.g. the article's column)."""
        host, path = split_target(url, None)
        if location:
            answer = (status, {"Location": location, "Content-Type": "text/html"}, b"", None)
        else:
            st, headers, data = _not_found(self.sites[host])
            answer = (status, headers, data, None)
        self._changed[(host, path)] = answer

    def restore_page(self, url: str) -> None:
        """Undo replace_page / remove_page / set_list_date for ``url``."""
        self._changed.pop(split_target(url, None), None)
        self._list_dates.pop(split_target(url, None), None)

    def set_list_date(self, url: str, date: str) -> None:
        """Lists (and home-page blocks) show ``date`` ("YYYY-MM-DD") next to the link to ``url``."""
        self._list_dates[split_target(url, None)] = date

    def page(self, url: str) -> bytes:
        """The bytes currently served at ``url`` (replace_page bodies included)."""
        status, _, data = self.respond("GET", url)
        if status != 200:
            raise KeyError(url)
        return data

    def record(self, method: str, host: str, path: str) -> None:
        with self._lock:
            self._requests.append((method, host, path))

    # -- the answer, without sockets ---------------------------------------------------------------
    def respond(self, method: str, target: str, host_header: str | None = None,
                body: bytes = b"", headers: dict | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one request. ``target`` is the request-line target;
        ``headers`` the request headers (If-None-Match / If-Modified-Since are honoured)."""
        host, path = split_target(target, host_header)
        self.record(method, host, path)
        if (host, path) in self._changed or (host, path) in self._article_times:
            return self._article(host, path, headers or {})
        status, out_headers, data = self._respond(method, host, path, body)
        if status == 200 and self._list_dates:
            data = self._with_list_dates(host, data)
        return status, out_headers, data

    def _article(self, host: str, path: str, req_headers) -> tuple[int, dict[str, str], bytes]:
        if (host, path) in self._changed:
            status, headers, data, modified = self._changed[(host, path)]
            if status != 200:
                return status, {**headers, "Server": self.sites[host].p.server}, data
        else:
            status, headers, data = self._respond("GET", host, path, b"")
            modified = self._article_times[(host, path)]
            if status != 200:
                return status, headers, data
        etag, last_modified = self._validators(data, modified)
        headers = {**headers, "ETag": etag, "Last-Modified": last_modified}
        if _not_modified(req_headers, etag, modified):
            return 304, {k: v for k, v in headers.items() if k != "Content-Type"}, b""
        return 200, headers, data

    @staticmethod
    @lru_cache(maxsize=4096)  # a page's bytes are its own (replace_page gives new ones): hash each once
    def _validators(data: bytes, modified: datetime) -> tuple[str, str]:
        """(ETag, Last-Modified) of a page's body and time."""
        return '"' + hashlib.sha1(data).hexdigest()[:16] + '"', format_datetime(modified, usegmt=True)

    def _with_list_dates(self, host: str, data: bytes) -> bytes:
        for (h, path), date in self._list_dates.items():
            if h == host:
                name = re.escape(posixpath.basename(path).encode())
                data = re.sub(rb'(href="[^"]*' + name + rb'"[^\x00]{0,400}?)\d{4}-\d{1,2}-\d{1,2}',
                              lambda m: m.group(1) + date.encode(), data, flags=re.S)
        return data

    def _respond(self, method: str, host: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        site = self.sites.get(host)
        if site is None:
            return _plain(502, f"502 Bad Gateway: sampleweb does not serve host {host or '(none)'!r}\n")
        extra = {"Server": site.p.server}
        if isinstance(site, TableSite):
            extra["X-Powered-By"] = "ASP.NET"
        route, _, query = path.partition("?")
        if route == "/robots.txt":
            return 200, {"Content-Type": "text/plain; charset=utf-8", **extra}, site.robots().encode()
        if isinstance(site, HanwebSite) and route == site.p.proxy_path:
            params = dict(parse_qsl(query, keep_blank_values=True))
            if body:
                params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            ctype, data = site.dataproxy(params)
            return 200, {"Content-Type": ctype, **extra}, data
        if route in site.endpoints:  # endpoints answering parameters: listModel search POSTs, 站内搜索
            params = dict(parse_qsl(query, keep_blank_values=True))
            if body:
                params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            ctype, data = site.endpoints[route](params)
            return 200, {"Content-Type": ctype, **extra}, data
        hit = lookup(site, path)
        if hit is None:
            status, headers, data = _not_found(site)
            return status, {**headers, **extra}, data
        ctype, data = hit
        return 200, {"Content-Type": ctype, **extra}, data


def split_target(target: str, host_header: str | None) -> tuple[str, str]:
    """(host without port, path_with_query) from an absolute-URI or origin-form request target."""
    if target.lower().startswith(("http://", "https://")):
        u = urlsplit(target)
        host = u.hostname or ""
        path = (u.path or "/") + (f"?{u.query}" if u.query else "")
    else:
        host = (host_header or "").strip()
        if host.startswith("["):
            host = host.split("]")[0] + "]"
        else:
            host = host.split(":")[0]
        path = target or "/"
    return host.lower().rstrip("."), path


def lookup(site: Site, path: str) -> tuple[str, bytes] | None:
    hit = site.get(path)
    if hit is None and "%" in path:
        hit = site.get(unquote(path))
    route, _, query = path.partition("?")
    if hit is None and route.endswith("/"):
        for name in HTML_INDEXES:
            hit = site.get(route + name + (f"?{query}" if query else "")) or (site.get(route + name) if query else None)
            if hit:
                break
    if hit is None and query and route.endswith((".html", ".shtml", ".htm")):
        hit = site.get(route)      # static pages ignore the query string
    return hit


def _china_time(published: str) -> datetime:
    """"YYYY-MM-DD HH:MM" in Beijing time, as UTC."""
    local = datetime.strptime(published[:16], "%Y-%m-%d %H:%M")
    return (local - timedelta(hours=8)).replace(tzinfo=timezone.utc)


def _not_modified(req_headers, etag: str, modified: datetime) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    inm = req_headers.get("If-None-Match")
    if inm is not None:
        return inm.strip() == "*" or etag in [t.strip() for t in inm.split(",")]
    ims = req_headers.get("If-Modified-Since")
    if ims:
        try:
            return modified <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def _plain(status: int, text: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode("utf-8")


def _not_found(site: Site) -> tuple[int, dict[str, str], bytes]:
    p = site.p
    page = (f'<!DOCTYPE html>\n<html><head><meta charset="{p.charset}"><title>404 页面不存在</title></head>'
            f'<body><div class="error"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>'
            f'<p><a href="{p.home}">返回首页</a></p></div></body></html>\n')
    return 404, {"Content-Type": f"text/html; charset={p.charset}"}, page.encode(p.encoding)


class _RequestHeaders(dict):
    """A request's headers by lower-cased name; ``get`` takes any case, as email.message.Message's."""

    def get(self, name: str, default=None):
        return dict.get(self, name.lower(), default)


class _Handler(BaseHTTPRequestHandler):
    sampleweb: SampleWeb
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as web servers set it on keep-alive connections (nginx: tcp_nodelay on): when the
    # headers and the body went out in two writes (now one, see _serve), Nagle's algorithm held the body
    # for the client's delayed ACK, ~40 ms per request on a reused connection (44 vs 0.37 ms, one client).
    disable_nagle_algorithm = True
    server_version = "sampleweb"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        with self.sampleweb._lock:
            self.sampleweb.connections += 1

    def parse_request(self) -> bool:
        """http.server's parse_request for the HTTP/1.x requests a crawler sends, with the headers read
        into a plain mapping: http.server parses them with the email package, which costs more than
        the rest of a request's handling here (and this server shares the crawl's cores in the benchmarks)."""
        self.command = None
        self.request_version = self.default_request_version
        self.close_connection = True
        self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = self.requestline.split()
        if len(words) != 3 or not re.fullmatch(r"HTTP/1\.\d", words[2]):
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request {self.requestline!r}")
            return False
        self.command, self.path, self.request_version = words
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")  # as http.server does
        self.close_connection = self.request_version == "HTTP/1.0"
        headers = _RequestHeaders()
        for _ in range(100):  # http.client's limits
            line = self.rfile.readline(65537)
            if len(line) > 65536:
                self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            name, sep, value = line.decode("iso-8859-1").partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        else:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers")
            return False
        self.headers = headers
        connection = headers.get("Connection", "").lower()
        if connection in ("close", "keep-alive"):
            self.close_connection = connection == "close"
        return True

    def _serve(self, method: str) -> None:
        if self.sampleweb.delay_s:
            time.sleep(self.sampleweb.delay_s)
        body = b""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            body = self.rfile.read(length)
        if self.sampleweb.faults is not None:
            return self.sampleweb.faults.serve(self, method, body)
        status, headers, data = self.sampleweb.respond(method, self.path, self.headers.get("Host"), body,
                                                       headers=self.headers)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(data)))
        # headers and body in one write, as a web server sends a small page (two writes cost a syscall
        # and a TCP segment more on both ends)
        self._headers_buffer.append(b"\r\n")
        if method != "HEAD" and status != 304:
            self._headers_buffer.append(data)
        self.flush_headers()

    def send_response(self, code, message=None):  # keep the per-site Server header
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_CONNECT(self) -> None:
        host = self.path.split(":")[0]
        self.sampleweb.record("CONNECT", host, self.path)
        self.send_response(501)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args) -> None:  # quiet
        pass
