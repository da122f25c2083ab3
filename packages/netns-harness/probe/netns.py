#!/usr/bin/env python3
"""setns(2) for the harness's Python helpers (ctypes on libc; Python 3.11 has no os.setns).

setns(CLONE_NEWNET) moves the calling thread only. Sockets keep the namespace they were
created in, and /proc/sys/net and forked children follow the thread's current namespace.
"""

import ctypes
import os

CLONE_NEWNET = 0x40000000

_libc = ctypes.CDLL(None, use_errno=True)


def setns(path_or_fd):
    """Enters the network namespace of a /run/netns path or an open namespace fd."""
    fd = os.open(path_or_fd, os.O_RDONLY | os.O_CLOEXEC) if isinstance(path_or_fd, str) else path_or_fd
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, 'setns(%s): %s' % (path_or_fd, os.strerror(err)))
    finally:
        if isinstance(path_or_fd, str):
            os.close(fd)
