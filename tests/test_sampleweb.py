"""The sample web: server behaviour, and that what it serves agrees with its ground truth."""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
import pytest

from sampleweb import model, truth
from sampleweb.server import SampleWeb
from sampleweb.text import BODIES, body_file_lines

ROOT = Path(__file__).resolve().parent.parent
CHROME = ("扫一扫在手机打开当前页", "网站标识码", "ICP备", "公网安备", "当前位置", "打印本页", "关闭窗口", "分享到",
          "版权所有", "技术支持", "无障碍", "上一篇", "下一篇", "相关链接", "主办", "承办", "【字体：")


@pytest.fixture(scope="module")
def web():
    w = SampleWeb()
    w.start()
    yield w
    w.stop()


@pytest.fixture(scope="module")
def opener(web):
    return urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url, "https": web.proxy_url}))


def fetch(opener, url, data=None):
    try:
        with opener.open(url, data=data, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def decode(headers, body):
    cs = headers.get_content_charset() or "utf-8"
    return body.decode("gb18030" if cs.lower() in ("gb2312", "gbk") else cs)


# -- the server ------------------------------------------------------------------------------------

def test_starts_on_free_ports():
    a, b = SampleWeb(), SampleWeb()
    try:
        pa, pb = a.start(), b.start()
        assert pa > 0 and pb > 0 and pa != pb
    finally:
        a.stop()
        b.stop()


def test_context_manager_and_url_for():
    with SampleWeb() as w:
        assert w.port and w.proxy_url == f"http://127.0.0.1:{w.port}"
        assert w.url_for("jialing", "/index.shtml") == "http://www.cnjialing.gov.cn.test/index.shtml"
        assert w.url_for("www.cnjialing.gov.cn.test") == "http://www.cnjialing.gov.cn.test/"


def test_proxy_style_absolute_uri_get(web, opener):
    status, headers, body = fetch(opener, "http://www.cnjialing.gov.cn.test/index.shtml")
    assert status == 200
    assert headers["Content-Type"].lower().startswith("text/html")
    assert "嘉陵区人民政府" in decode(headers, body)
    assert ("GET", "www.cnjialing.gov.cn.test", "/index.shtml") in web.requests


def test_host_header_get(web):
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=5)
    conn.request("GET", "/xcq/c100812/list.shtml?page=2", headers={"Host": "www.xiangcheng.gov.cn.test:80"})
    r = conn.getresponse()
    body = r.read().decode("utf-8")
    conn.close()
    assert r.status == 200 and "襄城区人民政府2020年度法治政府建设工作报告" in body
    assert ("GET", "www.xiangcheng.gov.cn.test", "/xcq/c100812/list.shtml?page=2") in web.requests


def _raw_exchange(web, request: bytes) -> bytes:
    """Send raw bytes on one connection; read until the server closes it."""
    import socket

    with socket.create_connection(("127.0.0.1", web.port), timeout=5) as sock:
        sock.sendall(request)
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out


def test_request_headers_any_case_keep_alive_and_close(web):
    host = "www.cnjialing.gov.cn.test"
    url = f"http://{host}/index.shtml"
    # two requests on one connection (HTTP/1.1 keeps it open), the second asks to close; header names
    # in any case, as the email-based parser took them
    out = _raw_exchange(web, (f"GET {url} HTTP/1.1\r\nhOsT: {host}\r\n\r\n"
                              f"GET /index.shtml HTTP/1.1\r\nHOST: {host}\r\nconnection: Close\r\n\r\n").encode())
    assert out.count(b"HTTP/1.1 200 ") == 2
    head, _, rest = out.partition(b"\r\n\r\n")
    length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
    assert rest[length:].startswith(b"HTTP/1.1 200 ")  # the first body is exactly Content-Length long
    # an HTTP/1.0 request without keep-alive: answered, then closed (recv returns)
    assert _raw_exchange(web, f"GET {url} HTTP/1.0\r\n\r\n".encode()).startswith(b"HTTP/1.1 200 ")


def test_conditional_request_header_in_any_case(web):
    host, path = next(iter(web._article_times))  # an article page: it answers with validators
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=5)
    conn.request("GET", f"http://{host}{path}")
    first = conn.getresponse()
    body, etag = first.read(), first.getheader("ETag")
    conn.request("GET", f"http://{host}{path}")
    again = conn.getresponse()
    assert again.read() == body and again.getheader("ETag") == etag  # the same page, the same validator
    conn.request("GET", f"http://{host}{path}", headers={"if-none-match": etag})
    not_modified = conn.getresponse()
    assert not_modified.status == 304 and not_modified.read() == b""
    conn.close()


