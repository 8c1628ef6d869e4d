"""What a range test found: the curve, how it ended, and what to make of it."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from keras_lrfinder import suggest
from keras_lrfinder.smoothing import DEFAULT_SMOOTHING, smooth

if TYPE_CHECKING:
    import keras
    from matplotlib.axes import Axes

    from keras_lrfinder.schedules import CyclicalLR, OneCycle

StopReason = Literal["completed", "diverged", "non_finite", "interrupted"]
STOP_REASONS: tuple[str, ...] = ("completed", "diverged", "non_finite", "interrupted")
_FORMAT = "keras-lrfinder-result/1"


class CurveReading:
    """What a result reads off its curve; needs `learning_rates`, `smoothed_losses` and
    `optimizer_kind`."""

    learning_rates: np.ndarray
    smoothed_losses: np.ndarray
    optimizer_kind: suggest.OptimizerKind | None

    def suggestion(self, method: str | None = None) -> float:
        """Returns the suggested learning rate.

        Args:
            method: The name of a rule in `keras_lrfinder.suggest.RULES`
                (`"valley"`, `"steepest"`, `"minimum"`, `"slide"`, `"knee"`
                or `"consensus"`), or `None` for the default,
                `"consensus"`. `knee` and `consensus` read the result's
                `optimizer_kind` as well as the curve.

        Raises:
            NoSuggestionError: The curve gives the rule no basis for a
                suggestion; the message says why and what to try.
        """
        rule = suggest.get_rule(method, self.optimizer_kind)
        return rule(self.learning_rates, self.smoothed_losses)

    def suggest_range(self, method: str | None = None) -> tuple[float, float]:
        """Returns `(base_lr, max_lr)` for one-cycle or cyclical training.

        `max_lr` is the suggestion of `method` (for `None`, `"knee"` read
        without the optimizer's kind), at most the rate of the lowest loss;
        `base_lr` is a quarter of it. A cycle passes its peak quickly, so for
        an adaptive optimizer the peak sits above the constant rate that
        `suggestion()` gives; see `keras_lrfinder.suggest.suggest_range` for
        the benchmark behind it.
        """
        return suggest.suggest_range(self.learning_rates, self.smoothed_losses, method)

    def one_cycle(self, total_steps: int, method: str | None = None, **kwargs: Any) -> OneCycle:
        """A `keras_lrfinder.OneCycle` schedule peaking at the range's `max_lr`.

        Args:
            total_steps: The optimizer steps the training will take.
            method: The suggestion rule behind the range (see `suggest_range`).
            **kwargs: Passed on to `OneCycle` (`pct_start`, `div_factor`, ...).
        """
        from keras_lrfinder.schedules import OneCycle

        return OneCycle(max_lr=self.suggest_range(method)[1], total_steps=total_steps, **kwargs)

    def cyclical(self, step_size: int, method: str | None = None, **kwargs: Any) -> CyclicalLR:
        """A `keras_lrfinder.CyclicalLR` schedule between the range's bounds.

        Args:
            step_size: Half a cycle, in optimizer steps.
            method: The suggestion rule behind the range (see `suggest_range`).
            **kwargs: Passed on to `CyclicalLR` (`mode`, `gamma`).
        """
        from keras_lrfinder.schedules import CyclicalLR

        base_lr, max_lr = self.suggest_range(method)
        return CyclicalLR(base_lr=base_lr, max_lr=max_lr, step_size=step_size, **kwargs)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        method: str | None = None,
        suggest: bool = True,
        show: bool = False,
    ) -> Axes:
        """Draws loss against learning rate and returns the matplotlib Axes.

        One run's raw losses are faint, the smoothed ones solid (and its
        validation losses, if any, in orange); repeated runs show each run
        faintly, their median solid and the band between them shaded. The
        suggestion (if `suggest` and the curve allows one) is marked with its
        value, and for repeated runs its spread.

        Args:
            ax: The Axes to draw on; a new figure if `None`.
            method: The suggestion rule to mark (default: the default rule).
            suggest: Whether to mark the suggestion.
            show: Whether to call `matplotlib.pyplot.show()`.
        """
        from keras_lrfinder.plotting import plot

        return plot(self, ax=ax, method=method, suggest=suggest, show=show)

    def apply(self, model: keras.Model, method: str | None = None) -> float:
        """Sets `model.optimizer.learning_rate` to the suggestion and returns it.

        Raises:
            ValueError: The model has no optimizer (it is not compiled).
            TypeError: The optimizer was built with a `LearningRateSchedule`,
                whose rate cannot be set to a number.
            NoSuggestionError: The curve gives no basis for a suggestion.
        """
        optimizer = getattr(model, "optimizer", None)
        if optimizer is None:
            raise ValueError(
                "`model` must be compiled with an optimizer to apply a learning rate. "
                f"Received: model={model!r} with optimizer=None"
            )
        learning_rate = self.suggestion(method)
        optimizer.learning_rate = learning_rate
        return learning_rate


class JsonFile:
    """`save` and `load` for a class with `to_dict` and `from_dict`."""

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the result to `path` as strict JSON; `load` reads it back."""
        with open(path, "w", encoding="utf-8") as file:
            json.dump(self.to_dict(), file, indent=1)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Any:
        """Reads a result written by `save`."""
        return cls.from_dict(read_json(path))


