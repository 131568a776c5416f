"""Runs one untrusted Python snippet in the verifier's jail and reports what it did.

The jail (exams/isolation.py: namespaces, a read-only minimal root, seccomp) is the barrier.
The audit hook the harness installs inside it only turns the commonest forbidden operations
into a clear message for the question's author; code that switches it off is still jailed.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import resource
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass

from exams.isolation import (
    SANDBOX_PROCESS_LIMIT,
    SandboxUnavailable,
    interpreter,
    jail_command,
    memory_file,
    require_isolation,
    seccomp_filter,
)

__all__ = ["RunResult", "SandboxUnavailable", "run_snippet"]

FILE_SIZE_LIMIT_BYTES = 1024 * 1024  # largest file a snippet may write in its directory
OPEN_FILES_LIMIT = 32
REPORT_LIMIT_BYTES = 64 * 1024
# Tests find every process of a run by this mark in its command line (it survives fork).
HARNESS_MARK = "pcep-verifier-harness"

# The program the jailed interpreter runs (with -c). It reads the job from an inherited
# descriptor, caps the jail's processes, installs an audit hook that names the commonest
# forbidden operations, runs the snippet, and writes one JSON line per event on the report
# pipe (another inherited descriptor) so that stdout stays exactly what the snippet printed.
HARNESS = r"""# pcep-verifier-harness
import json, os, resource, sys

def main():
    report_fd, job_fd, process_limit = (int(argument) for argument in sys.argv[1:4])
    with os.fdopen(job_fd, encoding="utf-8") as job_file:
        job = json.load(job_file)
    # Counted per user namespace, so this bounds the jail's own processes (a fork bomb).
    resource.setrlimit(resource.RLIMIT_NPROC, (process_limit, process_limit))
    import site  # -S skipped it (no site packages): only its exit(), quit() and help()
    site.setquit()
    site.sethelper()
    sys.argv = ["<snippet>"]
    sandbox = os.path.realpath(os.getcwd())
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    installed = tuple(os.path.realpath(prefix) + os.sep for prefix in prefixes)
    writes_left = [100]  # bounds the disk a snippet can fill, one small file at a time

    def report(**record):
        os.write(report_fd, (json.dumps(record) + "\n").encode())

    def inside_sandbox(path):
        if not isinstance(path, (str, bytes, os.PathLike)):
            return False  # file descriptors could point anywhere
        resolved = os.path.realpath(os.fsdecode(path))
        return resolved == sandbox or resolved.startswith(sandbox + os.sep)

    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    always_refused = ("os.fork", "os.forkpty", "os.system", "os.exec", "os.posix_spawn",
                      "os.spawn", "subprocess.Popen", "os.kill", "os.killpg", "os.fwalk",
                      "signal.pthread_kill", "resource.setrlimit", "resource.prlimit",
                      "socket.")
    refused_modules = {"ctypes", "_ctypes", "_posixsubprocess", "_testcapi",
                       "_testinternalcapi", "_xxsubinterpreters", "cffi", "_cffi_backend"}
    # Which arguments of these events are paths the operation changes.
    changed_paths = {"os.remove": (0,), "os.rmdir": (0,), "os.rename": (0, 1),
                     "os.mkdir": (0,), "os.chmod": (0,), "os.chown": (0,),
                     "os.link": (0, 1), "os.symlink": (0, 1), "os.truncate": (0,),
                     "os.utime": (0,), "os.chflags": (0,), "os.setxattr": (0,),
                     "os.removexattr": (0,), "shutil.copyfile": (1,),
                     "shutil.copymode": (1,), "shutil.copystat": (1,),
                     "shutil.copytree": (1,), "shutil.rmtree": (0,), "shutil.move": (0, 1),
                     "shutil.chown": (0,), "shutil.make_archive": (0,),
                     "shutil.unpack_archive": (1,)}

    def refusal(event, args):
        if event.startswith(always_refused):
            return event
        if event == "import":
            name, filename = args[0], args[1]
            if name in refused_modules:
                return "import " + name  # ctypes and friends could switch this hook off
            # Native code from anywhere but the interpreter's own install could do anything.
            native_from = filename and os.path.realpath(filename)
            if native_from and (inside_sandbox(filename) or not native_from.startswith(installed)):
                return "loading native code from " + filename
        if event == "open":
            path, flags = args[0], args[2]
            if isinstance(path, int):  # re-opening a descriptor: only stdout and stderr
                return "write to descriptor %d" % path if flags & writing and path > 2 else None
            # A directory's descriptor (dir_fd=) would let relative paths escape the checks.
            if os.path.isdir(path):
                return "open the directory " + repr(path)
            if flags & writing:
                if not inside_sandbox(path):
                    return "write to " + repr(path)
                if os.path.exists(path) and not os.path.isfile(path):
                    return "write to the device or pipe " + repr(path)  # os.mknod is unaudited
                writes_left[0] -= 1
                if writes_left[0] < 0:
                    return "open too many files for writing"
        if event in changed_paths:
            for index in changed_paths[event]:
                if not inside_sandbox(args[index]):
                    return event + " on " + repr(args[index])
        return None

    refusals_reported = [0]

    def audit(event, args):
        reason = refusal(event, args)
        if reason is not None:
            if refusals_reported[0] < 5:
                refusals_reported[0] += 1
                report(refused=reason)
            raise PermissionError("the verifier sandbox does not allow: " + reason)

    sys.addaudithook(audit)
    namespace = type(sys)("__main__")
    sys.modules["__main__"] = namespace
    outcome = {"done": True}
    try:
        exec(compile(job["source"], "<snippet>", "exec", dont_inherit=True), namespace.__dict__)
        if job["evaluate"] is not None:
            expression = compile(job["evaluate"], "<expression>", "eval", dont_inherit=True)
            value = eval(expression, namespace.__dict__)
            outcome["value_is_true"] = value is True
            outcome["value_repr"] = repr(value)[:500]
    except BaseException as error:  # SystemExit included: the parent reports it
        outcome["exception"] = type(error).__name__
        outcome["exception_mro"] = [cls.__name__ for cls in type(error).__mro__]
        print_traceback(error, job["source"])
    finally:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except BaseException:
                pass
    report(**outcome)

