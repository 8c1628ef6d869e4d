"""Small Keras models and data for the backend tests."""

import keras
import numpy as np


def regression_data(num_samples=320, num_features=4, seed=0, dtype="float32"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(num_samples, num_features))
    y = x @ rng.normal(size=(num_features, 1)) + 0.1 * rng.normal(size=(num_samples, 1))
    return x.astype(dtype), y.astype(dtype)


def mlp(num_features=4, optimizer=None, seed=1, hidden=16, dropout=False, batch_norm=False):
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((num_features,)), keras.layers.Dense(hidden, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(0.2))
    if batch_norm:
        layers.append(keras.layers.BatchNormalization())
    layers.append(keras.layers.Dense(1))
    model = keras.Sequential(layers)
    model.compile(optimizer=optimizer or keras.optimizers.SGD(0.01), loss="mse")
    return model


def full_state(model):
    """Copies of every variable a range test could change."""
    variables = [*model.variables, *model.metrics_variables, *model.optimizer.variables]
    return [np.array(keras.ops.convert_to_numpy(v.value), copy=True) for v in variables]


def assert_same_state(before, after):
    assert len(before) == len(after)
    for index, (old, new) in enumerate(zip(before, after)):
        assert old.dtype == new.dtype and np.array_equal(old, new, equal_nan=True), index


class Recorder(keras.callbacks.Callback):
    """Copies the trainable weights before and after every train step."""

    def __init__(self):
        super().__init__()
        self.before, self.after = [], []

    def _weights(self):
        return [np.array(keras.ops.convert_to_numpy(v.value), copy=True) for v in self.model.trainable_variables]

    def on_train_batch_begin(self, batch, logs=None):
        self.before.append(self._weights())

    def on_train_batch_end(self, batch, logs=None):
        self.after.append(self._weights())


class RaiseAtStep(keras.callbacks.Callback):
    def __init__(self, step, exception):
        super().__init__()
        self.step, self.exception, self.seen = step, exception, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.step:
            raise self.exception
