"""The one way work on other threads reaches the GUI thread.

A worker thread never touches a widget, and never emits a signal of an object the
GUI thread may be deleting at that moment (a window closed during a run): it posts
a call to the bridge, one object that lives as long as the application, and the
call runs on the GUI thread, where it first checks that its target still exists.
(The idea of Electrum's QtEventListener and Anki's TaskManager.)
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal

log = logging.getLogger("wxdoctor.gui")
T = TypeVar("T")
Done = Callable[[Any, "BaseException | None"], None]


class _Bridge(QObject):
    posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def _run(self, call: Callable[[], None]) -> None:
        try:
            call()
        except Exception:  # one broken slot must not take the window down
            log.exception("a call from a worker thread failed")


_bridge: _Bridge | None = None
_lock = threading.Lock()


def install() -> None:
    """Create the bridge on the GUI thread (the window does this when it is built)."""
    global _bridge
    with _lock:
        if _bridge is not None:
            return
        app = QCoreApplication.instance()
        if app is None or QThread.currentThread() is not app.thread():
            raise RuntimeError("the bridge must be created on the GUI thread")
        _bridge = _Bridge()
        _bridge.moveToThread(app.thread())


def post(call: Callable[[], None]) -> None:
    """From any thread: run `call` on the GUI thread, soon."""
    if _bridge is None:
        raise RuntimeError("bridge.install() was not called on the GUI thread")
    _bridge.posted.emit(call)


def alive(obj: QObject) -> bool:
    """Whether the Qt side of `obj` still exists (GUI thread only)."""
    return shiboken6.isValid(obj)


def deliver(target: QObject, call: Callable[[], None]) -> None:
    """From any thread: run `call` on the GUI thread unless `target` is gone by then."""
    post(lambda: call() if alive(target) else None)


def run_in_thread(work: Callable[[], T], done: Callable[[T | None, BaseException | None], None],
                  target: QObject, name: str = "gui-task") -> threading.Thread:
    """Run `work` on a daemon thread; `done(value, error)` then runs on the GUI thread,
    unless `target` (the widget waiting for it) was deleted meanwhile."""

    def run() -> None:
        value: T | None = None
        error: BaseException | None = None
        try:
            value = work()
        except Exception as exc:
            log.error("%s failed:\n%s", name, traceback.format_exc())
            error = exc
        deliver(target, lambda: done(value, error))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
