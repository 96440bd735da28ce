"""Download handlers: Scrapy's HTTP/1.1 handler, with a connection pool sized for crawls through a proxy.

Scrapy keeps at most CONCURRENT_REQUESTS_PER_DOMAIN idle connections per pool key, which is right when
the key is a site. Through a plain HTTP proxy (LAWGOV_PROXY, or a request's meta "proxy") every request
shares one key, the proxy's address, so a crawl of many sites at once kept that many connections for
all of them and closed every other connection after one response: 343 TCP connections for 2,200
requests of the large sample web (the bare spider of `make bench`, one site at a time, used 4). Here a
key keeps up to CONCURRENT_REQUESTS, the most that can be open at once anyway; sites reached directly
have their own keys and never use more than before.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler as ScrapyHTTP11DownloadHandler


class HTTP11DownloadHandler(ScrapyHTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self._pool.maxPersistentPerHost = max(self._pool.maxPersistentPerHost,
                                              crawler.settings.getint("CONCURRENT_REQUESTS"))
