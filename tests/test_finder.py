"""The range test on a real Keras model, run once per backend."""

import copy
import math
import os
import random
import re
import signal
import threading
import time

import keras
import numpy as np
import pytest

import keras_lrfinder
from keras_lrfinder import LRFinder, find_lr
from keras_lrfinder.smoothing import smooth, smoothing_for
from tests.models import (
    RaiseAtStep,
    Recorder,
    assert_same_state,
    full_state,
    mlp,
    regression_data,
)

BATCH = 32


def batch_of_step(x, y, step):
    """The batch that step `step` of an unshuffled fit trains on, in float64."""
    start = step % (len(x) // BATCH) * BATCH
    return x[start : start + BATCH].astype(np.float64), y[start : start + BATCH]


def test_losses_are_the_true_per_batch_losses_over_300_steps():
    x, y = regression_data(num_samples=640)
    model = mlp()
    recorder = Recorder()
    result = find_lr(
        model, x, y, batch_size=BATCH, start_lr=1e-4, end_lr=0.05, num_steps=300,
        divergence_threshold=math.inf, shuffle=False, callbacks=[recorder], verbose=0,
    )
    assert result.stop_reason == "completed" and len(result.losses) == 300
    batches_per_epoch = len(x) // BATCH
    expected = []
    for step, (w1, b1, w2, b2) in enumerate(recorder.before):
        xb, yb = batch_of_step(x, y, step)
        hidden = np.maximum(xb @ w1 + b1, 0)
        expected.append(np.mean((hidden @ w2 + b2 - yb) ** 2))
    np.testing.assert_allclose(result.losses, expected, rtol=1e-4)
    # Keras's own logs["loss"], the running mean of the epoch, is far off.
    running_mean = [np.mean(expected[s - s % batches_per_epoch : s + 1]) for s in range(300)]
    assert np.max(np.abs(np.array(running_mean) / expected - 1)) > 0.05


class SlowFinder(LRFinder):
    """A finder whose batch-end calls take random time, so that on a worker pool they finish out of order."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.threads = set()
        self._delays = random.Random(0)

    def on_train_batch_end(self, batch, logs=None):
        self.threads.add(threading.current_thread())
        time.sleep(self._delays.uniform(0, 0.004))
        super().on_train_batch_end(batch, logs)


class NoOp(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass


class AsyncSlowFinder(SlowFinder):
    """Asks for a worker thread everywhere, as the finder does on an accelerator."""

    async_safe = True


def test_run_off_the_main_thread_the_curve_and_the_stop_are_those_of_a_run_in_it():
    x, y = regression_data(num_samples=640)
    curves = []
    for callbacks in ([], [NoOp()]):  # a callback without async_safe keeps Keras in the main thread
        finder = AsyncSlowFinder(num_steps=100, verbose=0)
        model = mlp(optimizer=keras.optimizers.Adam(1e-3))
        model.fit(x, y, batch_size=BATCH, epochs=10, shuffle=False, callbacks=[*callbacks, finder], verbose=0)
        curves.append((finder.result.losses.tobytes(), finder.result.stop_reason, finder.threads))
    (async_losses, async_stop, async_threads), (sync_losses, sync_stop, sync_threads) = curves
    assert async_losses == sync_losses and async_stop == sync_stop == "diverged"
    assert sync_threads == {threading.main_thread()}
    if keras.backend.backend() != "tensorflow":  # whose callbacks Keras never runs off the main thread
        assert threading.main_thread() not in async_threads


def on_an_accelerator():
    if keras.backend.backend() == "jax":
        import jax

        return jax.default_backend() != "cpu"
    if keras.backend.backend() == "torch":
        import torch

        return torch.cuda.is_available() or torch.backends.mps.is_available()
    return False  # TensorFlow runs every callback in the train loop's thread


@pytest.mark.skipif(on_an_accelerator(), reason="on the CPU only")
def test_on_the_cpu_the_finder_runs_in_the_train_loop_thread():
    # There a worker thread would mostly compete with the train loop for the GIL.
    x, y = regression_data(num_samples=640)
    finder = SlowFinder(num_steps=20, verbose=0)
    mlp().fit(x, y, batch_size=BATCH, callbacks=[finder], verbose=0)
    assert finder.threads == {threading.main_thread()}


def applied_learning_rates(recorder, x, y):
    """The rate of each SGD step of a linear model, from its bias update."""
    applied = []
    for step, ((w, b), (_, b_next)) in enumerate(zip(recorder.before, recorder.after)):
        xb, yb = batch_of_step(x, y, step)
        bias_gradient = 2 * np.mean(xb @ w + b - yb)
        applied.append((b[0] - b_next[0]) / bias_gradient)
    return applied


def linear_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.01), loss="mse")
    return model


def test_each_step_trains_with_the_learning_rate_recorded_for_it():
    x, y = regression_data()
    y += 3.0  # a bias gradient far from zero, so the applied rate is measured precisely
    model = linear_model()
    recorder = Recorder()
    result = find_lr(
        model, x, y, batch_size=BATCH, start_lr=1e-5, end_lr=0.1, num_steps=40,
        shuffle=False, callbacks=[recorder], verbose=0,
    )
    assert len(result.losses) == 40
    # float32 training: the step's bias change is known to about 1e-6; the
    # rates of neighbouring steps differ by 27%.
    np.testing.assert_allclose(applied_learning_rates(recorder, x, y), result.learning_rates, rtol=1e-4)
    np.testing.assert_allclose(result.learning_rates, np.geomspace(1e-5, 0.1, 40), rtol=1e-6)


def test_a_second_range_test_on_the_same_model_trains_with_its_own_rates():
    # JAX caches traces by the function traced, across jit objects: a second
    # run must not reuse the first run's trace and table.
    x, y = regression_data()
    y += 3.0
    model = linear_model()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    find_lr(model, x, y, batch_size=BATCH, start_lr=1e-5, end_lr=1e-3, num_steps=30, verbose=0)
    recorder = Recorder()
    result = find_lr(
        model, x, y, batch_size=BATCH, start_lr=1e-4, end_lr=0.1, num_steps=20,
        shuffle=False, callbacks=[recorder], verbose=0,
    )
    np.testing.assert_allclose(applied_learning_rates(recorder, x, y), result.learning_rates, rtol=1e-4)


class TrainFunctionProbe(keras.callbacks.Callback):
    """Notes the train function a fit runs, once the finder before it has put its own in."""

    def __init__(self):
        super().__init__()
        self.functions = []

    def on_train_begin(self, logs=None):
        self.functions.append(self.model.train_function)


def test_a_run_again_from_the_same_state_reuses_the_compiled_step_and_no_other_does():
    x, y = regression_data()
    y += 3.0
    model = linear_model()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    probe = TrainFunctionProbe()

    def run(**kwargs):
        recorder = Recorder()
        finder = LRFinder(**{"start_lr": 1e-4, "end_lr": 0.1, "num_steps": 20, "verbose": 0, **kwargs})
        model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, callbacks=[recorder, finder, probe], verbose=0)
        np.testing.assert_allclose(applied_learning_rates(recorder, x, y)[:20], finder.result.learning_rates, rtol=1e-4)
        return finder.result

    first, again = run(), run()
    assert probe.functions[1] is probe.functions[0]
    assert first.losses.tobytes() == again.losses.tobytes()
    run(num_steps=25)  # another sweep
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    run()  # from another step count
    assert len({id(function) for function in probe.functions}) == 3


def test_stops_on_divergence_and_restores():
    x, y = regression_data()
    model = mlp()
    before = full_state(model)
    result = find_lr(model, x, y, batch_size=BATCH, start_lr=1e-4, end_lr=100.0, num_steps=200, verbose=0)
    assert result.stop_reason == "diverged"
    assert len(result.losses) < 200
    smoothed = result.smoothed_losses
    assert smoothed[-1] > 4 * np.min(smoothed[:-1])
    assert_same_state(before, full_state(model))


def test_the_default_smoothing_follows_the_number_of_steps_and_the_stop_reads_it():
    x, y = regression_data()
    sweep = {"batch_size": BATCH, "start_lr": 1e-4, "end_lr": 100.0, "num_steps": 100, "verbose": 0}
    result = find_lr(mlp(), x, y, **sweep)
    assert result.smoothing == smoothing_for(100)
    smoothed = smooth(result.losses, smoothing_for(100))
    blown_up = [smoothed[i] > 4 * np.min(smoothed[:i]) for i in range(1, len(smoothed))]
    assert result.stop_reason == "diverged" and blown_up.index(True) == len(blown_up) - 1
    assert find_lr(mlp(), x, y, smoothing=0.98, **sweep).smoothing == 0.98


def test_the_default_sweep_is_1000_steps_as_the_readme_says():
    finder = LRFinder()
    assert finder.num_steps == 1000 and finder.smoothing == smoothing_for(1000)
    assert finder.learning_rates[0] == np.float32(1e-7) and finder.learning_rates[-1] == np.float32(10.0)
    x, y = regression_data(num_samples=64)
    result = find_lr(mlp(), x, y, batch_size=BATCH, end_lr=1e-6, verbose=0)
    assert len(result.losses) == 1000 and result.smoothing == smoothing_for(1000)


def test_stops_on_a_non_finite_loss_and_restores():
    x, y = regression_data()
    y[7 * BATCH + 3, 0] = np.nan
    model = mlp()
    before = full_state(model)
    result = find_lr(model, x, y, batch_size=BATCH, num_steps=50, shuffle=False, verbose=0)
    assert result.stop_reason == "non_finite"
    assert len(result.losses) == 8 and np.isnan(result.losses[-1])
    assert np.all(np.isfinite(result.losses[:-1]))
    assert_same_state(before, full_state(model))


def test_restore_is_bit_exact_after_training_with_batchnorm_dropout_and_adam():
    x, y = regression_data()
    model = mlp(optimizer=keras.optimizers.Adam(1e-3), dropout=True, batch_norm=True)
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0)
    optimizer = model.optimizer
    learning_rate, loss_tracker, train_function = optimizer._learning_rate, model._loss_tracker, model.train_function
    before = full_state(model)
    result = find_lr(model, x, y, batch_size=BATCH, num_steps=30, end_lr=0.1, verbose=0)
    assert len(result.losses) == 30
    assert_same_state(before, full_state(model))
    assert optimizer._learning_rate is learning_rate
    assert float(optimizer.learning_rate) == pytest.approx(1e-3)
    assert model._loss_tracker is loss_tracker and model.train_function is train_function
    assert "train_step" not in vars(model)
    assert [m.name for m in model.metrics] == ["loss"]


class ListDirectory(keras.callbacks.Callback):
    """Lists what a directory holds in the middle of a run."""

    def __init__(self, directory, step):
        super().__init__()
        self.directory, self.step, self.listing = directory, step, None

    def on_train_batch_end(self, batch, logs=None):
        if batch == self.step:
            self.listing = [path for path, _, files in os.walk(self.directory) for _ in files]


@pytest.mark.parametrize("dtype_policy", ["float32", "bfloat16"])
def test_a_snapshot_in_files_restores_bit_exactly_and_leaves_nothing_behind(tmp_path, dtype_policy):
    x, y = regression_data()
    keras.config.set_dtype_policy(dtype_policy)
    try:
        model = mlp(optimizer=keras.optimizers.Adam(1e-3), dropout=True, batch_norm=True)
    finally:
        keras.config.set_dtype_policy("float32")
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    before = full_state(model)
    listing = ListDirectory(tmp_path, step=3)
    result = find_lr(
        model, x, y, batch_size=BATCH, num_steps=20, end_lr=0.1, verbose=0,
        snapshot_dir=tmp_path, callbacks=[listing],
    )
    assert len(result.losses) == 20
    assert_same_state(before, full_state(model))
    assert listing.listing  # the copy was in files during the run
    assert list(tmp_path.iterdir()) == []


def test_a_snapshot_in_files_restores_when_the_run_raises(tmp_path):
    x, y = regression_data()
    model = mlp(optimizer=keras.optimizers.Adam(1e-3), batch_norm=True)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    before = full_state(model)
    with pytest.raises(RuntimeError, match="boom"):
        find_lr(
            model, x, y, batch_size=BATCH, num_steps=50, verbose=0, snapshot_dir=tmp_path,
            callbacks=[RaiseAtStep(5, RuntimeError("boom"))],
        )
    assert_same_state(before, full_state(model))
    assert list(tmp_path.iterdir()) == []


def twin_runs(make_model, x, y, finder_kwargs=None, fit_kwargs=None):
    """Fits two identical models with the same seed, one after a range test."""
    fit_kwargs = {"batch_size": BATCH, "epochs": 2, "verbose": 0, **(fit_kwargs or {})}
    weights = []
    for run_finder in (True, False):
        model = make_model()
        keras.utils.set_random_seed(42)
        if run_finder:
            find_lr(model, x, y, batch_size=BATCH, num_steps=25, verbose=0, **(finder_kwargs or {}))
        model.fit(x, y, **fit_kwargs)
        weights.append(full_state(model))
    return weights


def test_fit_after_find_lr_is_bit_identical_to_fit_without_it():
    x, y = regression_data()
    with_finder, without = twin_runs(
        lambda: mlp(optimizer=keras.optimizers.Adam(1e-3), dropout=True, batch_norm=True), x, y
    )
    assert_same_state(without, with_finder)


def global_random_draws():
    import sys

    import tensorflow as tf

    draws = [random.random(), np.random.rand(), float(tf.random.uniform([]))]
    draws.append(float(keras.ops.convert_to_numpy(keras.random.uniform([]))))
    if "torch" in sys.modules:
        draws.append(float(sys.modules["torch"].rand(1)))
    return draws


def test_global_random_generators_are_put_back():
    x, y = regression_data()
    draws = []
    for run_finder in (True, False):
        model = mlp(optimizer=keras.optimizers.Adam(1e-3), dropout=True)
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        keras.utils.set_random_seed(5)
        if run_finder:
            find_lr(model, x, y, batch_size=BATCH, num_steps=30, verbose=0)
        draws.append(global_random_draws())
    assert draws[0] == draws[1]


def test_validation_losses_are_the_loss_on_the_validation_data_after_each_step():
    x, y = regression_data(num_samples=320)
    x_val, y_val = regression_data(num_samples=96, seed=3)
    weight_val = np.linspace(0.5, 1.5, 96).astype("float32")
    model = mlp(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    before = full_state(model)
    recorder = Recorder()
    result = find_lr(
        model, x, y, batch_size=BATCH, num_steps=40, end_lr=1.0, divergence_threshold=math.inf,
        validation_data=(x_val, y_val, weight_val), callbacks=[recorder], verbose=0,
    )
    assert len(result.validation_losses) == len(result.losses) == 40
    expected = []
    for w1, b1, w2, b2 in recorder.after:
        hidden = np.maximum(x_val.astype(np.float64) @ w1 + b1, 0)
        squared_errors = np.mean((hidden @ w2 + b2 - y_val) ** 2, axis=1)
        expected.append(np.sum(squared_errors * weight_val) / len(x_val))
    np.testing.assert_allclose(result.validation_losses, expected, rtol=1e-4)
    assert_same_state(before, full_state(model))


class BatchLogs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.logs = []

    def on_train_batch_end(self, batch, logs=None):
        self.logs.append(dict(logs))


def test_the_validation_loss_leaves_what_training_reports_alone():
    # compute_loss also updates a multi-output model's per-output loss
    # metrics, which training puts in the logs.
    def two_outputs():
        keras.utils.set_random_seed(1)
        inputs = keras.Input((4,))
        hidden = keras.layers.Dense(8, activation="relu")(inputs)
        outputs = {"a": keras.layers.Dense(1, name="a")(hidden), "b": keras.layers.Dense(1, name="b")(hidden)}
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="sgd", loss={"a": "mse", "b": "mse"})
        return model

    x, y = regression_data()
    x_val, y_val = regression_data(num_samples=64, seed=3)
    runs = []
    for validation_data in (None, (x_val, {"a": y_val, "b": y_val})):
        logs = BatchLogs()
        find_lr(
            two_outputs(), x, {"a": y, "b": y}, batch_size=BATCH, num_steps=20, end_lr=1e-2, shuffle=False,
            validation_data=validation_data, callbacks=[logs], verbose=0,
        )
        runs.append(logs.logs)
    assert runs[0] == runs[1] and {"a_loss", "b_loss"} <= runs[0][0].keys()


@pytest.mark.parametrize(
    "validation_data, received",
    [((np.zeros((4, 4)),), "tuple of length 1"), (np.zeros((4, 4)), "ndarray")],
)
def test_bad_validation_data_is_refused(validation_data, received):
    x, y = regression_data()
    model = mlp()
    with pytest.raises(ValueError, match=f"Received: validation_data={received}"):
        find_lr(model, x, y, batch_size=BATCH, validation_data=validation_data)
    assert model.train_function is None


def test_repeats_start_from_the_same_state_on_other_data_orders():
    x, y = regression_data()
    model = mlp(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    before = full_state(model)
    keras.utils.set_random_seed(5)
    shuffled = find_lr(model, x, y, batch_size=BATCH, num_steps=30, repeats=3, verbose=0)
    after_draws = global_random_draws()
    unshuffled = find_lr(model, x, y, batch_size=BATCH, num_steps=30, repeats=3, shuffle=False, verbose=0)
    assert_same_state(before, full_state(model))

    assert isinstance(shuffled, keras_lrfinder.RepeatedLRFinderResult) and len(shuffled.runs) == 3
    # From one start on one order, the runs are the same run; on others they differ.
    assert unshuffled.runs[0].losses.tobytes() == unshuffled.runs[1].losses.tobytes() == unshuffled.runs[2].losses.tobytes()
    assert len({run.losses[:5].tobytes() for run in shuffled.runs}) == 3
    assert np.isfinite(shuffled.spread()) and shuffled.suggestion() > 0
    # The global RNGs are back where the seed put them.
    keras.utils.set_random_seed(5)
    assert global_random_draws() == after_draws


def test_repeats_are_reproducible_under_a_global_seed():
    x, y = regression_data()
    results = []
    for _ in range(2):
        model = mlp(optimizer=keras.optimizers.Adam(1e-3))
        keras.utils.set_random_seed(7)
        results.append(find_lr(model, x, y, batch_size=BATCH, num_steps=20, repeats=2, verbose=0))
    assert [r.to_dict() for r in results[0].runs] == [r.to_dict() for r in results[1].runs]


@pytest.mark.parametrize("repeats", [0, 2.0, True])
def test_bad_repeats_raise_before_the_model_is_touched(repeats):
    x, y = regression_data()
    model = mlp()
    with pytest.raises(ValueError, match=f"Received: repeats={repeats!r}"):
        find_lr(model, x, y, batch_size=BATCH, repeats=repeats)
    assert model.train_function is None


class UnseededNoise(keras.layers.Layer):
    """Draws from Keras's global seed generator on every training step."""

    def call(self, inputs, training=False):
        if training:
            return inputs + 0.01 * keras.random.normal(keras.ops.shape(inputs))
        return inputs


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="JAX refuses unseeded random ops in a trace")
def test_the_keras_global_seed_generator_is_put_back():
    x, y = regression_data()
    draws = []
    for run_finder in (True, False):
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((4,)), UnseededNoise(), keras.layers.Dense(1)])
        model.compile(keras.optimizers.SGD(0.01), loss="mse")
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
        if run_finder:
            find_lr(model, x, y, batch_size=BATCH, num_steps=20, verbose=0)
        draws.append(float(keras.ops.convert_to_numpy(keras.random.uniform([]))))
    assert draws[0] == draws[1]


