import os

# Tiny models on 2 cores: torch's OpenMP pool is up to 20x slower when the
# machine is busy. Set before any backend is imported.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import signal

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture
def python_sigint_handler():
    """Python's own Ctrl-C handler for the length of a test.

    A process started in the background (`nohup`, `cmd &` in a script)
    inherits SIGINT as ignored, and Python then leaves it ignored, so a test
    of what the finder does with Ctrl-C would not get to see it.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _make_virtual_cpu_devices(count: int) -> None:
    """Splits the CPU into `count` devices, which must happen before the backend starts.

    So the distributed tests run in a process of their own, per backend, as
    scripts/test.sh runs them:

        KERAS_LRFINDER_DEVICES=4 KERAS_BACKEND=jax pytest tests/distributed
    """
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend == "jax":
        flags = os.environ.get("XLA_FLAGS", "")
        os.environ["XLA_FLAGS"] = f"{flags} --xla_force_host_platform_device_count={count}"
    elif backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)


if "KERAS_LRFINDER_DEVICES" in os.environ:
    _make_virtual_cpu_devices(int(os.environ["KERAS_LRFINDER_DEVICES"]))
else:
    collect_ignore = ["distributed"]


def pytest_report_header(config):
    import keras

    return f"keras {keras.__version__}, backend: {keras.backend.backend()}"
