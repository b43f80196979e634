"""Warm kernels: every section runs in a fresh kernel forked from a process that has already
imported the analysis stack.

A cold kernel spends 3-4 s of a section's 5-15 s importing pandas, matplotlib, scipy,
statsmodels, geopandas and the analysis package before the first cell does any work. Here a
*kernel zygote* (``python -m analysis.publish.warm_kernels``, one per build worker) imports all
of that once, runs no code of any notebook, and then forks one child per section; the child
becomes an ordinary IPython kernel (``ipykernel``'s own application, the command line
``jupyter_client`` would have run, the same environment, working folder and stderr log) and
papermill and nbconvert execute and export the notebook exactly as before.

Why a fork is a clean namespace: the zygote never executes a notebook cell, so each kernel
starts from the same pristine state as a cold one would after its imports: nothing a section
sets (a global, a module attribute, a cache filled, a chart style) can reach the next section
or area, which gets its own fresh copy of the untouched zygote. Random generators are
reseeded from the OS in each child, as a new interpreter would be.

The zygote stays single-threaded and opens no sockets, files or event loops before forking
(forking a threaded process can deadlock the child). It reads one JSON request per line on
stdin and answers with the child's pid on stdout; when its stdin closes (the worker finished
or died) it stops every kernel it started and exits.

``CSP_WARM_KERNELS=0`` builds with cold kernels, the method before this module: the
benchmarks' baseline, and the fallback if a platform cannot fork.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

from jupyter_client.provisioning import LocalProvisioner

from analysis.core.errors import BuildError
from analysis.publish.kernel_sockets import LocalSocketKernelManager

WARM_KERNELS_VARIABLE = "CSP_WARM_KERNELS"
KERNEL_MODULE = "ipykernel_launcher"
PRELOADED = (
    "numpy", "pandas", "pyarrow", "duckdb", "scipy.stats", "statsmodels.api", "shapely",
    "geopandas", "pyproj", "matplotlib", "matplotlib.pyplot", "seaborn", "IPython",
    "IPython.display", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
    "ipykernel.debugger",
    "analysis.present.page", "analysis.present.charts", "analysis.sections.data_and_methods",
    "analysis.sections.overview", "analysis.sections.asb", "analysis.sections.places",
    "analysis.sections.domestic_abuse", "analysis.sections.serious_violence",
    "analysis.sections.hate_crime", "analysis.sections.exploitation",
    "analysis.sections.reoffending", "analysis.sections.perception",
    "analysis.sections.priorities", "analysis.sections.executive_summary",
    "analysis.publish.index_page",
)
"""What the zygote imports: the libraries the notebooks use, every module a notebook imports
(a module missing here is imported by the kernel itself, only slower) and the kernel's own
start-up imports (its debugger, which loads debugpy: about 0.2-0.9 s of every kernel start)."""
START_TIMEOUT_SECONDS = 120


def warm_kernels_enabled() -> bool:
    """Whether sections run in forked warm kernels (``CSP_WARM_KERNELS`` is not ``0``)."""
    return os.environ.get(WARM_KERNELS_VARIABLE, "1").strip() != "0" and hasattr(os, "fork")


class ForkedKernel:
    """The handle ``jupyter_client`` keeps for a kernel process, for a kernel the zygote forked.

    The kernel is the zygote's child, not ours, so it cannot be waited for: it is alive while
    signal 0 reaches it (the zygote reaps its children at once). Its exit status is not
    known here; a kernel that dies mid-run is reported by nbclient as a dead kernel anyway.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """None while the kernel runs, then 0."""
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Block until the kernel has exited (``timeout`` seconds at most)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.02)
        return 0

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the kernel (gone already is not an error)."""
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            self.returncode = 0 if self.returncode is None else self.returncode

    def terminate(self) -> None:
        """SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL."""
        self.send_signal(signal.SIGKILL)


class KernelZygote:
    """A running zygote process: started with the project root, forks kernels on request."""

    def __init__(self, root: Path) -> None:
        self.root = root
        environment = {**os.environ, "MPLBACKEND": "agg", "CSP_PROJECT_ROOT": str(root)}
        # The zygote's own stderr (import warnings, or why it failed) is kept aside, not
        # shown in the build's progress display; a failure quotes it.
        self.errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__], cwd=root, env=environment,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, text=True,
            bufsize=1)
        self._lock = threading.Lock()
        self._answer()  # "ready", once the imports are done

    def alive(self) -> bool:
        """Whether the zygote process is still running."""
        return self.process.poll() is None

    def _answer(self) -> dict[str, Any]:
        """Read the zygote's next line; a zygote that died says so with a clear error."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.errors.seek(0)
            said = self.errors.read().strip().splitlines()[-5:]
            raise BuildError("the warm-kernel process stopped before answering"
                             + (f": {' / '.join(said)}" if said else ""),
                             hint=f"run the build with {WARM_KERNELS_VARIABLE}=0 to use cold "
                                  "kernels, and report the problem")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise BuildError(f"the warm-kernel process could not start a kernel: "
                             f"{answer['error']}")
        return answer

    def fork_kernel(self, arguments: list[str], environment: dict[str, str], cwd: str,
                    log: Path) -> ForkedKernel:
        """Fork a kernel run as ``ipykernel_launcher <arguments>`` would be, in ``cwd`` with
        ``environment``, its stdout and stderr appended to ``log``."""
        request = {"arguments": arguments, "environment": environment, "cwd": cwd,
                   "log": str(log)}
        assert self.process.stdin is not None
        with self._lock:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            return ForkedKernel(int(self._answer()["pid"]))

    def close(self) -> None:
        """Close the zygote's stdin: it stops its kernels and exits."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.errors.close()


_ZYGOTES: dict[Path, KernelZygote] = {}
"""This process's zygote per project root (a build worker builds one root)."""


