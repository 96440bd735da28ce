"""The spider's discovery rules on real-style URLs and page snippets (no network)."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.spiders.reports import (ReportsSpider, _find_param, _is_article_url, _is_home,
                                     _same_list)
from tests.conftest import SAMPLE_PORTALS


@pytest.mark.parametrize("url, is_article", [
    ("http://www.gov.test/zwgk/fdzdgknr/202403/t20240328_6583952.html", True),
    ("http://www.gov.test/zwgk/202403/t20240328_6583952_1.shtml", True),
    ("http://www.zj.test/art/2024/3/4/art_1229_5123.html", True),
    ("http://www.sc.test/jlq/c104012/202203/fc350c3f729f75ea43e2d599c0e19826.shtml", True),
    ("http://www.gd.test/gkmlpt/content/post_9123456.html", True),
    ("http://www.gov.test/zhengce/content/2024-03/04/content_5123456.htm", True),
    ("http://www.tl.test/yfxz/show.asp?id=1187", True),
    ("http://www.gov.test/zwgk/fdzdgknr/index_2.html", False),
    ("http://www.zj.test/col/col1229/index.html", False),
])
def test_article_url_shapes(url, is_article):
    assert _is_article_url(url) is is_article


def test_home_pages():
    assert _is_home("http://www.x.test/") and _is_home("http://www.x.test/index.html")
    assert _is_home("http://www.x.test/gate/big5/www.x.test/")
    assert not _is_home("http://www.x.test/zwgk/fzzfjsndbg/index.html")


def test_jpage_parameters_wherever_the_page_states_them():
    page = ("<script>var ajaxParam = {columnid: '1229', unitid:\"28526\", webid: 3};</script>"
            '<a href="/module/web/jpage/dataproxy.jsp?page=1&webname=%E6%A4%92&path=/">next</a>')
    assert _find_param(page, "columnid") == "1229"
    assert _find_param(page, "unitid") == "28526"
    assert _find_param(page, "webid") == "3"
    assert _find_param(page, "webname") == "%E6%A4%92"
    assert _find_param(page, "appid") is None


def test_pagination_stays_in_the_list_folder():
    base = "http://www.x.test/zwgk/fzzfjsndbg/index.html"
    assert _same_list("http://www.x.test/zwgk/fzzfjsndbg/index_2.html", base)
    assert _same_list("http://www.x.test/zwgk/fzzfjsndbg/index.html?page=3", base)
    assert not _same_list("http://www.x.test/other/index_2.html", base)


def spider():
    crawler = get_crawler(ReportsSpider, {k: v for k, v in vars(project_settings).items() if k.isupper()})
    return ReportsSpider.from_crawler(crawler, portals=str(SAMPLE_PORTALS))


def test_split_article_parts_from_trs_pager():
    url = "http://www.nanchong.gov.cn.test/zwgk/202403/t20240328_693227.html"
    body = '<div class="TRS_Editor">…</div><script>createPageHTML(3,0,"t20240328_693227","html");</script>'
    resp = HtmlResponse(url, body=body.encode(), encoding="utf-8", request=Request(url))
    assert spider()._more_parts(resp) == [
        "http://www.nanchong.gov.cn.test/zwgk/202403/t20240328_693227_1.html",
        "http://www.nanchong.gov.cn.test/zwgk/202403/t20240328_693227_2.html",
    ]
    # a continuation page (current index 1) starts nothing new
    body1 = body.replace("createPageHTML(3,0,", "createPageHTML(3,1,")
    resp1 = HtmlResponse(url, body=body1.encode(), encoding="utf-8", request=Request(url))
    assert spider()._more_parts(resp1) == []


def test_list_pager_and_offsite_links():
    s = spider()
    portal = s.portals_by_name[next(iter(s.portals_by_name))]
    host = portal.allowed_domains[0]
    url = f"http://{host}/zwgk/fzzfjsndbg/index.html"
    body = (f'<script>createPageHTML(3, 0, "index", "html");</script>'
            f'<a href="http://www.gov.cn/">中国政府网</a>'
            f'<a href="/zwgk/fzzfjsndbg/202403/t20240328_1.html">2023年度法治政府建设情况报告</a>')
    req = Request(url, meta={"portal": portal.name, "kind": "column", "hops": 1, "list_pages": 1})
    resp = HtmlResponse(url, body=body.encode(), encoding="utf-8", request=req)
    urls = {r.url for r in s.parse_listing(resp)}
    assert urls == {f"http://{host}/zwgk/fzzfjsndbg/index_1.html",
                    f"http://{host}/zwgk/fzzfjsndbg/index_2.html",
                    f"http://{host}/zwgk/fzzfjsndbg/202403/t20240328_1.html"}
