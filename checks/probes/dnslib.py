"""dnspython, imported on first use.

It costs 50-80 ms to import: not at start-up (`--version`, the window's first
frame), but when a run starts, on the runner's thread (the dns check's `prepare`),
since imported by many probe threads at once it took several times as long. One
lock for the first import: probe threads may still import it concurrently (a run
without the dns check), and parallel first imports of a package with internal
cycles can see half-initialised modules.
"""

from __future__ import annotations

import threading
from types import ModuleType

_LOCK = threading.Lock()


def load() -> ModuleType:
    """The `dns` package with the submodules the probes use loaded."""
    with _LOCK:
        import dns.exception
        import dns.flags
        import dns.message
        import dns.query
        import dns.rcode
        import dns.rdatatype
        import dns.resolver

        return dns
