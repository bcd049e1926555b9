"""dnspython, imported on first use.

It costs ~0.3 s of start-up, and healthy runs of the plain lookups never need it.
One lock for the first import: probe threads import it concurrently, and
parallel first imports of a package with internal cycles can see half-initialised
modules.
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
