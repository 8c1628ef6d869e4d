"""Several range tests of one model, and how much their suggestions agree."""

from __future__ import annotations

import dataclasses
import functools
import os
from typing import Any

import numpy as np

from keras_lrfinder import suggest
from keras_lrfinder.result import CurveReading, JsonFile, LRFinderResult, check_format, read_json

_FORMAT = "keras-lrfinder-repeated/1"


@dataclasses.dataclass(frozen=True, eq=False)
class RepeatedLRFinderResult(CurveReading, JsonFile):
    """The curves of range tests repeated from the same start on other data orders.

    `find_lr(..., repeats=k)` returns one. The runs share the sweep; each
    stops where its own loss blows up. The median curve and its band are
    taken over the steps that every run reached, and the suggestion is read
    off the median curve, which is steadier than any single run's.

    Attributes:
        runs: The `LRFinderResult` of each run, in the order they ran.

    Example:

    ```python
    result = keras_lrfinder.find_lr(model, x, y, batch_size=64, repeats=5)
    print(f"{result.suggestion():.2e} ± {result.spread():.2f} decades")
    result.plot()
    ```
    """

    runs: tuple[LRFinderResult, ...]

    def __post_init__(self) -> None:
        runs = tuple(self.runs)
        if not runs or not all(isinstance(run, LRFinderResult) for run in runs):
            raise ValueError(f"`runs` must be one or more LRFinderResult. Received: runs={self.runs!r}")
        common = min(len(run.losses) for run in runs)
        sweeps = {run.learning_rates[:common].tobytes() for run in runs}
        if len(sweeps) > 1 or len({run.mode for run in runs}) > 1:
            raise ValueError(
                "The runs must share one sweep (the same start_lr, end_lr, num_steps "
                f"and mode). Received: runs={runs!r}"
            )
        if len({run.optimizer_kind for run in runs}) > 1:
            raise ValueError(
                "The runs must share one kind of optimizer. Received: optimizer kinds "
                f"{[run.optimizer_kind for run in runs]}"
            )
        object.__setattr__(self, "runs", runs)

    @functools.cached_property
    def learning_rates(self) -> np.ndarray:
        """The rates of the steps that every run reached."""
        common = min(len(run.losses) for run in self.runs)
        return self.runs[0].learning_rates[:common]

    @functools.cached_property
    def _smoothed_runs(self) -> np.ndarray:
        return np.stack([run.smoothed_losses[: len(self.learning_rates)] for run in self.runs])

    @property
    def smoothed_losses(self) -> np.ndarray:
        """The median over the runs of their smoothed losses, step by step."""
        return np.median(self._smoothed_runs, axis=0)

    @property
    def band(self) -> tuple[np.ndarray, np.ndarray]:
        """The lowest and highest smoothed loss of any run, step by step."""
        return self._smoothed_runs.min(axis=0), self._smoothed_runs.max(axis=0)

    @property
    def mode(self) -> str:
        return self.runs[0].mode

    @property
    def optimizer_kind(self) -> suggest.OptimizerKind | None:
        return self.runs[0].optimizer_kind

    @property
    def stop_reason(self) -> str:
        """The first run's, when all agree; otherwise each run's, comma-separated."""
        reasons = [run.stop_reason for run in self.runs]
        return reasons[0] if len(set(reasons)) == 1 else ", ".join(reasons)

    def suggestions(self, method: str | None = None) -> np.ndarray:
        """Each run's own suggestion; NaN for a run whose curve allows none."""
        return np.array([_suggestion_or_nan(run, method) for run in self.runs])

    def spread(self, method: str | None = None) -> float:
        """How far the runs' own suggestions disagree: the std of their log10, in decades.

        NaN when fewer than two runs give a suggestion.
        """
        found = self.suggestions(method)
        found = found[np.isfinite(found)]
        return float(np.std(np.log10(found))) if len(found) > 1 else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {"format": _FORMAT, "runs": [run.to_dict() for run in self.runs]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RepeatedLRFinderResult:
        check_format(data, _FORMAT, "repeated keras-lrfinder result")
        return cls(tuple(LRFinderResult.from_dict(run) for run in data["runs"]))

    def __repr__(self) -> str:
        return f"RepeatedLRFinderResult(runs={len(self.runs)}, steps={len(self.learning_rates)})"


def _suggestion_or_nan(run: LRFinderResult, method: str | None) -> float:
    try:
        return run.suggestion(method)
    except suggest.NoSuggestionError:
        return float("nan")


def load_result(path: str | os.PathLike[str]) -> LRFinderResult | RepeatedLRFinderResult:
    """Reads a result saved by `LRFinderResult.save` or `RepeatedLRFinderResult.save`."""
    data = read_json(path)
    if data.get("format") == _FORMAT:
        return RepeatedLRFinderResult.from_dict(data)
    return LRFinderResult.from_dict(data)
