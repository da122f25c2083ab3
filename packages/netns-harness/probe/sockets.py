#!/usr/bin/env python3
"""TCP connections the topology's prober cannot name, for kernel tests that need them.

The prober (probe.py) resolves pods and nodes to their inventory addresses. Some tests need
other endpoints: a Service VIP that NAT rewrites to the connecting pod itself (a hairpin), or an
IPv6 link-local address, which needs a scope (the interface it is reached through, named in the
connecting namespace); and a neighbour solicitation from a link-local address.

Reads one JSON request on stdin: {"listen": [{"ns": NAME, "port": N, "addr": ADDR?}],
"connect": [{"ns": NAME, "dst": ADDR, "port": N, "dev": NAME?}], "solicit": [{"ns": NAME,
"dev": NAME, "src": ADDR, "mac": MAC, "target": ADDR}], "timeoutMs": N}. Listeners bind
ADDR (default [::], what a node service bound on :: looks like); the kernel completes their
handshakes into the backlog. Every connection starts at once; then the solicitations are sent
one by one. Prints {"connect": ["connected" | "refused" | "timeout" | errno name, ...],
"solicit": ["advertised" | "timeout", ...]}, in request order.
"""

import errno
import json
import os
import selectors
import socket
import sys
import time

# -I (isolated mode) leaves the script's directory off sys.path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import setns  # noqa: E402


def enter(name):
    setns('/run/netns/' + name)


def family_of(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def solicited_node(target):
    """ff02::1:ffXX:XXXX of an address (RFC 4291 §2.7.1)."""
    packed = socket.inet_pton(socket.AF_INET6, target)
    return socket.inet_ntop(socket.AF_INET6, bytes.fromhex('ff0200000000000000000001ff') + packed[13:])


def solicit(spec, timeout):
    enter(spec['ns'])
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


def outcome(code):
    return 'connected' if code == 0 else 'refused' if code == errno.ECONNREFUSED else errno.errorcode.get(code, str(code))


def main():
    request = json.load(sys.stdin)
    timeout = request['timeoutMs'] / 1000
    listeners = []
    for spec in request.get('listen', []):
        enter(spec['ns'])
        addr = spec.get('addr', '::')
        s = socket.socket(family_of(addr), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, spec['port']))
        s.listen(128)
        listeners.append(s)
    selector = selectors.DefaultSelector()
    results = [None] * len(request.get('connect', []))
    for i, spec in enumerate(request.get('connect', [])):
        enter(spec['ns'])
        fam = family_of(spec['dst'])
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.setblocking(False)
        if fam == socket.AF_INET6:
            scope = socket.if_nametoindex(spec['dev']) if spec.get('dev') else 0
            code = c.connect_ex((spec['dst'], spec['port'], 0, scope))
        else:
            code = c.connect_ex((spec['dst'], spec['port']))
        if code not in (0, errno.EINPROGRESS):
            results[i] = outcome(code)
            c.close()
            continue
        selector.register(c, selectors.EVENT_WRITE, i)
    deadline = time.monotonic() + timeout
    while selector.get_map() and time.monotonic() < deadline:
        for key, _ in selector.select(max(0.0, deadline - time.monotonic())):
            results[key.data] = outcome(key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
            selector.unregister(key.fileobj)
            key.fileobj.close()
    for key in list(selector.get_map().values()):
        results[key.data] = 'timeout'
        key.fileobj.close()
    for s in listeners:
        s.close()
    solicited = [solicit(spec, timeout) for spec in request.get('solicit', [])]
    json.dump({'connect': results, 'solicit': solicited}, sys.stdout)


if __name__ == '__main__':
    main()
