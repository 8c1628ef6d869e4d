import os

# Tiny models on 2 cores: torch's OpenMP pool is up to 20x slower when the
# machine is busy. Set before any backend is imported.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib

matplotlib.use("Agg")


def pytest_report_header(config):
    import keras

    return f"keras {keras.__version__}, backend: {keras.backend.backend()}"
