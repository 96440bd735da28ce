"""Downloader middlewares: each small, configured by settings, built by from_crawler."""

from __future__ import annotations


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
