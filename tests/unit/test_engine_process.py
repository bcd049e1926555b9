"""The window's check process: progress streams back, failures become a clear error."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from app.child import check_process
from checks.engine.check import all_checks
from checks.engine.config import Config
from checks.engine.results import CheckResult, Status

LOCAL = ("network", "hosts", "disk")  # no traffic: interfaces, the hosts file, free space


def test_checks_run_in_a_child_and_progress_streams_back() -> None:
    checks = [c for c in all_checks() if c.id in LOCAL]
    check_process.prespawn()
    events: list[tuple[str, Any]] = []
    runner = check_process.ProcessRunner(
        Config(deadline_s=10), checks, lang="zh",
        on_started=lambda check_id: events.append(("started", check_id)),
        on_finished=lambda result: events.append(("finished", result)),
    )
    run = runner.run()
    assert [r.id for r in run.results] == [c.id for c in checks]
    assert all(r.status in set(Status) for r in run.results)
    assert sorted(v for k, v in events if k == "started") == sorted(LOCAL)
    finished = [v for k, v in events if k == "finished"]
    assert sorted(r.id for r in finished) == sorted(LOCAL)
    assert all(isinstance(r, CheckResult) for r in finished)
    assert not run.cancelled


def test_a_child_that_dies_is_an_error_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    check_process.discard_spare()
    monkeypatch.setattr(check_process, "child_argv", lambda: [
        sys.executable, "-c", "import sys; sys.stderr.write('engine broke\\n'); sys.exit(3)"])
    runner = check_process.ProcessRunner(Config(deadline_s=10), [], lang="en")
    with pytest.raises(RuntimeError, match=r"exit code 3\): engine broke"):
        runner.run()
