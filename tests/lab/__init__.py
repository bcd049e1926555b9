"""Network-namespace test lab: see README.md in this directory."""

from .dnsctl import DnsServer
from .netns import LabError, Namespace, cleanup_stale, veth
from .support import lab_unavailable
from .topology import DNS_IP, NTP_IP, REPO_ROOT, Host, Lab

__all__ = [
    "DNS_IP",
    "NTP_IP",
    "REPO_ROOT",
    "DnsServer",
    "Host",
    "Lab",
    "LabError",
    "Namespace",
    "cleanup_stale",
    "lab_unavailable",
    "veth",
]
