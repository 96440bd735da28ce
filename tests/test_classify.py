"""pipelines.classify: report vs look-alike, the reason, and the covered year."""

from pathlib import Path

import opencc
import pytest

from pipelines import classify_rules as R
from pipelines.classify import classify, covered_year
from pipelines.eval_classify import TARGET_PRECISION, TARGET_RECALL, evaluate, load_labelled
from pipelines.normalize import normalize_text

DATA = Path(__file__).parent / "data"
SEED003 = DATA / "seed003_trad_pinyin.txt"
SHARED_SEEDS = Path("/work/shared/seeds")


# --- titles -------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, reason", [
    ("椒江区2023年度法治政府建设情况的报告", "title:report-pattern"),
    ("铁岭县人民政府关于2022年度法治政府建设工作情况的报告", "title:report-pattern"),
    ("关于2023年度法治政府建设情况的报告", "title:report-pattern"),
    ("朝阳区司法局2021年法治政府建设年度报告", "title:report-pattern"),
    ("长沙县2023年度法治政府建设工作总结", "title:report-pattern"),
    ("市司法局关于2022年度法治政府建设工作情况的报告", "title:report-pattern"),
    ("2023年度法治政府建设工作报告", "title:report-pattern"),
    ("县人民政府关于2023年推进法治政府建设工作情况的报告", "title:report-pattern"),
    ("市卫生健康委员会2021年度法治政府建设和法治建设第一责任人职责履行情况报告",
     "title:report-pattern"),
    ("嘉陵區人民政府關於2021年度法治政府建設工作的報告", "title:report-pattern"),
    ("相山區(qū)2020年度法治政府建設(shè)工作報告", "title:report-pattern"),
    ("临海市2023年度法治政府建设工作报告_临海市人民政府", "title:report-pattern"),
    ("西城区2022年法治政府建设年度报告 - 北京市西城区人民政府", "title:report-pattern"),
    ("关于江北区2023年度法治政府建设情况的报告（全文）", "title:report-pattern"),
    ("县人民政府关于2022年度法治政府建设工作情况的报告——2023年4月26日在县第十八届人民代表大会"
     "常务委员会第十次会议上", "title:report-pattern"),
    ("市司法局2022年度法治建设工作情况暨2023年工作要点的报告", "title:report-pattern:secondary-topic"),
    ("区人社局2023年度法治政府建设工作总结及2024年工作计划", "title:report-pattern:with-plan"),
])
def test_report_titles(title, reason):
    assert classify(title, "") == (True, reason)


@pytest.mark.parametrize("title, reason", [
    ("某区人民政府2023年政府信息公开工作年度报告", "title:lookalike:政府信息公开年度报告"),
    ("《某区2023年度法治政府建设情况报告》解读", "title:lookalike:解读"),
    ("一图读懂某区2022年度法治政府建设年度报告", "title:lookalike:解读"),
    ("关于做好2023年度法治政府建设年度报告工作的通知", "title:lookalike:文种:通知"),
    ("关于报送2022年度法治政府建设情况报告的通知", "title:lookalike:文种:通知"),
    ("某市2023年法治政府建设工作要点", "title:lookalike:文种:要点"),
    ("某县法治政府建设实施方案(2021-2025年)", "title:lookalike:文种:方案"),
    ("某市法治政府建设示范创建工作情况报告", "title:lookalike:示范创建"),
    ("某县召开2023年度法治政府建设工作会议", "title:lookalike:新闻动态"),
    ("区长主持召开区政府常务会议 听取法治政府建设情况汇报", "title:lookalike:新闻动态"),
    ("2023年某市政府工作报告", "title:lookalike:政府工作报告"),
    ("某市法治政府建设第三方评估报告", "title:lookalike:第三方评估"),
    ("某市年鉴2022·法治政府建设", "title:lookalike:年鉴"),
    ("关于2022年度法治政府建设考核结果的通报", "title:lookalike:考核督察"),
    ("某区2023年度法治政府建设情况报告(征求意见稿)", "title:lookalike:征求意见稿"),
    ("某市2023年度党政主要负责人履行推进法治建设第一责任人职责情况报告",
     "title:lookalike:第一责任人履职报告"),
    ("2023年上半年法治政府建设工作总结", "title:lookalike:非年度"),
    ("《相山區2020年度法治政府建設工作報告》解讀", "title:lookalike:解读"),
])
def test_lookalike_titles(title, reason):
    assert classify(title, "") == (False, reason)


# --- title and body together --------------------------------------------------------------------

def test_ambiguous_title_decided_by_body():
    body = ("2023年,市司法局在市委、市政府的坚强领导下,统筹推进法治政府建设。"
            "现将2023年度法治政府建设工作情况报告如下:\n一、主要举措和成效")
    assert classify("2023年度工作报告", body) == (True, "body:report-opening")
    generic = "2023年,市司法局在市委、市政府的坚强领导下,各项工作取得新成效。\n一、全年工作完成情况"
    assert classify("2023年度工作报告", generic) == (False, "title:generic-report")


def test_empty_title_with_report_body():
    body = "现将2022年度法治政府建设情况报告如下:\n一、主要举措和成效"
    assert classify("", body) == (True, "body:report-opening")
    addressed = "县人大常委会:\n2021年,我县切实将法治政府建设与履行政府职能有机结合。"
    assert classify("", addressed) == (True, "body:addressed-report")
    assert classify("", "近日,区司法局召开法治政府建设工作推进会。") == (False, "no-report-signal")
    assert classify("", "") == (False, "no-report-signal")


