import math

import pytest

from keras_lrfinder.divergence import has_diverged, validate_divergence_threshold


def test_positive_losses_follow_the_threshold_times_best_rule():
    assert not has_diverged(3.99, 1.0, 4.0)
    assert has_diverged(4.01, 1.0, 4.0)


def test_negative_losses_diverge_only_on_a_real_rise():
    # The product rule would call -1.9 > 4 * -2.0 = -8 a blow-up at once.
    assert not has_diverged(-1.9, -2.0, 4.0)
    assert not has_diverged(3.9, -2.0, 4.0)
    assert has_diverged(4.1, -2.0, 4.0)


def test_infinite_threshold_never_fires():
    assert not has_diverged(1e30, 1e-3, math.inf)


@pytest.mark.parametrize("threshold", [1.0, 0.5, -2, math.nan, "4", True])
def test_bad_threshold_names_the_value(threshold):
    with pytest.raises(ValueError, match=f"Received: divergence_threshold={threshold!r}"):
        validate_divergence_threshold(threshold)
