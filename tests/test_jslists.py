"""Lists built by JavaScript, read without a browser: Fujian listModel + POST search endpoint,
records embedded as JSON in a script, and site search (站内搜索) as a discovery route."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote

import sqlite_utils

from crawler import jslists
from sampleweb import truth
from sampleweb.server import SampleWeb

LISTMODEL_PAGE = """<div ms-controller="list"><ul><li ms-for="el in list">{{el.title}}</li></ul></div>
<script>
listModel({quickMode:"动静结合", maxStaticIndex:1, listArgs:{channelid:200210,
  classsql:"chnlid=1813"}, pagebar:{prepage:10, recordCount:'35'}});
</script>"""


def test_listmodel_arguments_and_forms():
    args = jslists.listmodel(LISTMODEL_PAGE)
    assert args == {"channelid": "200210", "classsql": "chnlid=1813", "prepage": 10, "record_count": 35,
                    "max_static": 1, "endpoint": "/fjdzapp/search"}
    forms = jslists.listmodel_forms(args)
    assert [f["page"] for f in forms] == ["2", "3", "4"]
    assert forms[0] == {"channelid": "200210", "classsql": "chnlid=1813", "sortfield": "-docorderpri,-docreltime",
                        "prepage": "10", "page": "2"}
    assert jslists.listmodel("<script>var x = 1;</script>") is None
    own = LISTMODEL_PAGE.replace("pagebar:", 'searchUrl:"/site/search/list",pagebar:')
    assert jslists.listmodel(own)["endpoint"] == "/site/search/list"


def test_search_json_records():
    answer = json.dumps({"page": 2, "pagecount": 2, "docs": [
        {"title": "<em>南平市</em>建阳区2020年度法治政府建设情况报告", "url": "http://a.test/P0201.pdf", "pubtime": "2021-03-29"},
        {"title": "建阳区开展民法典宣传月活动", "url": "http://a.test/t20220516_1.htm"}]}, ensure_ascii=False)
    assert jslists.json_records(answer) == [("http://a.test/P0201.pdf", "南平市建阳区2020年度法治政府建设情况报告"),
                                            ("http://a.test/t20220516_1.htm", "建阳区开展民法典宣传月活动")]
    assert jslists.json_records("not json") == []


def test_records_embedded_in_scripts():
    page = """<ul id="listBox"></ul><script src="/js/jquery.js"></script><script>
var listData = [{"title": "武进区人民政府2023年度法治政府建设工作报告", "url": "/wjq/fzzfjs/202403/a.shtml", "pubDate": "2024-03-25"},
 {"Title": "武进区开展行政执法督查", "LinkUrl": "/wjq/fzzfjs/202311/b.shtml"}];
window.__PAGE__ = {"total": 2, "list": [{"name": "其他", "href": "/c.shtml"}]};
$(function(){ render(listData); });</script>"""
    assert jslists.script_records(page) == [
        ("/wjq/fzzfjs/202403/a.shtml", "武进区人民政府2023年度法治政府建设工作报告"),
        ("/wjq/fzzfjs/202311/b.shtml", "武进区开展行政执法督查"),
        ("/c.shtml", "其他")]
    assert jslists.script_records("<script>var a = [1, 2]; var b = {x: 1};</script>") == []
    assert jslists.links_html([("/a?x=1&y=2", "甲<乙>")]) == '<a href="/a?x=1&amp;y=2">甲&lt;乙&gt;</a>\n'


def test_search_url_is_filled_in():
    assert jslists.search_url("http://a.test/search.do?websiteid=1&q={query}") == \
        "http://a.test/search.do?websiteid=1&q=" + quote("法治政府建设年度报告")


def test_sample_web_pages_parse():
    web = SampleWeb()
    _, _, body = web.respond("GET", "http://www.jianyang.gov.cn.test/zwgk/zfxxgk/fzzfjsndbg/index.htm")
    args = jslists.listmodel(body.decode())
    assert (args["channelid"], args["record_count"], args["prepage"]) == ("200210", 12, 10)
    _, _, body = web.respond("GET", "http://www.wj.gov.cn.test/wjq/fzzfjs/list.shtml")
    wujin = next(p for p in truth.PORTALS if p.key == "wujin")
    assert {u for u, _ in jslists.script_records(body.decode())} == {a.path for a in wujin.articles}


# -- the crawl ---------------------------------------------------------------------------------------
NEW_HOSTS = {"www.jianyang.gov.cn.test", "www.wj.gov.cn.test", "www.longquan.gov.cn.test"}


def test_crawl_posts_for_listmodel_pages_and_asks_the_site_search(crawled):
    reqs = [(m, h, p) for m, h, p in crawled["requests"] if h in NEW_HOSTS]
    assert ("POST", "www.jianyang.gov.cn.test", "/fjdzapp/search") in reqs
    search = [p for m, h, p in reqs if p.startswith("/jsearchfront/search.do")]
    assert len(search) == 1 and parse_qs(search[0].split("?", 1)[1])["q"] == ["法治政府建设年度报告"]
    # the report column no page links to was never needed
    assert not [p for m, h, p in reqs if p.startswith("/col/col5010/")]


def test_crawl_archives_exactly_the_new_portals_reports(crawled):
    db = sqlite_utils.Database(crawled["db"])
    archived = {r[0] for r in db.execute("SELECT url FROM sources")}
    want = {u for v in truth.expected_reports().values() for u in v["urls"]}
    new = lambda urls: {u for u in urls if u.split("/")[2] in NEW_HOSTS}  # noqa: E731
    assert new(archived) == new(want) == {
        "http://www.jianyang.gov.cn.test/zwgk/zfxxgk/fzzfjsndbg/202403/t20240328_6583952.htm",   # PDF behind a stub
        "http://www.jianyang.gov.cn.test/zwgk/zfxxgk/fzzfjsndbg/202103/P020210329401234567890.pdf",  # page 2, POST
        "http://www.wj.gov.cn.test/wjq/fzzfjs/202403/57c196b079c0735122a29ee75e7bafa9.shtml",   # JSON in a script
        "http://www.longquan.gov.cn.test/art/2024/3/21/art_5010_86251.html",                      # site search, DOCX
    }
    fetched = {f"http://{h}{p}" for m, h, p in crawled["requests"] if m == "GET"}
    # every item of the three report columns was fetched (the news column's items are not wanted)
    new_details = {d["url"] for d in truth.detail_pages() if d["host"] in NEW_HOSTS}
    assert new_details - fetched == {"http://www.longquan.gov.cn.test/art/2024/6/3/art_5001_88533.html",
                                     "http://www.longquan.gov.cn.test/art/2024/5/27/art_5001_88420.html"}