def test_body_openings_that_are_not_reports():
    plan = ("2023年全市法治政府建设工作的总体要求是:坚持以习近平新时代中国特色社会主义思想为指导。\n"
            "一、深入学习贯彻习近平法治思想")
    assert classify("", plan) == (False, "no-report-signal")
    notice = ("各县(市、区)人民政府,市政府各部门:\n为贯彻落实《法治政府建设与责任落实督察工作规定》,"
              "现就做好2023年度法治政府建设年度报告工作通知如下:")
    assert classify("", notice) == (False, "no-report-signal")
    gov_info = "根据《中华人民共和国政府信息公开条例》规定,现将本机关2023年度政府信息公开工作情况报告如下:"
    assert classify("", gov_info) == (False, "no-report-signal")


def test_news_title_not_rescued_by_news_body():
    body = "近日,某市人民政府门户网站公开发布了《某市2023年度法治政府建设年度报告》。"
    assert classify("某市发布2023年度法治政府建设年度报告", body) == (False, "title:lookalike:新闻动态")


def test_list_page_is_not_a_report():
    body = ("当前位置:首页 > 法治政府建设年度报告\n某区2023年度法治政府建设情况报告\n"
            "某区2022年度法治政府建设情况报告\n某区2021年度法治政府建设情况报告")
    assert classify("法治政府建设年度报告", body) == (False, "title:generic-report-name")


def test_seed003_traditional_pinyin_body_without_title():
    raw = SEED003.read_text(encoding="utf-8")
    assert classify("", raw) == (True, "body:year-opening")
    assert classify("", normalize_text(raw)) == (True, "body:year-opening")
    assert covered_year("", raw, "2021-02-01") == 2020


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="shared seeds not available")
def test_all_seed_bodies_are_reports_without_title():
    for path in sorted(SHARED_SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        is_report, reason = classify("", text)
        assert is_report, (path.name, reason)
        assert reason.startswith("body:")


def test_traditional_input_classifies_like_simplified():
    s2t = opencc.OpenCC("s2t")
    for title in ["某县人民政府关于2022年度法治政府建设工作情况的报告", "某区2023年政府信息公开工作年度报告",
                  "关于做好2023年度法治政府建设年度报告工作的通知"]:
        assert classify(s2t.convert(title), "") == classify(title, "")


# --- covered year --------------------------------------------------------------------------------

@pytest.mark.parametrize("title, body, published, year", [
    ("某区2022年度法治政府建设情况报告", "", "2023-03-01", 2022),
    ("市司法局关于法治建设工作情况暨2024年工作要点的报告", "", "2024-02-01", 2023),
    ("市司法局2023年度法治建设工作情况暨2024年工作要点的报告", "", "2024-02-01", 2023),
    ("关于2022年度法治政府建设情况和2023年工作安排的报告", "", "2023-04-01", 2022),
    ("某局2023年法治政府建设工作总结暨2024年工作要点", "", "2024-01-10", 2023),
    ("关于二〇二三年度法治政府建设工作情况的报告", "", "2024-03-01", 2023),
    ("某县法治政府建设实施纲要(2021-2025年)落实情况报告", "", "2023-03-01", 2022),
    ("某县人民政府关于2023年度法治政府建设情况的报告(丰政报〔2024〕5号)", "", "2024-04-01", 2023),
    ("2023年度法治政府建设重点任务完成情况报告", "", "2024-01-10", 2023),
    ("关于法治政府建设情况的报告", "现将2023年度法治政府建设情况报告如下:", "2024-03-01", 2023),
    ("关于法治政府建设情况的报告", "2023年,我区法治政府建设工作稳步推进。", "2024-03-01", 2023),
    ("", "发布日期: 2024- 03- 04 16: 22\n2023年,椒江区坚持依法行政。", "2024-03-04", 2023),
    ("", "时间:2022-03-22 09:46\n全区法治政府建设稳步推进。", "2022-03-22", 2021),
    ("法治政府建设工作报告", "2024年3月4日", "2024-03-04", 2023),
    ("某区2023年度法治政府建设工作报告", "", None, 2023),
    ("某区2023年度法治政府建设工作报告", "", "2022-05-01", 2021),   # implausible title year
    ("某区1998年度法治政府建设工作报告", "", "2023-03-01", 2022),   # before 2000
    ("法治政府建设工作报告", "", None, None),
    ("", "", "not a date", None),
])
def test_covered_year(title, body, published, year):
    assert covered_year(title, body, published) == year


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="shared seeds not available")
def test_covered_year_of_seed_bodies():
    expected = {"000": 2021, "001": 2021, "002": 2023, "003": 2020, "004": 2020}
    for path in sorted(SHARED_SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert covered_year("", text, None) == expected[path.name[:3]], path.name


# --- rule tables and the labelled set ------------------------------------------------------------

def test_rule_tables_are_well_formed():
    verdicts = {True, False, R.BODY, R.BODY_STRICT}
    for conditions, verdict, reason in R.TITLE_RULES:
        assert conditions and set(conditions) <= {"main", "core"}
        assert verdict in verdicts
        assert reason.startswith(("title:", "no-report-signal"))
    assert [name for name, _, _ in R.BODY_RULES] == [
        "title-line", "report-opening", "addressed-report", "year-opening"]


def test_labelled_set_shape():
    rows = load_labelled()
    assert len(rows) >= 150
    positives = sum(r["label"] for r in rows)
    assert 0.35 <= positives / len(rows) <= 0.65
    assert len({(r["title"], r["body"]) for r in rows}) == len(rows)


def test_eval_meets_targets():
    res = evaluate(load_labelled())
    wrong = [(kind, row["title"], reason) for kind, row, reason in res["errors"]]
    assert res["precision"] >= TARGET_PRECISION, wrong
    assert res["recall"] >= TARGET_RECALL, wrong