def test_a_learning_rate_schedule_is_put_back_and_in_effect():
    x, y = regression_data()

    def make_model():
        schedule = keras.optimizers.schedules.CosineDecay(1e-2, decay_steps=40)
        return mlp(optimizer=keras.optimizers.Adam(schedule))

    with_finder, without = twin_runs(make_model, x, y)
    assert_same_state(without, with_finder)

    model = make_model()
    schedule = model.optimizer._learning_rate
    find_lr(model, x, y, batch_size=BATCH, num_steps=10, verbose=0)
    assert model.optimizer._learning_rate is schedule


@pytest.mark.parametrize(
    "kwargs, received",
    [
        ({"start_lr": 0}, "start_lr=0"),
        ({"start_lr": -1.0}, "start_lr=-1.0"),
        ({"end_lr": 1e-8}, "end_lr=1e-08"),
        ({"num_steps": 1}, "num_steps=1"),
        ({"mode": "cosine"}, "mode='cosine'"),
        ({"smoothing": 1.0}, "smoothing=1.0"),
        ({"smoothing": -0.5}, "smoothing=-0.5"),
        ({"divergence_threshold": 1.0}, "divergence_threshold=1.0"),
        ({"verbose": 3}, "verbose=3"),
        ({"snapshot_dir": "/no/such/dir"}, "snapshot_dir='/no/such/dir'"),
        ({"snapshot_dir": 3}, "snapshot_dir=3"),
    ],
)
def test_bad_arguments_raise_before_the_model_is_touched(kwargs, received):
    x, y = regression_data()
    model = mlp()
    before = full_state(model)
    with pytest.raises(ValueError, match=f"Received: {received}"):
        find_lr(model, x, y, batch_size=BATCH, **kwargs)
    with pytest.raises(ValueError, match=f"Received: {received}"):
        LRFinder(**kwargs)
    assert_same_state(before, full_state(model))
    assert model.train_function is None


