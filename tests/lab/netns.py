"""Network namespaces for the test lab, driven through iproute2.

Namespace names embed the creating pid (``wxd-<pid>-<rand>-<role>``) so that a
later test session can tell which namespaces were orphaned by a dead process
and remove them (see :func:`cleanup_stale`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

PREFIX = "wxd"
NETNS_RUN = Path("/run/netns")
NETNS_ETC = Path("/etc/netns")
_NAME_RE = re.compile(rf"^{PREFIX}-(\d+)-[0-9a-f]+-[a-z0-9]+$")

# Namespaces created by this process; removed at interpreter exit if a test
# crashed before its finalizer ran.
_LIVE: dict[str, Namespace] = {}


PathArg = str | os.PathLike[str]
# Extra environment overlaid on os.environ; a None value unsets the variable.
Env = Mapping[str, str | None] | None


class LabError(RuntimeError):
    """A lab command failed; carries its output for the test report."""


def _check(argv: Sequence[str], proc: subprocess.CompletedProcess[str]) -> None:
    if proc.returncode != 0:
        raise LabError(
            f"command failed (rc={proc.returncode}): {' '.join(argv)}\n"
            f"stdout: {proc.stdout.strip()}\nstderr: {proc.stderr.strip()}"
        )


def host_run(argv: Sequence[str], timeout: float = 10, check: bool = True,
             input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command in the root namespace (only used for `ip` itself)."""
    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                          input=input, check=False)
    if check:
        _check(argv, proc)
    return proc


