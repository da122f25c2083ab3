// Hand-written corner cases of semantics.md §2-§5 that the generators (clusterArb/policiesArb draw
// ports from a six-value pool and at most two entries per rule) never produce: long port lists
// mixed with named ports, port-space limits, nested overlapping CIDRs across peers, /1-sized
// excepts, look-alike pods sharing chains, keyword names. Each probe carries the verdict
// semantics.md gives; the firewall backends' corner-case tests check it on the reference evaluator
// and on their own output. Also the small clusters the Calico and Cilium semantics-coverage tests
// share (named ports differing per pod, names a YAML 1.1 reader would retype).
import type { Connection, Endpoint } from '../evaluate/connection.js';
import type { Protocol } from '../model/policy.js';
import { namespace, networkPolicy as np, node, pod, type Manifest } from './builders.js';

/** One connection to decide, and the verdict semantics.md gives. */
export interface CornerProbe {
  readonly from: string;
  readonly to: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly expected: boolean;
}

export interface CornerScenario {
  readonly name: string;
  readonly objects: readonly Manifest[];
  readonly probes: readonly CornerProbe[];
}

/** `ns/pod`, `ns/pod@ip` or a bare IP, as in `netpolc explain`. */
export function probeEndpoint(text: string): Endpoint {
  if (!/^[a-z0-9-]+\/[a-z0-9.-]+(@.+)?$/.test(text)) return { kind: 'ip', ip: text };
  const [ns, rest] = text.split('/') as [string, string];
  const [name, ip] = rest.split('@') as [string, string | undefined];
  return ip === undefined ? { kind: 'pod', namespace: ns, name } : { kind: 'pod', namespace: ns, name, ip };
}

export function probeConnection(p: CornerProbe): Connection {
  return { src: probeEndpoint(p.from), dst: probeEndpoint(p.to), protocol: p.protocol, port: p.port };
}

const pr = (from: string, to: string, protocol: Protocol, port: number, expected: boolean): CornerProbe => ({ from, to, protocol, port, expected });

/**
 * Nodes node-1 (dual-stack) and node-2; namespaces x and y. x/web on node-1 (dual-stack; http TCP
 * 8080, dns UDP 53, assoc SCTP 3868), x/web2 on node-2 (http TCP 9090), y/client on node-2
 * (dual-stack), y/client1 on node-1.
 */
function base(...extra: Manifest[]): Manifest[] {
  return [
    node('node-1', ['198.19.0.1', '2001:db8:ffff::1']),
    node('node-2', '198.19.0.2'),
    namespace('x', { team: 'x' }),
    namespace('y', { team: 'y' }),
    pod('x', 'web', { app: 'web' }, ['198.18.0.10', '2001:db8::10'], { node: 'node-1', ports: [['http', 8080, 'TCP'], ['dns', 53, 'UDP'], ['assoc', 3868, 'SCTP']] }),
    pod('x', 'web2', { app: 'web' }, '198.18.0.11', { node: 'node-2', ports: [['http', 9090, 'TCP']] }),
    pod('y', 'client', { app: 'client' }, ['198.18.1.10', '2001:db8::1:10'], { node: 'node-2' }),
    pod('y', 'client1', { app: 'client' }, '198.18.1.11', { node: 'node-1' }),
    ...extra,
  ];
}

/** 18 single ports, two TCP ranges and a UDP one, named ports of three protocols: more than one multiport match holds. */
const manyPorts = [
  ...Array.from({ length: 18 }, (_, i) => ({ port: 1000 + 2 * i })),
  { port: 2000, endPort: 2010 },
  { port: 'http' },
  { port: 3000, endPort: 3005 },
  { protocol: 'UDP', port: 'dns' },
  { protocol: 'SCTP', port: 'assoc' },
  { protocol: 'UDP', port: 5000, endPort: 5001 },
];

/** 24 look-alike pods on one node (dispatch trees, shared chains): same labels and policies, a named port on a different number each. */
function lookAlikes(): Manifest[] {
  const out: Manifest[] = [node('node-1', '198.19.0.1'), node('node-2', '198.19.0.2'), namespace('x'), namespace('y')];
  for (let i = 0; i < 24; i++) out.push(pod('x', `w${i}`, { app: 'w' }, [`198.18.0.${10 + i}`, `2001:db8::${(16 + i).toString(16)}`], { node: 'node-1', ports: [['metrics', 9000 + i, i % 2 === 0 ? 'TCP' : 'UDP']] }));
  out.push(pod('y', 'scraper', { app: 'scraper' }, ['198.18.1.10', '2001:db8::1:10'], { node: 'node-2' }));
  return out;
}

