import functools
import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from keras_lrfinder import LRFinderResult, NoSuggestionError, suggest
from keras_lrfinder.smoothing import smooth
from keras_lrfinder.suggest import RULES, _usable_curve
from keras_lrfinder.sweep import sweep_learning_rates
from tests.curves import knee_curve, typical_curve


def fastai_valley(lrs, losses):
    """fastai's `valley`, transcribed loop for loop, as the oracle.

    One fix: a valley that starts at the first point gives idx = -1, which
    fastai's indexing wraps round to the last point, the blow-up.
    """
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[max(idx, 0)])


def fastai_slide(lrs, losses, lr_diff=15, thresh=0.005):
    loss_grad = np.gradient(losses)
    r_idx = -1
    l_idx = r_idx - lr_diff
    local_min_lr = lrs[l_idx]
    while (l_idx >= -len(losses)) and (abs(loss_grad[r_idx] - loss_grad[l_idx]) > thresh):
        local_min_lr = lrs[l_idx]
        r_idx -= 1
        l_idx -= 1
    return float(local_min_lr)


def test_every_rule_suggests_a_rate_on_the_fall_of_a_typical_curve():
    rates, losses = typical_curve()
    smoothed = smooth(losses, 0.9)
    lowest = rates[np.argmin(smoothed)]
    for name, rule in RULES.items():
        learning_rate = rule(rates, smoothed)
        assert 1e-5 < learning_rate < lowest, name


def test_minimum_is_a_tenth_of_the_lowest_point():
    rates, losses = typical_curve()
    usable_rates, usable = _usable_curve(rates, losses)
    assert suggest.minimum(rates, losses) == pytest.approx(usable_rates[np.argmin(usable)] / 10)


def test_steepest_is_the_steepest_fall_against_log_lr():
    rates = sweep_learning_rates(1e-6, 1.0, 60)
    losses = np.ones(60)
    losses[30:] = 0.5  # the steepest fall: from point 29 to 30
    losses[31:] = 0.4
    assert suggest.steepest(rates, losses) == rates[29]


def two_steps_back(num_steps):
    """The factor between two neighbouring steps of a sweep from 1e-7 to 10, squared."""
    return (10.0 / 1e-7) ** (2 / (num_steps - 1))


@pytest.mark.parametrize("num_steps", [100, 199, 1000])
@pytest.mark.parametrize("knee_lr", [1e-4, 1e-3, 3e-2])
def test_knee_reads_the_fall_where_it_flattens_and_steps_back_two_steps(knee_lr, num_steps):
    # The crossings lie between swept rates, and are read there.
    rates, losses = knee_curve(knee_lr, num_steps)
    expected = 10**-0.5 * knee_lr / two_steps_back(num_steps)
    assert suggest.knee(rates, losses) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("kind, factor", [(None, 1.0), ("sgd", 1.5), ("adaptive", 0.25)])
def test_knee_moves_by_a_factor_for_the_kind_of_optimizer(kind, factor):
    rates, losses = knee_curve(1e-3, 300)
    assert suggest.knee(rates, losses, kind) == pytest.approx(
        factor * suggest.knee(rates, losses), rel=1e-12
    )
    assert suggest.get_rule("knee", kind)(rates, losses) == suggest.knee(rates, losses, kind)


def test_knee_refuses_an_unknown_kind_of_optimizer():
    rates, losses = knee_curve()
    with pytest.raises(ValueError, match="Received: optimizer_kind='adam'"):
        suggest.knee(rates, losses, "adam")


def geometric_mean(values):
    return float(np.exp(np.mean(np.log(values))))


