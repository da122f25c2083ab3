#!/usr/bin/env python3
"""TCP connections the topology's prober cannot name, for kernel tests that need them.

The prober (probe.py) resolves pods and nodes to their inventory addresses. Some tests need
other endpoints: a Service VIP that NAT rewrites to the connecting pod itself (a hairpin), or an
IPv6 link-local address, which needs a scope (the interface it is reached through, named in the
connecting namespace); a neighbour solicitation from a link-local address; and ICMP messages
other than echo requests (errors about connections that never existed, timestamp and node
information queries), sent raw and watched for in the destination namespace.

Reads one JSON request on stdin: {"listen": [{"ns": NAME, "port": N, "addr": ADDR?}],
"connect": [{"ns": NAME, "dst": ADDR, "port": N, "dev": NAME?}], "solicit": [{"ns": NAME,
"dev": NAME, "src": ADDR, "mac": MAC, "target": ADDR}], "icmp": [{"from": NAME, "to": NAME,
"dst": ADDR, "type": N, "code": N}], "timeoutMs": N}. Listeners bind
ADDR (default [::], what a node service bound on :: looks like); the kernel completes their
handshakes into the backlog. Every connection starts at once; then the solicitations are sent
one by one; then every ICMP message at once, against raw sockets opened first in the destination
namespaces. Prints {"connect": ["connected" | "refused" | "timeout" | errno name, ...],
"solicit": ["advertised" | "timeout", ...], "icmp": ["received" | "timeout", ...]}, in request
order.
"""

import errno
import json
import os
import selectors
import socket
import struct
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


# ICMP errors (RFC 792, RFC 4443 §2.1): they carry the start of the packet they are about.
ERRORS = {4: (3, 11, 12), 6: (1, 2, 3, 4)}


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def source_address(family, dst):
    """The address the current namespace sends from to `dst` (a UDP connect sends nothing)."""
    s = socket.socket(family, socket.SOCK_DGRAM)
    try:
        s.connect((dst, 9))
        return s.getsockname()[0]
    finally:
        s.close()


def icmp_message(family, kind, code, marker, src, dst):
    """
    An ICMP(v6) message whose bytes 4-7 (identifier and sequence, or an error's unused word) are
    `marker`. An error is about a UDP datagram from `dst` to `src` that was never sent, so
    conntrack relates it to no connection; a node information query (139) names `dst`.
    """
    if kind in ERRORS[family]:
        if family == 4:
            inner = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 28, 0, 0, 64, 17, 0, socket.inet_aton(dst), socket.inet_aton(src))
        else:
            inner = struct.pack('!IHBB16s16s', 6 << 28, 8, 17, 64, socket.inet_pton(socket.AF_INET6, dst), socket.inet_pton(socket.AF_INET6, src))
        body = inner + struct.pack('!HHHH', 40000, 40001, 8, 0)
    elif family == 6 and kind == 139:
        body = bytes(8) + socket.inet_pton(socket.AF_INET6, dst)
    elif family == 4 and kind == 13:
        body = bytes(12)
    else:
        body = b''
    message = struct.pack('!BBH', kind, code, 0) + marker + body
    # The kernel fills in ICMPv6 checksums (RFC 3542 §3.1), not ICMP ones.
    if family == 4:
        message = message[:2] + struct.pack('!H', checksum(message)) + message[4:]
    return message


def icmp_round(specs, timeout):
    if not specs:
        return []
    receivers = {}
    for spec in specs:
        key = (spec['to'], family_of(spec['dst']))
        if key not in receivers:
            enter(spec['to'])
            proto = socket.IPPROTO_ICMP if key[1] == socket.AF_INET else socket.IPPROTO_ICMPV6
            receivers[key] = socket.socket(key[1], socket.SOCK_RAW, proto)
    results = ['timeout'] * len(specs)
    try:
        for i, spec in enumerate(specs):
            enter(spec['from'])
            fam = family_of(spec['dst'])
            s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_ICMP if fam == socket.AF_INET else socket.IPPROTO_ICMPV6)
            try:
                src = source_address(fam, spec['dst'])
                marker = struct.pack('!HH', 0x4E50, i)
                s.sendto(icmp_message(4 if fam == socket.AF_INET else 6, spec['type'], spec['code'], marker, src, spec['dst']), (spec['dst'], 0))
            finally:
                s.close()
        selector = selectors.DefaultSelector()
        for key, r in receivers.items():
            selector.register(r, selectors.EVENT_READ, key)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for key, _ in selector.select(max(0.0, deadline - time.monotonic())):
                data = key.fileobj.recv(65535)
                # A raw IPv4 socket reads the IP header too, an ICMPv6 one the message alone.
                icmp = data[(data[0] & 15) * 4:] if key.data[1] == socket.AF_INET else data
                if len(icmp) < 8 or icmp[4:6] != b'NP':
                    continue
                i = struct.unpack('!H', icmp[6:8])[0]
                if i < len(specs) and (specs[i]['to'], family_of(specs[i]['dst'])) == key.data and icmp[0] == specs[i]['type']:
                    results[i] = 'received'
            if 'timeout' not in results:
                break
        selector.close()
    finally:
        for r in receivers.values():
            r.close()
    return results


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
    messages = icmp_round(request.get('icmp', []), timeout)
    json.dump({'connect': results, 'solicit': solicited, 'icmp': messages}, sys.stdout)


if __name__ == '__main__':
    main()
