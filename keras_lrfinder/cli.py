"""The `keras-lrfinder` command line: `demo`, `find` and `plot`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from keras_lrfinder.suggest import DEFAULT_METHOD
from keras_lrfinder.sweep import DEFAULT_NUM_STEPS

BACKENDS = ("tensorflow", "jax", "torch")


class CommandError(Exception):
    """A mistake in what the user asked for: printed as one line, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "backend", None):
            _select_backend(args.backend)
        return args.run(args)
    except (CommandError, OSError, ValueError, KeyError, TypeError) as error:
        message = str(error).strip().splitlines()
        print(f"keras-lrfinder: error: {message[0] if message else type(error).__name__}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keras-lrfinder", description="The learning-rate range test for Keras 3."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run a range test on built-in synthetic data")
    _add_backend(demo)
    demo.add_argument("--out", default="lrfinder-demo", help="folder for the plot and the result JSON")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_run_demo)

    find = commands.add_parser("find", help="run a range test on a saved, compiled .keras model")
    find.add_argument("model", help="a .keras file saved with model.save(), compiled")
    find.add_argument(
        "data",
        help="an .npz with arrays x and y (and optionally sample_weight); several inputs "
        "as x0, x1, ... or named after the model's inputs",
    )
    _add_backend(find)
    find.add_argument("--batch-size", type=int, default=32)
    find.add_argument("--start-lr", type=float, default=1e-7)
    find.add_argument("--end-lr", type=float, default=10.0)
    find.add_argument("--num-steps", type=int, default=DEFAULT_NUM_STEPS)
    find.add_argument("--mode", default="exponential", choices=["exponential", "linear"])
    find.add_argument(
        "--smoothing", type=float, help="moving-average factor (default: 0.98 ** (300 / num-steps))"
    )
    find.add_argument("--divergence-threshold", type=float, default=4.0)
    find.add_argument(
        "--repeats", type=int, default=1,
        help="run the test this many times on other data orders; plots their median and band",
    )
    find.add_argument("--method", help=f"the suggestion rule to use and mark (default: {DEFAULT_METHOD})")
    find.add_argument("--out", default="lrfinder-out", help="folder for lr_find.png and lr_find.json")
    find.set_defaults(run=_run_find)

    plot = commands.add_parser("plot", help="redraw a saved result")
    plot.add_argument("result", help="a result JSON written by find, demo or a result's save()")
    plot.add_argument("--method", help=f"the suggestion rule to mark (default: {DEFAULT_METHOD})")
    plot.add_argument("--out", help="the PNG to write (default: next to the JSON)")
    plot.set_defaults(run=_run_plot)
    return parser


def _add_backend(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=BACKENDS, help="Keras backend (default: KERAS_BACKEND)")


def _select_backend(backend: str) -> None:
    keras = sys.modules.get("keras")
    if keras is not None and keras.backend.backend() != backend:
        raise CommandError(
            f"Keras is already loaded with the {keras.backend.backend()} backend. "
            f"Received: --backend {backend}"
        )
    os.environ["KERAS_BACKEND"] = backend


def _run_demo(args: argparse.Namespace) -> int:
    from keras_lrfinder.demo import run_demo

    return _write_and_report(run_demo(seed=args.seed), Path(args.out), method=None)


def _run_find(args: argparse.Namespace) -> int:
    model_path, data_path = Path(args.model), Path(args.data)
    for path in (model_path, data_path):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
    import keras

    from keras_lrfinder import find_lr

    model = keras.saving.load_model(model_path)
    x, y, sample_weight = _read_arrays(data_path, model)
    result = find_lr(
        model,
        x,
        y,
        batch_size=args.batch_size,
        sample_weight=sample_weight,
        start_lr=args.start_lr,
        end_lr=args.end_lr,
        num_steps=args.num_steps,
        mode=args.mode,
        smoothing=args.smoothing,
        divergence_threshold=args.divergence_threshold,
        repeats=args.repeats,
    )
    return _write_and_report(result, Path(args.out), args.method)


def _run_plot(args: argparse.Namespace) -> int:
    from keras_lrfinder import load_result

    path = Path(args.result)
    if not path.is_file():
        raise CommandError(f"No such file: {path}")
    result = load_result(path)
    _save_plot(result, Path(args.out) if args.out else path.with_suffix(".png"), args.method)
    return _print_suggestion(result, args.method)


def _read_arrays(path: Path, model: Any) -> tuple[Any, Any, Any]:
    import numpy as np

    with np.load(path) as arrays:
        data = dict(arrays)
    input_names = [tensor.name for tensor in getattr(model, "inputs", None) or []]
    x = _pick(data, "x", input_names)
    y = _pick(data, "y", [])
    if x is None or y is None:
        missing = "x" if x is None else "y"
        raise CommandError(
            f"{path} has no `{missing}` array (nor {missing}0, {missing}1, ...). "
            f"Received: keys {sorted(data)}"
        )
    return x, y, data.get("sample_weight")


def _pick(data: dict[str, Any], key: str, names: list[str]) -> Any:
    if key in data:
        return data[key]
    numbered = sorted((k for k in data if k[:1] == key and k[1:].isdigit()), key=lambda k: int(k[1:]))
    if numbered:
        return [data[k] for k in numbered]
    if names and all(name in data for name in names):
        return {name: data[name] for name in names}
    return None


def _write_and_report(result: Any, out: Path, method: str | None) -> int:
    out.mkdir(parents=True, exist_ok=True)
    result.save(out / "lr_find.json")
    print(f"Wrote {out / 'lr_find.json'}")
    _save_plot(result, out / "lr_find.png", method)
    return _print_suggestion(result, method)


def _save_plot(result: Any, path: Path, method: str | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    ax = result.plot(method=method)
    ax.figure.savefig(path, dpi=120, bbox_inches="tight")
    print(f"Wrote {path}")


def _print_suggestion(result: Any, method: str | None) -> int:
    from keras_lrfinder import NoSuggestionError, RepeatedLRFinderResult

    try:
        line = f"Suggested learning rate: {result.suggestion(method):.2e}"
        if isinstance(result, RepeatedLRFinderResult):
            line += f" (spread over {len(result.runs)} runs: {result.spread(method):.2f} decades)"
        print(line)
    except NoSuggestionError as error:
        print(f"No suggestion: {error}")
        return 1
    return 0
