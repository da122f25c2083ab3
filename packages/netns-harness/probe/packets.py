#!/usr/bin/env python3
"""Packets the prober builds and parses: SCTP INIT with CRC32c, ICMP/ICMPv6 echo and unreachable errors."""

import struct

IPPROTO_SCTP = 132


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def sctp_init(sport, dport, tag, bad_checksum=False):
    """SCTP common header + INIT chunk (RFC 9260 sections 3.1, 3.3.2)."""
    chunk = struct.pack('!BBHIIHHI', 1, 0, 20, tag, 65535, 10, 65535, tag ^ 0x5A5A5A5A)
    header = struct.pack('!HHII', sport, dport, 0, 0)
    crc = crc32c(header + chunk)
    if bad_checksum:
        crc ^= 0xFFFFFFFF
    # The CRC32c is stored least significant byte first (RFC 9260 Appendix A; Linux
    # sctp_compute_cksum returns cpu_to_le32 of the CRC).
    return struct.pack('!HH', sport, dport) + struct.pack('!I', 0) + struct.pack('<I', crc) + chunk


def parse_sctp_init(data, family):
    """(sport, dport, initiate tag) of an INIT, or None. IPv4 raw sockets include the IP header."""
    if family == 4:
        if len(data) < 20:
            return None
        data = data[(data[0] & 0x0F) * 4:]
    if len(data) < 32 or data[12] != 1:
        return None
    sport, dport = struct.unpack('!HH', data[0:4])
    (tag,) = struct.unpack('!I', data[16:20])
    return sport, dport, tag


# ICMP destination unreachable codes (RFC 792, RFC 1812) and ICMPv6 ones (RFC 4443 section 3.1).
_ICMP4_CODES = {0: 'net-unreachable', 1: 'host-unreachable', 2: 'prot-unreachable', 3: 'refused',
                9: 'net-prohibited', 10: 'host-prohibited', 13: 'admin-prohibited'}
_ICMP6_CODES = {0: 'no-route', 1: 'admin-prohibited', 3: 'addr-unreachable', 4: 'refused',
                5: 'policy-fail', 6: 'reject-route'}


def parse_icmp_error(data, family):
    """((proto, src, dst, dport), sport, detail) of a destination-unreachable error, or None."""
    if family == 4:
        if len(data) < 20:
            return None
        data = data[(data[0] & 0x0F) * 4:]
        if len(data) < 8 + 20 or data[0] != 3:
            return None
        inner = data[8:]
        ihl = (inner[0] & 0x0F) * 4
        proto, src, dst, l4 = inner[9], inner[12:16], inner[16:20], inner[ihl:]
        detail = _ICMP4_CODES.get(data[1], 'icmp-unreachable-%d' % data[1])
    else:
        if len(data) < 8 + 40 or data[0] != 1:
            return None
        inner = data[8:]
        proto, src, dst, l4 = inner[6], inner[8:24], inner[24:40], inner[40:]
        detail = _ICMP6_CODES.get(data[1], 'icmp6-unreachable-%d' % data[1])
    if len(l4) < 4:
        return None
    sport, dport = struct.unpack('!HH', l4[:4])
    return (proto, bytes(src), bytes(dst), dport), sport, detail


def _inet_checksum(data):
    if len(data) % 2:
        data += b'\0'
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


_ECHO_PAYLOAD = b'netpolc-probe'


def icmp_echo(family, ident, seq):
    """An echo request: ICMP type 8 with its checksum, or ICMPv6 type 128 (the kernel computes
    the checksum of raw ICMPv6 sockets, RFC 3542 section 3.1)."""
    kind = 8 if family == 4 else 128
    header = struct.pack('!BBHHH', kind, 0, 0, ident, seq)
    if family == 6:
        return header + _ECHO_PAYLOAD
    return struct.pack('!BBHHH', kind, 0, _inet_checksum(header + _ECHO_PAYLOAD), ident, seq) + _ECHO_PAYLOAD


def parse_echo_reply(data, family):
    """(identifier, sequence) of an echo reply, or None. IPv4 raw sockets include the IP header."""
    if family == 4:
        if len(data) < 20:
            return None
        data = data[(data[0] & 0x0F) * 4:]
    if len(data) < 8 or data[0] != (0 if family == 4 else 129):
        return None
    return struct.unpack('!HH', data[4:8])
