"""crawler.urls.canonical_url: exact cases, and properties (idempotent, host kept)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from crawler.middlewares import trap_reason
from crawler.urls import canonical_url


@pytest.mark.parametrize("url, want", [
    ("HTTP://WWW.Example.GOV.cn:80/a/b.html#top", "http://www.example.gov.cn/a/b.html"),
    ("https://x.gov.cn:443", "https://x.gov.cn/"),
    ("http://x.gov.cn:8080/a", "http://x.gov.cn:8080/a"),
    ("http://x.gov.cn/a.html?utm_source=wx&id=3&spm=1.2&from=timeline", "http://x.gov.cn/a.html?id=3"),
    ("http://x.gov.cn/a.html?b=2&a=1", "http://x.gov.cn/a.html?b=2&a=1"),  # order kept
    ("http://x.gov.cn/%7euser/%e6%b3%95.html", "http://x.gov.cn/~user/%E6%B3%95.html"),
    ("http://x.gov.cn/法治/报告 1.html", "http://x.gov.cn/%E6%B3%95%E6%B2%BB/%E6%8A%A5%E5%91%8A%201.html"),
    ("http://x.gov.cn/a%2Fb?q=%zz", "http://x.gov.cn/a%2Fb?q=%25zz"),
    ("http://x.gov.cn/col/", "http://x.gov.cn/col/"),  # default index pages are not folded
    ("http://x.gov.cn/col/index.html", "http://x.gov.cn/col/index.html"),
    ("http://x.gov.cn/a.html?", "http://x.gov.cn/a.html"),
])
def test_canonical_url(url, want):
    assert canonical_url(url) == want


@pytest.mark.parametrize("url, trap", [
    ("http://x.gov.cn/a/b/a/b/a/index.html", True),
    ("http://x.gov.cn/list/index_1001.html", True),
    ("http://x.gov.cn/list/index_199.html", False),
    ("http://x.gov.cn/list.jsp?cur_page=5000", True),
    ("http://x.gov.cn/hd/index.html?date=2024-03-05", True),
    ("http://x.gov.cn/zwgk/zwgk/index.html", False),
    ("http://x.gov.cn/art/2024/3/28/art_1229_4587.html", False),
])
def test_trap_reason(url, trap):
    assert bool(trap_reason(url)) is trap


hosts = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,10}(\.[A-Za-z0-9]{1,8}){1,3}", fullmatch=True)
paths = st.lists(st.sampled_from(list("abcXYZ019/-._~%?=&#法治 ") + ["%7e", "%2F", "%e6", "utm_a=1"]),
                 max_size=20).map("".join)


@settings(max_examples=200, deadline=2000)
@given(scheme=st.sampled_from(["http", "https", "HTTP"]), host=hosts, rest=paths,
       port=st.sampled_from(["", ":80", ":443", ":8080"]))
def test_canonical_url_is_idempotent_and_keeps_the_host(scheme, host, rest, port):
    url = f"{scheme}://{host}{port}/{rest}"
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert urlsplit(once).hostname == host.lower()
