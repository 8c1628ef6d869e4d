"""keras-lrfinder: the learning-rate range test for Keras 3, on any backend.

`LRFinder` (a callback), `find_lr`, `optimizer_kind` and the schedules `OneCycle` and
`CyclicalLR` need Keras; the rest of the package (`suggest`,
`LRFinderResult`, the sweep and the plot) is plain numpy and matplotlib and
imports without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keras_lrfinder import suggest
from keras_lrfinder.repeated import RepeatedLRFinderResult, load_result
from keras_lrfinder.result import LRFinderResult
from keras_lrfinder.suggest import NoSuggestionError
from keras_lrfinder.sweep import sweep_learning_rates

if TYPE_CHECKING:
    from keras_lrfinder.callback import LRFinder
    from keras_lrfinder.find import find_lr
    from keras_lrfinder.optimizer_kinds import optimizer_kind
    from keras_lrfinder.schedules import CyclicalLR, OneCycle

__version__ = "0.1.0"
__all__ = [
    "CyclicalLR",
    "LRFinder",
    "LRFinderResult",
    "NoSuggestionError",
    "OneCycle",
    "RepeatedLRFinderResult",
    "find_lr",
    "load_result",
    "optimizer_kind",
    "suggest",
    "sweep_learning_rates",
]

_NEEDS_KERAS = {
    "CyclicalLR": "keras_lrfinder.schedules",
    "LRFinder": "keras_lrfinder.callback",
    "OneCycle": "keras_lrfinder.schedules",
    "find_lr": "keras_lrfinder.find",
    "optimizer_kind": "keras_lrfinder.optimizer_kinds",
}


def __getattr__(name: str) -> Any:
    # Importing Keras picks and loads a backend, which takes seconds; only the
    # Keras-facing names pay for it.
    if name in _NEEDS_KERAS:
        import importlib

        return getattr(importlib.import_module(_NEEDS_KERAS[name]), name)
    raise AttributeError(f"module 'keras_lrfinder' has no attribute {name!r}")