def print_traceback(error, source):
    try:
        import linecache, traceback
        linecache.cache["<snippet>"] = (len(source), None, source.splitlines(True), "<snippet>")
        # Skip the harness's own frame so the traceback starts in the snippet.
        tb = error.__traceback__.tb_next if error.__traceback__ else None
        traceback.print_exception(type(error), error, tb, file=sys.__stderr__)
    except BaseException:
        pass  # out of memory, say: the report still names the exception

main()
"""


@dataclass(frozen=True)
class RunResult:
    """What one snippet did. `failure` is set when the sandbox stopped or refused it."""

    stdout: str
    stderr: str
    exception: str | None = None
    exception_mro: tuple[str, ...] = ()
    timed_out: bool = False
    failure: str | None = None
    value_repr: str | None = None  # repr of `evaluate`, when it was given and succeeded
    value_is_true: bool = False  # `evaluate` gave exactly True


@dataclass(frozen=True)
class _Limits:
    timeout_seconds: float
    memory_bytes: int
    output_bytes: int

    @property
    def cpu_seconds(self) -> int:
        return math.ceil(self.timeout_seconds) + 1  # a backstop; the wall clock fires first


@dataclass(frozen=True)
class _Captured:
    stdout: bytes
    stderr: bytes
    report: bytes
    timed_out: bool
    overflow: str | None  # the stream that went over its size cap


def run_snippet(
    source: str,
    *,
    stdin: str = "",
    evaluate: str | None = None,
    timeout_seconds: float = 5.0,
    memory_bytes: int = 256 * 1024 * 1024,
    output_limit_bytes: int = 64 * 1024,
) -> RunResult:
    """Run `source` (then evaluate the expression `evaluate`, if given) in the jail.

    Raises SandboxUnavailable, and runs nothing, where the jail cannot be built.
    """
    require_isolation()
    limits = _Limits(timeout_seconds, memory_bytes, output_limit_bytes)
    job = json.dumps({"source": source, "evaluate": evaluate}).encode()
    inherited = [
        memory_file("job", job),
        memory_file("stdin", stdin.encode()),
        memory_file("seccomp", seccomp_filter()),
    ]
    job_fd, stdin_fd, seccomp_fd = inherited
    try:
        report_read, report_write = os.pipe()
        inherited.append(report_write)
        try:
            process = _start(
                job_fd=job_fd,
                stdin_fd=stdin_fd,
                seccomp_fd=seccomp_fd,
                report_fd=report_write,
                limits=limits,
            )
        except BaseException:
            os.close(report_read)
            raise
    finally:
        for descriptor in inherited:  # the jail holds its own copies
            os.close(descriptor)
    try:
        captured = _capture(process, report_read, limits)
    finally:
        # Killing bwrap takes the jail's whole PID namespace with it (--die-with-parent);
        # kill before reaping, so the group id cannot have been reused meanwhile.
        _kill_group(process)
        process.wait()
        os.close(report_read)
        process.stdout.close()
        process.stderr.close()
    return _result(captured, process.returncode, limits)


def _start(
    *, job_fd: int, stdin_fd: int, seccomp_fd: int, report_fd: int, limits: _Limits
) -> subprocess.Popen:
    harness_arguments = [str(report_fd), str(job_fd), str(SANDBOX_PROCESS_LIMIT)]
    return subprocess.Popen(
        # -I: no environment variables, user site or script directory; -S: no site
        # packages; -B: write no bytecode; -X utf8: the same encoding whatever the locale.
        [
            *jail_command(seccomp_fd=seccomp_fd),
            interpreter(),
            *("-I", "-S", "-B", "-X", "utf8", "-c", HARNESS),
            *harness_arguments,
        ],
        stdin=stdin_fd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={},
        pass_fds=(report_fd, job_fd, seccomp_fd),
        start_new_session=True,
        preexec_fn=functools.partial(_limit_resources, limits.memory_bytes, limits.cpu_seconds),
    )


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    """Runs in the child between fork and exec: only setrlimit calls, nothing that locks."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT_BYTES, FILE_SIZE_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES_LIMIT, OPEN_FILES_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _capture(process: subprocess.Popen, report_fd: int, limits: _Limits) -> _Captured:
    """Read stdout, stderr and the report until they close, the deadline or a size cap."""
    deadline = time.monotonic() + limits.timeout_seconds
    stdout_fd, stderr_fd = process.stdout.fileno(), process.stderr.fileno()
    names = {stdout_fd: "stdout", stderr_fd: "stderr", report_fd: "report"}
    caps = {
        stdout_fd: limits.output_bytes,
        stderr_fd: limits.output_bytes,
        report_fd: REPORT_LIMIT_BYTES,
    }
    buffers = {fd: bytearray() for fd in names}
    timed_out, overflow = False, None
    with selectors.DefaultSelector() as selector:
        for fd in names:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map() and overflow is None and not timed_out:
            remaining = deadline - time.monotonic()
            timed_out = remaining <= 0
            for key, _ in [] if timed_out else selector.select(remaining):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fd)
                elif len(buffers[key.fd]) + len(chunk) > caps[key.fd]:
                    overflow = names[key.fd]
                else:
                    buffers[key.fd] += chunk
    return _Captured(
        bytes(buffers[stdout_fd]),
        bytes(buffers[stderr_fd]),
        bytes(buffers[report_fd]),
        timed_out,
        overflow,
    )


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
        os.killpg(process.pid, signal.SIGKILL)


