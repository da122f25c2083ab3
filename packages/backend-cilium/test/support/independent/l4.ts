// The L4 part of a rule as the independent interpreter reads it: `toPorts`, and `icmps`, which
// Cilium merges as ports (pkg/policy/api/l4.go, icmp.go). Upstream references as in cilium.ts.

export interface PortProto {
  readonly port: string; // number text or name
  readonly endPort: number | undefined;
  /** ICMP fields are merged as ports of protocol ICMP/ICMPV6 whose "port" is the type (pkg/policy/api/icmp.go). */
  readonly protocol: 'TCP' | 'UDP' | 'SCTP' | 'ANY' | 'ICMP' | 'ICMPV6';
}

/** A rule's `toPorts` and `icmps` as lists of ports; undefined when it has neither. */
export function parseL4(toPorts: unknown, icmps: unknown): PortProto[][] | undefined {
  const ports = parsePorts(toPorts);
  const icmp = parseIcmps(icmps);
  return ports === undefined && icmp === undefined ? undefined : [...(ports ?? []), ...(icmp ?? [])];
}

function parsePorts(raw: unknown): PortProto[][] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new Error('toPorts must be a list');
  return raw.map((pr: { ports?: { port?: unknown; endPort?: unknown; protocol?: unknown }[] }) => {
    const ports = pr.ports ?? [];
    // [valid] PortRule.sanitize: at most 40 ports (maxPorts).
    if (ports.length > 40) throw new Error(`too many ports (${ports.length})`);
    return ports.map((p) => {
      // CRD: port is a string, endPort an integer.
      if (typeof p.port !== 'string') throw new Error(`port is not a string: ${JSON.stringify(p.port)}`);
      if (p.endPort !== undefined && typeof p.endPort !== 'number') throw new Error(`endPort is not a number: ${JSON.stringify(p.endPort)}`);
      const port = p.port;
      if (port === '') throw new Error('Port must be specified');
      if (!/^\d+$/.test(port) && !/^[a-z0-9-]+$/.test(port)) throw new Error(`bad port ${port}`);
      const protocol = (p.protocol === undefined ? 'ANY' : String(p.protocol).toUpperCase()) as PortProto['protocol'];
      if (!['TCP', 'UDP', 'SCTP', 'ANY'].includes(protocol)) throw new Error(`bad protocol ${protocol}`);
      return { port, endPort: p.endPort === undefined ? undefined : Number(p.endPort), protocol };
    });
  });
}

/**
 * `icmps` as Cilium merges them (pkg/policy/api/icmp.go ICMPRules.Iterate/GetPortProtocols): each
 * field becomes a port of protocol ICMP (family IPv4, the default) or ICMPV6 whose number is the type.
 */
function parseIcmps(raw: unknown): PortProto[][] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw new Error('icmps must be a list');
  return raw.map((ir: { fields?: { family?: unknown; type?: unknown }[] }) => {
    const fields = ir.fields ?? [];
    // CRD: at most 40 fields.
    if (fields.length > 40) throw new Error(`too many ICMP fields (${fields.length})`);
    return fields.map((f) => {
      const family = f.family ?? 'IPv4';
      if (family !== 'IPv4' && family !== 'IPv6') throw new Error(`bad ICMP family ${String(family)}`);
      if (typeof f.type !== 'number' || !Number.isInteger(f.type) || f.type < 0 || f.type > 255) throw new Error(`bad ICMP type ${JSON.stringify(f.type)}`);
      return { port: String(f.type), endPort: undefined, protocol: family === 'IPv4' ? ('ICMP' as const) : ('ICMPV6' as const) };
    });
  });
}
