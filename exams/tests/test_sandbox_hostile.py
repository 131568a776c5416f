"""Hostile snippets against the verifier's jail: one per way out, each with its outcome.

Most attacks first switch the in-process audit hook off (SWITCH_OFF_THE_HOOK), as a real
attacker would, so what they meet is the operating-system jail alone.
"""

import errno
import os
import socket
import uuid

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from exams import isolation
from exams.isolation import SANDBOX_DISK_BYTES, SANDBOX_PROCESS_LIMIT, SandboxUnavailable
from exams.sandbox import run_snippet
from exams.tests.jail import no_jailed_process_left, outside_path
from exams.verifier import verify_question

pytestmark = pytest.mark.usefixtures("jail")

# The audit hook calls `refusal` through a closure cell; any snippet can reach the cell
# through the garbage collector and put a function there that allows everything.
SWITCH_OFF_THE_HOOK = """
import gc
for _candidate in gc.get_objects():
    if getattr(_candidate, "__name__", None) == "audit":
        for _cell in getattr(_candidate, "__closure__", None) or ():
            if getattr(_cell.cell_contents, "__name__", None) == "refusal":
                _cell.cell_contents = lambda event, args: None
"""


def hostile(body: str, **kwargs):
    return run_snippet(SWITCH_OFF_THE_HOOK + body, **kwargs)


@pytest.fixture
def planted_secret():
    """A secret file on the server, outside the jail, removed afterwards."""
    secret = f"secret-{uuid.uuid4().hex}"
    path = outside_path(f"planted-{uuid.uuid4().hex}.txt")
    path.write_text(secret)
    yield path, secret
    path.unlink()


def everything_said(result) -> str:
    return "\n".join(
        str(part) for part in (result.stdout, result.stderr, result.failure, result.value_repr)
    )


def test_switching_off_the_hook_works_so_the_jail_alone_is_what_these_tests_meet():
    assert "import ctypes" in run_snippet("import ctypes").failure
    result = hostile("import ctypes\nprint('ctypes loaded', ctypes.CDLL(None).getpid() > 0)")
    assert (result.stdout, result.failure) == ("ctypes loaded True\n", None)


def test_a_shell_command_through_libc_finds_no_shell_and_touches_nothing():
    marker = outside_path(f"pwned-{uuid.uuid4().hex}")
    result = hostile(
        "import ctypes, os\n"
        f"status = ctypes.CDLL(None).system(b'touch {marker}')\n"
        "print('system returned', status)\n"
        "try:\n    os.execv('/bin/sh', ['sh', '-c', 'true'])\n"
        "except OSError as error:\n    print('exec', error.errno)\n"
    )
    assert "system returned 0" not in result.stdout  # no /bin/sh inside the jail
    assert f"exec {errno.ENOENT}" in result.stdout
    assert not marker.exists()


def test_fork_and_setsid_children_are_killed_with_the_run():
    result = hostile(
        "import os, time\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    os.setsid()  # leaves the process group the old verifier killed\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(60)\n"
        "    os._exit(0)\n"
        "os.waitpid(child, 0)\n"
        "print('detached')\n"
    )
    assert result.stdout == "detached\n"
    assert no_jailed_process_left()


def test_a_fork_bomb_is_stopped_by_the_process_limit_and_leaves_nothing():
    result = hostile(
        "import os, time\n"
        "started = 0\n"
        "for _ in range(200):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n"
        "        started += 1\n"
        "    except OSError:\n"
        "        break\n"
        "print(started)\n"
    )
    assert 0 < int(result.stdout) < SANDBOX_PROCESS_LIMIT
    assert no_jailed_process_left()


def connect_from_the_jail(listener: socket.socket, connect: str) -> str:
    """What a hook-free snippet printed trying `connect`; the listener must see no one."""
    result = hostile(
        "import socket\n"
        "try:\n"
        f"    {connect}\n"
        "    print('connected')\n"
        "except OSError as error:\n"
        "    print('refused', error.errno)\n"
    )
    listener.settimeout(0.3)
    with pytest.raises(TimeoutError):
        listener.accept()
    return result.stdout