def test_bad_request_line_and_oversized_header(web):
    # a request line that is not HTTP/1.x: an error page alone (no status line), as http.server answers
    assert b"Error code: 400" in _raw_exchange(web, b"GARBAGE\r\n\r\n")
    assert b"Error code: 400" in _raw_exchange(web, b"GET / HTTP/2.0\r\n\r\n")
    long_line = b"X-Long: " + b"a" * 70000 + b"\r\n"
    assert _raw_exchange(web, b"GET / HTTP/1.1\r\nHost: x\r\n" + long_line + b"\r\n").startswith(b"HTTP/1.1 431 ")
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(101))
    assert _raw_exchange(web, b"GET / HTTP/1.1\r\n" + many + b"\r\n").startswith(b"HTTP/1.1 431 ")


def test_unknown_host_502_unknown_path_404(web, opener):
    status, _, body = fetch(opener, "http://www.gov.cn/")
    assert status == 502 and body
    assert ("GET", "www.gov.cn", "/") in web.requests
    status, headers, body = fetch(opener, "http://www.nanchong.gov.cn.test/no/such/page.html")
    assert status == 404 and "404" in decode(headers, body)


def test_head_and_directory_index(opener):
    req = urllib.request.Request("http://www.nanchong.gov.cn.test/zwgk/fdzdgknr/", method="HEAD")
    status, headers, body = fetch(opener, req)
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def test_gbk_page_declared_gb2312_needs_gb18030(opener):
    url = "http://www.tielingxian.gov.cn.test/yfxz/show.asp?id=1187"
    status, headers, body = fetch(opener, url)
    assert status == 200
    assert headers.get_content_charset() == "gb2312"
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    text = body.decode("gb18030")
    assert 'charset=gb2312' in text and "王堃" in text
    assert "法治政府建设" in text


def test_dataproxy_post_chunks(opener):
    col = model.JIAOJIANG.column("col1229")
    items = model.JIAOJIANG.column_items("col1229")
    assert len(items) > 45
    form = (f"col=1&appid=1&webid={model.JIAOJIANG.webid}&path=/&columnid={col.columnid}&sourceContentType=1"
            f"&unitid={model.JIAOJIANG.unitid}&webname=%E6%A4%92%E6%B1%9F%E5%8C%BA%E4%BA%BA%E6%B0%91%E6%94%BF%E5%BA%9C"
            "&permissiontype=0").encode()
    got = []
    for start, end in ((1, 45), (46, 90)):
        url = (f"http://www.jiaojiang.gov.cn.test/module/web/jpage/dataproxy.jsp?startrecord={start}"
               f"&endrecord={end}&perpage=15")
        status, headers, body = fetch(opener, url, data=form)
        assert status == 200 and "xml" in headers["Content-Type"]
        xml = body.decode("utf-8")
        assert f"<totalrecord>{len(items)}</totalrecord>" in xml
        assert "<totalpage>4</totalpage>" in xml
        recs = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", xml, re.S)
        assert len(recs) == min(end, len(items)) - start + 1
        got += [re.search(r'href="([^"]+)"', r).group(1) for r in recs]
    assert got == [model.JIAOJIANG.url(a.path) for a in items]
    # the report sits in the first chunk, the township report and the 实施方案 in the second
    assert "http://www.jiaojiang.gov.cn.test/art/2024/3/4/art_1229_5123.html" in got[:45]
    assert "http://www.jiaojiang.gov.cn.test/art/2023/2/20/art_1229_4587.html" in got[45:]


def test_robots_txt_on_every_host(opener):
    for p in model.PORTALS:
        status, headers, body = fetch(opener, p.url("/robots.txt"))
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        assert body.decode().startswith("User-agent: *")
    forbidden = truth.forbidden_urls()
    assert {urlsplit(u).path for u in forbidden} >= {"/search/index.html", "/private/show.asp"}
    for url in forbidden:
        rp = urllib.robotparser.RobotFileParser()
        rp.parse(fetch(opener, urljoin(url, "/robots.txt"))[2].decode().splitlines())
        assert not rp.can_fetch("lawgov", url)
        assert fetch(opener, url)[0] == 200      # served (so a crawler that ignores robots is caught)


# -- truth against what is served ------------------------------------------------------------------

