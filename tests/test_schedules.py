"""OneCycle and CyclicalLR: their rates, their configs, and their rates inside `fit`."""

import dataclasses
import json
import re

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import keras_lrfinder
from keras_lrfinder.schedules import CyclicalLR, OneCycle


def rates(schedule, num_steps, first_step=0):
    """The schedule's rates at `num_steps` steps from `first_step`, in one call."""
    steps = np.arange(first_step, first_step + num_steps)
    return keras.ops.convert_to_numpy(schedule(steps)).astype(np.float64)


def smith_cyclical_rates(num_steps, base_lr, max_lr, step_size, mode="triangular", gamma=1.0):
    """Smith's (2015) formula in float64: his `cycle` and `x`, and his three modes."""
    step = np.arange(num_steps, dtype=np.float64)
    cycle = np.floor(1 + step / (2 * step_size))
    x = np.abs(step / step_size - 2 * cycle + 1)
    scale = {"triangular": 1.0, "triangular2": 1 / 2 ** (cycle - 1), "exp_range": gamma**step}[mode]
    return base_lr + (max_lr - base_lr) * np.maximum(0, 1 - x) * scale


def torch_rates(make_scheduler, num_steps):
    """The rate of each of `num_steps` steps of a torch scheduler."""
    torch = pytest.importorskip("torch")
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = make_scheduler(torch.optim.lr_scheduler, optimizer)
    applied = []
    for _ in range(num_steps):
        applied.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(applied)


# The schedules compute in float32, the references in float64.
RTOL = 1e-6


# CyclicalLR


def test_cyclical_rates_at_the_turning_points():
    triangular = rates(CyclicalLR(0.01, 0.1, step_size=5), 31)
    np.testing.assert_allclose(
        triangular[[0, 5, 7, 10, 15, 20, 30]], [0.01, 0.1, 0.064, 0.01, 0.1, 0.01, 0.01], rtol=RTOL
    )
    halving = rates(CyclicalLR(0.01, 0.1, step_size=5, mode="triangular2"), 26)
    np.testing.assert_allclose(halving[[5, 10, 15, 25]], [0.1, 0.01, 0.055, 0.0325], rtol=RTOL)
    shrinking = rates(CyclicalLR(0.01, 0.1, step_size=5, mode="exp_range", gamma=0.9), 16)
    np.testing.assert_allclose(
        shrinking[[0, 5, 15]], [0.01, 0.01 + 0.09 * 0.9**5, 0.01 + 0.09 * 0.9**15], rtol=RTOL
    )


@pytest.mark.parametrize(
    "mode, gamma", [("triangular", 1.0), ("triangular2", 1.0), ("exp_range", 0.97)]
)
def test_cyclical_rates_match_smith_and_torch_over_three_cycles(mode, gamma):
    base_lr, max_lr, step_size = 1e-4, 0.3, 7
    schedule = CyclicalLR(base_lr, max_lr, step_size, mode=mode, gamma=gamma)
    expected = smith_cyclical_rates(6 * step_size, base_lr, max_lr, step_size, mode, gamma)
    computed = rates(schedule, 6 * step_size)
    np.testing.assert_allclose(computed, expected, rtol=RTOL)
    from_torch = torch_rates(
        lambda schedulers, optimizer: schedulers.CyclicLR(
            optimizer, base_lr, max_lr, step_size_up=step_size, mode=mode, gamma=gamma,
            cycle_momentum=False,
        ),
        6 * step_size,
    )
    np.testing.assert_allclose(computed, from_torch, rtol=RTOL)


def test_exp_range_stays_precise_after_many_steps():
    # gamma rounded to float32 and raised to the 102000th power would be off by 0.2%.
    schedule = CyclicalLR(1e-6, 1e-2, step_size=2000, mode="exp_range", gamma=0.99994)
    peak_of_the_26th_cycle = 102_000
    np.testing.assert_allclose(
        rates(schedule, 1, first_step=peak_of_the_26th_cycle),
        1e-6 + (1e-2 - 1e-6) * 0.99994**peak_of_the_26th_cycle,
        rtol=RTOL,
    )


