#!/usr/bin/env python3
"""Reachability prober for @netpolc/netns-harness.

Reads one JSON request on stdin, prints one JSON answer on stdout. The process enters network
namespaces with setns(2) (ctypes on libc): a socket belongs to the namespace its creating thread
was in when it was created and keeps it afterwards, so one single-threaded process creates every
listener and every client socket, namespace by namespace, and then drives them all concurrently
from one non-blocking event loop (epoll via selectors). No threads are needed and every probe
gets the same deadline.

Protocols:
  TCP   connected = the three-way handshake completed (SO_ERROR == 0 after a non-blocking connect)
  UDP   connected = the echo server in the destination namespace answered (connected UDP socket,
        so an ICMP port unreachable surfaces as ECONNREFUSED at once)
  SCTP  the kernel has no SCTP stack (toolchain.md section 6): a hand-built SCTP INIT (RFC 9260
        section 3.3.2, CRC32c checksum of Appendix A) is sent over a raw IP socket (protocol 132);
        connected = a raw socket in the destination namespace received that very INIT (matched by
        its random initiate tag). Only the first packet of an association is checked.
  ICMP  an ICMP (IPv4) or ICMPv6 echo request from a raw socket bound to the source address;
        connected = its echo reply came back (matched by identifier and sequence); the
        destination's kernel answers, so there is no listener. `port` is ignored.

Request:  {"timeoutMs": int, "maxConcurrent": int?, "sctpBadChecksum": bool?,
           "probes": [{"id", "srcNs", "src", "sport", "dstNs", "dst", "family", "proto", "port"}]}
Answer:   {"results": [{"id", "connected", "detail", "elapsedMs"}], "elapsedMs": float}
Self-test (kernel support check): probe.py --self-test /run/netns/NAME
"""

import errno
import json
import os
import random
import resource
import selectors
import socket
import struct
import sys
import time

# -I (isolated mode) leaves the script's directory off sys.path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns import setns  # noqa: E402
from packets import IPPROTO_SCTP, icmp_echo, parse_echo_reply, parse_icmp_error, parse_sctp_init, sctp_init  # noqa: E402

IP_RECVERR = 11
IPV6_RECVERR = 25


def errno_name(code):
    return errno.errorcode.get(code, str(code))


def af(family):
    return socket.AF_INET if family == 4 else socket.AF_INET6


