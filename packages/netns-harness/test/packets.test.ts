import { expect, it } from 'vitest';
import { findPython, probeFile, runCommand } from '../src/tools.js';

// The packet code of probe/packets.py, checked without a kernel: CRC32c test vectors and the
// byte layout of the INIT and of the ICMP errors the prober maps back to probes.
const python = findPython();
const pit = it.skipIf(python === undefined);
const label = (name: string): string => (python === undefined ? `${name} [skipped: no python3]` : name);

function py(expression: string): unknown {
  const code = `import json, sys; sys.path.insert(0, ${JSON.stringify(probeFile(''))}); import packets as p; print(json.dumps(${expression}))`;
  const result = runCommand(python ?? 'python3', ['-I', '-S', '-B', '-c', code]);
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as unknown;
}

pit(label('computes CRC32c test vectors'), () => {
  // RFC 3720 appendix B.4 (32 zero bytes, 32 0xff bytes) and the common "123456789" check value.
  expect(py("[p.crc32c(b'123456789'), p.crc32c(bytes(32)), p.crc32c(b'\\xff' * 32)]")).toEqual([
    0xe3069283, 0x8a9136aa, 0x62a8ab43,
  ]);
});

pit(label('builds an SCTP INIT with ports, zero tag, little-endian CRC32c and a 20-byte INIT chunk'), () => {
  const [hex, parsed, recomputed] = py(
    "[(pk := p.sctp_init(40000, 80, 0xdeadbeef)).hex(), p.parse_sctp_init(pk, 6), " +
      "p.crc32c(pk[:8] + bytes(4) + pk[12:]).to_bytes(4, 'little').hex()]",
  ) as [string, [number, number, number], string];
  expect(hex.length / 2).toBe(32);
  expect(hex.slice(0, 16)).toBe('9c40005000000000'); // sport 40000, dport 80, verification tag 0
  expect(hex.slice(24, 32)).toBe('01000014'); // chunk type INIT, flags 0, length 20
  expect(hex.slice(32, 40)).toBe('deadbeef'); // initiate tag
  expect(hex.slice(16, 24)).toBe(recomputed);
  expect(parsed).toEqual([40000, 80, 0xdeadbeef]);
});

pit(label('maps ICMP and ICMPv6 unreachable errors back to the probe tuple'), () => {
  // IPv4: outer header (20) + ICMP 3/3 + inner IPv4 header (proto 17, 198.18.1.1 -> 198.18.1.2) + ports.
  const v4 = py(
    "(lambda r: [r[0][0], list(r[0][1]), list(r[0][2]), r[0][3], r[1], r[2]])(p.parse_icmp_error(" +
      "bytes([0x45]) + bytes(19) + bytes([3, 3, 0, 0, 0, 0, 0, 0]) + bytes([0x45]) + bytes(8) + bytes([17, 0, 0]) + " +
      "bytes([198, 18, 1, 1, 198, 18, 1, 2]) + (12345).to_bytes(2, 'big') + (53).to_bytes(2, 'big') + bytes(4), 4))",
  );
  expect(v4).toEqual([17, [198, 18, 1, 1], [198, 18, 1, 2], 53, 12345, 'refused']);
  // IPv6: ICMPv6 1/1 (admin prohibited) + inner IPv6 header (next header 6) + ports.
  const v6 = py(
    "(lambda r: [r[0][0], r[0][3], r[1], r[2]])(p.parse_icmp_error(bytes([1, 1]) + bytes(6) + bytes([0x60]) + bytes(5) + " +
      "bytes([6, 64]) + bytes(32) + (23456).to_bytes(2, 'big') + (443).to_bytes(2, 'big') + bytes(4), 6))",
  );
  expect(v6).toEqual([6, 443, 23456, 'admin-prohibited']);
  expect(py("p.parse_icmp_error(bytes([0x45]) + bytes(19) + bytes([0, 0, 0, 0]), 4)")).toBeNull();
});

pit(label('builds ICMP echo requests (IPv4 with a valid checksum) and reads echo replies back, IPv4 with its IP header'), () => {
  const [v4, sum, v6, reply4, reply6, request] = py(
    "[(e := p.icmp_echo(4, 0x1234, 7)).hex(), p._inet_checksum(e), p.icmp_echo(6, 1, 2).hex(), " +
      "p.parse_echo_reply(bytes([0x45]) + bytes(19) + b'\\x00\\x00' + e[2:], 4), p.parse_echo_reply(bytes([129, 0, 0, 0, 0, 1, 0, 2]), 6), p.parse_echo_reply(e, 6)]",
  ) as [string, number, string, [number, number], [number, number], null];
  // Type 8, code 0, checksum, identifier 0x1234, sequence 7; the sum over the whole packet is 0.
  expect(v4.slice(0, 2)).toBe('08');
  expect(v4.slice(8, 16)).toBe('12340007');
  expect(sum).toBe(0);
  // ICMPv6 type 128 with a zero checksum, which the kernel fills in for raw ICMPv6 sockets.
  expect(v6.slice(0, 16)).toBe('8000000000010002');
  expect(reply4).toEqual([0x1234, 7]);
  expect(reply6).toEqual([1, 2]);
  expect(request).toBeNull();
});
