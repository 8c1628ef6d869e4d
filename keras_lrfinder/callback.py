"""The `LRFinder` callback: a learning-rate range test inside `model.fit`."""

from __future__ import annotations

import contextlib
import math
import os
import threading
from typing import Literal

import keras

from keras_lrfinder.divergence import has_diverged, validate_divergence_threshold
from keras_lrfinder.interrupt import DeferredInterrupt
from keras_lrfinder.optimizer_kinds import optimizer_kind
from keras_lrfinder.result import LRFinderResult, StopReason
from keras_lrfinder.smoothing import ExponentialMovingAverage, smoothing_for, validate_smoothing
from keras_lrfinder.state import TrainingState
from keras_lrfinder.suggest import NoSuggestionError
from keras_lrfinder.sweep import DEFAULT_NUM_STEPS, sweep_learning_rates
from keras_lrfinder.sweep_patch import SweepPatch

Verbose = Literal["auto", 0, 1, 2]


class LRFinder(keras.callbacks.Callback):
    """Runs a learning-rate range test (Smith, 2015) during `model.fit`.

    Step `i` of `num_steps` trains with `learning_rates[i]`, rising from
    `start_lr` to `end_lr`; the loss of each batch is recorded. (With
    `gradient_accumulation_steps=k` a step is an optimizer update, and its
    loss is the mean over its k batches. A step that mixed precision skips
    because its gradients overflow does not count.) The run ends
    when all steps are done, when the smoothed loss blows up past
    `divergence_threshold` × its best value, when a loss is NaN or inf, or when
    `fit` ends first. `fit` is then stopped, the model and optimizer are put
    back exactly as they were at the start of `fit` (with `restore=True`), and
    `finder.result` holds the curve.

    A first Ctrl-C during the run stops it at the end of the current step; the
    model is restored and then `KeyboardInterrupt` is raised. Keras does not
    call `on_train_end` when `fit` raises for any other reason, so inside your
    own `fit` use the finder as a context manager, which restores the model on
    the way out, or call `finder.restore()` yourself. `find_lr` does this for
    you.

    Example:

    ```python
    finder = keras_lrfinder.LRFinder(start_lr=1e-6, end_lr=1.0)
    with finder:
        model.fit(x, y, batch_size=64, epochs=10, callbacks=[finder])
    print(finder.result.suggestion())
    finder.result.plot()
    ```

    Args:
        start_lr: The learning rate of the first step; positive.
        end_lr: The learning rate of the last step; above `start_lr`.
        num_steps: How many steps (batches) the sweep takes, at least 2. It
            spans as many epochs as it needs. The default 1000 moves the
            suggestion between runs about half as much as 300 (see the
            README's "How good are the suggestions?").
        mode: `"exponential"` (even steps in log space, the usual choice) or
            `"linear"`.
        smoothing: Factor of the exponential moving average of the loss that
            the divergence test and the suggestion read, in [0, 1). `None`
            (the default) takes 0.98 ** (300 / num_steps): about 0.994 on
            the default 1000 steps, 0.98 on 300 and 0.94 on 100, the same
            smoothing per span of learning rates, so that the average trails
            the sweep by the same share whatever its length.
        divergence_threshold: Stop once the smoothed loss exceeds this many
            times its best value; greater than 1 (`math.inf` never stops).
        restore: Whether to put the model, the optimizer and the global RNGs
            back as they were when `fit` began.
        verbose: 0 is silent; 1 shows a progress bar and a summary; 2 only the
            summary. `"auto"` is 2 when Keras's own progress bar is on in this
            `fit`, else 1.
        validation_data: Optional `(x_val, y_val)` or `(x_val, y_val,
            sample_weight_val)` arrays, small enough for one forward pass
            (a few batches). After each step's update the model's loss on
            them is recorded in `result.validation_losses` and plotted next
            to the training loss. It costs a forward pass per step, and on
            JAX a sync of the training state. The divergence test and the
            suggestion still read the training loss.
        snapshot_dir: Where the copy of the starting state waits for the
            restore. `None` keeps it in host memory: one copy of every
            variable of the model and the optimizer. A directory gets it in
            files of a temporary directory of their own, deleted afterwards,
            and host memory then holds one variable's copy at a time: for
            models whose weights and optimizer slots do not fit in host
            memory twice.
    """

    def __init__(
        self,
        start_lr: float = 1e-7,
        end_lr: float = 10.0,
        num_steps: int = DEFAULT_NUM_STEPS,
        mode: str = "exponential",
        smoothing: float | None = None,
        divergence_threshold: float = 4.0,
        restore: bool = True,
        verbose: Verbose = "auto",
        validation_data: tuple | None = None,
        snapshot_dir: str | os.PathLike[str] | None = None,
    ):
        super().__init__()
        self.learning_rates = sweep_learning_rates(start_lr, end_lr, num_steps, mode)
        if smoothing is None:
            smoothing = smoothing_for(num_steps)
        validate_smoothing(smoothing)
        validate_divergence_threshold(divergence_threshold)
        if verbose not in ("auto", 0, 1, 2):
            raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
        self.start_lr, self.end_lr, self.num_steps, self.mode = start_lr, end_lr, num_steps, mode
        self.smoothing = smoothing
        self.divergence_threshold = divergence_threshold
        self.restore_state = restore
        self.verbose = verbose
        is_sequence = isinstance(validation_data, (tuple, list))
        if validation_data is not None and not (is_sequence and len(validation_data) in (2, 3)):
            kind = type(validation_data).__name__ + (f" of length {len(validation_data)}" if is_sequence else "")
            raise ValueError(
                "`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, "
                f"sample_weight_val). Received: validation_data={kind}"
            )
        self.validation_data = validation_data
        is_path = isinstance(snapshot_dir, (str, os.PathLike))
        if snapshot_dir is not None and not (is_path and os.path.isdir(snapshot_dir)):
            raise ValueError(
                "`snapshot_dir` must be an existing directory or None. "
                f"Received: snapshot_dir={snapshot_dir!r}"
            )
        self.snapshot_dir = snapshot_dir
        self.result: LRFinderResult | None = None
        self._patch: SweepPatch | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        # A lock cannot be copied; copy.deepcopy (KerasTuner copies callbacks
        # for each trial) and pickle get a new one.
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def on_train_begin(self, logs=None):
        model = self.model
        if model.steps_per_execution != 1:
            raise ValueError(
                "LRFinder needs a callback after every step, so the model must be "
                "compiled with steps_per_execution=1. Received: "
                f"steps_per_execution={model.steps_per_execution}"
            )
        self.result = None
        self._losses: list[float] = []
        self._validation_losses: list[float] = []
        self._update_losses: list[float] = []
        self._batches = 0
        self._losses_arrived: dict[int, float] = {}
        self._state_reads: dict[int, tuple[int, float | None]] = {}
        self._next_batch = 0
        self._last_ended = -1
        self._stopped = False
        self._fit_thread = threading.current_thread()
        self._ema = ExponentialMovingAverage(self.smoothing)
        self._best_loss = math.inf
        self._stop_reason: StopReason = "interrupted"
        # Reading the training state costs a JAX state sync per step, so only
        # where a step can be skipped (mixed precision's LossScaleOptimizer)
        # or the validation loss is wanted.
        self._reads_state = (
            isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer) or self.validation_data is not None
        )
        self._optimizer_kind = optimizer_kind(model.optimizer)
        self._snapshot = TrainingState.capture(model, self.snapshot_dir) if self.restore_state else None
        self._patch = SweepPatch(model, self.learning_rates)
        self._interrupt = DeferredInterrupt()
        self._progress = self._make_progress_bar()

    @property
    def async_safe(self) -> bool:
        """Keras may run `on_train_batch_end` on a worker thread: on JAX and torch on an accelerator.

        Then `fit` never waits for a step's loss before it starts the next
        step, as without callbacks. The finder records the steps in their
        order all the same; it reads the training state it needs (the step
        count of mixed precision's `LossScaleOptimizer`, the validation loss)
        in the train loop's thread before the next step, and stops `fit` a
        few steps after the loss blows up instead of at once (the restore
        undoes those steps as well). Run in the train loop's thread, it reads
        the state and stops at the very step.

        Not on the CPU: there the worker thread mostly competes with the
        train loop for the GIL. In benchmarks/callback_thread.py the train
        loop's thread made a small MLP's steps 12% (torch) and 40% (JAX)
        faster than a worker thread; on a small CNN's steps, five times
        longer, the two were level within the noise (on JAX, in two runs of
        60 rounds, 1.03 and 0.97 of plain `fit`'s step in the loop's thread,
        1.00 on a worker thread).
        Nor in a multi-process JAX run: there every process must stop at the
        same step, and only a callback run in step with training decides the
        same step everywhere.
        """
        backend = keras.backend.backend()
        if backend == "jax":
            import jax

            return jax.default_backend() != "cpu" and jax.process_count() == 1
        if backend == "torch":
            return keras.ops.convert_to_tensor(0).device.type != "cpu"
        return False  # TensorFlow: Keras runs callbacks in the train loop's thread anyway

    def on_epoch_begin(self, epoch, logs=None):
        # Keras has waited for every batch of the last epoch by now.
        self._next_batch = 0
        self._last_ended = -1
        self._losses_arrived.clear()
        self._state_reads.clear()

    def on_train_batch_begin(self, batch, logs=None):
        if batch > 0:
            with self._lock:
                self._read_state_after(batch - 1)

    def on_train_batch_end(self, batch, logs=None):
        with self._lock:
            if self._patch is None:
                return
            self._losses_arrived[batch] = float(logs["loss"])
            self._last_ended = max(self._last_ended, batch)
            if self._reads_state and threading.current_thread() is self._fit_thread:
                # In step with training, the state is this batch's now: no
                # need to wait for the next step, nor to let it run.
                self._read_state_after(batch)
            self._record_in_order()

    def on_epoch_end(self, epoch, logs=None):
        with self._lock:
            self._read_state_after(self._last_ended)

    def _read_state_after(self, batch: int) -> None:
        # The caller holds the lock and runs between steps in the train loop's
        # thread, where the training state is that of the last step run.
        if not self._reads_state or self._patch is None or batch < self._next_batch or batch in self._state_reads:
            return
        _ = self.model  # on JAX, Callback.model syncs the training state into the variables
        sweep = self._patch.learning_rate
        applied = sweep.batches_applied()
        wanted = self.validation_data is not None and sweep.completes_update(applied)
        validation_loss = self._validation_loss() if wanted else None
        self._state_reads[batch] = (applied, validation_loss)
        self._record_in_order()

    def _record_in_order(self) -> None:
        # Calls on worker threads can overlap and finish out of order.
        while self._next_batch in self._losses_arrived and (
            not self._reads_state or self._next_batch in self._state_reads
        ):
            applied, validation_loss = self._state_reads.pop(self._next_batch, (None, None))
            self._record(self._losses_arrived.pop(self._next_batch), applied, validation_loss)
            self._next_batch += 1

    def _record(self, loss: float, applied: int | None, validation_loss: float | None) -> None:
        if self._stopped:
            return  # steps that ran while the stop reached the train loop
        sweep = self._patch.learning_rate
        batches = self._batches + 1 if applied is None else applied
        if batches == self._batches and math.isfinite(loss):
            return  # mixed precision skipped this step: no update, no point
        self._batches = batches
        self._update_losses.append(loss)
        if not sweep.completes_update(self._batches):
            return  # gradient accumulation: the weights have not moved yet
        loss = sum(self._update_losses) / len(self._update_losses)
        self._update_losses.clear()
        self._losses.append(loss)
        if self.validation_data is not None:
            self._validation_losses.append(validation_loss)
        smoothed = self._ema.update(loss)
        if self._interrupt.requested:
            self._stop("interrupted")
        elif not math.isfinite(loss):
            self._stop("non_finite")
        elif has_diverged(smoothed, self._best_loss, self.divergence_threshold):
            self._stop("diverged")
        elif len(self._losses) == self.num_steps:
            self._stop("completed")
        self._best_loss = min(self._best_loss, smoothed)
        if self._progress is not None:
            step = len(self._losses)
            self._progress.update(
                step, [("lr", self.learning_rates[step - 1]), ("smoothed_loss", smoothed)]
            )

    def on_train_end(self, logs=None):
        interrupted = self._patch is not None and self._interrupt.requested
        self.restore()
        if interrupted:
            raise KeyboardInterrupt

    def restore(self) -> None:
        """Ends a run in progress: undoes the sweep and, with `restore=True`, the training.

        `fit` calls this at its end; it only needs calling by hand when `fit`
        raised. Calling it when no run is in progress does nothing.
        """
        with self._lock:
            self._end_run()

    def _end_run(self) -> None:
        if self._patch is None:
            return
        self._interrupt.uninstall()
        self._patch.remove()
        self._patch = None
        if self._snapshot is not None:
            self._snapshot.restore()
            self._snapshot = None
        steps = len(self._losses)
        self.result = LRFinderResult(
            learning_rates=self.learning_rates[:steps],
            losses=self._losses,
            smoothing=self.smoothing,
            stop_reason=self._stop_reason,
            mode=self.mode,
            validation_losses=None if self.validation_data is None else self._validation_losses,
            optimizer_kind=self._optimizer_kind,
        )
        if self._progress is not None and 0 < steps < self.num_steps:
            # The bar skips redraws within 50 ms of the last; a run that stops
            # early must still show the step it stopped at.
            self._progress.update(steps, finalize=True)
        if self.verbose:
            self._print_summary()

    def __enter__(self) -> LRFinder:
        return self

    def __exit__(self, *exc_info) -> None:
        self.restore()

    def _validation_loss(self) -> float:
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(tuple(self.validation_data))
        model = self._model  # its variables hold this step's state: _read_state_after synced them
        # A scope that drops what compute_loss writes to the per-output loss
        # metrics of a multi-output model, which training reports; and on
        # torch no autograd graph, as in Keras's own test step.
        with keras.StatelessScope(), _no_grad():
            y_pred = model(x, training=False)
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
        return float(keras.ops.convert_to_numpy(loss))

    def _stop(self, reason: StopReason) -> None:
        self._stop_reason = reason
        self._stopped = True
        # `_model`: `Callback.model` would sync JAX's state, racing the train loop.
        self._model.stop_training = True

    def _make_progress_bar(self) -> keras.utils.Progbar | None:
        keras_bar_on = (self.params or {}).get("verbose", 0) != 0
        if self.verbose == 1 or (self.verbose == "auto" and not keras_bar_on):
            return keras.utils.Progbar(
                self.num_steps, stateful_metrics=["lr", "smoothed_loss"], unit_name="step"
            )
        return None

    def _print_summary(self) -> None:
        result = self.result
        steps = len(result.losses)
        where = f" at lr={result.learning_rates[-1]:.2e}" if steps else ""
        line = f"LRFinder: {result.stop_reason}{where} after {steps}/{self.num_steps} steps"
        try:
            line += f"; suggested lr={result.suggestion():.2e}"
        except NoSuggestionError as error:
            line += f"; no suggestion: {error}"
        print(line)


def _no_grad() -> contextlib.AbstractContextManager:
    if keras.backend.backend() == "torch":
        import torch

        return torch.no_grad()
    return contextlib.nullcontext()
