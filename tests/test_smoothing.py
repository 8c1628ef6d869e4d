import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from keras_lrfinder.smoothing import ExponentialMovingAverage, smooth, smoothing_for


def test_matches_the_bias_corrected_closed_form():
    losses = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    beta = 0.9
    expected = [
        sum((1 - beta) * beta ** (n - k) * losses[k] for k in range(n + 1)) / (1 - beta ** (n + 1))
        for n in range(len(losses))
    ]
    np.testing.assert_allclose(smooth(losses, beta), expected, rtol=1e-12)


def test_zero_smoothing_is_the_identity():
    losses = [3.0, -1.0, 4.5]
    np.testing.assert_array_equal(smooth(losses, 0.0), losses)


@given(value=st.floats(-1e6, 1e6), beta=st.floats(0, 0.999), length=st.integers(1, 200))
def test_a_constant_curve_stays_constant(value, beta, length):
    np.testing.assert_allclose(smooth([value] * length, beta), value, rtol=1e-9, atol=1e-9)


def test_running_and_batch_forms_agree():
    losses = np.random.default_rng(0).normal(size=50)
    ema = ExponentialMovingAverage(0.98)
    np.testing.assert_array_equal([ema.update(v) for v in losses], smooth(losses, 0.98))


@pytest.mark.parametrize("smoothing", [-0.1, 1.0, 1.5, float("nan"), "0.9", True])
def test_bad_smoothing_names_the_value(smoothing):
    with pytest.raises(ValueError, match=f"Received: smoothing={smoothing!r}"):
        ExponentialMovingAverage(smoothing)


def test_a_300_step_sweep_gets_the_smoothing_the_rules_were_designed_with():
    assert smoothing_for(300) == 0.98


@given(num_steps=st.integers(2, 10**7), share=st.floats(0.01, 1))
def test_a_loss_a_given_share_of_the_sweep_back_weighs_the_same_on_any_sweep(num_steps, share):
    smoothing = smoothing_for(num_steps)
    assert 0 <= smoothing < 1
    np.testing.assert_allclose(smoothing ** (share * num_steps), 0.98 ** (share * 300), rtol=1e-6)
