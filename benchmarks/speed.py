"""What the range test costs: time and memory of keras-lrfinder against plain `fit`.

Measures one Keras backend per process, the one named by KERAS_BACKEND:

    OMP_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=2 KERAS_BACKEND=jax .venv/bin/python benchmarks/speed.py

or all three (tensorflow, jax, torch), each in its own subprocess, with one
combined table at the end:

    OMP_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=2 .venv/bin/python benchmarks/speed.py --all

`--quick` (2 repeats, 6 rounds) takes a fraction of the time; `--rounds` (20:
for (a), (b) and (e)), `--steps` (200: for (b)) and `--repeats` (3: for (c))
set the work. Timings move by 10-20% from one `fit` to the next on a small
VM, also between two fits that do the very same work, so every timing is
taken in rounds: a round runs each kind once, starting from the next kind in
turn, so that none always runs first, and a ratio divides two kinds of the
same round. A cell of (a), (b) or (e) is the median over rounds, with a
bootstrap 95% interval of that median in brackets: many short rounds pin it
down better than a few long ones. A cell of (c), which hardly moves, is the
median over the repeats, with (min-max) after it. The last column divides
the finder's figure by the naive finder's, round by round.

Two models: a tiny MLP (20-64-64-1, Adam, MSE), where the
finder's fixed and per-step Python costs weigh most, and a small CNN (28x28x1,
Conv2D 16 and 32 with max pooling, Dense 10, Adam, sparse cross-entropy).
Batch size 32; synthetic data; all seeded.

(a) Whole call. `find_lr(model, x, y, num_steps=100, start_lr=1e-7,
    end_lr=1e-6, verbose=0)` (the tiny end_lr never diverges, so all 100 steps
    run) divided by `model.fit` over exactly 100 batches (epochs=1), each on a
    freshly built and compiled, identical model, so tracing and compilation
    are inside both timings. One untimed round first warms up the process.
    The kinds of a round: plain `fit`, the pre-built `fit` below, `find_lr`,
    `fit` with the naive callback (d), and (e)'s `find_lr`.
    A second row divides by a `fit` that first calls
    `model.optimizer.build(model.trainable_variables)`, as `find_lr` does
    (TensorFlow traces the first step twice when it has to create the
    optimizer's variables inside it).

(b) Steady state. Four identical models, warmed up by a 20-step `fit` each
    with the callbacks of their own timed runs; then `--rounds` rounds of one
    `fit` of `--steps` batches each: plain; with a no-op
    `on_train_batch_end` callback; with `LRFinder(start_lr=1e-7,
    end_lr=1e-6, num_steps=steps + 1, divergence_threshold=inf, verbose=0)`;
    and with the naive callback (d). The timed finder `fit` is thus never a
    model's first. Reported:
    - whole fit: wall time of the whole `fit` over plain's. With the finder
      this includes its per-fit fixed costs: the state snapshot and the
      re-trace of the train function at `on_train_begin` (TensorFlow and JAX
      re-trace, and JAX recompiles, the first time a sweep runs on a model;
      later fits of the same sweep reuse that trace), and the restore at
      `on_train_end`;
    - per step: the median interval between consecutive
      `on_train_batch_begin` calls over steps 20..N, so compile, snapshot and
      restore are all outside it; over plain `fit`'s, and over that of `fit`
      with the no-op callback. Any callback with an `on_train_batch_end`
      switches Keras from running batch-end callbacks on a background thread
      to running them inline, which by itself changes the step time; the
      second ratio leaves that out. (The timer itself hooks
      `on_train_batch_begin` so that it does not cause that switch.)
    - the callback's own time per step (us): the CPU time of the thread
      that runs the batch hooks the callback defines, spent inside them, per
      step, and its share of plain `fit`'s median step. It is measured inside
      the timed fits and moves little between rounds, so it bounds the
      Python part of the per-step cost far more tightly than the ratios
      can; what the finder adds inside the compiled step (the table lookup
      of the rate) is in the ratios only. The timing wraps the hooks of the
      finder and of the naive callback in every timed fit, so its own two
      clock reads per call (about a microsecond) weigh on their ratios, not
      on plain `fit`'s.
    - fixed cost per fit (ms): (total - steps x per-step median) minus the same
      for plain `fit`: what the snapshot, re-trace and restore add per `fit`.
      A small difference of large numbers: noisy.

(c) Memory. In a fresh subprocess, a model of 50.3M parameters (4096-wide, three
    Dense layers, Adam, MSE) is built, compiled and fitted for one step, so the
    optimizer's slots exist. Then the peak RSS (VmHWM, reset by writing 5 to
    /proc/self/clear_refs) over `TrainingState.capture(model)` then
    `.restore()` and a wait for the restored values (JAX assigns
    asynchronously), minus the RSS before (after `gc.collect()`), is divided
    by the bytes of `model.variables` + `optimizer.variables`. A second row
    does the same with `TrainingState.capture(model, directory)`, the
    snapshot in files (`snapshot_dir`). For the naive callback: the same
    around `save_weights` + `load_weights` of a `.weights.h5` file (weights
    only; the file goes to disk, the optimizer is not saved). Page cache is
    not RSS, so neither file counts. A third row times the capture and
    restore in files, and the naive save and load, against the capture and
    restore in memory.

(e) Validation loss. In (a)'s rounds, `find_lr` with
    `validation_data` (the first 256 samples of the data) divided by the same
    `find_lr` without it: the price of a forward pass (and on JAX a state sync)
    per step.

(d) Naive baseline, for comparison: a callback that saves the weights to a
    `.weights.h5` file at `on_train_begin` and loads them back at
    `on_train_end`, and at each `on_train_batch_end` reads `logs["loss"]` as
    is (the epoch's running mean) and sets `optimizer.learning_rate` to the
    next rate, a Python float.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import keras_lrfinder  # noqa: E402
from keras_lrfinder.state import TrainingState  # noqa: E402

BACKENDS = ("tensorflow", "jax", "torch")
BATCH_SIZE = 32
WHOLE_CALL_STEPS = 100
VALIDATION_SAMPLES = 256
WARMUP_STEPS = 20
SKIP_STEPS = 20
START_LR, END_LR = 1e-7, 1e-6
MEMORY_WIDTH = 4096  # three 4096x4096 Dense layers: 50.3M parameters


class StepTimer(keras.callbacks.Callback):
    """Records `time.perf_counter()` as each training batch begins."""

    def on_train_begin(self, logs=None):
        self.times: list[float] = []

    def on_train_batch_begin(self, batch, logs=None):
        self.times.append(time.perf_counter())

    def median_step(self) -> float:
        return statistics.median(np.diff(self.times[SKIP_STEPS:]))


class SyncBatchEnd(keras.callbacks.Callback):
    """Does nothing, but has an `on_train_batch_end`, as every finder has.

    That alone makes Keras run batch-end callbacks synchronously instead of on
    its background thread, which changes the speed of `fit` by itself.
    """

    def on_train_batch_end(self, batch, logs=None):
        pass


BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end")


def time_batch_hooks(callback: keras.callbacks.Callback) -> list[float]:
    """Measures the CPU time of every call of the batch hooks that `callback`'s class defines.

    Returns the list the seconds of each call go to. CPU time of the calling
    thread, not wall time: a hook also waits for the GIL while Keras's data
    thread holds it, which is not the hook's own work. Only hooks the class
    overrides are wrapped: Keras treats a hook it finds overridden as one to
    call, and wrapping a default one would change how `fit` runs.
    """
    seconds: list[float] = []
    for name in BATCH_HOOKS:
        if getattr(type(callback), name) is getattr(keras.callbacks.Callback, name):
            continue
        hook = getattr(callback, name)

        def timed_hook(batch, logs=None, hook=hook):
            start = time.thread_time()
            hook(batch, logs)
            seconds.append(time.thread_time() - start)

        setattr(callback, name, timed_hook)
    return seconds


class NaiveFinder(keras.callbacks.Callback):
    """The straightforward range test (d): a weights file and a Python float per step."""

    def __init__(self, learning_rates: np.ndarray, weights_path: str):
        super().__init__()
        self.learning_rates = learning_rates
        self.weights_path = weights_path

    def on_train_begin(self, logs=None):
        self.losses: list[float] = []
        self.model.save_weights(self.weights_path)
        self.model.optimizer.learning_rate = float(self.learning_rates[0])

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))
        next_step = min(len(self.losses), len(self.learning_rates) - 1)
        self.model.optimizer.learning_rate = float(self.learning_rates[next_step])

    def on_train_end(self, logs=None):
        self.model.load_weights(self.weights_path)


def build_mlp() -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    return model


def build_cnn() -> keras.Model:
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def build_large() -> keras.Model:
    model = keras.Sequential(
        [keras.Input((MEMORY_WIDTH,))] + [keras.layers.Dense(MEMORY_WIDTH) for _ in range(3)]
    )
    model.compile(optimizer="adam", loss="mse")
    return model


def make_data(name: str, steps: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    n = steps * BATCH_SIZE
    if name == "MLP":
        return rng.normal(size=(n, 20)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")
    return rng.random((n, 28, 28, 1), dtype="float32"), rng.integers(0, 10, size=n)


MODELS = {"MLP": build_mlp, "CNN": build_cnn}


def fresh(name: str) -> keras.Model:
    """The same freshly initialized model on every call."""
    keras.utils.clear_session(free_memory=True)
    keras.utils.set_random_seed(0)
    return MODELS[name]()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def rotated(kinds: list[str], round_: int) -> list[str]:
    """The order of the kinds in a round: each round starts at the next kind, so that none always runs first."""
    shift = round_ % len(kinds)
    return kinds[shift:] + kinds[:shift]


def whole_call(name: str, rounds: int, weights_path: str) -> dict[str, list[float]]:
    """(a) and (e): seconds of a 100-step call, compile included, per kind and round."""
    x, y = make_data(name, WHOLE_CALL_STEPS)
    rates = keras_lrfinder.sweep_learning_rates(START_LR, END_LR, WHOLE_CALL_STEPS)
    fit = dict(batch_size=BATCH_SIZE, verbose=0)

    def prebuilt(model):
        model.optimizer.build(model.trainable_variables)
        model.fit(x, y, epochs=1, **fit)

    def ours(model, **finder_kwargs):
        result = keras_lrfinder.find_lr(
            model, x, y, num_steps=WHOLE_CALL_STEPS, start_lr=START_LR, end_lr=END_LR, **finder_kwargs, **fit
        )
        assert result.stop_reason == "completed" and len(result.losses) == WHOLE_CALL_STEPS

    runs = {
        "plain": lambda model: model.fit(x, y, epochs=1, **fit),
        "prebuilt": prebuilt,
        "ours": ours,
        "naive": lambda model: model.fit(x, y, epochs=1, callbacks=[NaiveFinder(rates, weights_path)], **fit),
        "validation": lambda model: ours(model, validation_data=(x[:VALIDATION_SAMPLES], y[:VALIDATION_SAMPLES])),
    }
    seconds: dict[str, list[float]] = {kind: [] for kind in runs}
    for round_ in range(rounds + 1):
        for kind in rotated(list(runs), round_):
            model = fresh(name)
            elapsed = timed(lambda: runs[kind](model))
            if round_:  # round 0 only warms up the process: imports, kernels, caches
                seconds[kind].append(elapsed)
    return seconds


def steady_state_callbacks(steps: int, weights_path: str) -> dict[str, Callable[[], list[keras.callbacks.Callback]]]:
    """(b)'s kinds of `fit`: each makes the callbacks of one timed `fit` of `steps` batches."""
    rates = keras_lrfinder.sweep_learning_rates(START_LR, END_LR, steps + 1)
    return {
        "plain": lambda: [],
        "sync": lambda: [SyncBatchEnd()],
        "ours": lambda: [steady_state_finder(steps)],
        "naive": lambda: [NaiveFinder(rates, weights_path)],
    }