def test_an_uncompiled_model_is_refused():
    x, y = regression_data()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="must be compiled.*Received: model="):
        find_lr(model, x, y)


def test_steps_per_execution_above_one_is_refused_and_the_model_untouched():
    x, y = regression_data()
    model = mlp()
    model.compile(keras.optimizers.SGD(0.01), loss="mse", steps_per_execution=4)
    before = full_state(model)
    # The torch backend refuses it itself, naming the same argument.
    with pytest.raises(ValueError, match="steps_per_execution=4"):
        find_lr(model, x, y, batch_size=BATCH, num_steps=10)
    assert_same_state(before, full_state(model))


def accumulating_linear_model(x, y, batches_already_fit):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.01, gradient_accumulation_steps=2), loss="mse")
    model.fit(x[: batches_already_fit * BATCH], y[: batches_already_fit * BATCH], batch_size=BATCH, verbose=0)
    return model


def test_with_gradient_accumulation_a_step_is_an_update_with_the_mean_loss_of_its_batches():
    x, y = regression_data()
    y += 3.0
    model = accumulating_linear_model(x, y, batches_already_fit=4)
    before = full_state(model)
    recorder = Recorder()
    result = find_lr(
        model, x, y, batch_size=BATCH, start_lr=1e-4, end_lr=0.1, num_steps=15,
        shuffle=False, callbacks=[recorder], verbose=0,
    )
    assert result.stop_reason == "completed" and len(result.losses) == 15
    for update, (loss, learning_rate) in enumerate(zip(result.losses, result.learning_rates)):
        first, second = 2 * update, 2 * update + 1
        np.testing.assert_array_equal(recorder.after[first][1], recorder.before[first][1])
        losses, gradients = [], []
        for step in (first, second):
            w, b = recorder.before[step]
            xb, yb = batch_of_step(x, y, step)
            residual = xb @ w + b - yb
            losses.append(np.mean(residual**2))
            gradients.append(2 * np.mean(residual))
        assert loss == pytest.approx(np.mean(losses), rel=1e-4)
        bias_change = recorder.before[first][1][0] - recorder.after[second][1][0]
        assert bias_change / np.mean(gradients) == pytest.approx(learning_rate, rel=1e-4)
    assert_same_state(before, full_state(model))