@settings(max_examples=50, deadline=None)
@given(
    base_lr=st.floats(1e-6, 1.0),
    ratio=st.floats(1.01, 1e4),
    step_size=st.integers(1, 50),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    gamma=st.floats(0.9, 1.0),
    cycles_later=st.integers(0, 10_000),
)
def test_cyclical_rates_stay_between_base_and_max(
    base_lr, ratio, step_size, mode, gamma, cycles_later
):
    schedule = CyclicalLR(
        base_lr, base_lr * ratio, step_size, mode=mode, gamma=gamma if mode == "exp_range" else 1.0
    )
    applied = rates(schedule, 300, first_step=cycles_later * 2 * step_size)
    assert np.all(applied >= base_lr * (1 - RTOL))
    assert np.all(applied <= base_lr * ratio * (1 + RTOL))


@settings(max_examples=50, deadline=None)
@given(step_size=st.integers(1, 50), cycles_later=st.integers(1, 10_000))
def test_triangular_rates_repeat_every_two_step_sizes(step_size, cycles_later):
    schedule = CyclicalLR(3e-4, 0.2, step_size)
    later = rates(schedule, 300, first_step=cycles_later * 2 * step_size)
    np.testing.assert_array_equal(later, rates(schedule, 300))


# OneCycle


def test_one_cycle_rates_at_the_turning_points():
    # Defaults: 30% warm-up from max_lr / 25, down to max_lr / 25 / 1e4.
    cosine = rates(OneCycle(0.1, total_steps=100), 200)
    np.testing.assert_allclose(cosine[[0, 29, 99]], [0.004, 0.1, 4e-7], rtol=RTOL)
    np.testing.assert_allclose(cosine[100:], 4e-7, rtol=RTOL)
    assert np.argmax(cosine) == 29
    linear = rates(OneCycle(0.1, total_steps=100, anneal_strategy="linear"), 100)
    np.testing.assert_allclose(
        linear[[1, 64]], [0.004 + 0.096 / 29, 0.1 - (0.1 - 4e-7) / 2], rtol=RTOL
    )
    # Half-way through either phase, a cosine is where a straight line is.
    np.testing.assert_allclose(cosine[64], linear[64], rtol=RTOL)