def steady_state_finder(steps: int, finder: type[keras_lrfinder.LRFinder] = keras_lrfinder.LRFinder):
    """A finder that runs all of a `fit` of `steps` batches and never stops it."""
    return finder(START_LR, END_LR, steps + 1, divergence_threshold=float("inf"), verbose=0)


def steady_state(
    name: str, rounds: int, steps: int, callbacks: dict[str, Callable[[], list[keras.callbacks.Callback]]]
) -> dict[str, dict[str, list[float]]]:
    """(b): whole-fit seconds, median step seconds and hook seconds per step of warm models, per kind and round."""
    x, y = make_data(name, steps)
    models = {kind: fresh(name) for kind in callbacks}
    warmup = WARMUP_STEPS * BATCH_SIZE
    for kind, model in models.items():
        model.fit(x[:warmup], y[:warmup], batch_size=BATCH_SIZE, epochs=1, verbose=0, callbacks=callbacks[kind]())
    out = {kind: {"total": [], "step": [], "hooks": []} for kind in callbacks}
    for round_ in range(rounds):
        for kind in rotated(list(models), round_):
            model = models[kind]
            timer = StepTimer()
            cbs = callbacks[kind]()
            hook_seconds = [time_batch_hooks(cb) for cb in cbs]
            out[kind]["total"].append(
                timed(lambda: model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0, callbacks=[*cbs, timer]))
            )
            assert len(timer.times) == steps
            out[kind]["step"].append(timer.median_step())
            out[kind]["hooks"].append(sum(map(sum, hook_seconds)) / steps)
    return out


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def peak_growth_bytes(fn) -> int:
    """Peak RSS while `fn` runs, over the RSS before it, in bytes."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    before = rss_kib("VmRSS")
    if rss_kib("VmHWM") > before + 1024:
        raise RuntimeError("VmHWM did not reset; cannot measure the peak")
    fn()
    return (rss_kib("VmHWM") - before) * 1024


def memory(repeats: int) -> dict:
    """(c), run in its own process: peak RSS growth over model + optimizer bytes."""
    keras.utils.set_random_seed(0)
    model = build_large()
    x = np.random.default_rng(0).normal(size=(8, MEMORY_WIDTH)).astype("float32")
    model.fit(x, x, batch_size=8, epochs=1, verbose=0)
    variables = list({id(v): v for v in [*model.variables, *model.optimizer.variables]}.values())
    nbytes = sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in variables)

    def settle():
        # JAX assigns asynchronously: wait for the restored values to land, so
        # that the peak includes them and the next repeat starts from rest.
        for v in variables:
            keras.ops.convert_to_numpy(keras.ops.sum(v.value))

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.weights.h5")

        def ours(directory=None):
            state = TrainingState.capture(model, directory)
            state.restore()
            settle()

        def naive():
            model.save_weights(path)
            model.load_weights(path)
            settle()

        growth: dict[str, list[float]] = {}
        seconds: dict[str, list[float]] = {}
        for kind, fn in (("ours", ours), ("ours_in_files", lambda: ours(tmp)), ("naive", naive)):
            for _ in range(repeats):
                duration = []
                growth.setdefault(kind, []).append(peak_growth_bytes(lambda: duration.append(timed(fn))) / nbytes)
                seconds.setdefault(kind, []).extend(duration)
    return {"params": model.count_params(), "bytes": nbytes, "growth": growth, "seconds": seconds}


def machine_info() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name"))
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    backend = keras.backend.backend()
    return {
        "cpu": cpu,
        "cores": f"{len(os.sched_getaffinity(0))} usable of {os.cpu_count()}",
        "memory": f"{mem_kib / 2**20:.1f} GiB",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "keras": keras.__version__,
        "keras-lrfinder": f"{keras_lrfinder.__version__} at {source_version()}",
        backend: __import__(backend).__version__,
        "OMP_NUM_THREADS": os.environ["OMP_NUM_THREADS"],
    }


def source_version() -> str:
    """The git commit of the keras_lrfinder being measured, '-dirty' if changed."""
    return subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=Path(keras_lrfinder.__file__).parent, capture_output=True, text=True,
    ).stdout.strip() or "unknown"


def measure_backend(repeats: int, rounds: int, steps: int) -> dict:
    """All of (a)-(e) on this process's backend; (c) in a subprocess."""
    backend = keras.backend.backend()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        weights_path = os.path.join(tmp, "naive.weights.h5")
        for name in MODELS:
            print(f"[{backend}] (a) {name}", file=sys.stderr, flush=True)
            a = whole_call(name, rounds, weights_path)
            for base, what in (("plain", "fit"), ("prebuilt", "fit, optimizer pre-built")):
                rows.append(row(f"(a) find_lr / {what} ({WHOLE_CALL_STEPS} steps, compile incl.)", name, a[base], "s",
                                ratios(a["ours"], a[base]), ratios(a["naive"], a[base]), "ci",
                                comparable=base == "plain"))  # the same find_lr and naive fit in both rows
            rows.append(row(f"(e) find_lr with validation_data ({VALIDATION_SAMPLES} samples) / find_lr", name,
                            a["ours"], "s", ratios(a["validation"], a["ours"]), [], "ci"))
        for name in MODELS:
            print(f"[{backend}] (b) {name}", file=sys.stderr, flush=True)
            b = steady_state(name, rounds, steps, steady_state_callbacks(steps, weights_path))
            total = {kind: v["total"] for kind, v in b.items()}
            step = {kind: v["step"] for kind, v in b.items()}
            hooks = {kind: v["hooks"] for kind, v in b.items()}
            fixed = {kind: [1e3 * (t - steps * s) for t, s in zip(total[kind], step[kind])] for kind in b}
            plain_ms = [1e3 * t for t in step["plain"]]
            rows += [
                row(f"(b) whole fit / fit ({steps} steps, warm; incl. snapshot, re-trace, restore)", name,
                    total["plain"], "s", ratios(total["ours"], total["plain"]), ratios(total["naive"], total["plain"]),
                    "ci"),
                row(f"(b) per step / fit (median of steps {SKIP_STEPS}..{steps})", name, plain_ms, "ms",
                    ratios(step["ours"], step["plain"]), ratios(step["naive"], step["plain"]), "ci"),
                row("(b) per step / fit with a no-op on_train_batch_end", name,
                    [1e3 * t for t in step["sync"]], "ms",
                    ratios(step["ours"], step["sync"]), ratios(step["naive"], step["sync"]), "ci",
                    comparable=False),  # ours / naive as in the row above
                row("(b) CPU time in the callback's own batch hooks per step (us)", name, plain_ms, "ms",
                    [1e6 * t for t in hooks["ours"]], [1e6 * t for t in hooks["naive"]], "ci"),
                row("(b) the same / fit's step", name, plain_ms, "ms",
                    ratios(hooks["ours"], step["plain"]), ratios(hooks["naive"], step["plain"]), "ci",
                    comparable=False),
                row("(b) fixed cost per fit minus fit's (ms; noisy)", name, fixed["plain"], "ms",
                    differences(fixed["ours"], fixed["plain"]), differences(fixed["naive"], fixed["plain"]), "ci",
                    comparable=False),
            ]
    print(f"[{backend}] (c) memory", file=sys.stderr, flush=True)
    mem = json.loads(
        subprocess.run(
            [sys.executable, __file__, "--memory", "--repeats", str(repeats)],
            check=True, capture_output=True, text=True,
        ).stdout.splitlines()[-1]
    )
    growth, seconds = mem["growth"], mem["seconds"]
    rows += [
        row(f"(c) peak RSS growth / bytes of model + optimizer variables ({mem['params'] / 1e6:.1f}M params)",
            "Dense", [mem["bytes"] / 2**20], "MiB", growth["ours"], growth["naive"]),
        row("(c) the same, with the snapshot in files (snapshot_dir)",
            "Dense", [mem["bytes"] / 2**20], "MiB", growth["ours_in_files"], growth["naive"]),
        row("(c) seconds to snapshot and restore, in files / in memory",
            "Dense", seconds["ours"], "s", ratios(seconds["ours_in_files"], seconds["ours"]),
            ratios(seconds["naive"], seconds["ours"])),
    ]
    return {"backend": backend, "info": machine_info(), "rows": rows}