export const cornerScenarios: readonly CornerScenario[] = [
  {
    name: '§2.3/§2.5: look-alike pods sharing chains keep per-pod named ports, self traffic and node-local ingress',
    objects: [
      ...lookAlikes(),
      np('x', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      np('x', 'scrape', { podSelector: { matchLabels: { app: 'w' } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'scraper' } } }], ports: [{ port: 'metrics' }, { protocol: 'UDP', port: 'metrics' }] }] }),
      np('y', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 'metrics' }] }] }),
    ],
    probes: [
      ...[0, 1, 2, 7, 16, 23].flatMap((i) => {
        const proto = i % 2 === 0 ? ('TCP' as const) : ('UDP' as const);
        const other = i % 2 === 0 ? ('UDP' as const) : ('TCP' as const);
        return [
          pr('y/scraper', `x/w${i}`, proto, 9000 + i, proto === 'UDP'),
          pr('y/scraper', `x/w${i}`, proto, 9001 + i, false),
          pr('y/scraper', `x/w${i}`, other, 9000 + i, false),
          pr(`x/w${i}`, `x/w${i}`, 'TCP', 9000 + i, true),
          pr(`x/w${i}@2001:db8::${(16 + i).toString(16)}`, `x/w${i}@2001:db8::${(16 + i).toString(16)}`, 'UDP', 1, true),
          pr(`x/w${i}`, `x/w${(i + 1) % 24}`, 'TCP', 9001 + i, false),
          pr('198.19.0.1', `x/w${i}`, 'SCTP', 7, true),
          pr('198.19.0.2', `x/w${i}`, 'TCP', 9000 + i, false),
        ];
      }),
    ],
  },
  {
    name: '§2.6: excepts that together cover their whole cidr leave an empty peer: the rule matches nothing (never "any")',
    objects: base(
      np('x', 'p', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/9', '10.128.0.0/9'] } }, { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8::/33', '2001:db8:8000::/33'] } }] }],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['0.0.0.0/1', '128.0.0.0/1'] } }] }],
      }),
    ),
    probes: [pr('10.1.1.1', 'x/web', 'TCP', 80, false), pr('8.8.8.8', 'x/web', 'TCP', 80, false), pr('y/client', 'x/web', 'TCP', 80, false), pr('2001:db8::1:10', 'x/web', 'TCP', 80, false), pr('2001:4860::1', 'x/web', 'TCP', 80, false), pr('x/web', '8.8.8.8', 'TCP', 80, false), pr('x/web', 'y/client', 'UDP', 53, false)],
  },
  {
    name: '§2.3/§5.1: 18 ports, two ranges and named ports (TCP, UDP, SCTP) in one ingress rule',
    objects: base(np('x', 'p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: manyPorts }] })),
    probes: [
      ...[999, 1000, 1001, 1034, 1035, 1036, 1037, 2000, 2010, 2011, 3000, 3005, 3006, 8080, 9090].map((port) =>
        pr('y/client', 'x/web', 'TCP', port, (port >= 1000 && port <= 1034 && port % 2 === 0) || (port >= 2000 && port <= 2010) || (port >= 3000 && port <= 3005) || port === 8080),
      ),
      pr('y/client', 'x/web2', 'TCP', 9090, true),
      pr('y/client', 'x/web2', 'TCP', 8080, false),
      pr('y/client', 'x/web', 'UDP', 53, true),
      pr('y/client', 'x/web', 'TCP', 53, false),
      pr('y/client', 'x/web', 'SCTP', 3868, true),
      pr('y/client', 'x/web', 'TCP', 3868, false),
      pr('y/client', 'x/web', 'UDP', 5001, true),
      pr('y/client', 'x/web', 'UDP', 5002, false),
      pr('y/client', 'x/web', 'UDP', 1000, false),
      pr('y/client@2001:db8::1:10', 'x/web@2001:db8::10', 'TCP', 1034, true),
      pr('y/client@2001:db8::1:10', 'x/web@2001:db8::10', 'SCTP', 3868, true),
    ],
  },
  {
    name: '§2.3: ranges at the limits of the port space, SCTP ranges',
    objects: base(np('x', 'p', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 1, endPort: 65535 }, { protocol: 'SCTP', port: 65000, endPort: 65535 }, { port: 1 }] }] })),
    probes: [pr('y/client', 'x/web', 'UDP', 1, true), pr('y/client', 'x/web', 'UDP', 65535, true), pr('y/client', 'x/web', 'SCTP', 65535, true), pr('y/client', 'x/web', 'SCTP', 64999, false), pr('y/client', 'x/web', 'TCP', 1, true), pr('y/client', 'x/web', 'TCP', 2, false), pr('y/client', 'x/web', 'TCP', 65535, false)],
  },
  {
    name: '§2.2/§4 row 4/§5.1/§5.2: nested overlapping CIDRs of several peers, excepts scoped per peer (v4 and v6)',
    objects: base(
      np('x', 'p', {
        podSelector: { matchLabels: { app: 'web' } },
        ingress: [
          {
            from: [
              { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
              { ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.2.0/24'] } },
              { ipBlock: { cidr: '10.1.2.3/32' } },
              { ipBlock: { cidr: '2001:db8:1::/48', except: ['2001:db8:1:1::/64'] } },
              { ipBlock: { cidr: '2001:db8:1:1::/64', except: ['2001:db8:1:1::/80'] } },
            ],
          },
        ],
      }),
      np('x', 'q', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.1.2.128/25' } }], ports: [{ port: 22 }] }] }),
    ),
    probes: [
      pr('10.9.9.9', 'x/web', 'TCP', 80, true),
      pr('10.1.9.9', 'x/web', 'TCP', 80, true),
      pr('10.1.2.4', 'x/web', 'TCP', 80, false),
      pr('10.1.2.3', 'x/web', 'TCP', 80, true),
      pr('10.1.2.200', 'x/web', 'TCP', 22, true),
      pr('10.1.2.200', 'x/web', 'TCP', 80, false),
      pr('11.0.0.1', 'x/web', 'TCP', 80, false),
      pr('2001:db8:1:2::1', 'x/web', 'TCP', 80, true),
      pr('2001:db8:1:1:1::1', 'x/web', 'TCP', 80, true),
      pr('2001:db8:1:1::1', 'x/web', 'TCP', 80, false),
    ],
  },
  {
    name: '§2.6/§5.1: /0 with an except of a whole /1 (hash:net halves), ::/0 except ::/1',
    objects: base(np('x', 'p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['0.0.0.0/1'] } }, { ipBlock: { cidr: '::/0', except: ['::/1'] } }] }] })),
    probes: [
      pr('127.0.0.1', 'x/web', 'TCP', 80, false),
      pr('128.0.0.1', 'x/web', 'TCP', 80, true),
      pr('255.255.255.254', 'x/web', 'TCP', 80, true),
      pr('198.18.1.10', 'x/web', 'TCP', 80, true),
      pr('2001:db8::1:10', 'x/web', 'TCP', 80, false),
      pr('fd00::1', 'x/web', 'TCP', 80, true),
    ],
  },
  {
    name: '§2.6: a rule with IPv6 ipBlocks only allows no IPv4 (never widened); egress likewise',
    objects: base(
      np('x', 'p', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }] }], egress: [{ to: [{ ipBlock: { cidr: '2001:db8::/32' } }] }] }),
    ),
    probes: [
      pr('8.8.8.8', 'x/web', 'TCP', 80, false),
      pr('y/client', 'x/web', 'TCP', 80, false),
      pr('y/client@2001:db8::1:10', 'x/web@2001:db8::10', 'TCP', 80, true),
      pr('x/web', '8.8.8.8', 'UDP', 53, false),
      pr('x/web', '2001:db8:5::1', 'UDP', 53, true),
    ],
  },
  {
    name: '§2.3: egress named ports: empty `to` reaches each pod on its own number; an ipBlock peer resolves on known pods only',
    objects: base(
      np('y', 'e', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'UDP', port: 'dns' }] }] }),
    ),
    probes: [
      pr('y/client', 'x/web', 'TCP', 8080, true),
      pr('y/client', 'x/web', 'TCP', 9090, false),
      pr('y/client', 'x/web2', 'TCP', 9090, true),
      pr('y/client', 'x/web2', 'TCP', 8080, false),
      pr('y/client', '203.0.113.5', 'TCP', 8080, false),
      pr('y/client', 'x/web', 'UDP', 53, true),
      pr('y/client', '8.8.8.8', 'UDP', 53, false),
      pr('y/client1', 'x/web', 'UDP', 53, true),
    ],
  },
  {
    name: '§2.5: node-local ingress (both node addresses, either family) but not egress to the node; other node denied',
    objects: base(np('x', 'p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })),
    probes: [pr('198.19.0.1', 'x/web', 'TCP', 80, true), pr('2001:db8:ffff::1', 'x/web', 'TCP', 80, true), pr('198.19.0.2', 'x/web', 'TCP', 80, false), pr('198.19.0.2', 'x/web2', 'TCP', 80, true), pr('x/web', '198.19.0.1', 'TCP', 10250, false)],
  },
  {
    name: '§2.1/§4 row 9: a hostNetwork pod is its node address: ipBlock matches it, selectors do not',
    objects: base(
      pod('y', 'agent', { app: 'client' }, '198.19.0.2', { node: 'node-2', hostNetwork: true }),
      np('x', 'p', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }] }, { from: [{ ipBlock: { cidr: '198.19.0.0/30' } }], ports: [{ port: 9100 }] }] }),
    ),
    probes: [pr('198.19.0.2', 'x/web', 'TCP', 80, false), pr('198.19.0.2', 'x/web', 'TCP', 9100, true), pr('y/client', 'x/web', 'TCP', 80, true)],
  },
  {
    name: '§5.2: nft keywords as object names (namespace, pod, policy and label value named fwd, ip, set)',
    objects: [
      node('fwd', '198.19.0.1'),
      namespace('fwd', { ip: 'set' }),
      namespace('ip'),
      pod('fwd', 'fwd', { set: 'fwd' }, '198.18.0.10', { node: 'fwd', ports: [['fwd', 80, 'TCP']] }),
      pod('ip', 'set', { ip: 'ip' }, '198.18.0.11', { node: 'fwd' }),
      np('fwd', 'fwd', { podSelector: { matchLabels: { set: 'fwd' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ip' } } }], ports: [{ port: 'fwd' }] }] }),
    ],
    probes: [pr('ip/set', 'fwd/fwd', 'TCP', 80, true), pr('ip/set', 'fwd/fwd', 'TCP', 81, false), pr('fwd/fwd', 'ip/set', 'TCP', 80, false)],
  },
  {
    name: '§2.4: union of policies with overlapping port sets and peers, and two-sided check across nodes',
    objects: base(
      np('x', 'a', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'y' } } }], ports: [{ port: 80, endPort: 90 }] }] }),
      np('x', 'b', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } }, namespaceSelector: {} }], ports: [{ port: 85, endPort: 100 }] }] }),
      np('y', 'c', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/24', except: ['198.18.0.11/32'] } }], ports: [{ port: 95, endPort: 200 }] }] }),
    ),
    probes: [pr('y/client', 'x/web', 'TCP', 84, false), pr('y/client', 'x/web', 'TCP', 95, true), pr('y/client', 'x/web', 'TCP', 100, true), pr('y/client', 'x/web', 'TCP', 101, false), pr('y/client', 'x/web2', 'TCP', 95, false), pr('y/client1', 'x/web', 'TCP', 96, true)],
  },
];

