import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_lrfinder.sweep import sweep_learning_rates


def test_exponential_matches_the_formula():
    rates = sweep_learning_rates(1e-7, 10.0, 100)
    i = np.arange(100)
    expected = 1e-7 * (10.0 / 1e-7) ** (i / 99)
    np.testing.assert_allclose(rates, expected, rtol=1e-7)
    assert len(rates) == 100


def test_linear_matches_the_formula():
    rates = sweep_learning_rates(0.1, 1.0, 10, mode="linear")
    np.testing.assert_allclose(rates, np.linspace(0.1, 1.0, 10), rtol=1e-7)


def test_rates_are_exactly_float32_values():
    rates = sweep_learning_rates(3e-6, 0.7, 37)
    assert np.array_equal(rates, rates.astype(np.float32).astype(np.float64))


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"start_lr": 0.0}, "start_lr=0.0"),
        ({"start_lr": -1e-3}, "start_lr=-0.001"),
        ({"start_lr": math.nan}, "start_lr=nan"),
        ({"start_lr": "1e-3"}, "start_lr='1e-3'"),
        ({"end_lr": 1e-7}, "end_lr=1e-07"),
        ({"end_lr": 1e-8}, "end_lr=1e-08"),
        ({"end_lr": math.inf}, "end_lr=inf"),
        ({"num_steps": 1}, "num_steps=1"),
        ({"num_steps": 10.0}, "num_steps=10.0"),
        ({"num_steps": True}, "num_steps=True"),
        ({"mode": "log"}, "mode='log'"),
    ],
)
def test_bad_arguments_name_the_argument_and_value(kwargs, argument):
    arguments = {"start_lr": 1e-7, "end_lr": 10.0, "num_steps": 100, "mode": "exponential"}
    with pytest.raises(ValueError, match=f"Received: {argument}"):
        sweep_learning_rates(**{**arguments, **kwargs})


@given(
    start_exponent=st.floats(-9, 1),
    decades=st.floats(0.01, 10),
    num_steps=st.integers(2, 2000),
    mode=st.sampled_from(["exponential", "linear"]),
)
def test_sweep_rises_from_start_to_end(start_exponent, decades, num_steps, mode):
    start, end = 10**start_exponent, 10 ** (start_exponent + decades)
    rates = sweep_learning_rates(start, end, num_steps, mode)
    assert len(rates) == num_steps
    assert np.all(np.diff(rates) >= 0)
    np.testing.assert_allclose([rates[0], rates[-1]], [start, end], rtol=1e-6)
