"""Ctrl-C during a range test: finish the step, put the model back, then raise."""

from __future__ import annotations

import signal
import threading


class DeferredInterrupt:
    """Turns the first Ctrl-C into a request to stop at the next step boundary.

    Keras skips `on_train_end` when `fit` raises, so a `KeyboardInterrupt` in
    the middle of a step would leave the sweep in the user's model. Deferred,
    the run ends the normal way, restore included, and the interrupt is raised
    after that. A second Ctrl-C raises at once, as usual.

    It only takes over Python's default handler, in the main thread; a custom
    handler (or a worker thread, where signals cannot be handled) is left
    alone.
    """

    def __init__(self) -> None:
        self.requested = False
        self._installed = (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        )
        if self._installed:
            signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def uninstall(self) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self._installed = False