def test_every_truth_url_is_served(opener):
    urls = {u for d in truth.detail_pages() for u in d["part_urls"]} | set(truth.list_pages())
    files = truth.attachment_urls()
    for url in sorted(urls | set(files)):
        status, headers, body = fetch(opener, url)
        assert status == 200, url
        if url in files:
            assert body.startswith((b"%PDF-", b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1"))), url
        else:
            assert "charset=" in headers["Content-Type"]


def _links(url, html):
    doc = lxml.html.fromstring(html)
    out = {urljoin(url, h.strip()) for h in doc.xpath("//a/@href")}
    for n, _i, name, ext in re.findall(r'createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*"([^"]+)"\s*,\s*"([^"]+)"', html):
        out |= {urljoin(url, f"{name}{'' if k == 0 else f'_{k}'}.{ext}") for k in range(int(n))}
    m = re.search(r"var countPage = (\d+)", html)
    if m:
        ext = re.search(r'href=\\"index\.(\w+)\\"', html).group(1)
        out |= {urljoin(url, f"index{'' if k == 0 else f'_{k}'}.{ext}") for k in range(int(m.group(1)))}
    return {urlunsplit(urlsplit(u)._replace(fragment="")) for u in out if u.startswith("http")}


def _jpage_records(opener, url, html):
    m = re.search(r"proxyUrl\s*:\s*'([^']+)'.*?ajaxParam\s*:\s*\{([^}]*)\}", html, re.S)
    if not m:
        return set()
    params = dict(kv.split(":", 1) for kv in m.group(2).split(","))
    form = "&".join(f"{k.strip()}={urllib.parse.quote(v.strip().strip(chr(39)))}" for k, v in params.items()).encode()
    out, start = set(), 1
    while True:
        xml = fetch(opener, urljoin(url, f"{m.group(1)}?startrecord={start}&endrecord={start + 44}&perpage=15"),
                    data=form)[2].decode()
        out |= {urljoin(url, h) for h in re.findall(r'href="([^"]+)"', xml.split("<recordset>")[1])}
        total = int(re.search(r"<totalrecord>(\d+)</totalrecord>", xml).group(1))
        start += 45
        if start > total:
            return out


def _script_records(url, html):
    """Links held in a script: a JSON array (var listData = […]) and Fujian listModel pages past the
    static one, POSTed for to /fjdzapp/search (JSON)."""
    out = set()
    m = re.search(r"var listData = (\[.*?\]);\n", html, re.S)
    if m:
        out |= {urljoin(url, r["url"]) for r in __import__("json").loads(m.group(1))}
    m = re.search(r"listModel\(.*?channelid:(\d+).*?prepage:(\d+), recordCount:'(\d+)'", html, re.S)
    if m:
        channel, per, total = m.groups()
        for page in range(2, -(-int(total) // int(per)) + 1):
            form = urllib.parse.urlencode({"channelid": channel, "prepage": per, "page": page}).encode()
            answer = fetch(urllib.request.build_opener(urllib.request.ProxyHandler(_PROXY)),
                           urljoin(url, "/fjdzapp/search"), data=form)[2]
            out |= {d["url"] for d in __import__("json").loads(answer)["docs"]}
    return out


_PROXY: dict = {}


def test_list_pages_lead_to_every_detail_page(web, opener):
    """From the registry start URLs and the home pages, following same-host links on list pages only
    (plus createPageHTML/countPage paging and jpage dataproxy), every detail page is found and no
    robots-forbidden page is needed."""
    details = {u for d in truth.detail_pages() for u in d["part_urls"]}
    lists = set(truth.list_pages())
    robots = {}
    seen, found = set(), set()
    _PROXY.update(http=web.proxy_url)
    searches = [e["search_url"].replace("{query}", urllib.parse.quote("法治政府建设年度报告"))
                for e in truth.registry() if e.get("search_url")]
    queue = deque(truth.start_urls() + [p.url(p.home) for p in model.PORTALS] + searches)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        host = urlsplit(url).hostname
        if host not in robots:
            rp = robots[host] = urllib.robotparser.RobotFileParser()
            rp.parse(fetch(opener, f"http://{host}/robots.txt")[2].decode().splitlines())
        if not robots[host].can_fetch("lawgov", url):
            continue
        status, headers, body = fetch(opener, url)
        if status != 200:
            continue
        if url in details and not headers["Content-Type"].startswith("text/"):
            found.add(url)  # a report listed as a file
            continue
        html = decode(headers, body)
        if url in details:
            found.add(url)
            # only article paging (split articles) is followed from a detail page
            links = {u for u in _links(url, html) if u in details and u.rsplit("_", 1)[0] in url}
        else:
            links = _links(url, html) | _jpage_records(opener, url, html) | _script_records(url, html)
        for link in links:
            if urlsplit(link).hostname == host and link not in seen:
                queue.append(link)
    assert details - found == set()
    # the one column linked from nowhere: its reports are found through the portal's site search
    assert lists - seen == {"http://www.longquan.gov.cn.test/col/col5010/index.html"}, "list pages not reachable"
    assert not set(truth.forbidden_urls()) & found


def _body_lines(family, html):
    if family == "hanweb":
        seg = html.split("<!--ZJEG_RSS.content.begin-->")[1].split("<!--ZJEG_RSS.content.end-->")[0]
        node = lxml.html.fragment_fromstring(seg, create_parent="div")
    else:
        doc = lxml.html.fromstring(html)
        trs, ucap = "//div[contains(@class,'TRS_Editor') or contains(@class,'TRS_UEDITOR')]", "//ucapcontent"
        xp = {"trs": trs, "fujian": trs, "ucap": ucap, "jsonlist": ucap, "table": "//td[@id='fontzoom']"}[family]
        (node,) = doc.xpath(xp)
    for bad in node.xpath(".//style|.//script|.//meta"):
        bad.drop_tree()
    for br in node.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    for tr in node.xpath(".//tr"):  # cells joined by a tab, as the extraction contract says
        for td in tr.xpath("./td")[:-1]:
            td.tail = "\t" + (td.tail or "")
    for blk in node.xpath(".//p[not(ancestor::td)]|.//tr|.//div"):
        blk.tail = "\n" + (blk.tail or "")
    return [x.strip() for x in node.text_content().split("\n") if x.strip()]


def test_served_bodies_match_gold_text(opener):
    for d in truth.detail_pages():
        if d["attachment"]:
            continue  # a stub page (tests/test_attachments.py checks the stub and the file's text)
        whole = []
        for i, url in enumerate(d["part_urls"]):
            status, headers, body = fetch(opener, url)
            lines = _body_lines(d["family"], decode(headers, body))
            if len(d["part_urls"]) > 1:
                assert lines == truth.gold_text(d["url"], part=i), url
                if i:
                    assert lines == truth.gold_text(url), url
            else:
                assert lines == truth.gold_text(url), url
            whole += lines
        assert whole == truth.gold_text(d["url"])


def test_detail_pages_carry_real_chrome(opener):
    for d in truth.detail_pages():
        if d["gateway"] or d["url"] == d["attachment_url"]:
            continue
        status, headers, body = fetch(opener, d["url"])
        html = decode(headers, body)
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        p = truth.portal_for(d["url"])
        assert title == f"{d['title']}_{p.site_name}"
        missing = [c for c in CHROME if c not in html and not (c == "【字体：" and "字号:[" in html)]
        assert not missing, (d["url"], missing)
        assert re.search(r'(?i)<meta name="articletitle" content="', html)
        assert re.search(r"(?i)<a [^>]*href=\"http://www\.gov\.cn/\"", html) or "www.gov.cn" in html
        if d["is_report"]:
            assert re.search(r"索\s*引\s*号|信息索引号|索引号", html), d["url"]


def test_split_article_pages():
    (d,) = [d for d in truth.detail_pages() if d["url"].endswith("t20240328_693227.html")]
    assert [u.rsplit("/", 1)[1] for u in d["part_urls"]] == [
        "t20240328_693227.html", "t20240328_693227_1.html", "t20240328_693227_2.html"]
    w = SampleWeb()
    for i, u in enumerate(d["part_urls"]):
        status, _, body = w.respond("GET", u)
        assert status == 200
        assert f'createPageHTML(3,{i},"t20240328_693227","html")' in body.decode()


# -- the model and the truth -----------------------------------------------------------------------

def test_model_coverage():
    fams = {p.family for p in model.PORTALS}
    assert len(model.PORTALS) >= 8 and fams >= {"trs", "hanweb", "ucap", "table"}
    assert sum(p.family == "trs" for p in model.PORTALS) >= 2
    assert {p.variant for p in model.PORTALS if p.family == "trs"} >= {"trs-editor", "trs-ueditor"}
    starts = {p.key: p.start for p in model.PORTALS}
    assert any(s == (p.home,) or s == ("/",) for p in model.PORTALS for s in [starts[p.key]])
    assert any(s[0] in [c.path for c in p.columns if c.paging != "nav"] for p in model.PORTALS for s in [p.start])
    n_pages = len(truth.detail_pages()) + len(truth.list_pages())
    assert 60 <= n_pages <= 200


def test_expected_reports():
    reps = truth.expected_reports()
    hosts = lambda k: {urlsplit(u).hostname for u in reps[k]["urls"]}  # noqa: E731
    assert hosts("jialing-2021") == {"www.cnjialing.gov.cn.test", "www.nanchong.gov.cn.test"}
    assert hosts("jiaojiang-2023") == {"www.jiaojiang.gov.cn.test", "www.zjtz.gov.cn.test"}
    xs = reps["xiangshan-2020"]["urls"]
    assert len(xs) == 2 and any("/gate/big5/www.xiangshan.gov.cn.test/" in u for u in xs)
    assert reps["nanchong-2023"]["year"] == 2023 and reps["xiangcheng-2020"]["year"] == 2020
    levels = {truth.portal_for(u).level for r in reps.values() for u in r["urls"]}
    assert levels >= {"city", "county", "department"}
    assert any(d["issuer"] and "街道" in d["issuer"] for d in truth.detail_pages() if d["is_report"])
    lookalikes = [d["title"] for d in truth.detail_pages() if not d["is_report"] and d["body_file"]]
    for word in ("政府信息公开工作年度报告", "解读", "通知", "会议", "政府工作报告", "实施方案"):
        assert any(word in t for t in lookalikes), word


def test_gateway_truth():
    (d,) = [d for d in truth.detail_pages() if d["gateway"] and d["is_report"]]
    assert d["title"] == "相山区2020年法治政府建设工作情况报告"
    assert d["displayed_title"] == "相山區2020年法治政府建設工作情況報告"
    lines = truth.gold_text(d["url"])
    assert "區(qū)" in lines[0]
    simp = [x for x in truth.detail_pages() if x["doc_key"] == d["doc_key"] and not x["gateway"]][0]
    assert len(truth.gold_text(simp["url"])) == len(lines)


def test_bodies_are_clean():
    chrome = ("扫一扫", "网站标识码", "ICP备", "当前位置", "中国政府网", "市政府门户网站提醒您", "发布日期", "索引号",
              "信息索引号", "来源:", "时间:")
    for f in sorted(BODIES.glob("*.txt")):
        lines = body_file_lines(f.name)
        text = "\n".join(lines)
        assert not [c for c in chrome if c in text], f.name
        assert lines[0] != "|"
        if not f.name.startswith(("jialing_2021", "tielingxian_2021", "jiaojiang_2023", "xiangcheng_2020",
                                  "xiangshan_2020")):
            assert 750 <= len(text) <= 3000, (f.name, len(text))
    t001 = "\n".join(body_file_lines("tielingxian_2021_report.txt"))
    assert "《铁岭县贯彻落实 <辽宁省贯彻法治中国建设规划实施方案(2021—2025年)> 责任分工细则》" in t001
    assert "责任闭环体系。 法治社会" not in t001 and not t001.split("\n")[3].endswith(">")
    assert t001.startswith("县人大常委会:") and t001.endswith("铁岭县人民政府\n2022年7月4日")
    simp = "\n".join(body_file_lines("xiangshan_2020_report.txt"))
    assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", simp) and "区" in simp and "區" not in simp
    assert "區(qū)" in "\n".join(body_file_lines("xiangshan_2020_report.big5.txt"))
    assert not body_file_lines("xiangcheng_2020_report.txt")[0].startswith("襄城区人民政府2020年度")


def test_portals_yaml_is_generated_from_model():
    assert (ROOT / "sampleweb" / "portals.yaml").read_text(encoding="utf-8") == model.registry_yaml()
    import yaml
    entries = yaml.safe_load((ROOT / "sampleweb" / "portals.yaml").read_text(encoding="utf-8"))["portals"]
    for e in entries:
        assert re.fullmatch(r"\d{6}", e["region_code"])
        assert all(u.startswith("http://") and ":" not in urlsplit(u).netloc for u in e["start_urls"])
    try:
        from crawler.portals import load_portals
    except ImportError:
        return
    assert len(load_portals(ROOT / "sampleweb" / "portals.yaml")) == len(model.PORTALS)