@pytest.mark.parametrize("kind, factor", [("adaptive", 0.8), ("sgd", 2.2), (None, 1.0)])
def test_consensus_is_the_geometric_mean_of_three_rules_times_a_factor_for_the_optimizer(
    kind, factor
):
    rates, losses = typical_curve()
    smoothed = smooth(losses, 0.98)
    readings = [rule(rates, smoothed) for rule in (suggest.knee, suggest.valley, suggest.minimum)]
    assert len({round(math.log10(r), 3) for r in readings}) == 3  # three different readings
    assert suggest.consensus(rates, smoothed, kind) == pytest.approx(
        factor * geometric_mean(readings), rel=1e-12
    )


def test_consensus_reads_valley_alone_where_minimum_has_no_reading():
    # The lowest loss, less than a decade into the usable curve: no tenth of it in the sweep.
    rates, losses = typical_curve(best_lr=1e-6)
    with pytest.raises(NoSuggestionError):
        suggest.minimum(rates, losses)
    with pytest.warns(UserWarning, match="reads `valley` alone"):
        suggestion = suggest.consensus(rates, losses, "adaptive")
    assert suggestion == pytest.approx(
        max(0.8 * suggest.valley(rates, losses), _usable_curve(rates, losses)[0][0]), rel=1e-12
    )


def flat_curve_with_a_dip(dip_lr):
    """Flat but for a fall of 1% from 1e-3 to 1e-1, then a blow-up; a deeper dip at `dip_lr`."""
    rates = sweep_learning_rates(1e-7, 10.0, 300)
    position = np.log10(rates)
    fall = 0.01 * np.clip((position + 3) / 2, 0, 1)
    losses = 1.0 - fall + 0.02 * np.exp(4 * np.clip(position, None, 3))
    losses[(rates > dip_lr) & (rates < 2 * dip_lr)] -= 0.03
    return rates, smooth(losses, 0.98)


def test_consensus_ignores_a_dip_at_the_start_of_a_flat_curve():
    rates, losses = flat_curve_with_a_dip(1e-6)
    with pytest.raises(NoSuggestionError, match="less than a decade"):
        suggest.minimum(rates, losses)
    assert suggest.knee(rates, losses) < 1e-5  # the knee of the dip
    assert 1e-3 < suggest.valley(rates, losses) < 1e-1  # on the fall
    with pytest.warns(UserWarning, match=r"lowest at lr=1\.\d+e-06.*a rough guess"):
        suggestion = suggest.consensus(rates, losses)
    assert suggestion == pytest.approx(suggest.valley(rates, losses))


def test_consensus_ignores_a_dip_far_below_the_blow_up_of_a_flat_curve():
    rates, losses = flat_curve_with_a_dip(2e-5)  # a decade and a half into the usable curve
    assert 2e-6 < suggest.minimum(rates, losses) < 1e-5  # a tenth of the dip
    assert suggest.knee(rates, losses) < 1e-4
    assert 1e-3 < suggest.valley(rates, losses) < 1e-1
    with pytest.warns(UserWarning, match=r"lowest at lr=\d\.\d+e-05, 5\.\d decades below the end"):
        suggestion = suggest.consensus(rates, losses)
    assert suggestion == pytest.approx(suggest.valley(rates, losses))


def test_the_warning_of_a_rough_guess_points_at_the_callers_line():
    # Python shows a warning once per place: a place inside the package would show it once.
    rates, losses = flat_curve_with_a_dip(2e-5)
    with pytest.warns(UserWarning, match="a rough guess") as direct:
        suggest.consensus(rates, losses)
    with pytest.warns(UserWarning, match="a rough guess") as through_the_result:
        LRFinderResult(rates, losses, smoothing=0.0).suggestion()
    assert [w.filename for w in [*direct, *through_the_result]] == [__file__, __file__]


def test_consensus_warns_only_where_the_lowest_loss_is_a_dip():
    rates, losses = typical_curve()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        suggest.consensus(rates, smooth(losses, 0.98), "sgd")


