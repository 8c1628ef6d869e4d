import dataclasses
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_lrfinder import LRFinderResult, RepeatedLRFinderResult
from tests.curves import typical_curve


def run(seed, best_lr=1e-2, noise=0.05, steps=100):
    rates, losses = typical_curve(num_steps=100, best_lr=best_lr, noise=noise, seed=seed)
    return LRFinderResult(rates[:steps], losses[:steps], smoothing=0.9, stop_reason="diverged")


def test_median_and_band_are_taken_over_the_steps_every_run_reached():
    runs = (run(0), run(1, steps=80), run(2, steps=90))
    result = RepeatedLRFinderResult(runs)
    assert len(result.learning_rates) == 80
    np.testing.assert_array_equal(result.learning_rates, runs[0].learning_rates[:80])
    stacked = np.stack([r.smoothed_losses[:80] for r in runs])
    np.testing.assert_array_equal(result.smoothed_losses, np.median(stacked, axis=0))
    low, high = result.band
    np.testing.assert_array_equal(low, stacked.min(axis=0))
    np.testing.assert_array_equal(high, stacked.max(axis=0))
    assert np.all(low <= result.smoothed_losses) and np.all(result.smoothed_losses <= high)


def test_spread_is_the_std_of_the_runs_log10_suggestions():
    runs = tuple(run(seed, best_lr=best_lr) for seed, best_lr in enumerate([1e-3, 1e-2, 1e-1]))
    result = RepeatedLRFinderResult(runs)
    expected = np.std(np.log10([r.suggestion("minimum") for r in runs]))
    assert result.spread("minimum") == pytest.approx(expected)
    assert result.spread("minimum") > 0.5  # the runs' minima are a decade apart


def test_identical_runs_have_no_spread_and_the_run_suggestion():
    result = RepeatedLRFinderResult((run(0), run(0), run(0)))
    assert result.spread() == 0
    assert result.suggestion() == run(0).suggestion()


def test_spread_leaves_out_runs_without_a_suggestion():
    flat = LRFinderResult(run(0).learning_rates, np.ones(100), smoothing=0.9)
    result = RepeatedLRFinderResult((run(0), flat, run(1)))
    assert math.isnan(result.suggestions()[1])
    assert math.isfinite(result.spread())
    assert math.isnan(RepeatedLRFinderResult((run(0), flat)).spread())


@settings(max_examples=30, deadline=None)
@given(seeds=st.lists(st.integers(0, 1000), min_size=2, max_size=6), noise=st.floats(0, 0.2))
def test_the_median_curve_suggestion_lies_within_the_sweep(seeds, noise):
    result = RepeatedLRFinderResult(tuple(run(seed, noise=noise) for seed in seeds))
    suggestion = result.suggestion()
    assert result.learning_rates[0] <= suggestion <= result.learning_rates[-1]


def test_runs_of_different_sweeps_are_refused():
    linear = LRFinderResult(np.linspace(1e-7, 10, 100), run(0).losses, smoothing=0.9)
    with pytest.raises(ValueError, match="share one sweep"):
        RepeatedLRFinderResult((run(0), linear))
    with pytest.raises(ValueError, match="Received: runs=()"):
        RepeatedLRFinderResult(())


def test_runs_of_different_kinds_of_optimizer_are_refused_and_one_kind_is_the_results():
    sgd, adaptive = (dataclasses.replace(run(0), optimizer_kind=kind) for kind in ("sgd", "adaptive"))
    with pytest.raises(ValueError, match="one kind of optimizer"):
        RepeatedLRFinderResult((sgd, adaptive))
    assert RepeatedLRFinderResult((sgd, sgd)).optimizer_kind == "sgd"


def test_save_and_load_round_trip(tmp_path):
    result = RepeatedLRFinderResult((run(0), run(1, steps=70)))
    result.save(tmp_path / "runs.json")
    loaded = RepeatedLRFinderResult.load(tmp_path / "runs.json")
    assert [r.to_dict() for r in loaded.runs] == [r.to_dict() for r in result.runs]
    with pytest.raises(ValueError, match="Not a repeated keras-lrfinder result"):
        RepeatedLRFinderResult.from_dict(run(0).to_dict())
    with pytest.raises(ValueError, match="Not a keras-lrfinder result"):
        LRFinderResult.load(tmp_path / "runs.json")


def test_plot_draws_each_run_the_band_the_median_and_the_suggestion_with_its_spread():
    result = RepeatedLRFinderResult((run(0), run(1), run(2)))
    ax = result.plot(method="minimum")
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[:3] == ["each run (smoothed)", "band: all runs", "median of 3 runs"]
    assert labels[3].startswith(f"suggestion (minimum): {result.suggestion('minimum'):.2e} ± ")
    assert len(ax.lines) >= 3 + 1  # three runs and the median, then the marker
    assert ax.get_xscale() == "log"
