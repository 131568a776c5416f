"""The operating-system jail the key verifier runs question code in (docs/sandbox.md).

Every snippet runs under bubblewrap in new user, mount, PID, network, IPC and UTS
namespaces. Its root file system is empty but for the Python runtime and the shared
libraries it loads (read-only), a small tmpfs at /tmp (its working directory) and a minimal
/dev; there is no /proc, no project checkout, no /etc and no network but a loopback of its
own. A seccomp filter refuses the system calls a jailed program has no use for and that
would widen the kernel's attack surface (ptrace, mount, new namespaces, keyrings, BPF,
io_uring, sockets other than Unix ones). When the server runs as root, the jail is entered
as the unprivileged user `nobody` (setpriv), so that even the kernel's own accounting
(RLIMIT_NPROC, file ownership) treats the snippet as nobody. The whole PID namespace dies
with the bwrap process, which the runner kills at the end of every run.

Nothing here falls back to a weaker mode: where the jail cannot be built,
`isolation_problem()` says why and the runner refuses to run code at all.
"""

from __future__ import annotations

import errno
import functools
import os
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
from dataclasses import dataclass

SANDBOX_DIRECTORY = "/tmp"  # the snippet's working directory, a fresh tmpfs every run
SANDBOX_DISK_BYTES = 8 * 1024 * 1024  # all the files a snippet may write, together
SANDBOX_PROCESS_LIMIT = 16  # RLIMIT_NPROC inside the jail: counts only the jail's processes
UNPRIVILEGED_ID = 65534  # `nobody`, the identity the jail runs as when the server is root
# Where the root-only wrapper stages the runtime for `nobody` to bind (in a private mount
# namespace of its own: the host's /tmp is never touched).
STAGING_DIRECTORY = "/tmp"

# System calls a snippet never needs; each would give jailed code more kernel to attack or
# a way to look outside (refused with EPERM, so Python raises PermissionError).
REFUSED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root",
    "chroot", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf",
    "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "reboot", "swapon", "swapoff", "acct", "syslog",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "name_to_handle_at", "open_by_handle_at",
    "quotactl", "iopl", "ioperm", "personality",
)  # fmt: skip


class SandboxUnavailable(RuntimeError):
    """The operating-system jail cannot be built here, so no question code may run."""


_works: list[bool] = []  # set once a trial run succeeded: the jail stays available


def isolation_problem() -> str | None:
    """Why the jail cannot run here, or None when it works.

    Success is remembered for the process; a failure is checked again next time, so
    installing bubblewrap needs no restart.
    """
    if _works:
        return None
    problem = _probe()
    if problem is None:
        _works.append(True)
    return problem


def require_isolation() -> None:
    problem = isolation_problem()
    if problem is not None:
        raise SandboxUnavailable(
            "The key verifier refuses to run question code: its sandbox is not available "
            f"on this server ({problem}). Install bubblewrap (apt-get install bubblewrap) "
            "and allow user namespaces; see docs/sandbox.md."
        )


def seccomp_filter() -> bytes:
    """The compiled BPF program bwrap installs before the snippet's interpreter starts."""
    return _compiled_filter()