def _read_report(report: bytes) -> tuple[dict, list[str]]:
    """The harness's final record and the operations it refused, from the report pipe."""
    final, refused = {}, []
    for line in report.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("done") is True:
            final = record  # the harness writes the real one last
        elif isinstance(record, dict) and isinstance(record.get("refused"), str):
            refused.append(record["refused"])
    return final, refused


def _result(captured: _Captured, returncode: int, limits: _Limits) -> RunResult:
    final, refused = _read_report(captured.report)
    exception = final.get("exception")
    reasons = []
    if captured.timed_out:
        reasons.append(f"timed out after {limits.timeout_seconds:g} seconds")
    if captured.overflow == "report":
        reasons.append("flooded the verifier's report channel")
    elif captured.overflow:
        reasons.append(
            f"output too large: more than {limits.output_bytes} bytes on {captured.overflow}"
        )
    if refused:
        reasons.append("tried a forbidden operation: " + ", ".join(dict.fromkeys(refused)))
    if exception == "MemoryError":
        reasons.append(f"ran out of memory (limit {limits.memory_bytes // 2**20} MiB)")
    if not final and not reasons:
        reasons.append(_describe_exit(returncode, limits.cpu_seconds))
    return RunResult(
        stdout=captured.stdout.decode("utf-8", "replace"),
        stderr=captured.stderr.decode("utf-8", "replace"),
        exception=exception,
        exception_mro=tuple(final.get("exception_mro", ())),
        timed_out=captured.timed_out,
        failure="; ".join(reasons) or None,
        value_repr=final.get("value_repr"),
        value_is_true=final.get("value_is_true") is True,
    )


def _describe_exit(returncode: int, cpu_seconds: int) -> str:
    """Why a child that never wrote its final report ended."""
    if returncode == -signal.SIGXCPU:
        return f"used more than {cpu_seconds} seconds of CPU time"
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"stopped before finishing (exit status {returncode})"
