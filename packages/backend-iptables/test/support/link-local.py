#!/usr/bin/env python3
"""TCP connections to IPv6 link-local addresses, for test/kernel-link-local.test.ts.

The harness's prober only knows the inventory's addresses; a link-local destination needs a
scope (the interface it is reached through), named in the client's namespace.

argv[1]: JSON {"listen": [{"ns": PATH, "port": N}], "connect": [{"ns": PATH, "dst": ADDR,
"dev": NAME, "port": N}], "solicit": [{"ns": PATH, "dev": NAME, "src": ADDR, "mac": MAC,
"target": ADDR}], "timeoutMs": N}. Listeners bind [::]:port (what a node service bound on ::
looks like); every connection starts at once. A solicitation is one neighbour solicitation
from the link-local address src, as the kernel sends it when neither a packet's source nor a
global address picks another (unicast reachability probes of a stale entry). The answer is
{"connect": ["connected" | "refused" | "timeout" | errno name, ...], "solicit": ["advertised" |
"timeout", ...]}, in order.
"""

import ctypes
import errno
import json
import os
import selectors
import socket
import sys
import time

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    # setns(CLONE_NEWNET) moves this thread only; a socket keeps the namespace it was made in.
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, 'setns(%s): %s' % (path, os.strerror(err)))
    finally:
        os.close(fd)


def solicited_node(target):
    """ff02::1:ffXX:XXXX of an address (RFC 4291 §2.7.1)."""
    packed = socket.inet_pton(socket.AF_INET6, target)
    return socket.inet_ntop(socket.AF_INET6, bytes.fromhex('ff0200000000000000000001ff') + packed[13:])


def solicit(spec, timeout):
    setns(spec['ns'])
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    try:
        # RFC 4861 §7.1.1: a receiver ignores neighbour discovery with a hop limit below 255.
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
        scope = socket.if_nametoindex(spec['dev'])
        s.bind((spec['src'], 0, 0, scope))
        target = socket.inet_pton(socket.AF_INET6, spec['target'])
        # Type 135, code 0, checksum (the kernel fills it in for ICMPv6 raw sockets), reserved,
        # target, and the source link-layer address option a multicast solicitation must carry.
        ns = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + target + bytes([1, 1]) + bytes.fromhex(spec['mac'].replace(':', ''))
        s.sendto(ns, (solicited_node(spec['target']), 0, 0, scope))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                data = s.recv(2048)
            except socket.timeout:
                break
            if len(data) >= 24 and data[0] == 136 and data[8:24] == target:
                return 'advertised'
        return 'timeout'
    finally:
        s.close()


def main():
    request = json.loads(sys.argv[1])
    listeners = []
    for spec in request['listen']:
        setns(spec['ns'])
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('::', spec['port']))
        # The kernel completes handshakes into the backlog: no accept() needed.
        s.listen(128)
        listeners.append(s)
    selector = selectors.DefaultSelector()
    results = [None] * len(request['connect'])
    for i, spec in enumerate(request['connect']):
        setns(spec['ns'])
        c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        c.setblocking(False)
        scope = socket.if_nametoindex(spec['dev'])
        code = c.connect_ex((spec['dst'], spec['port'], 0, scope))
        if code not in (0, errno.EINPROGRESS):
            results[i] = errno.errorcode.get(code, str(code))
            c.close()
            continue
        selector.register(c, selectors.EVENT_WRITE, i)
    deadline = time.monotonic() + request['timeoutMs'] / 1000
    while selector.get_map() and time.monotonic() < deadline:
        for key, _ in selector.select(max(0.0, deadline - time.monotonic())):
            code = key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            results[key.data] = 'connected' if code == 0 else 'refused' if code == errno.ECONNREFUSED else errno.errorcode.get(code, str(code))
            selector.unregister(key.fileobj)
            key.fileobj.close()
    for key in list(selector.get_map().values()):
        results[key.data] = 'timeout'
        key.fileobj.close()
    for s in listeners:
        s.close()
    solicited = [solicit(spec, request['timeoutMs'] / 1000) for spec in request.get('solicit', [])]
    print(json.dumps({'connect': results, 'solicit': solicited}))


if __name__ == '__main__':
    main()