def test_with_a_pending_accumulation_the_first_update_comes_after_one_batch():
    x, y = regression_data()
    model = accumulating_linear_model(x, y, batches_already_fit=3)
    before = full_state(model)
    recorder = Recorder()
    result = find_lr(model, x, y, batch_size=BATCH, num_steps=6, end_lr=0.1, callbacks=[recorder], verbose=0)
    assert len(result.losses) == 6 and len(recorder.before) == 11
    assert not np.array_equal(recorder.after[0][1], recorder.before[0][1])
    assert_same_state(before, full_state(model))


def test_an_empty_dataset_gets_a_clear_error():
    x, y = regression_data()
    with pytest.raises(ValueError, match="gave no batches.*Received: x=ndarray of shape \\(0, 4\\)"):
        find_lr(mlp(), x[:0], y[:0], batch_size=BATCH, num_steps=10)


def test_a_multi_input_multi_output_model_with_validation_data():
    x, y = regression_data()
    inputs = {"a": keras.Input((4,), name="a"), "b": keras.Input((2,), name="b")}
    hidden = keras.layers.Concatenate()([inputs["a"], inputs["b"]])
    outputs = {"o1": keras.layers.Dense(1, name="o1")(hidden), "o2": keras.layers.Dense(1, name="o2")(hidden)}
    model = keras.Model(inputs, outputs)
    model.compile("adam", {"o1": "mse", "o2": "mse"}, loss_weights={"o1": 1.0, "o2": 0.5})
    data = ({"a": x, "b": x[:, :2]}, {"o1": y, "o2": y})
    model.fit(*data, batch_size=BATCH, epochs=1, verbose=0)
    before = full_state(model)
    result = find_lr(model, *data, batch_size=BATCH, num_steps=25, end_lr=0.1, validation_data=data, verbose=0)
    assert result.stop_reason == "completed"
    assert_same_state(before, full_state(model))


