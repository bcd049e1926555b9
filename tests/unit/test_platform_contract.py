"""The three platform modules offer the same functions with the same signatures, and the
public interface forwards to each of them (psutil's contract tests are the model).

The Windows and macOS modules are imported here on Linux: their OS calls sit behind
`sys.platform` checks or inside functions, so importing them is safe everywhere.
"""

from __future__ import annotations

import importlib
import inspect
import typing

import pytest

import checks.platform as public

MODULES = ("_linux", "_windows", "_macos")
# What each OS module must define: every function the public interface forwards to.
INTERFACE = [name for name in public.__all__
             if name not in ("NAME", "Adapter", "AdapterInfo", "RouteInfo", "RunasResult", "ConnectionProxy") and name not in
             ("default_routes", "interface_mtu", "interface_of", "interfaces", "route_for",
              "not_admin_made", "code_location_problem")]  # one implementation for all, in checks/platform/__init__.py


def _module(name: str) -> object:
    return importlib.import_module(f"checks.platform.{name}")


def _signature(fn: object) -> tuple[list[tuple[str, object, object]], object]:
    hints = typing.get_type_hints(fn)
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    params = [(p.name, p.kind, hints.get(p.name)) for p in sig.parameters.values()]
    return params, hints.get("return")


@pytest.mark.parametrize("module", MODULES)
def test_every_platform_module_offers_the_whole_interface(module: str) -> None:
    mod = _module(module)
    assert mod.NAME in ("linux", "windows", "macos")
    missing = [name for name in INTERFACE if not callable(getattr(mod, name, None))]
    assert not missing, f"{module} lacks {missing}"


@pytest.mark.parametrize("name", INTERFACE)
def test_signatures_and_return_types_agree(name: str) -> None:
    expected = _signature(getattr(public, name))
    for module in MODULES:
        assert _signature(getattr(_module(module), name)) == expected, f"{module}.{name}"


def test_windows_only_functions_say_so_elsewhere() -> None:
    linux = _module("_linux")
    for call in (lambda: linux.read_wininet(["ProxyEnable"]),  # type: ignore[attr-defined]
                 lambda: linux.internet_options(""),  # type: ignore[attr-defined]
                 lambda: linux.shell_execute_runas("x", "", 1.0)):  # type: ignore[attr-defined]
        with pytest.raises(OSError):
            call()


def test_adapter_details_describe_the_real_interfaces() -> None:
    """On this machine: one AdapterInfo per interface psutil sees, routes keyed by them."""
    names = {a.name for a in public.interfaces()}
    details = public.adapter_details()
    assert all(isinstance(d, public.AdapterInfo) for d in details)
    assert {d.name for d in details} == names
    loopback = next(d for d in details if d.name == "lo")
    assert (loopback.if_type, loopback.mtu) == (24, 65536)  # ARPHRD_LOOPBACK
    routes = public.interface_routes()
    assert routes is not None and set(routes) <= names
    assert public.tencent_registry(["WXWork\\DataLocationPath"]) == {}


def test_windows_and_macos_adapter_calls_stay_quiet_elsewhere() -> None:
    windows = _module("_windows")
    assert windows.adapter_details() == []  # type: ignore[attr-defined]
    assert windows.interface_routes() is None  # type: ignore[attr-defined]
    assert windows.tencent_registry(["WeChat\\FileSavePath"]) == {}  # type: ignore[attr-defined]