def test_consensus_averages_knee_and_valley_on_a_linear_sweep():
    # Every rate of a linear sweep but its first tenth lies within a decade of its end.
    rates = sweep_learning_rates(1e-7, 10.0, 100, "linear")
    losses = 1 + (rates - 3) ** 2 / 10
    with pytest.raises(NoSuggestionError):
        suggest.minimum(rates, losses)
    readings = [suggest.knee(rates, losses), suggest.valley(rates, losses)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        suggestion = suggest.consensus(rates, losses, "sgd")
    assert suggestion == pytest.approx(
        min(2.2 * geometric_mean(readings), _usable_curve(rates, losses)[0][-1]), rel=1e-12
    )


def test_consensus_refuses_an_unknown_kind_of_optimizer():
    rates, losses = knee_curve()
    with pytest.raises(ValueError, match="Received: optimizer_kind='adam'"):
        suggest.consensus(rates, losses, "adam")


@pytest.mark.parametrize("kind", [None, "sgd", "adaptive"])
def test_the_default_rule_is_consensus_with_the_kind_of_optimizer(kind):
    rates, losses = typical_curve()
    assert suggest.get_rule(None, kind)(rates, losses) == suggest.consensus(rates, losses, kind)


def test_knee_reads_the_fall_that_ends_at_the_lowest_loss():
    rates, losses = knee_curve(1e-2)
    early_dip = (rates > 1e-5) & (rates < 3e-5)
    losses[early_dip] = 0.5  # a dip on the plateau, not as low as the bottom
    assert suggest.knee(rates, losses) == pytest.approx(
        10**-0.5 * 1e-2 / two_steps_back(100), rel=1e-5
    )


curve_shapes = st.tuples(
    st.floats(-4.5, -0.5),  # log10 of the best rate
    st.floats(0, 0.05),  # noise (the fall is 1.5 deep)
    st.integers(0, 2**16),  # noise seed
)


@pytest.mark.filterwarnings("ignore:The loss is lowest:UserWarning")
@settings(max_examples=100, deadline=None)
@given(shape=curve_shapes, scale=st.floats(1e-3, 1e3), offset=st.floats(-100, 100))
def test_knee_and_consensus_do_not_depend_on_the_scale_or_offset_of_the_loss(shape, scale, offset):
    log_best, noise, seed = shape
    rates, losses = typical_curve(best_lr=10**log_best, noise=noise, seed=seed)
    smoothed = smooth(losses, 0.98)
    rules = [
        functools.partial(rule, optimizer_kind=kind)
        for rule in (suggest.knee, suggest.consensus)
        for kind in (None, *suggest.OPTIMIZER_KINDS)
    ]
    for rule in rules:
        shifted = rule(rates, scale * smoothed + offset)
        assert shifted == pytest.approx(rule(rates, smoothed), rel=1e-6)


@settings(max_examples=100, deadline=None)
@given(shape=curve_shapes)
def test_knee_lies_on_the_fall_below_the_lowest_loss(shape):
    log_best, noise, seed = shape
    rates, losses = typical_curve(best_lr=10**log_best, noise=noise, seed=seed)
    smoothed = smooth(losses, 0.98)
    usable_rates, usable = _usable_curve(rates, smoothed)
    lowest = usable_rates[np.argmin(usable)]
    learning_rate = suggest.knee(rates, smoothed)
    assert lowest / 100 < learning_rate < lowest
    knee_position = np.log(learning_rate * two_steps_back(100))
    assert np.interp(knee_position, np.log(usable_rates), usable) < usable[0]


@settings(max_examples=100, deadline=None)
@given(log_best=st.floats(-4.5, -0.5), seed=st.integers(0, 2**16))
def test_knee_moves_little_under_small_noise(log_best, seed):
    # Noise of 1% of the depth of the fall, after smoothing as find_lr does.
    rates, clean = typical_curve(best_lr=10**log_best)
    _, noisy = typical_curve(best_lr=10**log_best, noise=0.015, seed=seed)
    shift = np.log10(
        suggest.knee(rates, smooth(noisy, 0.98)) / suggest.knee(rates, smooth(clean, 0.98))
    )
    assert abs(shift) < 0.1


def usable_sweep(losses):
    """A sweep for `losses` and the cut curve fastai's functions would be given."""
    rates = sweep_learning_rates(1e-7, 10.0, len(losses))
    try:
        usable_rates, usable = _usable_curve(rates, losses)
    except NoSuggestionError:
        assume(False)
    return rates, usable_rates, usable


@settings(max_examples=200)
@given(losses=arrays(np.float64, st.integers(10, 120), elements=st.floats(-5, 5)))
def test_valley_is_fastais_valley(losses):
    rates, usable_rates, usable = usable_sweep(losses)
    assert suggest.valley(rates, losses) == fastai_valley(usable_rates, usable)


@settings(max_examples=200)
@given(losses=arrays(np.float64, st.integers(25, 120), elements=st.floats(-1, 1)))
def test_slide_is_fastais_slide(losses):
    rates, usable_rates, usable = usable_sweep(losses)
    if len(usable) <= 15:
        with pytest.raises(NoSuggestionError):
            suggest.slide(rates, losses)
    else:
        assert suggest.slide(rates, losses) == fastai_slide(usable_rates, usable)


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_rising_curve_gets_no_suggestion(name):
    rates = sweep_learning_rates(1e-7, 10.0, 100)
    with pytest.raises(NoSuggestionError, match="never falls"):
        RULES[name](rates, np.linspace(1.0, 5.0, 100))


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_flat_curve_gets_no_suggestion(name):
    rates = sweep_learning_rates(1e-7, 10.0, 100)
    with pytest.raises(NoSuggestionError, match="never falls") as raised:
        RULES[name](rates, np.full(100, 2.5))
    assert "`start_lr`" in str(raised.value) and "`num_steps`" in str(raised.value)


@pytest.mark.parametrize("name", sorted(RULES))
def test_too_few_finite_points_get_no_suggestion(name):
    rates = sweep_learning_rates(1e-7, 10.0, 100)
    losses = np.full(100, np.nan)
    losses[:4] = [3.0, 2.0, 1.0, 0.5]
    with pytest.raises(NoSuggestionError, match="finite points"):
        RULES[name](rates, losses)


def test_no_suggestion_error_is_a_value_error():
    assert issubclass(NoSuggestionError, ValueError)


def test_the_curve_is_cut_at_the_first_non_finite_loss():
    rates, losses = typical_curve()
    with_nan = losses.copy()
    with_nan[80] = np.nan
    assert suggest.valley(rates, with_nan) == suggest.valley(rates[:80], losses[:80])


def test_unknown_method_names_the_value():
    with pytest.raises(ValueError, match="Received: method='fastest'"):
        suggest.get_rule("fastest")


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="same length"):
        suggest.valley([1e-3, 1e-2], [1.0])


curves = arrays(
    np.float64,
    st.integers(0, 400),
    elements=st.one_of(
        st.floats(-1e6, 1e6),
        st.sampled_from([math.nan, math.inf, -math.inf, 0.0]),
    ),
)


def rates_for(losses, mode):
    """A sweep as long as `losses` (a sweep needs two points; shorter curves get a constant rate)."""
    if len(losses) < 2:
        return np.full(len(losses), 1e-3)
    return sweep_learning_rates(1e-7, 10.0, len(losses), mode)


@pytest.mark.filterwarnings("ignore:The loss is lowest:UserWarning")
@settings(max_examples=300, deadline=None)
@given(losses=curves, mode=st.sampled_from(["exponential", "linear"]))
def test_any_curve_gets_a_rate_inside_the_sweep_or_no_suggestion(losses, mode):
    rates = rates_for(losses, mode)
    with_kind = {
        f"{name}, {kind}": functools.partial(RULES[name], optimizer_kind=kind)
        for name in ("knee", "consensus")
        for kind in suggest.OPTIMIZER_KINDS
    }
    for name, rule in {**RULES, **with_kind}.items():
        try:
            learning_rate = rule(rates, losses)
        except NoSuggestionError:
            continue
        assert math.isfinite(learning_rate), name
        assert rates[0] <= learning_rate <= rates[-1], name


@settings(max_examples=300, deadline=None)
@given(losses=curves, mode=st.sampled_from(["exponential", "linear"]))
def test_any_curve_gets_a_range_with_its_top_inside_the_sweep_or_no_suggestion(losses, mode):
    rates = rates_for(losses, mode)
    try:
        base_lr, max_lr = suggest.suggest_range(rates, losses)
    except NoSuggestionError:
        return
    assert 0 < base_lr < max_lr
    assert rates[0] <= max_lr <= rates[-1]


def test_the_range_of_a_typical_curve_lies_on_its_fall():
    rates, losses = typical_curve(noise=0.02)
    smoothed = smooth(losses, 0.98)
    usable_rates, usable = _usable_curve(rates, smoothed)
    lowest = usable_rates[np.argmin(usable)]
    base_lr, max_lr = suggest.suggest_range(rates, smoothed)
    assert usable_rates[0] < base_lr < max_lr < lowest


def test_the_range_depends_only_on_the_curve():
    rates, losses = typical_curve(noise=0.02)
    smoothed = smooth(losses, 0.98)
    before = smoothed.copy()
    first = suggest.suggest_range(rates, smoothed)
    assert suggest.suggest_range(list(rates), list(smoothed)) == first
    assert suggest.suggest_range(rates, smoothed) == first
    np.testing.assert_array_equal(smoothed, before)


@pytest.mark.parametrize("method", [None, *sorted(RULES)])
def test_a_rising_curve_gets_no_range(method):
    rates = sweep_learning_rates(1e-7, 10.0, 100)
    with pytest.raises(NoSuggestionError, match="never falls"):
        suggest.suggest_range(rates, np.linspace(1.0, 5.0, 100), method)


def test_the_range_names_an_unknown_method():
    rates, losses = typical_curve()
    with pytest.raises(ValueError, match="Received: method='fastest'"):
        suggest.suggest_range(rates, losses, "fastest")


def test_the_range_peaks_at_the_knee_without_the_optimizer_factor_and_starts_a_quarter_below():
    rates, losses = typical_curve(noise=0.02)
    smoothed = smooth(losses, 0.98)
    base_lr, max_lr = suggest.suggest_range(rates, smoothed)
    assert max_lr == suggest.knee(rates, smoothed)
    assert base_lr == max_lr / 4


def test_the_range_of_a_named_rule_peaks_at_its_suggestion():
    rates, losses = typical_curve(noise=0.02)
    smoothed = smooth(losses, 0.98)
    assert suggest.suggest_range(rates, smoothed, "valley")[1] == suggest.valley(rates, smoothed)


def test_the_range_peaks_no_higher_than_the_lowest_loss():
    # A steady rise after the bottom: `slide` settles at once, 15 points past the bottom.
    rates = sweep_learning_rates(1e-6, 1.0, 60)
    losses = np.ones(60)
    losses[31:] = np.linspace(0.1, 0.3, 29)
    assert suggest.slide(rates, losses) > rates[31]
    assert suggest.suggest_range(rates, losses, "slide")[1] == rates[31]


@settings(max_examples=100, deadline=None)
@given(shape=curve_shapes, num_steps=st.sampled_from([100, 300]))
def test_the_range_of_a_range_test_curve_lies_inside_the_sweep(shape, num_steps):
    log_best, noise, seed = shape
    rates, losses = typical_curve(num_steps, best_lr=10**log_best, noise=noise, seed=seed)
    base_lr, max_lr = suggest.suggest_range(rates, smooth(losses, 0.98))
    assert rates[0] <= base_lr < max_lr <= rates[-1]
