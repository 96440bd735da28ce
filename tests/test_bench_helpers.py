"""The figures `make bench` derives from its measurements (lawgov/bench.py): the median ratio's
bootstrap interval and the verdict printed against the target."""

import statistics

from lawgov.bench import median_interval, verdict


def test_interval_of_equal_pairs_is_that_value():
    assert median_interval([0.72] * 5) == (0.72, 0.72)


def test_interval_holds_the_median_within_the_pairs_and_is_repeatable():
    pairs = [0.86, 0.72, 0.66, 0.67, 0.75]
    lo, hi = median_interval(pairs)
    assert min(pairs) <= lo <= statistics.median(pairs) <= hi <= max(pairs)
    assert lo < hi  # five spread pairs do not pin their median down
    assert median_interval(pairs) == (lo, hi)


def test_more_pairs_narrow_it():
    pairs = [0.86, 0.72, 0.66, 0.67, 0.75]
    lo5, hi5 = median_interval(pairs)
    lo20, hi20 = median_interval(pairs * 4)
    assert hi20 - lo20 < hi5 - lo5


def test_verdict():
    assert verdict(0.71, 0.80, 0.7) == "met"
    assert verdict(0.60, 0.69, 0.7) == "missed"
    assert verdict(0.66, 0.75, 0.7).startswith("inside")
