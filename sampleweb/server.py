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

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from sampleweb.model import PORTALS, Portal
from sampleweb.render import HanwebSite, Site, TableSite, make_site

HTML_INDEXES = ("index.html", "index.shtml", "index.htm", "index.asp")


class SampleWeb:
    def __init__(self, portals: tuple[Portal, ...] = PORTALS):
        self.portals = portals
        self.sites: dict[str, Site] = {p.host: make_site(p) for p in portals}
        self._requests: list[tuple[str, str, str]] = []
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

        httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
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

    def record(self, method: str, host: str, path: str) -> None:
        with self._lock:
            self._requests.append((method, host, path))

    # -- the answer, without sockets ---------------------------------------------------------------
    def respond(self, method: str, target: str, host_header: str | None = None,
                body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one request. ``target`` is the request-line target."""
        host, path = split_target(target, host_header)
        self.record(method, host, path)
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


def _plain(status: int, text: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode("utf-8")


def _not_found(site: Site) -> tuple[int, dict[str, str], bytes]:
    p = site.p
    page = (f'<!DOCTYPE html>\n<html><head><meta charset="{p.charset}"><title>404 页面不存在</title></head>'
            f'<body><div class="error"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>'
            f'<p><a href="{p.home}">返回首页</a></p></div></body></html>\n')
    return 404, {"Content-Type": f"text/html; charset={p.charset}"}, page.encode(p.encoding)


class _Handler(BaseHTTPRequestHandler):
    sampleweb: SampleWeb
    protocol_version = "HTTP/1.1"
    server_version = "sampleweb"
    sys_version = ""

    def _serve(self, method: str) -> None:
        body = b""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            body = self.rfile.read(length)
        status, headers, data = self.sampleweb.respond(method, self.path, self.headers.get("Host"), body)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

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
