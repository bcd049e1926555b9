"""wxdoctor core: the check engine and every check. Never imports Qt."""


def _version() -> str:
    # pyproject.toml (source tree) or the bundled VERSION first: importlib.metadata
    # costs ~0.1 s of start-up and is only needed for an installed wheel.
    from checks.shared.version import UNKNOWN, project_version

    version = project_version()
    if version != UNKNOWN:
        return version
    from importlib import metadata

    try:
        return metadata.version("wxdoctor")
    except metadata.PackageNotFoundError:
        return version


__version__ = _version()