@pytest.mark.parametrize(
    "total_steps, options",
    [
        (100, {}),
        (37, {"pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 1e3}),
        # The warm-up ends between two steps (pct_start * total_steps - 1 = 15.5).
        (50, {"pct_start": 0.33}),
        (50, {"pct_start": 0.33, "anneal_strategy": "linear"}),
        (40, {"pct_start": 0.9, "div_factor": 1.0, "final_div_factor": 1e5}),
    ],
)
def test_one_cycle_rates_match_torchs_one_cycle_lr(total_steps, options):
    schedule = OneCycle(0.5, total_steps, **options)
    from_torch = torch_rates(
        lambda schedulers, optimizer: schedulers.OneCycleLR(
            optimizer, 0.5, total_steps, three_phase=False, cycle_momentum=False, **options
        ),
        total_steps,
    )
    np.testing.assert_allclose(rates(schedule, total_steps), from_torch, rtol=RTOL)


@settings(max_examples=50, deadline=None)
@given(
    max_lr=st.floats(1e-5, 10.0),
    total_steps=st.integers(3, 150),
    warmup_share=st.floats(0.0, 1.0),
    div_factor=st.floats(1.0, 1e3),
    final_div_factor=st.floats(1.0, 1e5),
    anneal_strategy=st.sampled_from(["cos", "linear"]),
)
def test_one_cycle_peaks_at_max_lr_at_the_end_of_the_warm_up(
    max_lr, total_steps, warmup_share, div_factor, final_div_factor, anneal_strategy
):
    warmup_steps = 2 + round(warmup_share * (total_steps - 3))
    schedule = OneCycle(
        max_lr, total_steps, pct_start=warmup_steps / total_steps, div_factor=div_factor,
        final_div_factor=final_div_factor, anneal_strategy=anneal_strategy,
    )
    applied = rates(schedule, 200)
    final_lr = max_lr / (div_factor * final_div_factor)
    peak = warmup_steps - 1
    np.testing.assert_allclose(applied[[0, peak]], [max_lr / div_factor, max_lr], rtol=RTOL)
    np.testing.assert_allclose(applied[total_steps - 1 :], final_lr, rtol=RTOL)
    assert np.all(applied >= final_lr * (1 - RTOL)) and np.all(applied <= max_lr * (1 + RTOL))
    assert np.all(np.diff(applied[: peak + 1]) >= -RTOL * max_lr)
    assert np.all(np.diff(applied[peak:]) <= RTOL * max_lr)


# Both, as Keras objects

SCHEDULES = {
    "triangular": CyclicalLR(0.01, 0.1, step_size=4),
    "exp_range": CyclicalLR(0.01, 0.1, step_size=4, mode="exp_range", gamma=0.9),
    "one_cycle": OneCycle(0.1, total_steps=20, pct_start=0.25, anneal_strategy="linear"),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_config_and_serialization_round_trip(name):
    schedule = SCHEDULES[name]
    config = schedule.get_config()
    assert type(schedule).from_config(config).get_config() == config
    serialized = keras.saving.serialize_keras_object(schedule)
    assert serialized["registered_name"] == f"keras_lrfinder>{type(schedule).__name__}"
    # Registered: a plain deserialize, from JSON, with no custom_objects.
    restored = keras.saving.deserialize_keras_object(json.loads(json.dumps(serialized)))
    assert type(restored) is type(schedule) and restored.get_config() == config
    np.testing.assert_array_equal(rates(restored, 30), rates(schedule, 30))


@pytest.mark.parametrize("name", SCHEDULES)
def test_a_saved_model_keeps_its_schedule(name, tmp_path):
    schedule = SCHEDULES[name]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=2, verbose=0)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    optimizer_config = loaded.optimizer.get_config()
    assert optimizer_config["learning_rate"] == keras.saving.serialize_keras_object(schedule)
    assert int(loaded.optimizer.iterations) == 4
    expected = rates(schedule, 1, first_step=4)[0]
    assert float(loaded.optimizer.learning_rate) == pytest.approx(expected, rel=RTOL)


class ReadAndZeroTheWeight(keras.callbacks.Callback):
    """After each step, records minus the model's one weight and sets it to 0."""

    def __init__(self):
        super().__init__()
        self.applied_rates = []

    def on_train_batch_end(self, batch, logs=None):
        (weight,) = self.model.trainable_variables
        self.applied_rates.append(-float(keras.ops.convert_to_numpy(weight.value)[0, 0]))
        weight.assign(keras.ops.zeros(weight.shape))


def rates_applied_by_fit(schedule, num_steps):
    """The learning rate each SGD step of `fit` applied, exactly.

    The loss is the model's one weight, so its gradient is exactly 1, and from
    a weight of 0 an SGD step leaves exactly minus the rate it applied. (The
    bias update of a regression only gives the rate to about 1e-6 / rate, too
    little at the bottom of a one-cycle schedule.)
    """
    model = keras.Sequential(
        [keras.Input((1,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")]
    )
    model.compile(keras.optimizers.SGD(learning_rate=schedule), loss=lambda y_true, y_pred: y_pred)
    recorder = ReadAndZeroTheWeight()
    ones = np.ones((num_steps, 1), dtype="float32")
    model.fit(ones, ones, batch_size=1, shuffle=False, callbacks=[recorder], verbose=0)
    return np.array(recorder.applied_rates)


@pytest.mark.parametrize("name", SCHEDULES)
def test_the_compiled_train_step_applies_the_schedules_rates(name):
    schedule = SCHEDULES[name]
    # Three cycles and a step of the cyclical schedules; the one cycle and 5 steps after it.
    num_steps = 25
    applied = rates_applied_by_fit(schedule, num_steps)
    np.testing.assert_allclose(applied, rates(schedule, num_steps), rtol=RTOL)


# JAX without x64 makes int64 int32, and says so.
@pytest.mark.filterwarnings("ignore:Explicitly requested dtype int64")
@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_the_step_may_be_a_variable_or_tensor_of_any_number_dtype(dtype):
    schedule = OneCycle(0.1, total_steps=100)
    expected = rates(schedule, 1, first_step=40)[0]
    variable = keras.Variable(40, dtype=dtype, trainable=False)
    for step in (variable, keras.ops.convert_to_tensor(40, dtype)):
        learning_rate = schedule(step)
        assert keras.backend.standardize_dtype(learning_rate.dtype) == "float32"
        assert float(learning_rate) == pytest.approx(expected, rel=RTOL)


def test_the_package_exports_the_schedules():
    assert keras_lrfinder.OneCycle is OneCycle and keras_lrfinder.CyclicalLR is CyclicalLR
    assert isinstance(OneCycle(0.1, 10), keras.optimizers.schedules.LearningRateSchedule)


# Arguments

CYCLICAL = {"base_lr": 0.01, "max_lr": 0.1, "step_size": 5}
ONE_CYCLE = {"max_lr": 0.1, "total_steps": 100}


@pytest.mark.parametrize(
    "make, kwargs, received",
    [
        (CyclicalLR, {"base_lr": 0.0}, "base_lr=0.0"),
        (CyclicalLR, {"base_lr": -1e-3}, "base_lr=-0.001"),
        (CyclicalLR, {"base_lr": float("nan")}, "base_lr=nan"),
        (CyclicalLR, {"base_lr": "0.01"}, "base_lr='0.01'"),
        (CyclicalLR, {"max_lr": 0.01}, "max_lr=0.01"),
        (CyclicalLR, {"max_lr": float("inf")}, "max_lr=inf"),
        (CyclicalLR, {"step_size": 0}, "step_size=0"),
        (CyclicalLR, {"step_size": 2.5}, "step_size=2.5"),
        (CyclicalLR, {"step_size": True}, "step_size=True"),
        (CyclicalLR, {"mode": "triangle"}, "mode='triangle'"),
        (CyclicalLR, {"mode": "exp_range", "gamma": 0.0}, "gamma=0.0"),
        (CyclicalLR, {"mode": "exp_range", "gamma": 1.5}, "gamma=1.5"),
        (CyclicalLR, {"gamma": 0.99}, "gamma=0.99"),
        (OneCycle, {"max_lr": 0}, "max_lr=0"),
        (OneCycle, {"max_lr": -0.1}, "max_lr=-0.1"),
        (OneCycle, {"total_steps": 1}, "total_steps=1"),
        (OneCycle, {"total_steps": 100.0}, "total_steps=100.0"),
        (OneCycle, {"pct_start": 0.0}, "pct_start=0.0"),
        (OneCycle, {"pct_start": 1.0}, "pct_start=1.0"),
        (OneCycle, {"pct_start": 0.01}, "pct_start=0.01 and total_steps=100"),
        (OneCycle, {"div_factor": 0.5}, "div_factor=0.5"),
        (OneCycle, {"final_div_factor": 0}, "final_div_factor=0"),
        (OneCycle, {"anneal_strategy": "cosine"}, "anneal_strategy='cosine'"),
    ],
)
def test_bad_arguments_name_the_argument_and_value(make, kwargs, received):
    arguments = CYCLICAL if make is CyclicalLR else ONE_CYCLE
    argument = received.split("=")[0]
    with pytest.raises(ValueError, match=f"^`{argument}.*Received: {re.escape(received)}$"):
        make(**{**arguments, **kwargs})


def test_a_result_builds_both_schedules_from_its_range():
    from keras_lrfinder import LRFinderResult, RepeatedLRFinderResult
    from tests.curves import typical_curve

    result = LRFinderResult(*typical_curve(noise=0.02))
    base_lr, max_lr = result.suggest_range()
    assert base_lr == max_lr / 4 and max_lr == result.suggestion("knee")
    assert result.suggest_range("valley")[1] == result.suggestion("valley")
    sgd = dataclasses.replace(result, optimizer_kind="sgd")
    assert sgd.suggest_range() == result.suggest_range()  # the peak is read without the kind

    one_cycle = result.one_cycle(total_steps=1000, pct_start=0.25)
    assert isinstance(one_cycle, OneCycle)
    assert (one_cycle.max_lr, one_cycle.total_steps, one_cycle.pct_start) == (max_lr, 1000, 0.25)
    cyclical = result.cyclical(step_size=200, mode="triangular2")
    assert isinstance(cyclical, CyclicalLR)
    assert (cyclical.base_lr, cyclical.max_lr, cyclical.step_size, cyclical.mode) == (base_lr, max_lr, 200, "triangular2")

    repeated = RepeatedLRFinderResult((result, LRFinderResult(*typical_curve(noise=0.02, seed=1))))
    assert repeated.one_cycle(total_steps=10).max_lr == repeated.suggest_range()[1]
