"""Issuer kind, level, region and lateness enrichment."""

from __future__ import annotations


import pytest

from pipelines.enrich import enrich, index, parse_date, published_late

KEYS = {"issuer_kind", "level", "region_code", "province", "city", "county", "published_late"}


def e(issuer, portal=None, portal_level=None, published=None, year=None, title=None):
    return enrich(issuer, portal, portal_level, published, year, title)


@pytest.mark.parametrize("issuer,portal,kind,level,code", [
    # governments at each level
    ("国务院", None, "government", "central", None),
    ("四川省人民政府", None, "government", "province", "510000"),
    ("广西壮族自治区人民政府", None, "government", "province", "450000"),
    ("南充市人民政府", "511300", "government", "city", "511300"),
    ("台州市人民政府", "331000", "government", "city", "331000"),
    ("凉山州人民政府", None, "government", "city", "513400"),
    ("嘉陵区人民政府", "511304", "government", "county", "511304"),
    ("嘉陵区人民政府", "511300", "government", "county", "511304"),
    ("四川省南充市嘉陵区人民政府", None, "government", "county", "511304"),
    ("椒江区人民政府", "331002", "government", "county", "331002"),
    ("铁岭县人民政府", "211221", "government", "county", "211221"),
    ("襄城区政府", "420602", "government", "county", "420602"),
    ("相山区人民政府", "340603", "government", "county", "340603"),
    ("仙桃市人民政府", None, "government", "county", "429004"),
    ("区人民政府", "511304", "government", "county", "511304"),
    # departments: the level of the government they belong to
    ("南充市司法局", "511304", "department", "city", "511300"),
    ("南充市发展和改革委员会", None, "department", "city", "511300"),
    ("嘉陵区司法局", "511304", "department", "county", "511304"),
    ("来源:椒江区司法局", None, "department", "county", "331002"),
    ("嘉陵区人民政府办公室", "511304", "department", "county", "511304"),
    ("四川省司法厅", None, "department", "province", "510000"),
    ("南充市住房和城乡建设局", None, "department", "city", "511300"),
    ("县司法局", "211221", "department", "county", "211221"),
    ("市司法局", "511304", "department", "city", "511300"),
    ("司法局", "331002", "department", "county", "331002"),
    ("司法部", None, "department", "central", None),
    ("国务院办公厅", None, "department", "central", None),
    ("国家市场监督管理总局", None, "department", "central", None),
    # streets and towns: township level, region = the containing county
    ("椒江区人民政府海门街道办事处", None, "street-township", "township", "331002"),
    ("台州市椒江区海门街道办事处", None, "street-township", "township", "331002"),
    ("海门街道", "331002", "street-township", "township", "331002"),
    ("城关镇人民政府", "511304", "street-township", "township", "511304"),
    ("嘉陵区火花街道办事处", None, "street-township", "township", "511304"),
    ("腰堡镇人民政府", "211221", "street-township", "township", "211221"),
    # party-government joint issuers
    ("中共嘉陵区委 嘉陵区人民政府", None, "party-government", "county", "511304"),
    ("中共嘉陵区委、嘉陵区人民政府", "511304", "party-government", "county", "511304"),
    ("中共南充市委员会 南充市人民政府", None, "party-government", "city", "511300"),
    ("县委县政府", "211221", "party-government", "county", "211221"),
    ("党委政府", "331002", "party-government", "county", "331002"),
    ("中共火花镇委员会火花镇人民政府", "511304", "party-government", "township", "511304"),
    ("椒江区海门街道党工委、办事处", None, "party-government", "township", "331002"),
    # ambiguous names disambiguated by the portal's region
    ("朝阳区人民政府", "110000", "government", "county", "110105"),
    ("朝阳区人民政府", "220100", "government", "county", "220104"),
    ("朝阳区人民政府", None, "government", "county", None),
    ("鼓楼区人民政府", "350100", "government", "county", "350102"),
    ("鼓楼区人民政府", "320300", "government", "county", "320302"),
    ("鼓楼区司法局", "320106", "department", "county", "320106"),
    ("城关区人民政府", "620100", "government", "county", "620102"),
    ("市中区人民政府", "370100", "government", "county", "370103"),
    ("北京市朝阳区人民政府", "511304", "government", "county", "110105"),
    # renamed / merged divisions
    ("双流县人民政府", None, "government", "county", "510116"),
    ("闸北区人民政府", None, "government", "county", "310106"),
    ("襄樊市人民政府", None, "government", "city", "420600"),
])
def test_issuer(issuer, portal, kind, level, code):
    r = e(issuer, portal)
    assert set(r) == KEYS
    assert (r["issuer_kind"], r["level"], r["region_code"]) == (kind, level, code)


