"""Helpers for tests of the verifier's jail: finding its processes, requiring it in CI."""

import os
import pathlib
import time

import pytest

from exams.isolation import isolation_problem
from exams.sandbox import HARNESS_MARK


def require_jail() -> None:
    """Skip where the jail cannot run, but fail in CI (REQUIRE_SANDBOX=1): it must be real."""
    problem = isolation_problem()
    if problem is None:
        return
    if os.environ.get("REQUIRE_SANDBOX") == "1":
        pytest.fail(f"the verifier's jail is required here and unavailable: {problem}")
    pytest.skip(f"the verifier's jail is unavailable: {problem}")


def jailed_processes() -> list[int]:
    """Pids of every live process of any verifier run (the harness mark survives fork)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command_line = pathlib.Path(f"/proc/{entry}/cmdline").read_bytes()
            state = pathlib.Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if HARNESS_MARK.encode() in command_line and state != "Z":
            found.append(int(entry))
    return found


def no_jailed_process_left(within_seconds: float = 2.0) -> bool:
    """True once every jailed process is gone (the kernel tears a PID namespace down fast)."""
    deadline = time.monotonic() + within_seconds
    while jailed_processes():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# Not under /tmp, where the jail mounts its own tmpfs: a path there (a checkout in /tmp,
# say) would be inside the jail and prove nothing.
OUTSIDE_DIRECTORY = pathlib.Path("/var/tmp/pcep-jail-tests")


def outside_path(name: str) -> pathlib.Path:
    """A path on the server, outside anything the jail can see."""
    OUTSIDE_DIRECTORY.mkdir(mode=0o700, exist_ok=True)
    return OUTSIDE_DIRECTORY / name
