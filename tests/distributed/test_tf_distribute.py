"""The range test under `tf.distribute.MirroredStrategy`, over virtual CPU devices."""

import keras
import numpy as np
import pytest

from keras_lrfinder import LRFinder
from tests.distributed import sweeps

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="tf.distribute runs on the TensorFlow backend"
)


@pytest.fixture
def strategy():
    import tensorflow as tf

    devices = tf.config.list_logical_devices("CPU")
    assert len(devices) == 4
    return tf.distribute.MirroredStrategy([d.name for d in devices])


def replica_values(model):
    """Each replica's copy of every variable: mirrored ones and the per-replica metric ones."""
    values = []
    for variable in [*model.variables, *model.metrics_variables, *model.optimizer.variables]:
        for replica_value in variable.value.values:
            values.append(replica_value.numpy().copy())
    return values


def test_curve_is_the_global_batch_loss_at_the_single_device_rates(strategy):
    x, y = sweeps.data()
    single_device = sweeps.sweep(sweeps.model(), x, y)
    with strategy.scope():
        model = sweeps.model()
    sweeps.assert_same_sweep(sweeps.sweep(model, x, y), single_device)


def test_restore_is_bit_exact_on_every_replica(strategy, tmp_path):
    x, y = sweeps.data()
    with strategy.scope():
        model = sweeps.model()
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    before = replica_values(model)
    assert len(before) > 4 * len(model.variables)

    assert sweeps.sweep(model, x, y).stop_reason == "diverged"
    for old, new in zip(before, replica_values(model), strict=True):
        np.testing.assert_array_equal(old, new)

    # The same with the copy in files, read back one variable at a time.
    finder = LRFinder(num_steps=60, verbose=0, snapshot_dir=tmp_path)
    model.fit(x, y, batch_size=32, epochs=5, callbacks=[finder], verbose=0)
    assert finder.result.stop_reason == "diverged"
    for old, new in zip(before, replica_values(model), strict=True):
        np.testing.assert_array_equal(old, new)