def test_names_along_the_chain():
    r = e("嘉陵区人民政府", "511300")
    assert (r["province"], r["city"], r["county"]) == ("四川省", "南充市", "嘉陵区")
    r = e("南充市司法局", "511304")
    assert (r["province"], r["city"], r["county"]) == ("四川省", "南充市", None)
    r = e("北京市朝阳区人民政府")
    assert (r["province"], r["city"], r["county"]) == ("北京市", None, "朝阳区")
    r = e("闸北区人民政府")
    assert r["county"] == "静安区"


@pytest.mark.parametrize("issuer", [None, "", "   ", "abc", 123, "某某", "报告"])
def test_unknown_issuer(issuer):
    r = e(issuer)
    assert r == dict.fromkeys(KEYS)


def test_unknown_issuer_falls_back_to_title_then_portal():
    r = e(None, "511304", "county", None, None, "嘉陵区人民政府关于2021年度法治政府建设工作的报告")
    assert (r["issuer_kind"], r["region_code"]) == ("government", "511304")
    r = e("某单位", "331000")
    assert (r["issuer_kind"], r["level"], r["region_code"], r["city"]) == (None, None, "331000",
                                                                             "台州市")


@pytest.mark.parametrize("portal", ["999999", "abc", "", 511304, "511304000000", None, object()])
def test_odd_portal_codes_never_raise(portal):
    r = e("嘉陵区人民政府", portal)
    assert r["region_code"] == "511304"


@pytest.mark.parametrize("published,year,late", [
    ("2022-04-01", 2021, False),
    ("2022-04-01 23:59:59", 2021, False),
    ("2022-04-02", 2021, True),
    ("2022-04-02 00:00", 2021, True),
    ("2022-03-22 09:46", 2021, False),
    ("2022年3月31日", 2021, False),
    ("2022/4/2", 2021, True),
    ("2024- 03- 04 16: 22", 2023, False),
    ("2021-12-30", 2021, False),
    ("2023-01-05", 2021, True),
    (None, 2021, None),
    ("", 2021, None),
    ("不详", 2021, None),
    ("2022-02-30", 2021, None),
    ("2022-04-02", None, None),
    ("2022-04-02", "2021", True),
    ("2022-04-02", "x", None),
    ("2022-04-02", True, None),
])
def test_published_late(published, year, late):
    assert published_late(published, year) is late
    assert e("嘉陵区人民政府", "511304", "county", published, year)["published_late"] is late


def test_deadline_same_for_departments_and_streets():
    for issuer in ("南充市司法局", "海门街道", "中共嘉陵区委 嘉陵区人民政府", None):
        assert e(issuer, "331002", None, "2024-04-01", 2023)["published_late"] is False
        assert e(issuer, "331002", None, "2024-04-02", 2023)["published_late"] is True


def test_table_covers_all_levels_and_is_fast():
    idx = index()
    levels = [d.level for d in idx.by_code.values()]
    assert levels.count("province") >= 31
    assert levels.count("city") >= 330
    assert levels.count("county") >= 2840
    for code in ("511304", "511300", "331002", "331000", "211221", "420602", "340603"):
        assert code in idx.by_code
    assert parse_date("发布日期:2024-03-04") is not None


@pytest.mark.parametrize("issuer, published, code, county, city", [
    ("杭州市下城区司法局", "2020-03-01", "330103", "下城区", "杭州市"),  # before the 2021 merger
    ("杭州市下城区司法局", "2022-03-01", "330105", "拱墅区", "杭州市"),  # after: today's division
    ("襄樊市人民政府", "2009-03-20", "420600", None, "襄樊市"),           # renamed 襄阳市 in 2010
])
def test_code_valid_at_publication(issuer, published, code, county, city):
    out = enrich(issuer, None, None, published, int(published[:4]) - 1)
    assert (out["region_code"], out["county"], out["city"]) == (code, county, city)
