"""Kernel sockets that cannot be taken by another process: Unix domain sockets, not TCP ports.

jupyter_client's default transport picks five free TCP ports for a kernel by binding and
releasing them, writes them to the connection file and starts the kernel, which binds them
again. Between the release and the kernel's bind any other process may take a port: another
build worker's kernel, or any outgoing connection given it as its ephemeral source port. The
kernel then dies at start (``ZMQError: Address already in use``) and nbclient reports only
"Kernel died before replying to kernel_info". A two-worker build starting thousands of kernels
(the test suite) met this in CI.

Here each kernel's sockets are files with a name no other kernel uses (a random prefix in the
temporary folder), so there is no window to lose. jupyter_client removes the files when the
kernel shuts down (a build killed outright can leave its kernels' empty socket files there,
for the system's clean-up of that folder). Platforms without Unix sockets (Windows) keep TCP.
"""

from __future__ import annotations

import os
import tempfile
import uuid

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum

UNIX_SOCKETS = os.name == "posix"
SOCKET_PREFIX = "csp-kernel-"


class LocalSocketKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel talks over Unix sockets of its own (see the
    module docstring); the build's cold and warm kernel managers derive from it."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if UNIX_SOCKETS else "tcp",
                                config=True)

    def _ip_default(self) -> str:
        """For ``ipc``, the kernel's socket files are ``<this>-1`` to ``<this>-5``: a fresh
        random name in the temporary folder, short enough for the socket path limit (104
        bytes on macOS) wherever that folder is."""
        if self.transport == "ipc":
            return os.path.join(tempfile.gettempdir(), SOCKET_PREFIX + uuid.uuid4().hex[:16])
        return super()._ip_default()