class Prober:
    def __init__(self, request):
        self.timeout = request.get('timeoutMs', 300) / 1000.0
        self.bad_checksum = bool(request.get('sctpBadChecksum', False))
        self.sel = selectors.DefaultSelector()
        self.results = {}
        self.listeners = {}
        self.sctp_tags = {}
        self.icmp_sockets = {}
        self.by_tuple = {}
        self.open_ids = set()
        self.udp_delivered = set()
        self.home = os.open('/proc/self/ns/net', os.O_RDONLY | os.O_CLOEXEC)
        self.current_ns = None

    def enter(self, ns):
        if ns != self.current_ns:
            setns(ns)
            self.current_ns = ns

    def go_home(self):
        setns(self.home)
        self.current_ns = None

    # --- listeners -------------------------------------------------------------------------
    def listen(self, probe):
        proto, family = probe['proto'], probe['family']
        if proto == 'ICMP':
            return
        if proto == 'SCTP':
            key = (probe['dstNs'], 'SCTP', family)
        else:
            key = (probe['dstNs'], proto, probe['dst'], probe['port'])
        if key in self.listeners:
            return
        self.enter(probe['dstNs'])
        if proto == 'SCTP':
            s = socket.socket(af(family), socket.SOCK_RAW, IPPROTO_SCTP)
        elif proto == 'TCP':
            s = socket.socket(af(family), socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((probe['dst'], probe['port']))
            s.listen(4096)
        else:
            s = socket.socket(af(family), socket.SOCK_DGRAM)
            s.bind((probe['dst'], probe['port']))
        s.setblocking(False)
        self.listeners[key] = s
        self.sel.register(s, selectors.EVENT_READ, ('listener', proto, family))

    def on_listener(self, sock, proto, family):
        for _ in range(256):
            try:
                if proto == 'TCP':
                    conn, _ = sock.accept()
                    conn.close()
                elif proto == 'UDP':
                    data, peer = sock.recvfrom(2048)
                    self.udp_delivered.add(data)
                    sock.sendto(data, peer)
                else:
                    data = sock.recv(65535)
                    init = parse_sctp_init(data, family)
                    if init is not None:
                        self.on_sctp_init(*init)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return

    def on_sctp_init(self, sport, dport, tag):
        entry = self.sctp_tags.get(tag)
        if entry is None:
            return
        probe, sock = entry
        if probe['port'] == dport and probe['sport'] == sport:
            self.finish(probe, sock, True, 'INIT received')

    # --- clients ---------------------------------------------------------------------------
    def bind_source(self, sock, probe):
        """Bind to the probe's source address and a fresh source port (skipping ports in use)."""
        port = probe['sport']
        for attempt in range(64):
            candidate = 10000 + (port - 10000 + attempt) % 51000
            try:
                sock.bind((probe['src'], candidate))
                probe['sport'] = candidate
                return
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    raise
        raise OSError(errno.EADDRINUSE, 'no free source port near %d' % port)

    def start(self, probe):
        proto, family = probe['proto'], probe['family']
        self.enter(probe['srcNs'])
        self.icmp_listener(probe['srcNs'], family)
        probe['started'] = time.monotonic()
        try:
            if proto == 'TCP':
                s = socket.socket(af(family), socket.SOCK_STREAM)
                # RST on close: no TIME_WAIT and no lingering conntrack state from earlier rounds.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                s.setblocking(False)
                probe['sock'] = s
                self.bind_source(s, probe)
                self.index(probe)
                code = s.connect_ex((probe['dst'], probe['port']))
                if code not in (0, errno.EINPROGRESS):
                    self.finish(probe, s, False, 'refused' if code == errno.ECONNREFUSED else errno_name(code))
                    return
                self.sel.register(s, selectors.EVENT_WRITE, ('client', probe))
            elif proto == 'ICMP':
                s = socket.socket(af(family), socket.SOCK_RAW, socket.IPPROTO_ICMP if family == 4 else socket.IPPROTO_ICMPV6)
                s.setblocking(False)
                probe['sock'] = s
                s.bind((probe['src'], 0))
                probe['echo'] = (probe['id'] & 0xFFFF, (probe['id'] >> 16) & 0xFFFF)
                self.sel.register(s, selectors.EVENT_READ, ('client', probe))
                s.sendto(icmp_echo(family, *probe['echo']), (probe['dst'], 0))
            elif proto == 'UDP':
                s = socket.socket(af(family), socket.SOCK_DGRAM)
                s.setblocking(False)
                probe['sock'] = s
                self.bind_source(s, probe)
                self.index(probe)
                s.connect((probe['dst'], probe['port']))
                probe['token'] = ('netpolc-probe %d %08x' % (probe['id'], random.getrandbits(32))).encode()
                s.send(probe['token'])
                self.sel.register(s, selectors.EVENT_READ, ('client', probe))
            else:
                s = socket.socket(af(family), socket.SOCK_RAW, IPPROTO_SCTP)
                probe['sock'] = s
                self.index(probe)
                s.setblocking(False)
                if family == 4:
                    s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
                else:
                    s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
                s.bind((probe['src'], 0))
                # connect() makes ICMP errors (REJECT) reach this socket as a pending error.
                s.connect((probe['dst'], 0))
                tag = random.getrandbits(32) or 1
                while tag in self.sctp_tags:
                    tag = random.getrandbits(32) or 1
                self.sctp_tags[tag] = (probe, s)
                self.sel.register(s, selectors.EVENT_READ, ('client', probe))
                s.send(sctp_init(probe['sport'], probe['port'], tag, self.bad_checksum))
        except OSError as e:
            self.finish(probe, probe.get('sock'), False, 'error: %s' % (e.strerror or errno_name(e.errno)))

    def on_client(self, sock, probe):
        proto = probe['proto']
        if probe['id'] in self.results:
            return
        if proto == 'TCP':
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code == 0:
                self.finish(probe, sock, True, 'handshake completed')
            else:
                self.finish(probe, sock, False, 'refused' if code == errno.ECONNREFUSED else errno_name(code))
            return
        try:
            data = sock.recv(65535)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            code = e.errno
            self.finish(probe, sock, False, 'refused' if code == errno.ECONNREFUSED else errno_name(code))
            return
        if proto == 'UDP' and data == probe['token']:
            self.finish(probe, sock, True, 'echo received')
        # A raw ICMP socket reads every ICMP packet of its namespace: only this probe's reply counts.
        if proto == 'ICMP' and parse_echo_reply(data, probe['family']) == probe['echo']:
            self.finish(probe, sock, True, 'echo reply')
        # SCTP clients ignore whatever their raw socket reads (e.g. their own looped packets).

    # --- ICMP errors ---------------------------------------------------------------------
    # A raw ICMP socket in each source namespace sees every ICMP error sent back for a probe
    # (REJECT), and the embedded header names the probe. This does not depend on the kernel
    # handing the error to the probe's own socket: a TCP socket in SYN_SENT that is locked by
    # connect() while the error arrives (veth delivers in the same softirq) keeps it only as a
    # soft error and retries the SYN after 1 s (seen for IPv6: tcp_v6_err, sk_err_soft).
    def icmp_listener(self, ns, family):
        key = (ns, family)
        if key in self.icmp_sockets:
            return
        if family == 4:
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        else:
            s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        s.setblocking(False)
        self.icmp_sockets[key] = s
        self.sel.register(s, selectors.EVENT_READ, ('icmp', family))

    def index(self, probe):
        fam = af(probe['family'])
        proto = {'TCP': 6, 'UDP': 17, 'SCTP': IPPROTO_SCTP}[probe['proto']]
        key = (proto, socket.inet_pton(fam, probe['src']), socket.inet_pton(fam, probe['dst']), probe['port'])
        probe['tuple'] = key
        self.by_tuple.setdefault(key, []).append(probe)

    def on_icmp(self, sock, family):
        for _ in range(256):
            try:
                data = sock.recv(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            parsed = parse_icmp_error(data, family)
            if parsed is None:
                continue
            key, sport, detail = parsed
            for probe in self.by_tuple.get(key, ()):
                if probe['sport'] == sport and probe['id'] not in self.results:
                    self.finish(probe, probe.get('sock'), False, detail)

    def record(self, probe, connected, detail):
        started = probe.get('started')
        elapsed = 0.0 if started is None else round((time.monotonic() - started) * 1000, 1)
        self.results[probe['id']] = {'id': probe['id'], 'connected': connected, 'detail': detail, 'elapsedMs': elapsed}
        self.open_ids.discard(probe['id'])

    def finish(self, probe, sock, connected, detail):
        if probe['id'] in self.results:
            return
        self.record(probe, connected, detail)
        if sock is None or sock.fileno() < 0:
            return
        try:
            self.sel.unregister(sock)
        except (KeyError, ValueError):
            pass
        sock.close()

    def run_wave(self, probes):
        for probe in probes:
            try:
                self.listen(probe)
            except OSError as e:
                self.record(probe, False, 'error: listener: %s' % (e.strerror or errno_name(e.errno)))
        # Group by source namespace: fewer setns calls.
        for probe in sorted(probes, key=lambda p: p['srcNs']):
            if probe['id'] not in self.results:
                self.start(probe)
        self.go_home()
        # One deadline for the wave, counted from the end of the sending phase: starting a few
        # thousand sockets takes a while, and answers that arrive while later probes are still
        # being sent must not count against the earlier ones.
        deadline = time.monotonic() + self.timeout
        pending = [p for p in probes if p['id'] not in self.results]
        self.open_ids = {p['id'] for p in pending}
        while self.open_ids:
            now = time.monotonic()
            if now >= deadline:
                # Answers already queued in socket buffers arrived in time: take them first.
                for _ in range(100):
                    if self.dispatch(0) == 0:
                        break
                break
            self.dispatch(deadline - now)
        for p in pending:
            if p['id'] in self.results:
                continue
            detail = 'timeout'
            if p['proto'] == 'UDP' and p.get('token') in self.udp_delivered:
                detail = 'timeout (request delivered, echo lost)'
            self.finish(p, p.get('sock'), False, detail)
        for key in list(self.sel.get_map().values()):
            if key.data[0] == 'client':
                self.sel.unregister(key.fileobj)
                key.fileobj.close()
        self.sctp_tags.clear()
        self.by_tuple.clear()

    def dispatch(self, wait):
        events = self.sel.select(wait)
        for key, _ in events:
            kind = key.data[0]
            if kind == 'listener':
                self.on_listener(key.fileobj, key.data[1], key.data[2])
            elif kind == 'icmp':
                self.on_icmp(key.fileobj, key.data[1])
            else:
                self.on_client(key.fileobj, key.data[1])
        return len(events)


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else 1 << 20
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--self-test':
        setns(sys.argv[2])
        for family in (socket.AF_INET, socket.AF_INET6):
            socket.socket(family, socket.SOCK_RAW, IPPROTO_SCTP).close()
        sys.stdout.write(json.dumps({'ok': True}))
        return
    request = json.load(sys.stdin)
    # One write: json.dump to a pipe issues one write per token (0.5 s for 2,000 results).
    sys.stdout.write(json.dumps(run(request)))


def run(request):
    started = time.monotonic()
    limit = raise_fd_limit()
    prober = Prober(request)
    probes = request['probes']
    listener_count = len({(p['dstNs'], p['proto'], p['dst'], p['port']) for p in probes})
    wave = max(1, min(request.get('maxConcurrent', 4000), limit - listener_count - 64))
    for i in range(0, len(probes), wave):
        prober.run_wave(probes[i:i + wave])
    results = [prober.results[p['id']] for p in probes]
    return {'results': results, 'elapsedMs': round((time.monotonic() - started) * 1000, 1)}


if __name__ == '__main__':
    main()
