"""Cyclical and one-cycle learning-rate schedules, for the rates a range test finds.

Smith's range test gives either one good learning rate or the bounds of a
range to cycle through (Smith, *Cyclical Learning Rates for Training Neural
Networks*, 2015): `CyclicalLR` cycles between `base_lr` and `max_lr`, and
`OneCycle` warms up to `max_lr` and anneals far below it once, as fastai's
`fit_one_cycle` and torch's `OneCycleLR` do.

Both are `keras.optimizers.schedules.LearningRateSchedule`s written with
`keras.ops`, so they are evaluated inside the compiled train step on every
backend, and both are registered for saving. Like Keras's own schedules they
compute in float32, so their steps are exact up to 2**24 (16.7 million).
Their steps are the optimizer's, as Keras counts them for every schedule:
with `gradient_accumulation_steps` it counts batches, not updates.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from keras_lrfinder.sweep import _is_finite_number

CYCLICAL_MODES = ("triangular", "triangular2", "exp_range")
ANNEAL_STRATEGIES = ("cos", "linear")


@keras.saving.register_keras_serializable(package="keras_lrfinder")
class CyclicalLR(keras.optimizers.schedules.LearningRateSchedule):
    """Cycles the learning rate between `base_lr` and `max_lr` (Smith, 2015).

    Each cycle takes `2 * step_size` steps: the rate rises linearly from
    `base_lr` at the cycle's first step to `max_lr` `step_size` steps later,
    then falls linearly back. It is Smith's cyclical learning rate (CLR), the
    same rate step for step as torch's `CyclicLR` with
    `step_size_up=step_size`. `mode` sets how the height of the cycles
    changes:

    - `"triangular"`: every cycle goes from `base_lr` to `max_lr`.
    - `"triangular2"`: the height `max_lr - base_lr` halves every cycle.
    - `"exp_range"`: the height is multiplied by `gamma ** step`.

    Smith suggests the bounds of a learning-rate range test for `base_lr` and
    `max_lr`, and a `step_size` of 2 to 10 epochs' worth of steps.

    Example:

    ```python
    result = keras_lrfinder.find_lr(model, x_train, y_train, batch_size=64)
    steps_per_epoch = math.ceil(len(x_train) / 64)
    schedule = keras_lrfinder.CyclicalLR(
        base_lr=result.suggestion() / 10,
        max_lr=result.suggestion(),
        step_size=4 * steps_per_epoch,
    )
    model.compile(optimizer=keras.optimizers.SGD(schedule), loss="mse")
    model.fit(x_train, y_train, batch_size=64, epochs=3 * 8)  # three cycles
    ```

    Args:
        base_lr: The lowest learning rate, at the start of every cycle.
        max_lr: The highest learning rate, `step_size` steps into every cycle
            (in `"triangular"` mode; lower in the others).
        step_size: Half a cycle, in optimizer steps (an integer of at least 1).
        mode: `"triangular"`, `"triangular2"` or `"exp_range"`.
        gamma: The factor per step of the height of the cycles in
            `"exp_range"` mode, in (0, 1]; it must stay 1.0 in the other modes.
    """

    def __init__(
        self,
        base_lr: float,
        max_lr: float,
        step_size: int,
        mode: str = "triangular",
        gamma: float = 1.0,
    ):
        super().__init__()
        _check_positive("base_lr", base_lr)
        if not _is_finite_number(max_lr) or max_lr <= base_lr:
            raise ValueError(
                "`max_lr` must be a finite number greater than `base_lr` "
                f"({base_lr!r}). Received: max_lr={max_lr!r}"
            )
        _check_integer_of_at_least("step_size", step_size, 1)
        _check_one_of("mode", mode, CYCLICAL_MODES)
        if not _is_finite_number(gamma) or not 0 < gamma <= 1:
            raise ValueError(f"`gamma` must be a number in (0, 1]. Received: gamma={gamma!r}")
        if mode != "exp_range" and gamma != 1:
            raise ValueError(
                "`gamma` only applies with mode='exp_range'; leave it at 1.0 with "
                f"mode={mode!r}. Received: gamma={gamma!r}"
            )
        self.base_lr = float(base_lr)
        self.max_lr = float(max_lr)
        self.step_size = int(step_size)
        self.mode = mode
        self.gamma = float(gamma)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        cycle_length = 2 * self.step_size
        # Taken modulo the cycle and subtracted from whole numbers, the steps
        # stay exact in float32, so the rate is as precise at the bottom of a
        # cycle as at its top.
        step_in_cycle = ops.mod(step, cycle_length)
        rise = (self.step_size - ops.abs(step_in_cycle - self.step_size)) / self.step_size
        height = self.max_lr - self.base_lr
        if self.mode == "triangular2":
            height = height * ops.power(0.5, ops.floor_divide(step, cycle_length))
        elif self.mode == "exp_range":
            # gamma ** step with gamma rounded to float32 would be off by
            # step * 6e-8 relative; log(gamma) computed in float64 is not.
            height = height * ops.exp(step * math.log(self.gamma))
        return self.base_lr + height * rise

    def get_config(self) -> dict:
        return {
            "base_lr": self.base_lr,
            "max_lr": self.max_lr,
            "step_size": self.step_size,
            "mode": self.mode,
            "gamma": self.gamma,
        }


@keras.saving.register_keras_serializable(package="keras_lrfinder")
class OneCycle(keras.optimizers.schedules.LearningRateSchedule):
    """The one-cycle policy: warm up to `max_lr`, then anneal far below it.

    The rate starts at `max_lr / div_factor`, rises to `max_lr` over the first
    `pct_start * total_steps` steps (reaching it at step
    `pct_start * total_steps - 1`), then falls to
    `max_lr / (div_factor * final_div_factor)` at the last step,
    `total_steps - 1`, and stays there for any step after. With
    `anneal_strategy="cos"` both phases follow a half cosine, with
    `"linear"` a straight line.

    The steps, arguments and defaults are those of torch's `OneCycleLR`
    (with `three_phase=False`), which gives the same rate step for step, so
    a torch recipe carries over unchanged. fastai's `fit_one_cycle` has the
    same shape with `pct_start=0.25` and a final rate of `max_lr / 1e5`, that
    is `final_div_factor=4e3` here; its warm-up is a step longer (it peaks at
    step `pct_start * total_steps`) and its last step stops a step short of
    the final rate.

    Use the rate a learning-rate range test suggests, or somewhat more, as
    `max_lr`; the warm-up lets training bear it.

    Example:

    ```python
    result = keras_lrfinder.find_lr(model, x_train, y_train, batch_size=64)
    epochs = 10
    schedule = keras_lrfinder.OneCycle(
        max_lr=result.suggestion(),
        total_steps=epochs * math.ceil(len(x_train) / 64),
    )
    model.compile(optimizer=keras.optimizers.SGD(schedule), loss="mse")
    model.fit(x_train, y_train, batch_size=64, epochs=epochs)
    ```

    Args:
        max_lr: The highest learning rate, at the end of the warm-up.
        total_steps: The number of optimizer steps of the cycle, at least 2.
        pct_start: The fraction of `total_steps` spent warming up, in (0, 1);
            it must leave the warm-up more than one step
            (`pct_start * total_steps > 1`).
        div_factor: The first rate is `max_lr / div_factor` (at least 1).
        final_div_factor: The last rate is `max_lr / (div_factor *
            final_div_factor)` (at least 1).
        anneal_strategy: `"cos"` or `"linear"`.
    """

    def __init__(
        self,
        max_lr: float,
        total_steps: int,
        pct_start: float = 0.3,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        anneal_strategy: str = "cos",
    ):
        super().__init__()
        _check_positive("max_lr", max_lr)
        _check_integer_of_at_least("total_steps", total_steps, 2)
        if not _is_finite_number(pct_start) or not 0 < pct_start < 1:
            raise ValueError(
                f"`pct_start` must be a number in (0, 1). Received: pct_start={pct_start!r}"
            )
        if pct_start * total_steps <= 1:
            raise ValueError(
                "`pct_start * total_steps` must be greater than 1, so that the "
                f"warm-up spans at least one step. Received: pct_start={pct_start!r} "
                f"and total_steps={total_steps!r}"
            )
        for name, value in (("div_factor", div_factor), ("final_div_factor", final_div_factor)):
            if not _is_finite_number(value) or value < 1:
                raise ValueError(
                    f"`{name}` must be a finite number of at least 1. Received: {name}={value!r}"
                )
        _check_one_of("anneal_strategy", anneal_strategy, ANNEAL_STRATEGIES)
        self.max_lr = float(max_lr)
        self.total_steps = int(total_steps)
        self.pct_start = float(pct_start)
        self.div_factor = float(div_factor)
        self.final_div_factor = float(final_div_factor)
        self.anneal_strategy = anneal_strategy

    def __call__(self, step):
        initial_lr = self.max_lr / self.div_factor
        final_lr = initial_lr / self.final_div_factor
        last_step = self.total_steps - 1
        warmup_end = self.pct_start * self.total_steps - 1
        step = ops.minimum(ops.cast(step, "float32"), last_step)
        warming_up = step <= warmup_end
        # Both phases run between max_lr and a rate far below it. Measured
        # from that low end, the rate keeps float32's precision where it is
        # small: at the first steps and the last.
        low_lr = ops.where(warming_up, initial_lr, final_lr)
        steps_from_low_end = ops.where(warming_up, step, last_step - step)
        phase_length = ops.where(warming_up, warmup_end, last_step - warmup_end)
        fraction = steps_from_low_end / phase_length
        if self.anneal_strategy == "cos":
            # (1 - cos(pi * fraction)) / 2, without its cancellation near 0.
            share = ops.square(ops.sin(math.pi / 2 * fraction))
        else:
            share = fraction
        return low_lr + (self.max_lr - low_lr) * share

    def get_config(self) -> dict:
        return {
            "max_lr": self.max_lr,
            "total_steps": self.total_steps,
            "pct_start": self.pct_start,
            "div_factor": self.div_factor,
            "final_div_factor": self.final_div_factor,
            "anneal_strategy": self.anneal_strategy,
        }


def _check_positive(name: str, value: float) -> None:
    if not _is_finite_number(value) or value <= 0:
        raise ValueError(f"`{name}` must be a positive, finite number. Received: {name}={value!r}")


def _check_integer_of_at_least(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(
            f"`{name}` must be an integer of at least {minimum}. Received: {name}={value!r}"
        )


def _check_one_of(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {choices}. Received: {name}={value!r}")
