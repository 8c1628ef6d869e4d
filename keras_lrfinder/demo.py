"""The demo: a range test on built-in synthetic data, with no downloads."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def make_spirals(num_samples: int = 4096, num_classes: int = 3, noise: float = 0.25, seed: int = 0):
    """Interleaved noisy spirals in 2-D, padded with 6 features of pure noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, num_classes, num_samples)
    radius = rng.uniform(0.1, 1.0, num_samples)
    angle = 4 * radius + 2 * np.pi * labels / num_classes
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    points += noise * radius[:, None] * rng.standard_normal((num_samples, 2))
    distractors = rng.standard_normal((num_samples, 6))
    return np.concatenate([points, distractors], axis=1).astype("float32"), labels


def run_demo(out_dir: str | os.PathLike[str] = "lrfinder-demo", seed: int = 0) -> int:
    """Runs `find_lr` on a small MLP, prints the suggestions and writes the plot and JSON."""
    import keras
    import matplotlib

    matplotlib.use("Agg")
    from keras_lrfinder import NoSuggestionError, find_lr, suggest

    x, y = make_spirals(seed=seed)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((x.shape[1],)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(3),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    print(f"Range test of a 64-64 MLP on 3 noisy spirals (Keras {keras.__version__}, backend {keras.backend.backend()})")
    result = find_lr(model, x, y, batch_size=64, num_steps=100)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result.save(out / "lr_find.json")
    ax = result.plot()
    ax.figure.savefig(out / "lr_find.png", dpi=120, bbox_inches="tight")
    for method in suggest.RULES:
        try:
            print(f"  {method:>9}: {result.suggestion(method):.2e}")
        except NoSuggestionError as error:
            print(f"  {method:>9}: none ({error})")
    try:
        print(f"Suggested learning rate: {result.suggestion():.2e}")
    except NoSuggestionError as error:
        print(f"No suggestion: {error}")
        return 1
    print(f"Wrote {out / 'lr_find.png'} and {out / 'lr_find.json'}")
    return 0