def ratios(values: list[float], baseline: list[float]) -> list[float]:
    # Repeat (or round) i of a kind ran right next to repeat i of the baseline.
    return [v / b for v, b in zip(values, baseline)]


def differences(values: list[float], baseline: list[float]) -> list[float]:
    return [v - b for v, b in zip(values, baseline)]


def row(
    measurement: str, model: str, baseline: list[float], unit: str, ours: list[float], naive: list[float],
    spread: str = "range", comparable: bool = True,
) -> dict:
    """A table row; `spread` is what follows each median: "range" (min-max) or "ci" (its bootstrap 95% interval).

    `comparable`: whether to show ours / naive, repeat by repeat: not for differences, nor
    where the row above shows the same quotient.
    """
    versus = ratios(ours, naive) if comparable and naive else []
    return {"measurement": measurement, "model": model, "baseline": baseline, "unit": unit, "ours": ours,
            "naive": naive, "versus": versus, "spread": spread}


def cell(values: list[float], unit: str = "", spread: str = "range") -> str:
    if not values:
        return "-"
    digits = 0 if unit == "MiB" else 3 if unit == "s" else 2
    text = f"{statistics.median(values):.{digits}f}"
    if len(values) > 1 and spread == "ci":
        low, high = median_interval(values)
        text += f" [{low:.{digits}f}-{high:.{digits}f}]"
    elif len(values) > 1:
        text += f" ({min(values):.{digits}f}-{max(values):.{digits}f})"
    return text + (f" {unit}" if unit else "")