def test_a_socket_to_a_local_listener_gets_nowhere():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        connect = f"socket.create_connection(('127.0.0.1', {port}), timeout=2)"
        assert connect_from_the_jail(listener, connect).startswith("refused")


def test_a_unix_socket_of_a_local_service_is_out_of_reach():
    path = outside_path(f"service-{uuid.uuid4().hex}.sock")
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        listener.listen()
        try:
            connect = f"socket.socket(socket.AF_UNIX).connect({str(path)!r})"
            assert connect_from_the_jail(listener, connect) == f"refused {errno.ENOENT}\n"
        finally:
            path.unlink()


def test_server_files_cannot_be_read(planted_secret):
    path, secret = planted_secret
    database = settings.BASE_DIR / "db.sqlite3"
    targets = [str(path), str(settings.BASE_DIR / ".env"), str(database), "/etc/passwd"]
    result = hostile(
        "import sqlite3\n"
        f"for target in {targets!r}:\n"
        "    try:\n"
        "        print(open(target).read())\n"
        "    except OSError as error:\n"
        "        print('unreadable', error.errno)\n"
        "try:\n"
        f"    print(sqlite3.connect({str(database)!r}).execute('select 1').fetchall())\n"
        "except sqlite3.Error as error:\n"
        "    print('database:', error)\n"
    )
    assert result.stdout.splitlines() == [
        *[f"unreadable {errno.ENOENT}"] * len(targets),
        "database: unable to open database file",
    ]
    assert secret not in everything_said(result)


def test_the_servers_environment_is_unreachable(monkeypatch):
    secret = f"env-secret-{uuid.uuid4().hex}"
    monkeypatch.setenv("PCEP_TEST_SECRET", secret)
    result = hostile(
        "import os\n"
        "print(dict(os.environ))\n"
        f"for target in ['/proc/{os.getpid()}/environ', '/proc/self/environ', '/proc/1/environ']:\n"
        "    try:\n"
        "        print(open(target, 'rb').read())\n"
        "    except OSError as error:\n"
        "        print('unreadable', error.errno)\n"
    )
    assert result.stdout.splitlines()[1:] == [f"unreadable {errno.ENOENT}"] * 3
    assert secret not in everything_said(result)
    assert settings.SECRET_KEY not in everything_said(result)


def test_a_verdict_never_quotes_what_a_question_read_outside(planted_secret):
    path, secret = planted_secret
    code = (
        SWITCH_OFF_THE_HOOK
        + f"try:\n    print(open({str(path)!r}).read())\nexcept OSError:\n    print('x')\n"
    )
    question = {
        "id": "q-leak",
        "objective": "1.1",
        "kind": "single",
        "verify": "output",
        "code": code,
        "answers": [{"text": "the file's text", "correct": True}, {"text": "other"}],
    }
    result = verify_question(question)
    assert result.status == "mismatch"
    said = " ".join(f"{p.message} {p.expected} {p.actual}" for p in result.problems)
    assert "the code prints 'x'" in said
    assert secret not in said


def test_writes_beside_the_database_land_nowhere():
    targets = {
        name: outside_path(f"{name}-{uuid.uuid4().hex}")
        for name in ("file", "fifo", "node", "database", "history", "directory")
    }
    result = hostile(
        "import os, readline, sqlite3\n"
        "attempts = [\n"
        f"    lambda: open({str(targets['file'])!r}, 'w').write('x'),\n"
        f"    lambda: os.mkfifo({str(targets['fifo'])!r}),\n"
        f"    lambda: os.mknod({str(targets['node'])!r}),\n"
        f"    lambda: sqlite3.connect({str(targets['database'])!r}).execute('create table t(x)'),\n"
        f"    lambda: readline.write_history_file({str(targets['history'])!r}),\n"
        f"    lambda: os.makedirs({str(targets['directory'])!r}),\n"
        "]\n"
        "for attempt in attempts:\n"
        "    try:\n"
        "        attempt()\n"
        "        print('written')\n"
        "    except (OSError, sqlite3.Error) as error:\n"
        "        print('refused', type(error).__name__)\n"
    )
    assert "written" not in result.stdout
    assert result.stdout.count("refused") == 6
    assert not any(path.exists() for path in targets.values())


