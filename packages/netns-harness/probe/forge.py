#!/usr/bin/env python3
"""Forged datagrams: UDP frames written on a pod's eth0 with any source address (an AF_PACKET
socket, which a pod with CAP_NET_RAW, a default container capability, may open), and what
arrives where it is watched: on the eth0 of a pod (an AF_PACKET socket, before the pod's own
kernel judges the source), or at a UDP socket bound in a namespace (what the namespace's kernel
and firewall deliver locally: a packet socket sees a node's INPUT traffic before netfilter).

Request (JSON on stdin):
  {"watch": [{"ns": ...} or {"ns": ..., "udp": port, "family": 4 or 6}],
   "send": [{"ns", "dmac", "src", "dst", "port", "marker"}], "timeoutMs": N}
Answer: {"seen": [[markers seen by watch 0], ...]}
"""

import json
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import setns  # noqa: E402
from packets import _inet_checksum as checksum  # noqa: E402

ETH_P_ALL = 0x0003
UDP = 17


def udp(src, dst, family, sport, dport, payload):
    length = 8 + len(payload)
    if family == 6:
        pseudo = src + dst + struct.pack('!I3xB', length, UDP)
    else:
        pseudo = src + dst + struct.pack('!BBH', 0, UDP, length)
    header = struct.pack('!HHHH', sport, dport, length, 0)
    # A zero UDP checksum is "none" in IPv4 and invalid in IPv6: 0 is written as 0xffff.
    total = checksum(pseudo + header + payload) or 0xFFFF
    return struct.pack('!HHHH', sport, dport, length, total) + payload


def frame(spec, smac):
    family = 6 if ':' in spec['dst'] else 4
    af = socket.AF_INET6 if family == 6 else socket.AF_INET
    src, dst = socket.inet_pton(af, spec['src']), socket.inet_pton(af, spec['dst'])
    body = udp(src, dst, family, 40000, spec['port'], spec['marker'].encode())
    if family == 6:
        ip = struct.pack('!IHBB', 6 << 28, len(body), UDP, 64) + src + dst
        ethertype = 0x86DD
    else:
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(body), 1, 0, 64, UDP, 0, src, dst)
        ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
        ethertype = 0x0800
    dmac = bytes.fromhex(spec['dmac'].replace(':', ''))
    return dmac + smac + struct.pack('!H', ethertype) + ip + body


def watcher(w):
    """The socket of one watch entry, made in its namespace (a socket stays in the namespace it
    was created in)."""
    setns('/run/netns/' + w['ns'])
    if 'udp' not in w:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind(('eth0', 0))
        return s
    if w['family'] == 6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        # Separate from an IPv4 watcher of the same port, which gets the IPv4 datagrams.
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(('::', w['udp']))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # The wildcard address also takes limited broadcasts (255.255.255.255), the one
        # destination the kernel accepts an IPv4 source 0.0.0.0 for.
        s.bind(('0.0.0.0', w['udp']))
    return s


def main():
    request = json.load(sys.stdin)
    watchers = [watcher(w) for w in request['watch']]
    for spec in request['send']:
        setns('/run/netns/' + spec['ns'])
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind(('eth0', 0))
        s.send(frame(spec, s.getsockname()[4]))
        s.close()
    markers = [spec['marker'].encode() for spec in request['send']]
    seen = [set() for _ in watchers]
    end = time.monotonic() + request['timeoutMs'] / 1000
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select(watchers, [], [], left)
        for s in ready:
            data = s.recv(65535)
            for m in markers:
                if m in data:
                    seen[watchers.index(s)].add(m.decode())
    json.dump({'seen': [sorted(x) for x in seen]}, sys.stdout)


main()