def zygote_for(root: Path) -> KernelZygote:
    """This process's zygote for ``root``, started on first use (and again if it died)."""
    zygote = _ZYGOTES.get(root)
    if zygote is None or not zygote.alive():
        zygote = _ZYGOTES[root] = KernelZygote(root)
    return zygote


def close_zygotes() -> None:
    """Stop this process's zygotes (their kernels have all finished by now)."""
    while _ZYGOTES:
        _ZYGOTES.popitem()[1].close()


def launcher_arguments(kernel_command: list[str]) -> list[str] | None:
    """The arguments after ``-m ipykernel_launcher`` in a kernel command, or None when the
    command starts some other kernel (which then starts cold)."""
    if KERNEL_MODULE not in kernel_command:
        return None
    return kernel_command[kernel_command.index(KERNEL_MODULE) + 1:]


def warm_kernel_manager(root: Path, log: Path) -> type[LocalSocketKernelManager]:
    """A kernel manager class whose kernels are forked from this process's zygote for
    ``root``, each writing its stdout and stderr to ``log``.

    ``_async_launch_kernel`` is jupyter_client's documented place to launch kernels
    differently; the connection file, ports and client are jupyter_client's own, so papermill
    talks to the kernel exactly as to a cold one.
    """

    class WarmKernelManager(LocalSocketKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            arguments = launcher_arguments(kernel_cmd)
            provisioner = self.provisioner
            if arguments is None or not isinstance(provisioner, LocalProvisioner):
                await super()._async_launch_kernel(kernel_cmd, **kw)
                return
            environment = dict(kw.get("env") or os.environ)
            cwd = str(kw.get("cwd") or root)
            kernel = zygote_for(root).fork_kernel(arguments, environment, cwd, log)
            provisioner.process = kernel  # type: ignore[assignment]
            provisioner.pid = kernel.pid
            provisioner.pgid = kernel.pid  # the child starts its own session
            provisioner.cwd = cwd
            self._reconcile_connection_info(provisioner.connection_info)

    return WarmKernelManager


# The zygote's side, run as ``python -m analysis.publish.warm_kernels``.


def _preload() -> None:
    """Import what the notebooks use, as a cold kernel's first cells would."""
    for name in PRELOADED:
        importlib.import_module(name)


def _become_kernel(request: dict[str, Any]) -> None:
    """In the forked child: become the kernel the request describes, then exit."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["environment"])
        # ipykernel exits when the process it is told is its parent exits: here the zygote,
        # which itself stops its kernels when its worker goes, so a kernel never outlives a
        # build that was killed, though it sits in a session of its own. (ipykernel read
        # JPY_PARENT_PID when the zygote imported it, so it is told on its command line.)
        parent = str(os.getppid())
        os.environ["JPY_PARENT_PID"] = parent
        arguments = [*request["arguments"], f"--IPKernelApp.parent_handle={parent}"]
        _reseed_random_generators()
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [KERNEL_MODULE, *arguments]
        IPKernelApp.launch_instance(argv=arguments)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    except BaseException:  # a child must never return into the zygote's loop
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)


def _reseed_random_generators() -> None:
    """Seed Python's and numpy's global generators from the OS, as a new interpreter does:
    a fork would otherwise hand every kernel the zygote's generator state."""
    import random

    import numpy

    random.seed()
    numpy.random.seed()


def _serve(requests: IO[str], answers: IO[str]) -> None:
    """Fork one kernel per request line until ``requests`` closes; then stop them all."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they exit
    children: list[int] = []
    print(json.dumps({"ready": True}), file=answers, flush=True)
    for line in requests:
        try:
            request = json.loads(line)
            pid = os.fork()
        except (OSError, ValueError) as exc:
            print(json.dumps({"error": str(exc)}), file=answers, flush=True)
            continue
        if pid == 0:
            _become_kernel(request)
        children.append(pid)
        print(json.dumps({"pid": pid}), file=answers, flush=True)
    for pid in children:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGTERM)


def main() -> None:
    """The zygote: take the working folder off ``sys.path`` (as ``ipykernel_launcher`` does;
    the kernel puts it back), import, then serve."""
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]
    _preload()
    _serve(sys.stdin, sys.stdout)


if __name__ == "__main__":
    main()
