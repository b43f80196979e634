"""The build's kernels talk over Unix sockets of their own (``analysis.publish.kernel_sockets``),
so no other process can take a kernel's address between jupyter_client choosing it and the
kernel binding it (the TCP port race that killed a demo build's kernel in CI)."""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path

import nbformat
import pytest

from analysis.publish.build import execute_section
from analysis.publish.kernel_sockets import SOCKET_PREFIX, LocalSocketKernelManager

pytestmark = [pytest.mark.build,
              pytest.mark.skipif(os.name != "posix", reason="Unix sockets are POSIX only")]

REPORT_TRANSPORT = """\
from ipykernel.kernelapp import IPKernelApp
app = IPKernelApp.instance()
print(app.transport, app.ip)
"""


def _kernel_address(tmp_path: Path, *, warm: bool) -> tuple[str, str]:
    """Run a notebook printing its kernel's transport and address; both, as printed."""
    notebook = tmp_path / "transport.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(REPORT_TRANSPORT)]),
                   notebook)
    executed = tmp_path / "executed" / notebook.name
    execute_section(notebook, {}, executed, tmp_path, tmp_path / "kernel.log", warm=warm)
    cell = nbformat.read(executed, as_version=4).cells[0]
    transport, address = "".join(o.get("text", "") for o in cell.outputs).split()
    return transport, address


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_kernels_bind_sockets_of_their_own_and_leave_none_behind(tmp_path: Path,
                                                                warm: bool) -> None:
    transport, address = _kernel_address(tmp_path, warm=warm)
    assert transport == "ipc"
    assert Path(address).parent == Path(tempfile.gettempdir())
    assert Path(address).name.startswith(SOCKET_PREFIX)
    assert glob.glob(address + "-*") == [], "the kernel's socket files were not removed"


def test_every_manager_gets_a_fresh_short_address() -> None:
    addresses = {LocalSocketKernelManager().ip for _ in range(50)}
    assert len(addresses) == 50
    # the longest socket file, <address>-5, fits the smallest Unix socket path limit (macOS)
    assert max(len((address + "-5").encode()) for address in addresses) < 104