@dataclasses.dataclass(frozen=True, eq=False)
class LRFinderResult(CurveReading, JsonFile):
    """The curve of one range test.

    Attributes:
        learning_rates: The learning rate each recorded step trained with.
        losses: The training loss of each step's batch, as computed in that
            step (not Keras's running mean).
        smoothing: The moving-average factor behind `smoothed_losses`
            (0.98 for a curve made by hand: the smoothing the rules were
            designed with, on 300-step sweeps).
        stop_reason: `"completed"` (all steps ran), `"diverged"` (the smoothed
            loss blew up), `"non_finite"` (a loss was NaN or inf) or
            `"interrupted"` (training ended before the sweep did).
        mode: `"exponential"` or `"linear"`, the spacing of the sweep.
        validation_losses: With `validation_data`, the loss on it after each
            step's update; otherwise `None`.
        optimizer_kind: `"sgd"` where the range test ran with
            `keras.optimizers.SGD` (with or without momentum), `"adaptive"`
            with any other optimizer (Adam, RMSprop, ...), `None` where
            unknown. The default rule, `consensus`, reads it.

    Example:

    ```python
    result = keras_lrfinder.find_lr(model, x, y, batch_size=64)
    lr = result.suggestion()
    result.plot()
    result.save("lr_find.json")
    ```
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothing: float = DEFAULT_SMOOTHING
    stop_reason: StopReason = "completed"
    mode: str = "exponential"
    validation_losses: np.ndarray | None = None
    optimizer_kind: suggest.OptimizerKind | None = None

    def __post_init__(self) -> None:
        rates = np.array(self.learning_rates, dtype=np.float64)
        losses = np.array(self.losses, dtype=np.float64)
        if rates.shape != losses.shape or rates.ndim != 1:
            raise ValueError(
                "`learning_rates` and `losses` must be 1-D and of the same length. "
                f"Received: shapes {rates.shape} and {losses.shape}"
            )
        if self.validation_losses is not None:
            validation_losses = np.array(self.validation_losses, dtype=np.float64)
            if validation_losses.shape != losses.shape:
                raise ValueError(
                    "`validation_losses` must have one loss per step. "
                    f"Received: shape {validation_losses.shape} for {len(losses)} steps"
                )
            validation_losses.flags.writeable = False
            object.__setattr__(self, "validation_losses", validation_losses)
        if self.stop_reason not in STOP_REASONS:
            raise ValueError(
                f"`stop_reason` must be one of {STOP_REASONS}. "
                f"Received: stop_reason={self.stop_reason!r}"
            )
        suggest.validate_optimizer_kind(self.optimizer_kind)
        rates.flags.writeable = losses.flags.writeable = False
        object.__setattr__(self, "learning_rates", rates)
        object.__setattr__(self, "losses", losses)

    @functools.cached_property
    def smoothed_losses(self) -> np.ndarray:
        """The bias-corrected exponential moving average of `losses`."""
        smoothed = smooth(self.losses, self.smoothing)
        smoothed.flags.writeable = False
        return smoothed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; non-finite losses are written as strings."""
        return {
            "format": _FORMAT,
            "learning_rates": [_to_json_number(v) for v in self.learning_rates],
            "losses": [_to_json_number(v) for v in self.losses],
            "smoothing": self.smoothing,
            "stop_reason": self.stop_reason,
            "mode": self.mode,
            "validation_losses": None
            if self.validation_losses is None
            else [_to_json_number(v) for v in self.validation_losses],
            "optimizer_kind": self.optimizer_kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LRFinderResult:
        check_format(data, _FORMAT, "keras-lrfinder result")
        return cls(
            learning_rates=[float(v) for v in data["learning_rates"]],
            losses=[float(v) for v in data["losses"]],
            smoothing=data["smoothing"],
            stop_reason=data["stop_reason"],
            mode=data["mode"],
            validation_losses=None
            if data.get("validation_losses") is None
            else [float(v) for v in data["validation_losses"]],
            optimizer_kind=data.get("optimizer_kind"),
        )

    def __repr__(self) -> str:
        return (
            f"LRFinderResult(steps={len(self.losses)}, lr={_span(self.learning_rates)}, "
            f"stop_reason={self.stop_reason!r})"
        )


def check_format(data: dict[str, Any], expected: str, what: str) -> None:
    if data.get("format") != expected:
        raise ValueError(
            f"Not a {what}: expected format {expected!r}. "
            f"Received: format={data.get('format')!r}"
        )


def read_json(path: str | os.PathLike[str]) -> dict[str, Any]:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def _to_json_number(value: float) -> float | str:
    # Strict JSON has no NaN or Infinity; float() reads these strings back exactly.
    return float(value) if math.isfinite(value) else str(float(value))


def _span(values: np.ndarray) -> str:
    return f"{values[0]:.3g}..{values[-1]:.3g}" if len(values) else "[]"