class Namespace:
    """One network namespace plus the processes the tests started in it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.procs: list[subprocess.Popen[bytes]] = []
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        self._deleted = False

    # -- lifecycle -------------------------------------------------------

    @classmethod
    def create(cls, role: str, tag: str | None = None) -> Namespace:
        """Create ``wxd-<pid>-<tag>-<role>`` with loopback up.

        ``tag`` groups the namespaces of one lab; random when omitted.
        """
        tag = tag or secrets.token_hex(3)
        name = f"{PREFIX}-{os.getpid()}-{tag}-{role}"
        host_run(["ip", "netns", "add", name])
        ns = cls(name)
        _LIVE[name] = ns
        try:
            ns.ip("link", "set", "lo", "up")
        except BaseException:
            ns.delete()
            raise
        return ns

    def delete(self) -> None:
        """Kill everything running inside, then remove the namespace. Idempotent."""
        if self._deleted:
            return
        self._deleted = True
        for proc in self.procs:
            _terminate(proc)
        kill_namespace_pids(self.name)
        host_run(["ip", "netns", "del", self.name], check=False)
        shutil.rmtree(NETNS_ETC / self.name, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        _LIVE.pop(self.name, None)

    def __repr__(self) -> str:
        return f"Namespace({self.name!r})"

    # -- running commands --------------------------------------------------

    def argv(self, argv: Sequence[PathArg]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *map(str, argv)]

    def run(self, argv: Sequence[PathArg], timeout: float = 10,
            check: bool = True, input: str | None = None,
            env: Env = None, cwd: PathArg | None = None,
            ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside the namespace and capture text output.

        On timeout the whole process group is killed and TimeoutExpired raised.
        """
        full = self.argv(argv)
        # `ip netns exec` execs in place, so the pid is the command itself;
        # a new session lets us kill whatever it forked too.
        with subprocess.Popen(full, stdin=subprocess.PIPE if input is not None else
                              subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=_env(env), cwd=cwd,
                              start_new_session=True) as p:
            try:
                out, err = p.communicate(input, timeout=timeout)
            except subprocess.TimeoutExpired:
                _killpg(p.pid)
                out, err = p.communicate()
                raise subprocess.TimeoutExpired(full, timeout, out, err) from None
        proc = subprocess.CompletedProcess(full, p.returncode, out, err)
        if check:
            _check(full, proc)
        return proc

    def popen(self, argv: Sequence[PathArg], *,
              env: Env = None, cwd: PathArg | None = None,
              stdout: int | object = subprocess.DEVNULL, stderr: int | object = subprocess.DEVNULL,
              stdin: int | object = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        """Start a background process in the namespace; killed by :meth:`delete`."""
        proc = subprocess.Popen(self.argv(argv), env=_env(env), cwd=cwd, stdin=stdin,  # type: ignore[arg-type]
                                stdout=stdout, stderr=stderr,  # type: ignore[arg-type]
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def spawn_python(self, script: PathArg, *args: PathArg,
                     listen: Iterable[int | tuple[str, int]] = (), addr: str | None = None,
                     timeout: float = 5, env: Env = None,
                     ) -> subprocess.Popen[bytes]:
        """Run ``python script *args`` here and wait until it listens.

        ``listen`` holds ports (TCP) or ``("udp", port)`` tuples; ``addr``
        optionally narrows the wait to one local address. stdout/stderr go to
        a log file in :attr:`tmp` whose tail is included in errors.
        """
        log = self.tmp / f"{Path(script).stem}-{len(self.procs)}.log"
        with open(log, "wb") as fh:
            proc = self.popen([sys.executable, "-u", script, *args], env=env,
                              stdout=fh, stderr=subprocess.STDOUT)
        proc.log_path = log  # type: ignore[attr-defined]
        wanted = [("tcp", p) if isinstance(p, int) else p for p in listen]
        try:
            self.wait_listening(proc, wanted, addr=addr, timeout=timeout)
        except BaseException:
            _terminate(proc)
            raise
        return proc

    def wait_listening(self, proc: subprocess.Popen[bytes], wanted: Sequence[tuple[str, int]],
                       addr: str | None = None, timeout: float = 5) -> None:
        """Poll the process's own socket tables until all ``wanted`` sockets exist."""
        deadline = time.monotonic() + timeout
        ns_ino = (NETNS_RUN / self.name).stat().st_ino
        while True:
            if proc.poll() is not None:
                raise LabError(f"{proc.args!r} exited with {proc.returncode} before "
                               f"listening on {wanted}\n{_log_tail(proc)}")
            if all(_listening(proc.pid, ns_ino, proto, port, addr) for proto, port in wanted):
                return
            if time.monotonic() > deadline:
                raise LabError(f"{proc.args!r} not listening on {wanted} after {timeout}s\n"
                               f"{_log_tail(proc)}")
            time.sleep(0.01)

    # -- network configuration -------------------------------------------

    def ip(self, *args: str) -> subprocess.CompletedProcess[str]:
        # `ip -n` enters the namespace itself: cheaper than `ip netns exec`.
        return host_run(["ip", "-n", self.name, *args])

    def ip_batch(self, commands: Iterable[str]) -> None:
        """Apply many `ip` commands in one process (one per line)."""
        host_run(["ip", "-n", self.name, "-batch", "-"], input="\n".join(commands) + "\n")

    def iptables(self, *args: str, v6: bool = False) -> subprocess.CompletedProcess[str]:
        return self.run(["ip6tables" if v6 else "iptables", "-w", *args])

    def tc(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(["tc", *args])

    def sysctl(self, **settings: str | int) -> None:
        """Set ``net.*`` sysctls; keys use ``__`` for dots (net__ipv4__ip_forward=1).

        Written through /proc/sys, which shows the namespace of the writer, so
        no `sysctl` binary (procps) is needed.
        """
        script = "; ".join(f"echo {int(v)} > /proc/sys/{k.replace('__', '/')}"
                           for k, v in settings.items())
        self.run(["sh", "-ec", script])

    def add_addr(self, dev: str, cidr: str) -> None:
        extra = ["nodad"] if ":" in cidr else []
        self.ip("addr", "add", cidr, "dev", dev, *extra)

    def del_addr(self, dev: str, cidr: str) -> None:
        self.ip("addr", "del", cidr, "dev", dev)

    def add_route(self, dst: str, via: str | None = None, dev: str | None = None) -> None:
        fam = ["-6"] if ":" in dst or (via and ":" in via) else []
        args = [*fam, "route", "replace", dst]
        if via:
            args += ["via", via]
        if dev:
            args += ["dev", dev]
        self.ip(*args)

    def del_route(self, dst: str, v6: bool = False) -> None:
        fam = ["-6"] if v6 or ":" in dst else []
        self.ip(*fam, "route", "del", dst)

    def set_mtu(self, dev: str, mtu: int) -> None:
        self.ip("link", "set", "dev", dev, "mtu", str(mtu))

    def write_etc(self, filename: str, text: str) -> Path:
        """Write /etc/netns/<ns>/<filename>; `ip netns exec` bind-mounts it over /etc."""
        d = NETNS_ETC / self.name
        d.mkdir(parents=True, exist_ok=True)
        path = d / filename
        path.write_text(text)
        return path

    def set_resolvers(self, nameservers: Sequence[str], options: str = "timeout:1 attempts:1",
                      ) -> None:
        lines = [f"nameserver {ns}" for ns in nameservers]
        if options:
            lines.append(f"options {options}")
        self.write_etc("resolv.conf", "\n".join(lines) + "\n")


def veth(a: Namespace, a_dev: str, b: Namespace, b_dev: str) -> None:
    """Create a veth pair with its ends born directly inside ``a`` and ``b``.

    Nothing ever appears in the root namespace, so fixed short device names
    (<= 15 chars) cannot collide between parallel labs.
    """
    for dev in (a_dev, b_dev):
        if len(dev) > 15:
            raise ValueError(f"interface name too long: {dev}")
    host_run(["ip", "link", "add", a_dev, "netns", a.name, "type", "veth",
              "peer", "name", b_dev, "netns", b.name])
    a.ip("link", "set", a_dev, "up")
    b.ip("link", "set", b_dev, "up")


# -- process helpers --------------------------------------------------------

def _env(extra: Env) -> dict[str, str] | None:
    """os.environ overlaid with ``extra``; a None value removes the variable."""
    if extra is None:
        return None
    env = dict(os.environ)
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def _killpg(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        _killpg(proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)


def _log_tail(proc: subprocess.Popen[bytes], limit: int = 2000) -> str:
    path: Path | None = getattr(proc, "log_path", None)
    if path is None or not path.exists():
        return ""
    return "log tail:\n" + path.read_text(errors="replace")[-limit:]


def kill_namespace_pids(name: str) -> None:
    """SIGKILL every process living in the namespace (servers, stray children)."""
    out = host_run(["ip", "netns", "pids", name], check=False).stdout.split()
    for pid in out:
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)


_TCP_LISTEN = "0A"
_UDP_UNCONN = "07"


def _listening(pid: int, ns_ino: int, proto: str, port: int, addr: str | None) -> bool:
    """Read /proc/<pid>/net/* which shows the socket table of *that* pid's netns."""
    try:
        # Right after fork the child is still in the root namespace; its
        # tables would be the host's, so wait until it has entered ours.
        if os.stat(f"/proc/{pid}/ns/net").st_ino != ns_ino:
            return False
        state = _TCP_LISTEN if proto == "tcp" else _UDP_UNCONN
        for table in (proto, proto + "6"):
            for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                local, st = fields[1], fields[3]
                hexaddr, hexport = local.rsplit(":", 1)
                if st != state or int(hexport, 16) != port:
                    continue
                if addr is None or _hex_matches(hexaddr, addr):
                    return True
    except (FileNotFoundError, ProcessLookupError):
        return False
    return False


def _hex_matches(hexaddr: str, addr: str) -> bool:
    import ipaddress

    raw = bytes.fromhex(hexaddr)
    # The kernel prints each 32-bit word in host (little-endian) order.
    fixed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    ip = ipaddress.ip_address(fixed)
    if ip.is_unspecified:
        return True
    want = ipaddress.ip_address(addr)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped == want
    return ip == want


# -- stale cleanup ----------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def list_lab_namespaces() -> list[str]:
    out = host_run(["ip", "netns", "list"], check=False).stdout
    names = [line.split()[0] for line in out.splitlines() if line.strip()]
    return [n for n in names if _NAME_RE.match(n)]


def cleanup_stale() -> list[str]:
    """Delete lab namespaces (and /etc/netns dirs) whose creating pid is gone."""
    removed = []
    candidates = set(list_lab_namespaces())
    if NETNS_ETC.is_dir():
        candidates |= {p.name for p in NETNS_ETC.iterdir() if _NAME_RE.match(p.name)}
    for name in sorted(candidates):
        m = _NAME_RE.match(name)
        assert m
        pid = int(m.group(1))
        if pid == os.getpid() or _pid_alive(pid):
            continue
        if (NETNS_RUN / name).exists():
            kill_namespace_pids(name)
            host_run(["ip", "netns", "del", name], check=False)
        shutil.rmtree(NETNS_ETC / name, ignore_errors=True)
        removed.append(name)
    # Scratch dirs are named like the namespaces (plus a mkdtemp suffix).
    for path in Path(tempfile.gettempdir()).glob(f"{PREFIX}-*-*"):
        m = re.match(rf"^{PREFIX}-(\d+)-", path.name)
        if m and path.is_dir() and not _pid_alive(int(m.group(1))):
            shutil.rmtree(path, ignore_errors=True)
    return removed


@atexit.register
def _cleanup_live() -> None:
    for ns in list(_LIVE.values()):
        with contextlib.suppress(Exception):
            ns.delete()
