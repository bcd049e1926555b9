"""wxdoctor core: the check engine and every check. Never imports Qt."""

from importlib import metadata as _metadata


def _version() -> str:
    try:
        return _metadata.version("wxdoctor")
    except _metadata.PackageNotFoundError:  # running from a source tree or a frozen bundle
        from checks.resources import read_project_version

        return read_project_version()


__version__ = _version()