def test_mixed_precision_curve_and_restore():
    x, y = regression_data()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = mlp(optimizer=keras.optimizers.Adam(1e-3))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    before = full_state(model)
    result = find_lr(model, x, y, batch_size=BATCH, num_steps=30, end_lr=0.1, verbose=0)
    assert len(result.losses) == 30 and np.all(np.isfinite(result.losses))
    assert_same_state(before, full_state(model))


def test_a_step_that_mixed_precision_skips_is_no_point_and_the_rates_stay_aligned():
    x, y = regression_data()
    y += 3.0
    x[5 * BATCH : 6 * BATCH] *= 1e3  # float16 gradients overflow on this batch
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = linear_model()
    finally:
        keras.mixed_precision.set_global_policy("float32")
    recorder = Recorder()
    result = find_lr(
        model, x, y, batch_size=BATCH, start_lr=1e-4, end_lr=0.1, num_steps=20,
        divergence_threshold=math.inf, shuffle=False, callbacks=[recorder], verbose=0,
    )
    moved = [not np.array_equal(b, b_next) for (_, b), (_, b_next) in zip(recorder.before, recorder.after)]
    assert moved[5] is False and moved.count(False) >= 1
    assert len(result.losses) == 20 == moved.count(True)
    applied = [rate for rate, step_moved in zip(applied_learning_rates(recorder, x, y), moved) if step_moved]
    # float16 forward passes: the applied rates are measured to about 1e-3.
    np.testing.assert_allclose(applied, result.learning_rates, rtol=1e-2)