def test_filling_the_disk_stops_at_the_jails_small_tmpfs():
    result = hostile(
        "import os\n"
        "written = 0\n"
        "try:\n"
        "    for index in range(1000):\n"
        "        with open(f'fill-{index}', 'wb') as out:\n"
        "            out.write(b'x' * 512 * 1024)\n"
        "        written += 512 * 1024\n"
        "except OSError as error:\n"
        "    print('stopped', error.errno)\n"
        "print(written)\n"
    )
    stopped, written = result.stdout.splitlines()
    assert stopped == f"stopped {errno.ENOSPC}"
    assert int(written) <= SANDBOX_DISK_BYTES


def test_dangerous_system_calls_are_refused_by_seccomp():
    result = hostile(
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "calls = {\n"
        "    'unshare': lambda: libc.unshare(0x10000000),\n"  # CLONE_NEWUSER
        "    'ptrace': lambda: libc.ptrace(16, 1, 0, 0),\n"  # PTRACE_ATTACH to pid 1
        "    'mount': lambda: libc.mount(b'none', b'/tmp', b'tmpfs', 0, None),\n"
        "    'keyctl': lambda: libc.syscall(250, 0, -3),\n"  # keyctl(GET_KEYRING_ID, user)
        "}\n"
        "for name, call in calls.items():\n"
        "    print(name, call(), ctypes.get_errno())\n"
    )
    assert result.stdout.splitlines() == [
        f"{name} -1 {errno.EPERM}" for name in ("unshare", "ptrace", "mount", "keyctl")
    ]


def test_network_sockets_are_refused_even_through_libc():
    result = hostile(
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "print(libc.socket(2, 1, 0), ctypes.get_errno())\n"  # AF_INET, SOCK_STREAM
    )
    assert result.stdout == f"-1 {errno.EACCES}\n"


def test_the_jail_runs_as_an_unprivileged_user_with_no_capabilities():
    result = hostile(
        "import os\n"
        "print(os.getresuid(), os.getresgid())\n"
        "print(open('/proc/self/status').read() if os.path.exists('/proc') else 'no /proc')\n"
    )
    assert result.stdout == "(65534, 65534, 65534) (65534, 65534, 65534)\nno /proc\n"


# --- where the jail cannot be built, no code runs at all --------------------------------


def test_without_the_jail_the_runner_refuses_and_starts_nothing(monkeypatch):
    monkeypatch.setattr(isolation, "isolation_problem", lambda: "bwrap is not installed")

    def no_process(*args, **kwargs):
        raise AssertionError("a process was started without the jail")

    monkeypatch.setattr("subprocess.Popen", no_process)
    with pytest.raises(SandboxUnavailable, match="refuses to run question code"):
        run_snippet("print(1)")


def test_a_missing_bwrap_is_named_by_the_probe(monkeypatch):
    monkeypatch.setattr(isolation.shutil, "which", lambda name: None)
    assert isolation._probe() == "the command 'bwrap' is not installed"


@pytest.mark.django_db
def test_verify_questions_command_without_the_jail_fails_with_the_reason(monkeypatch):
    monkeypatch.setattr(isolation, "isolation_problem", lambda: "bwrap is not installed")
    with pytest.raises(CommandError, match=r"refuses to run question code.*bwrap is not installed"):
        call_command("verify_questions", "--all")
