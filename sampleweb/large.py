"""A large sample web for benchmarks: many county portals, each with a long report column.

Every portal is a copy of the 嘉陵区 UCAP portal (start at the report column, 下一页 pagination)
with its own host, issuer and articles. Articles reuse the shipped bodies (reports and look-alikes
in turn); each text carries its county's name and the article's number, so every report is a
distinct document, of realistic length, rendered by the same templates as the small sample web.

    from sampleweb.large import large_portals, registry_yaml
    portals = large_portals(50, 200)              # 50 portals x 200 articles (+ list pages)
    with SampleWeb(portals) as web: ...           # sampleweb.server.SampleWeb takes any portals
    Path("large.yaml").write_text(registry_yaml(portals))
"""

from __future__ import annotations

import dataclasses
import random

import yaml

from sampleweb.model import JIALING, Article, Column, Portal, _hex
from sampleweb.text import body_file_lines

REPORT_BODIES = ("jialing_2021_report.txt", "tielingxian_2023_report.txt", "xiangcheng_2020_report.txt",
                 "nanchong_sfj_2023_report.txt", "jiaojiang_2023_report.txt", "haimen_2022_report.txt")
LOOKALIKE_BODIES = ("jialing_meeting_2023.txt", "nanchong_notice_2023.txt", "nanchong_jiedu_2023.txt")
REPORTS_EVERY = 2  # one article in two is a report, the others are look-alikes
PER_PAGE = 20  # list page length: shorter lists mean a longer serial chain of 下一页 pages


def _article(county: str, host_key: str, i: int) -> Article:
    year = 2019 + i // 10 % 6  # spread over years (a county here publishes several a year)
    month = 1 + i % 12
    published = f"{year + 1}-{month:02d}-{1 + i % 28:02d} 09:{i % 60:02d}"
    path = f"/jlq/c104012/{year + 1}{month:02d}/{_hex(f'{host_key}-{i}')}.shtml"
    if i % REPORTS_EVERY == 0:
        # paragraphs drawn from every shipped report, so that reports are distinct documents and
        # not near-duplicates of each other (the archive merges those)
        rng = random.Random(f"{host_key}-{i}")
        pool = [ln for name in REPORT_BODIES for ln in body_file_lines(name)[1:]]
        body = rng.sample(pool, min(len(pool), 40))
        title = f"{county}人民政府关于{year}年度法治政府建设工作的报告"
        lines = (f"{year}年，{county}深入推进依法行政，加快建设法治政府（编号{host_key}-{i}）。", *body)
        return Article(f"a{i}", path, title, published, "c104012", text=lines, is_report=True,
                       year=year, issuer=f"{county}人民政府", source=f"{county}司法局",
                       written=f"{year + 1}-{month:02d}-01", index_no=f"1151{i:04d}/{year + 1}-{i:05d}")
    body = body_file_lines(LOOKALIKE_BODIES[i // REPORTS_EVERY % len(LOOKALIKE_BODIES)])
    title = f"{county}召开{year}年度法治政府建设工作推进会"
    lines = (f"{county}召开法治政府建设工作推进会（编号{host_key}-{i}）。",) + body[1:]
    return Article(f"a{i}", path, title, published, "c104012", text=lines, issuer=f"{county}司法局",
                   source=f"{county}司法局")


_NAME_CHARS = "安宁平和丰泰康盛兴顺永昌嘉禾清远明德"


def county_name(n: int) -> str:
    """A distinct, plausible county name per number (no words the classifier reads as 样本/范文)."""
    chars = []
    while True:
        n, r = divmod(n, len(_NAME_CHARS))
        chars.append(_NAME_CHARS[r])
        if len(chars) >= 2 and n == 0:
            break
    return "".join(chars) + "县"


def large_portals(n_portals: int, articles_per_portal: int) -> tuple[Portal, ...]:
    out = []
    for n in range(n_portals):
        key = f"big{n:04d}"
        county = county_name(n)
        columns = (
            Column("zfxxgk", "政府信息公开", "/jlq/zfxxgk/index.shtml", "nav", children=("c104012",)),
            Column("c104012", "法治政府建设", "/jlq/c104012/list.shtml", "next-link", per_page=PER_PAGE,
                   parent="zfxxgk"),
        )
        out.append(dataclasses.replace(
            JIALING, key=key, name=f"{county}人民政府", host=f"www.{key}.gov.cn.test",
            site_name=f"{county}人民政府", issuer=f"{county}人民政府", home_blocks=(),
            columns=columns, notes="", menu=(("首页", "/index.shtml"),), links=(),
            articles=tuple(_article(county, key, i) for i in range(articles_per_portal)),
        ))
    return tuple(out)


def registry_yaml(portals: tuple[Portal, ...]) -> str:
    entries = [{"name": p.name, "start_urls": [p.url(s) for s in p.start], "issuer": p.issuer,
                "region_code": p.region_code, "level": p.level} for p in portals]
    return yaml.safe_dump({"portals": entries}, allow_unicode=True, sort_keys=False, width=100)