def test_epochs_are_refused_by_find_lr():
    x, y = regression_data()
    with pytest.raises(ValueError, match="Received: epochs=3"):
        find_lr(mlp(), x, y, epochs=3)


@pytest.mark.parametrize("exception", [KeyboardInterrupt(), RuntimeError("data pipeline failed")])
def test_an_exception_mid_run_restores_the_model_and_propagates(exception):
    x, y = regression_data()
    model = mlp(optimizer=keras.optimizers.Adam(1e-3), dropout=True, batch_norm=True)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    history, learning_rate = model.history, model.optimizer._learning_rate
    before = full_state(model)
    with pytest.raises(type(exception)):
        find_lr(model, x, y, batch_size=BATCH, num_steps=50, verbose=0, callbacks=[RaiseAtStep(5, exception)])
    assert_same_state(before, full_state(model))
    assert model.history is history and model.optimizer._learning_rate is learning_rate


class SendCtrlC(keras.callbacks.Callback):
    def __init__(self, step):
        super().__init__()
        self.step, self.seen = step, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.step:
            os.kill(os.getpid(), signal.SIGINT)


def test_a_data_pipeline_failing_mid_run_restores_the_model_and_propagates():
    x, y = regression_data()

    def failing_batches():
        for step, start in enumerate(range(0, len(x), BATCH)):
            if step == 6:
                raise OSError("lost the data")
            yield x[start : start + BATCH], y[start : start + BATCH]

    model = mlp(optimizer=keras.optimizers.Adam(1e-3), dropout=True)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    before = full_state(model)
    with pytest.raises(Exception, match="lost the data"):  # TensorFlow wraps it in its own error
        find_lr(model, failing_batches(), num_steps=50, verbose=0)
    assert_same_state(before, full_state(model))


@pytest.mark.usefixtures("python_sigint_handler")
def test_ctrl_c_inside_the_users_own_fit_restores_and_then_raises():
    x, y = regression_data()
    model = mlp(optimizer=keras.optimizers.Adam(1e-3), batch_norm=True)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    before = full_state(model)
    finder = LRFinder(num_steps=50, verbose=0)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=BATCH, epochs=10, callbacks=[SendCtrlC(6), finder], verbose=0)
    assert_same_state(before, full_state(model))
    assert finder.result.stop_reason == "interrupted" and len(finder.result.losses) == 6
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.usefixtures("python_sigint_handler")
def test_ctrl_c_during_find_lr_restores_and_propagates():
    x, y = regression_data()
    model = mlp()
    before = full_state(model)
    with pytest.raises(KeyboardInterrupt):
        find_lr(model, x, y, batch_size=BATCH, num_steps=50, verbose=0, callbacks=[SendCtrlC(3)])
    assert_same_state(before, full_state(model))


@pytest.mark.parametrize(
    "callback",
    [
        keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5),
        keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0, factor=0.5, min_delta=10.0),
    ],
    ids=["LearningRateScheduler", "ReduceLROnPlateau"],
)
def test_learning_rate_callbacks_are_warned_about_and_cannot_bend_the_sweep(callback):
    x, y = regression_data()
    y += 3.0
    model = linear_model()
    recorder = Recorder()
    with pytest.warns(UserWarning) as warned:
        result = find_lr(
            model, x, y, batch_size=BATCH, start_lr=1e-5, end_lr=0.1, num_steps=40,
            shuffle=False, callbacks=[callback, recorder], verbose=0,
        )
    messages = [str(w.message) for w in warned]
    assert any(type(callback).__name__ in m and "Leave it out" in m for m in messages)
    assert any("was ignored" in m for m in messages)
    assert result.stop_reason == "completed"
    np.testing.assert_allclose(applied_learning_rates(recorder, x, y), result.learning_rates, rtol=1e-4)
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(0.01)


@pytest.mark.parametrize(
    "make_callback",
    [
        lambda folder: keras.callbacks.EarlyStopping(monitor="loss"),
        lambda folder: keras.callbacks.ModelCheckpoint(str(folder / "sweep.keras")),
    ],
    ids=["EarlyStopping", "ModelCheckpoint"],
)
def test_callbacks_that_judge_or_save_weights_are_warned_about(make_callback, tmp_path):
    callback = make_callback(tmp_path)
    with pytest.warns(UserWarning, match=f"{type(callback).__name__} .*Leave it out of find_lr"):
        find_lr(mlp(), *regression_data(), batch_size=BATCH, num_steps=5, verbose=0, callbacks=[callback])


def test_find_lr_leaves_model_history_alone():
    x, y = regression_data()
    model = mlp()
    history = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    find_lr(model, x, y, batch_size=BATCH, num_steps=10, verbose=0)
    assert model.history is history


def test_the_callback_inside_the_users_own_fit_stops_it_and_restores():
    x, y = regression_data()
    model = mlp()
    before = full_state(model)
    finder = LRFinder(num_steps=25, end_lr=0.1, verbose=0)
    history = model.fit(x, y, batch_size=BATCH, epochs=100, callbacks=[finder], verbose=0)
    assert len(history.epoch) == 3  # 10 batches per epoch: the sweep ends in epoch 3
    assert finder.result.stop_reason == "completed" and len(finder.result.losses) == 25
    assert_same_state(before, full_state(model))
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    assert not np.array_equal(full_state(model)[0], before[0])


