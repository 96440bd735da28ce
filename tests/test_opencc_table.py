"""normalize.to_simplified skips OpenCC for text it would not change (pipelines/opencc_table.py):
the shipped table is what the installed OpenCC gives, and the fast path answers exactly as OpenCC."""

import random
import re

import opencc
import pytest

from pipelines import normalize
from pipelines.normalize import OPENCC_CONFIG, to_simplified
from pipelines.opencc_table import build, config_stages, load, read_dictionary
from tests.test_normalize import SHARED_SEEDS, all_seed_texts

CONV = opencc.OpenCC(OPENCC_CONFIG)


def plain_opencc(text: str) -> str:
    """to_simplified without the fast path (a converter of its own)."""
    return normalize._converted_until_stable(CONV, text)


def test_shipped_table_is_the_installed_openccs():
    chars, phrases = build(OPENCC_CONFIG)
    assert load() == (frozenset(chars), dict(phrases)), "regenerate: python -m pipelines.opencc_table"


def test_table_examples():
    chars, phrases = load()
    assert {"區", "設", "國", "衞", "説"} <= chars  # Traditional, and Hong Kong variants
    assert not {"区", "设", "法", "覆", "坏", "秘"} & chars
    assert phrases["反覆"] == "覆" and phrases["沈默"] == "沈" and phrases["打坏"] == "坏"


def test_simplified_text_skips_opencc():
    to_simplified("x")  # loads the table
    raw = all_seed_texts()
    # the four Simplified seeds as published hold 覆 (覆盖) and 秘 (秘书) but none of their phrases
    assert [normalize._opencc_may_change(t) for t in raw] == [True] + [
        "shared/seeds/003" in str(p) for p in sorted(SHARED_SEEDS.glob("*.txt"))]
    # and every normalized seed is Simplified (the Traditional one too, once converted)
    assert not any(normalize._opencc_may_change(normalize.normalize_text(t)) for t in raw)


def _texts_to_try() -> list[str]:
    texts = []
    for seed in all_seed_texts():
        texts.append(seed)
        simplified = plain_opencc(seed)
        texts += [simplified] + [opencc.OpenCC(c).convert(simplified) for c in ("s2t", "s2hk", "s2tw")]
    return texts


def _pool() -> list[str]:
    """Every key and value of every dictionary the config uses, and each changing phrase."""
    pool = set(load()[1])
    for stage in config_stages(OPENCC_CONFIG):
        for name in stage:
            for key, values in read_dictionary(name):
                pool.add(key)
                pool.update(values)
    return sorted(pool)


def test_fast_path_answers_as_opencc_on_seeds_and_their_conversions():
    for text in _texts_to_try():
        for line in text.splitlines():
            assert to_simplified(line) == plain_opencc(line), line
        assert to_simplified(text) == plain_opencc(text)


def test_fast_path_answers_as_opencc_on_random_text():
    rng = random.Random(7)
    pool = _pool()
    common = list("的一是在了和有法治政府建设工作推进依法行政覆盖破坏秘书长沉默反复回复批复，。、\n 2024年")
    for _ in range(20000):
        pieces = [rng.choice(pool) if rng.random() < 0.4 else rng.choice(common) for _ in range(rng.randint(1, 8))]
        text = "".join(pieces)
        assert to_simplified(text) == plain_opencc(text), text


@pytest.mark.parametrize("phrase", sorted(load()[1]))
def test_every_changing_phrase_in_simplified_context(phrase):
    text = f"依法行政{phrase}覆盖全区"
    assert to_simplified(text) == plain_opencc(text) != text


def test_without_the_phrases_the_fast_path_would_be_wrong(monkeypatch):
    to_simplified("x")
    changing_char, _phrase_char, _anchors = normalize._changes
    monkeypatch.setattr(normalize, "_changes", (changing_char, re.compile("(?!)"), {}))
    assert to_simplified("反覆研究") == "反覆研究" != plain_opencc("反覆研究") == "反复研究"


def test_characters_beyond_the_bmp_go_to_opencc():
    to_simplified("x")
    assert normalize._opencc_may_change("依法行政\U00020000")  # (an astral character OpenCC leaves alone)
    assert not normalize._opencc_may_change("依法行政覆盖秘书长")
    assert normalize._opencc_may_change("依法行政批覆") and normalize._opencc_may_change("覆信")
