"""`python -m keras_lrfinder demo`: the command line."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="keras-lrfinder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run a range test on built-in synthetic data")
    demo.add_argument("--backend", choices=["tensorflow", "jax", "torch"], help="Keras backend")
    demo.add_argument("--out", default="lrfinder-demo", help="folder for the plot and result JSON")
    demo.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from keras_lrfinder.demo import run_demo

    return run_demo(args.out, backend=args.backend, seed=args.seed)


if __name__ == "__main__":
    sys.exit(main())
