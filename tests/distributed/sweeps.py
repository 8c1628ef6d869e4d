"""One range test, run on one device and under each distribution, to compare."""

import keras
import numpy as np

from keras_lrfinder import find_lr
from tests.models import mlp, regression_data

NUM_FEATURES = 8


def data():
    return regression_data(num_samples=640, num_features=NUM_FEATURES)


def model():
    return mlp(num_features=NUM_FEATURES, optimizer=keras.optimizers.Adam(1e-3))


def sweep(model, x, y, **kwargs):
    """A range test that runs until the loss blows up, on unshuffled batches."""
    return find_lr(model, x, y, batch_size=32, num_steps=60, shuffle=False, verbose=0, **kwargs)


def assert_same_sweep(distributed, single_device):
    """The distributed run swept the same rates and recorded the global batch's loss."""
    assert distributed.stop_reason == single_device.stop_reason == "diverged"
    np.testing.assert_array_equal(distributed.learning_rates, single_device.learning_rates)
    # Only the order of the sums over the batch differs; near the blow-up,
    # where the rates are huge, that grows to about 1e-5.
    np.testing.assert_allclose(distributed.losses, single_device.losses, rtol=1e-4)