def test_a_fit_shorter_than_the_sweep_is_interrupted():
    x, y = regression_data()
    finder = LRFinder(num_steps=100, verbose=0)
    mlp().fit(x, y, batch_size=BATCH, epochs=1, callbacks=[finder], verbose=0)
    assert finder.result.stop_reason == "interrupted" and len(finder.result.losses) == 10


def test_the_context_manager_restores_when_the_users_fit_raises():
    x, y = regression_data()
    model = mlp()
    before = full_state(model)
    finder = LRFinder(num_steps=50, verbose=0)
    with pytest.raises(RuntimeError), finder:
        model.fit(x, y, batch_size=BATCH, epochs=10, callbacks=[finder, RaiseAtStep(7, RuntimeError())], verbose=0)
    assert_same_state(before, full_state(model))
    assert finder.result.stop_reason == "interrupted" and len(finder.result.losses) == 7


def test_a_model_trained_for_a_while_does_not_stop_at_once():
    x, y = regression_data()
    model = mlp(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(x, y, batch_size=BATCH, epochs=30, verbose=0)
    result = find_lr(model, x, y, batch_size=BATCH, num_steps=60, verbose=0)
    assert len(result.losses) > 30


def shifted_mse(y_true, y_pred):
    """A loss that is negative for any reasonable fit."""
    return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1) - 10.0


def test_a_negative_loss_does_not_stop_at_once_but_does_on_a_blow_up():
    x, y = regression_data()
    model = mlp()
    model.compile(keras.optimizers.SGD(0.01), loss=shifted_mse)
    tame = find_lr(model, x, y, batch_size=BATCH, start_lr=1e-5, end_lr=1e-2, num_steps=60, verbose=0)
    assert tame.stop_reason == "completed" and np.max(tame.losses) < 0
    wild = find_lr(model, x, y, batch_size=BATCH, start_lr=1e-4, end_lr=100.0, num_steps=200, verbose=0)
    assert wild.stop_reason in ("diverged", "non_finite") and len(wild.losses) > 60


def test_a_loss_near_zero_does_not_stop_on_noise_but_does_on_a_blow_up():
    x, _ = regression_data()
    noise = 1e-3 * np.random.default_rng(0).standard_normal((len(x), 1))
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]]) + noise).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), loss="mse")
    model.fit(x, y, batch_size=BATCH, epochs=30, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 1e-5
    tame = find_lr(model, x, y, batch_size=BATCH, start_lr=1e-7, end_lr=0.1, num_steps=100, verbose=0)
    assert tame.stop_reason == "completed"
    wild = find_lr(model, x, y, batch_size=BATCH, start_lr=1e-4, end_lr=100.0, num_steps=200, verbose=0)
    assert wild.stop_reason in ("diverged", "non_finite")


def test_apply_sets_the_suggestion():
    x, y = regression_data()
    model = mlp(optimizer=keras.optimizers.Adam(1e-3))
    result = find_lr(model, x, y, batch_size=BATCH, num_steps=100, apply=True, verbose=0)
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(
        result.suggestion(), rel=1e-6
    )


@pytest.mark.parametrize(
    "make_optimizer, kind",
    [(lambda: keras.optimizers.SGD(momentum=0.9), "sgd"), (keras.optimizers.Adam, "adaptive")],
)
def test_the_result_records_the_kind_of_optimizer_for_the_default_rule(make_optimizer, kind, tmp_path):
    x, y = regression_data()
    result = find_lr(mlp(optimizer=make_optimizer()), x, y, batch_size=BATCH, num_steps=100, verbose=0)
    assert result.optimizer_kind == kind
    result.save(tmp_path / "result.json")
    assert keras_lrfinder.load_result(tmp_path / "result.json").optimizer_kind == kind


class MySGD(keras.optimizers.SGD):
    pass


@pytest.mark.parametrize(
    "optimizer, kind",
    [
        (MySGD(), "sgd"),
        (keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD()), "sgd"),
        (keras.optimizers.LossScaleOptimizer(keras.optimizers.AdamW()), "adaptive"),
        (keras.optimizers.RMSprop(), "adaptive"),
        (keras.optimizers.Adagrad(), "adaptive"),
        (keras.optimizers.Lion(), "adaptive"),
    ],
)
def test_optimizer_kind(optimizer, kind):
    assert keras_lrfinder.optimizer_kind(optimizer) == kind


def test_verbose_prints_a_progress_bar_and_a_summary(capsys):
    x, y = regression_data()
    result = find_lr(mlp(), x, y, batch_size=BATCH, num_steps=20, end_lr=1e-3)
    output = capsys.readouterr().out
    assert "20/20" in output
    assert f"LRFinder: {result.stop_reason}" in output


def test_progress_bar_ends_at_the_step_an_early_stop_came_at(capsys):
    x, y = regression_data()
    result = find_lr(mlp(), x, y, batch_size=BATCH, num_steps=100, verbose=1)
    assert result.stop_reason == "diverged"
    steps = len(result.losses)
    bar, summary = capsys.readouterr().out.rstrip("\n").rsplit("\n", 1)
    assert re.findall(r"(\d+)/100", bar)[-1] == str(steps)
    assert summary.startswith(f"LRFinder: diverged at lr={result.learning_rates[-1]:.2e} after {steps}/100 steps")


def test_a_finder_can_be_deep_copied_as_keras_tuner_copies_callbacks():
    finder = copy.deepcopy(LRFinder(end_lr=1e-2, num_steps=20, verbose=0))
    x, y = regression_data()
    model = mlp()
    model.fit(x, y, batch_size=BATCH, epochs=3, callbacks=[finder], verbose=0)
    assert len(finder.result.losses) == 20