def jail_command(*, seccomp_fd: int) -> list[str]:
    """The argv prefix that runs a program inside the jail, reading its filter from `seccomp_fd`."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    runtime = _runtime()
    binds: list[str] = []
    staging: list[str] = []
    as_root = os.geteuid() == 0
    for index, directory in enumerate(runtime.directories):
        source = directory
        if as_root:
            # `nobody` may not be able to walk to the runtime (pyenv lives under /root, mode
            # 0700): the root wrapper bind-mounts it somewhere `nobody` can reach first.
            source = f"{STAGING_DIRECTORY}/runtime-{index}"
            staging.append(f"mkdir {source} && mount --bind {shlex.quote(directory)} {source}")
        binds += ["--ro-bind", source, directory]
    for link, target in runtime.links:
        binds += ["--symlink", target, link]
    for hidden in runtime.hidden:
        binds += ["--tmpfs", hidden]  # third-party packages are no business of a snippet
    bwrap_arguments = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--uid", str(UNPRIVILEGED_ID),
        "--gid", str(UNPRIVILEGED_ID),
        *binds,
        "--dev", "/dev",
        "--size", str(SANDBOX_DISK_BYTES),
        "--tmpfs", SANDBOX_DIRECTORY,
        "--chdir", SANDBOX_DIRECTORY,
        "--remount-ro", "/",
        "--seccomp", str(seccomp_fd),
        "--",
    ]  # fmt: skip
    if not as_root:
        return bwrap_arguments
    drop_to_nobody = [
        "setpriv",
        f"--reuid={UNPRIVILEGED_ID}",
        f"--regid={UNPRIVILEGED_ID}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--",
    ]
    script = " && ".join(
        [
            f"mount -t tmpfs -o mode=0755,size=64k pcep-sandbox-staging {STAGING_DIRECTORY}",
            *staging,
            "exec " + shlex.join(drop_to_nobody + bwrap_arguments) + ' "$@"',
        ]
    )
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh"]


def interpreter() -> str:
    """The base interpreter (not the project's virtualenv: no project packages inside)."""
    return _runtime().interpreter


@dataclass(frozen=True)
class _Runtime:
    interpreter: str
    directories: tuple[str, ...]  # bound read-only at the same path
    links: tuple[tuple[str, str], ...]  # (path, target) symlinks such as /lib -> usr/lib
    hidden: tuple[str, ...]  # directories covered by an empty tmpfs


@functools.cache
def _runtime() -> _Runtime:
    executable = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
    directories: list[str] = []

    def bind(path: str) -> None:
        path = os.path.realpath(path)
        if os.path.isdir(path) and not any(_within(path, known) for known in directories):
            directories[:] = [known for known in directories if not _within(known, path)]
            directories.append(path)

    for path in ("/usr/lib", "/usr/lib64", "/usr/lib32"):
        bind(path)
    links = []
    for path in ("/lib", "/lib64", "/lib32"):
        if os.path.islink(path):
            links.append((path, os.readlink(path)))  # merged /usr: /lib -> usr/lib
        else:
            bind(path)
    bind(sys.base_prefix)
    bind(sys.base_exec_prefix)
    bind(os.path.dirname(executable))
    base_paths = sysconfig.get_paths(
        vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix}
    )
    hidden = tuple(
        dict.fromkeys(
            path for path in (base_paths["purelib"], base_paths["platlib"]) if os.path.isdir(path)
        )
    )
    return _Runtime(executable, tuple(directories), tuple(links), hidden)


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


@functools.cache
def _compiled_filter() -> bytes:
    import pyseccomp  # imported here: a missing libseccomp is reported, not a crash at import

    rules = pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
    for name in REFUSED_SYSCALLS:
        try:
            rules.add_rule(pyseccomp.ERRNO(errno.EPERM), name)
        except ValueError:
            continue  # not a system call on this architecture
    # Only Unix sockets (the interpreter needs none, but socketpair is harmless); a network
    # socket would see only the jail's own loopback anyway.
    rules.add_rule(
        pyseccomp.ERRNO(errno.EACCES), "socket", pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX)
    )
    read_end, write_end = os.pipe()
    try:
        with os.fdopen(write_end, "wb") as out:
            rules.export_bpf(out)
        with os.fdopen(read_end, "rb") as program:
            read_end = -1
            return program.read()
    finally:
        if read_end != -1:
            os.close(read_end)


def _probe() -> str | None:
    for tool in ("bwrap", *(("unshare", "setpriv", "mount") if os.geteuid() == 0 else ())):
        if shutil.which(tool) is None:
            return f"the command {tool!r} is not installed"
    try:
        program = _compiled_filter()
    except Exception as error:  # whatever the cause (no libseccomp, say): no jail
        return f"the seccomp filter cannot be compiled ({type(error).__name__}: {error})"
    seccomp_fd = memory_file("seccomp", program)
    try:
        command = jail_command(seccomp_fd=seccomp_fd)
        probe = subprocess.run(
            [*command, interpreter(), "-I", "-S", "-c", "import os; print(os.getuid())"],
            capture_output=True,
            text=True,
            pass_fds=(seccomp_fd,),
            env={},
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"the jail could not be started ({error})"
    finally:
        os.close(seccomp_fd)
    if probe.returncode != 0 or probe.stdout.strip() != str(UNPRIVILEGED_ID):
        detail = (probe.stderr.strip() or probe.stdout.strip() or "no output")[:300]
        return f"a trial run in the jail failed: {detail}"
    return None


def memory_file(name: str, content: bytes) -> int:
    """An anonymous in-memory file holding `content`, open for reading from its start."""
    descriptor = os.memfd_create(name, 0)  # not close-on-exec: the jail inherits it
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view) :]
        os.lseek(descriptor, 0, os.SEEK_SET)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor
