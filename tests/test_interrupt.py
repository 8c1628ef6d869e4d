import os
import signal

import pytest

from keras_lrfinder.interrupt import DeferredInterrupt


@pytest.mark.usefixtures("python_sigint_handler")
def test_first_ctrl_c_is_deferred_and_the_second_raises():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    interrupt = DeferredInterrupt()
    try:
        os.kill(os.getpid(), signal.SIGINT)
        assert interrupt.requested
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        interrupt.uninstall()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_custom_handler_is_left_alone():
    def custom(signum, frame):
        pass

    previous = signal.signal(signal.SIGINT, custom)
    try:
        interrupt = DeferredInterrupt()
        assert signal.getsignal(signal.SIGINT) is custom
        interrupt.uninstall()
        assert signal.getsignal(signal.SIGINT) is custom
    finally:
        signal.signal(signal.SIGINT, previous)
