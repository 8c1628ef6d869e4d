"""The range test under `keras.distribution` on JAX, over virtual CPU devices."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import keras
import pytest

from keras_lrfinder import LRFinder, LRFinderResult
from tests.distributed import sweeps
from tests.models import assert_same_state, full_state

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax", reason="keras.distribution runs on the JAX backend"
)


@pytest.fixture(scope="module")
def single_device_result():
    x, y = sweeps.data()
    return sweeps.sweep(sweeps.model(), x, y)


def data_parallel():
    return keras.distribution.DataParallel(devices=keras.distribution.list_devices())


def model_parallel():
    mesh = keras.distribution.DeviceMesh(
        (2, 2), axis_names=("batch", "model"), devices=keras.distribution.list_devices()
    )
    layout_map = keras.distribution.LayoutMap(mesh)
    # The hidden layer's units are split across the "model" axis.
    layout_map[".*/dense/kernel"] = (None, "model")
    layout_map[".*/dense/bias"] = ("model",)
    return keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch")


def shardings(model):
    return [v.value.sharding for v in [*model.variables, *model.optimizer.variables]]


@pytest.mark.parametrize("make_distribution", [data_parallel, model_parallel])
def test_curve_is_the_global_batch_loss_at_the_single_device_rates(
    make_distribution, single_device_result
):
    x, y = sweeps.data()
    keras.backend.clear_session()  # so the hidden layer is named "dense"
    with make_distribution().scope():
        model = sweeps.model()
        assert all(len(s.device_set) == 4 for s in shardings(model))
        result = sweeps.sweep(model, x, y)
    sweeps.assert_same_sweep(result, single_device_result)


def test_model_parallel_layout_shards_the_hidden_layer():
    keras.backend.clear_session()
    with model_parallel().scope():
        model = sweeps.model()
    assert tuple(model.layers[0].kernel.value.sharding.spec) == (None, "model")


@pytest.mark.parametrize("make_distribution", [data_parallel, model_parallel])
def test_restore_is_bit_exact_and_keeps_each_variable_layout(make_distribution, tmp_path):
    x, y = sweeps.data()
    keras.backend.clear_session()  # so the hidden layer is named "dense"
    with make_distribution().scope():
        model = sweeps.model()
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)
        before, layouts = full_state(model), shardings(model)

        result = sweeps.sweep(model, x, y)
        assert result.stop_reason == "diverged"
        assert_same_state(before, full_state(model))
        assert shardings(model) == layouts

        # The same with the copy in files, read back one variable at a time.
        finder = LRFinder(num_steps=60, verbose=0, snapshot_dir=tmp_path)
        model.fit(x, y, batch_size=32, epochs=5, callbacks=[finder], verbose=0)
        assert finder.result.stop_reason == "diverged"
        assert_same_state(before, full_state(model))
        assert shardings(model) == layouts


@pytest.mark.parametrize("layout", ["data_parallel", "model_parallel_across_processes"])
def test_processes_agree_on_rates_and_stop_and_each_restores_its_shards(layout, tmp_path):
    """Two processes of two devices each stand in for two hosts."""
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    worker = [sys.executable, "-m", "tests.distributed.multi_process_worker", layout]
    processes = [
        subprocess.Popen([*worker, str(i), "2", str(port), str(tmp_path)], cwd=Path(__file__).parents[2])
        for i in range(2)
    ]
    try:
        # A process that stops a step after the other would wait for it forever.
        assert [process.wait(timeout=180) for process in processes] == [0, 0]
    finally:
        for process in processes:
            process.kill()

    first, second = (LRFinderResult.load(tmp_path / f"result_{i}.json") for i in range(2))
    assert first.stop_reason == "diverged"
    assert first.to_dict() == second.to_dict()
    for i in range(2):
        process = json.loads((tmp_path / f"process_{i}.json").read_text())
        assert process == {
            "global_devices": 4,
            "hidden_layer_replicated": layout == "data_parallel",
            "restored": True,
        }