/**
 * Two namespaces (labels team: a and b), one node, three pods whose named ports differ per pod:
 * `sig` is SCTP 9000 on x/a and SCTP 80 on x/b; `web` is TCP 8080 on x/a and y/c, TCP 80 on x/b.
 */
export function namedPortCluster(): Manifest[] {
  return [
    namespace('x', { team: 'a' }),
    namespace('y', { team: 'b' }),
    node('n', '198.19.0.1'),
    pod('x', 'a', { app: 'a' }, '198.18.0.10', { node: 'n', ports: [['sig', 9000, 'SCTP'], ['web', 8080, 'TCP']] }),
    pod('x', 'b', { app: 'b' }, '198.18.0.11', { node: 'n', ports: [['sig', 80, 'SCTP'], ['web', 80, 'TCP']] }),
    pod('y', 'c', { app: 'c' }, '198.18.1.10', { node: 'n', ports: [['web', 8080, 'TCP']] }),
  ];
}

/** Label values a YAML 1.1 reader would retype (booleans, null, numbers in 1.1 notation). */
export const yaml11Values: readonly string[] = ['on', 'Off', 'y', 'NO', 'null', '1_000', '0b101', '012', '1e3', 'e3', '0x1F', '12.5'];

/** Namespaces a YAML 1.1 reader would retype. */
export const yaml11Namespaces: readonly string[] = ['on', 'y', 'no'];

/**
 * In each of {@link yaml11Namespaces}: a pod with named ports `y` (TCP 80) and `off` (TCP 81), and
 * a policy selecting `k In` {@link yaml11Values} that admits ingress on both names.
 */
export function yaml11Objects(): Manifest[] {
  return [
    ...yaml11Namespaces.map((n) => namespace(n)),
    ...yaml11Namespaces.map((n, i) => pod(n, 'p', { k: 'v' }, `198.18.2.${i + 1}`, { ports: [['y', 80, 'TCP'], ['off', 81, 'TCP']] })),
    ...yaml11Namespaces.map((n) => np(n, 'p', { podSelector: { matchExpressions: [{ key: 'k', operator: 'In', values: [...yaml11Values] }] }, ingress: [{ ports: [{ port: 'y' }, { port: 'off' }] }] })),
  ];
}
