import json
import math
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from keras_lrfinder import LRFinderResult, NoSuggestionError
from keras_lrfinder.smoothing import smooth
from keras_lrfinder.sweep import sweep_learning_rates
from tests.curves import typical_curve


def make_result(**overrides):
    rates, losses = typical_curve(noise=0.05)
    arguments = {"learning_rates": rates, "losses": losses, "smoothing": 0.9, "stop_reason": "diverged"}
    return LRFinderResult(**{**arguments, **overrides})


def test_smoothed_losses_are_the_moving_average_of_the_losses():
    result = make_result()
    np.testing.assert_array_equal(result.smoothed_losses, smooth(result.losses, 0.9))


def test_suggestion_uses_consensus_by_default_and_takes_a_method():
    result = make_result(optimizer_kind="adaptive")
    assert result.suggestion() == result.suggestion("consensus") != result.suggestion("knee")
    assert result.suggestion("minimum") != result.suggestion("valley")


@pytest.mark.parametrize("kind, factor", [("sgd", 1.5), ("adaptive", 0.25)])
def test_knee_moves_its_suggestion_for_the_optimizer_the_result_records(kind, factor):
    unknown = make_result()
    known = make_result(optimizer_kind=kind)
    assert known.suggestion("knee") == pytest.approx(factor * unknown.suggestion("knee"), rel=1e-12)
    assert known.suggestion("valley") == unknown.suggestion("valley")


def test_validation_losses_round_trip_and_are_plotted(tmp_path):
    rates, losses = typical_curve()
    validation_losses = losses + 0.1
    validation_losses[-1] = np.inf
    result = make_result(losses=losses, validation_losses=validation_losses)
    result.save(tmp_path / "result.json")
    np.testing.assert_array_equal(LRFinderResult.load(tmp_path / "result.json").validation_losses, validation_losses)
    assert LRFinderResult(rates, losses).validation_losses is None
    labels = [text.get_text() for text in result.plot().get_legend().get_texts()]
    assert "validation loss" in labels
    with pytest.raises(ValueError, match="one loss per step. Received: shape \\(3,\\) for 100 steps"):
        make_result(validation_losses=[1.0, 2.0, 3.0])


def test_save_and_load_round_trip_exactly(tmp_path):
    losses = typical_curve()[1]
    losses[-3:] = [np.inf, -np.inf, np.nan]
    result = make_result(losses=losses, stop_reason="non_finite", mode="linear")
    result.save(tmp_path / "result.json")
    text = (tmp_path / "result.json").read_text()
    json.loads(text, parse_constant=lambda name: pytest.fail(f"not strict JSON: {name}"))
    loaded = LRFinderResult.load(tmp_path / "result.json")
    np.testing.assert_array_equal(loaded.learning_rates, result.learning_rates)
    np.testing.assert_array_equal(loaded.losses, result.losses)
    assert (loaded.smoothing, loaded.stop_reason, loaded.mode) == (0.9, "non_finite", "linear")


def test_loading_something_else_is_refused(tmp_path):
    (tmp_path / "other.json").write_text('{"learning_rates": []}')
    with pytest.raises(ValueError, match="Not a keras-lrfinder result"):
        LRFinderResult.load(tmp_path / "other.json")


def test_the_curve_is_read_only():
    result = make_result()
    with pytest.raises(ValueError):
        result.losses[0] = 0.0


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"losses": [1.0, 2.0]}, "same length"),
        ({"stop_reason": "bored"}, "Received: stop_reason='bored'"),
        ({"optimizer_kind": "Adam"}, "Received: optimizer_kind='Adam'"),
    ],
)
def test_bad_fields_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        make_result(**overrides)


class FakeOptimizer:
    learning_rate = 0.5


class FakeModel:
    optimizer = FakeOptimizer()


def test_apply_sets_the_optimizers_learning_rate():
    model = FakeModel()
    result = make_result()
    assert result.apply(model) == result.suggestion()
    assert model.optimizer.learning_rate == result.suggestion()


def test_apply_refuses_an_uncompiled_model():
    model = FakeModel()
    model.optimizer = None
    with pytest.raises(ValueError, match="must be compiled"):
        make_result().apply(model)


def test_plot_draws_raw_and_smoothed_curves_on_a_log_axis_and_marks_the_suggestion():
    result = make_result()
    ax = result.plot()
    assert ax.get_xscale() == "log"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["loss", "smoothed loss"]
    raw, smoothed = ax.get_lines()[:2]
    assert raw.get_alpha() < 1 and smoothed.get_linewidth() > raw.get_linewidth()
    suggestion = f"{result.suggestion():.2e}"
    assert any(suggestion in label for label in labels)
    legend_texts = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any(suggestion in text for text in legend_texts)


def test_plot_marks_the_method_it_is_given_and_draws_on_a_given_axes():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    result = make_result()
    assert result.plot(ax, method="minimum") is ax
    assert any(f"{result.suggestion('minimum'):.2e}" in line.get_label() for line in ax.get_lines())


def test_linear_sweeps_plot_on_a_linear_axis():
    rates = sweep_learning_rates(0.01, 1.0, 50, "linear")
    result = LRFinderResult(rates, np.linspace(2, 1, 50), mode="linear")
    assert result.plot().get_xscale() == "linear"


def test_plot_does_not_show_unless_asked(monkeypatch):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(True))
    make_result().plot()
    assert shown == []
    make_result().plot(show=True)
    assert shown == [True]


@pytest.mark.filterwarnings("ignore:The loss is lowest:UserWarning")
@settings(max_examples=60, deadline=None)
@given(
    losses=arrays(
        np.float64,
        st.integers(0, 150),
        elements=st.one_of(st.floats(-1e9, 1e9), st.sampled_from([math.nan, math.inf, -math.inf])),
    )
)
def test_plot_never_crashes(losses):
    import matplotlib.pyplot as plt

    rates = sweep_learning_rates(1e-7, 10.0, max(len(losses), 2))[: len(losses)]
    ax = LRFinderResult(rates, losses).plot()
    plt.close(ax.figure)


def test_no_suggestion_is_said_on_the_plot_instead_of_failing():
    result = LRFinderResult(sweep_learning_rates(1e-7, 10.0, 50), np.linspace(1, 3, 50))
    with pytest.raises(NoSuggestionError):
        result.suggestion()
    ax = result.plot()
    assert any("no suggestion" in text.get_text() for text in ax.texts)


def test_the_pure_core_imports_neither_keras_nor_matplotlib():
    code = (
        "import sys, keras_lrfinder as k;"
        "r = k.LRFinderResult([1e-3, 1e-2], [1.0, 0.5]); r.to_dict();"
        "print('keras' in sys.modules, 'matplotlib' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.split() == ["False", "False"]
