#!/usr/bin/env bash
# Installs keras-lrfinder with its test extras (CPU builds of TensorFlow, JAX
# and torch) into .venv, then runs the suite once per Keras backend, each in
# its own process: Keras picks its backend at import. Extra arguments go to
# pytest, e.g. `bash scripts/test.sh -x -k restore`.
set -uo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv || exit 1
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]" || exit 1

# Tiny models on few cores: torch's default OpenMP pool is erratic when the
# machine is busy.
export OMP_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=2

failed=()
for backend in tensorflow jax torch; do
    echo "=== KERAS_BACKEND=$backend"
    KERAS_BACKEND=$backend .venv/bin/python -m pytest -p no:cacheprovider "$@" || failed+=("$backend")
done
# Distribution over 4 virtual CPU devices, which must exist before the backend
# starts: a process of its own per backend. Keras's torch backend has no
# keras.distribution, so there is nothing to run for it.
for backend in tensorflow jax; do
    echo "=== KERAS_BACKEND=$backend, 4 virtual devices"
    KERAS_BACKEND=$backend KERAS_LRFINDER_DEVICES=4 .venv/bin/python -m pytest -p no:cacheprovider tests/distributed \
        || failed+=("$backend (distributed)")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED on: ${failed[*]}"
    exit 1
fi
echo "All three backends passed."