def median_interval(values: list[float], resamples: int = 2000) -> tuple[float, float]:
    """A bootstrap 95% interval of the median of `values` (seeded: the same table for the same data)."""
    samples = np.random.default_rng(0).choice(values, size=(resamples, len(values)))
    low, high = np.percentile(np.median(samples, axis=1), [2.5, 97.5])
    return float(low), float(high)


def print_ratio_table(times: dict[str, list[float]], baseline: str, header: str, digits: int) -> None:
    """A markdown table of each kind's median time and its median ratio to `baseline`'s, round by round.

    `header` names the three columns, e.g. "fit | step (ms) | / plain fit,
    same round"; the third gives a bootstrap 95% interval of the median too.
    """
    print(f"| {header} (median [bootstrap 95% interval]) |")
    print("|---|---|---|")
    for kind, seconds in times.items():
        per_round = ratios(seconds, times[baseline])
        low, high = median_interval(per_round)
        print(
            f"| {kind} | {1e3 * statistics.median(seconds):.3f} "
            f"| {statistics.median(per_round):.{digits}f} [{low:.{digits}f}-{high:.{digits}f}] |"
        )


def print_report(results: list[dict], args: argparse.Namespace, wall_s: float) -> None:
    print(f"## keras-lrfinder cost (repeats={args.repeats}, rounds={args.rounds}, steps={args.steps}, "
          f"batch={BATCH_SIZE})\n")
    info: dict[str, dict[str, str]] = {}  # key -> backend -> value
    for result in results:
        for key, value in result["info"].items():
            info.setdefault(key, {})[result["backend"]] = value
    for key, by_backend in info.items():
        if len(set(by_backend.values())) == 1:
            print(f"- {key}: {next(iter(by_backend.values()))}")
        else:  # e.g. the source changed between the backends' runs
            print(f"- {key}: " + ", ".join(f"{value} ({backend})" for backend, value in by_backend.items()))
    print(f"- wall time: {wall_s:.0f} s\n")
    print("Cells: (c): median (min-max) over repeats; (a), (b), (e): median [bootstrap 95% interval "
          "of the median] over rounds. 'ours' and 'naive' are ratios to the baseline named in the row, "
          "whose absolute value is in 'baseline', except the rows that give us or ms; 'ours / naive' "
          "divides the two round by round.\n")
    print("| measurement | model | backend | baseline | ours | naive baseline | ours / naive |")
    print("|---|---|---|---|---|---|---|")
    for i in range(len(results[0]["rows"])):
        for result in results:
            r = result["rows"][i]
            print(f"| {r['measurement']} | {r['model']} | {result['backend']} "
                  f"| {cell(r['baseline'], r['unit'], r['spread'])} "
                  f"| {cell(r['ours'], spread=r['spread'])} | {cell(r['naive'], spread=r['spread'])} "
                  f"| {cell(r['versus'], spread=r['spread'])} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="run every backend, each in a subprocess")
    parser.add_argument("--quick", action="store_true", help="2 repeats, 6 rounds")
    parser.add_argument("--repeats", type=int, default=3, help="of (c)")
    parser.add_argument("--rounds", type=int, default=20, help="of (a), (b) and (e)")
    parser.add_argument("--steps", type=int, default=200, help="steps of each timed fit in (b)")
    parser.add_argument("--memory", action="store_true", help=argparse.SUPPRESS)  # (c)'s subprocess
    parser.add_argument("--json", help=argparse.SUPPRESS)  # where a child of --all writes its results
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.rounds = 2, 6
    if args.memory:
        print(json.dumps(memory(args.repeats)))
        return
    start = time.perf_counter()
    if not args.all:
        result = measure_backend(args.repeats, args.rounds, args.steps)
        if args.json:
            Path(args.json).write_text(json.dumps(result))
        else:
            print_report([result], args, time.perf_counter() - start)
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in BACKENDS:
            path = os.path.join(tmp, f"{backend}.json")
            subprocess.run(
                [sys.executable, __file__, "--repeats", str(args.repeats), "--rounds", str(args.rounds),
                 "--steps", str(args.steps), "--json", path],
                check=True, env={**os.environ, "KERAS_BACKEND": backend},
            )
            results.append(json.loads(Path(path).read_text()))
    print_report(results, args, time.perf_counter() - start)


if __name__ == "__main__":
    main()
