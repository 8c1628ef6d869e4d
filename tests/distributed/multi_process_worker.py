"""One process of a simulated multi-host run, for `test_processes_agree`.

    python -m tests.distributed.multi_process_worker LAYOUT PROCESS_ID NUM_PROCESSES PORT OUT_DIR

Each process has two virtual CPU devices; JAX joins them over gloo into one
mesh, as the hosts of a multi-host job are joined. LAYOUT is `data_parallel`
(each process feeds its shard of a tf.data pipeline) or
`model_parallel_across_processes` (the hidden layer split between the
processes, which no process can read whole; each feeds the same batches).
The process writes its result, and whether its restore was bit-exact, to
OUT_DIR.
"""

import json
import os
import sys

layout, process_id, num_processes, port, out_dir = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
os.environ["KERAS_BACKEND"] = "jax"

import jax  # noqa: E402

jax.config.update("jax_cpu_collectives_implementation", "gloo")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_lrfinder import find_lr  # noqa: E402
from tests.distributed import sweeps  # noqa: E402

keras.distribution.initialize(f"localhost:{port}", num_processes, process_id)
x, y = sweeps.data()
if layout == "data_parallel":
    distribution = keras.distribution.DataParallel(devices=keras.distribution.list_devices())
    # A multi-process distribution shards a tf.data pipeline across the processes.
    data = {"x": tf.data.Dataset.from_tensor_slices((x, y)).batch(32)}
else:
    # The "model" axis is the slow one, so its two halves lie in different processes.
    mesh = keras.distribution.DeviceMesh(
        (num_processes, 2), axis_names=("model", "batch"), devices=keras.distribution.list_devices()
    )
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map[".*/dense/kernel"] = (None, "model")
    distribution = keras.distribution.ModelParallel(
        layout_map=layout_map, batch_dim_name="batch", auto_shard_dataset=False
    )
    data = {"x": x, "y": y, "batch_size": 32, "shuffle": False}


def local_values(model):
    """This process's shards of every variable."""
    variables = [*model.variables, *model.metrics_variables, *model.optimizer.variables]
    return [np.asarray(shard.data) for v in variables for shard in v.value.addressable_shards]


keras.backend.clear_session()  # so the hidden layer is named "dense"
with distribution.scope():
    model = sweeps.model()
    model.fit(**data, epochs=1, verbose=0)
    before = local_values(model)
    result = find_lr(model, **data, num_steps=60, verbose=0)
    after = local_values(model)

result.save(os.path.join(out_dir, f"result_{process_id}.json"))
with open(os.path.join(out_dir, f"process_{process_id}.json"), "w") as file:
    json.dump(
        {
            "global_devices": len(jax.devices()),
            "hidden_layer_replicated": model.layers[0].kernel.value.is_fully_replicated,
            "restored": all(np.array_equal(old, new) for old, new in zip(before, after, strict=True)),
        },
        file,
    )
