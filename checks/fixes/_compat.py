"""The hosts-file codec and the client data-folder rules the fixes build on, in one place."""

from __future__ import annotations

from checks.clientdata import DataDir, cache_targets, classify, data_dirs
from checks.hostsfile import (
    decode_hosts,
    encode_hosts,
    is_tencent_name,
    lines_with_endings,
    parse_line,
)

__all__ = ["DataDir", "cache_targets", "classify", "data_dirs", "decode_hosts", "encode_hosts",
           "is_tencent_name", "lines_with_endings", "parse_line"]
