"""`python -m keras_lrfinder`: the same as the `keras-lrfinder` command."""

import sys

from keras_lrfinder.cli import main

if __name__ == "__main__":
    sys.exit(main())