def test_verbose_zero_is_silent(capsys):
    x, y = regression_data()
    find_lr(mlp(), x, y, batch_size=BATCH, num_steps=20, verbose=0)
    assert capsys.readouterr().out == ""


class ArraySequence(keras.utils.PyDataset):
    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x) // BATCH

    def __getitem__(self, index):
        return self.x[index * BATCH : (index + 1) * BATCH], self.y[index * BATCH : (index + 1) * BATCH]


def _generator(x, y):
    while True:
        for start in range(0, len(x), BATCH):
            yield x[start : start + BATCH], y[start : start + BATCH]


def _tf_dataset(x, y):
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH)


def _torch_loader(x, y):
    import torch

    dataset = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    return torch.utils.data.DataLoader(dataset, batch_size=BATCH)


@pytest.mark.parametrize(
    "make_data, fit_kwargs",
    [
        (lambda x, y: {"x": x, "y": y, "batch_size": BATCH}, {}),
        (lambda x, y: {"x": x, "y": y, "batch_size": BATCH, "sample_weight": np.ones(len(x))}, {}),
        (lambda x, y: {"x": ArraySequence(x, y)}, {}),
        (lambda x, y: {"x": _generator(x, y)}, {"steps_per_epoch": 7}),
        (lambda x, y: {"x": _tf_dataset(x, y)}, {}),
        (lambda x, y: {"x": _torch_loader(x, y)}, {}),
    ],
    ids=["numpy", "sample_weight", "PyDataset", "generator", "tf.data", "torch DataLoader"],
)
def test_any_data_fit_takes_and_more_steps_than_one_epoch(make_data, fit_kwargs):
    x, y = regression_data()
    model = mlp()
    before = full_state(model)
    result = find_lr(model, **make_data(x, y), num_steps=25, divergence_threshold=math.inf, verbose=0, **fit_kwargs)
    assert result.stop_reason == "completed" and len(result.losses) == 25
    assert_same_state(before, full_state(model))


class SubclassedRegressor(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.dropout = keras.layers.Dropout(0.1)
        self.out = keras.layers.Dense(1)

    def call(self, inputs, training=False):
        return self.out(self.dropout(self.hidden(inputs), training=training))


def test_a_subclassed_model():
    x, y = regression_data()
    keras.utils.set_random_seed(0)
    model = SubclassedRegressor()
    model.compile(keras.optimizers.Adam(1e-3), loss="mse")
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    before = full_state(model)
    result = find_lr(model, x, y, batch_size=BATCH, num_steps=25, end_lr=0.1, verbose=0)
    assert result.stop_reason == "completed"
    assert_same_state(before, full_state(model))


def test_regularization_losses_are_part_of_the_recorded_loss():
    x, y = regression_data()
    keras.utils.set_random_seed(0)
    dense = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.5))
    model = keras.Sequential([keras.Input((4,)), dense])
    model.compile(keras.optimizers.SGD(0.01), loss="mse")
    recorder = Recorder()
    result = find_lr(
        model, x, y, batch_size=BATCH, start_lr=1e-4, end_lr=0.1, num_steps=30,
        shuffle=False, callbacks=[recorder], verbose=0,
    )
    expected = []
    for step, (w, b) in enumerate(recorder.before):
        xb, yb = batch_of_step(x, y, step)
        expected.append(np.mean((xb @ w + b - yb) ** 2) + 0.5 * np.sum(w**2))
    np.testing.assert_allclose(result.losses, expected, rtol=1e-4)


def test_an_endless_tf_data_pipeline_with_steps_per_epoch():
    import tensorflow as tf

    x, y = regression_data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=0).repeat().batch(BATCH)
    model = mlp()
    before = full_state(model)
    result = find_lr(model, dataset, steps_per_epoch=7, num_steps=30, end_lr=0.1, verbose=0)
    assert result.stop_reason == "completed" and len(result.losses) == 30
    assert_same_state(before, full_state(model))


def test_the_warning_of_a_rough_guess_points_at_the_fit_that_ran_the_finder():
    # No input, so nothing trains: the loss is flat but for easier targets from step 60 to 70.
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((300, 1), "float32"), np.ones((300, 1), "float32")
    y[60:70] = 0.5
    finder = LRFinder(num_steps=300, verbose=1)
    with pytest.warns(UserWarning, match="a rough guess") as warned:
        model.fit(x, y, batch_size=1, shuffle=False, callbacks=[finder], verbose=0)
    assert [w.filename for w in warned if "a rough guess" in str(w.message)] == [__file__]


@pytest.mark.filterwarnings("ignore:The loss is lowest:UserWarning")  # a tiny model's rough curve
def test_no_files_are_left_and_no_global_settings_change(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    def global_settings():
        config = keras.config
        return config.floatx(), config.dtype_policy().name, config.image_data_format(), config.epsilon()

    settings = global_settings()
    x, y = regression_data()
    result = find_lr(mlp(), x, y, batch_size=BATCH, num_steps=20, verbose=0)
    result.plot()
    assert list(tmp_path.iterdir()) == []
    assert global_settings() == settings


def test_public_names():
    assert set(keras_lrfinder.__all__) >= {"LRFinder", "find_lr", "LRFinderResult", "NoSuggestionError", "suggest"}
    assert issubclass(LRFinder, keras.callbacks.Callback)
