// Extreme-but-valid inputs for extreme-inputs-audit.test.ts: every name, key and value at the
// length or in the spelling the Kubernetes API server still accepts (apimachinery
// validation: namespace a DNS label of 63, pod/policy names DNS subdomains of 253, label keys a
// 253-character DNS prefix and a 63-character name, label values 63, port names 15 (IANA_SVC_NAME)),
// keys and values that YAML 1.1 readers take for booleans and numbers, IPv6-only and dual-stack pods,
// /0, /32, /128 and ::/0 blocks, hundreds of excepts, matchExpressions values and policies.
import { stringify } from 'yaml';

export const rep = (s: string, n: number): string => s.repeat(Math.ceil(n / s.length)).slice(0, n);

/** Two 63-character namespaces sharing a 62-character prefix. */
export const ns1 = `ns-${rep('a', 60)}`;
export const ns2 = `ns-${rep('a', 59)}b`;
/** A 253-character DNS subdomain ending in `tag`, made of labels with dots and dashes. */
export const longName = (tag: string, length = 253): string => `${rep('very-long-name.', length - 2 - tag.length)}z-${tag}`;
/** A 253-character DNS prefix and a 63-character name: the longest label key. */
export const longKey = `${rep('p', 63)}.${rep('q', 63)}.${rep('r', 63)}.${rep('s', 61)}/${rep('k', 63)}`;
/** Node names stay under the known ENAMETOOLONG limit (247+ characters, not reported again). */
export const node1 = `${rep('node.', 190)}n1`;
export const node2 = `${rep('node.', 190)}n2`;
/** A 15-character port name, the longest IANA_SVC_NAME. */
export const port15 = 'port-name-abcde';

/** Label keys and values YAML 1.1 (Go's yaml.v2 under sigs.k8s.io/yaml) reads as booleans, numbers, timestamps. */
export const yaml11Labels: Record<string, string> = {
  on: 'yes', yes: 'on', y: 'n', n: 'y', no: 'off', off: 'No', '1e3': '1e3', '0x1F': '0x1F', '012': '012',
  null: 'null', true: 'True', a: '1_000', b: '2001-12-14', c: '0b101', d: '1.0', e: 'NULL', f: '0700',
  app: 'a.b-c_D', empty: '', [longKey]: rep('V', 63),
};

type Obj = Record<string, unknown>;

const pod = (ns: string, name: string, node: string, ips: string[], labels: Record<string, string>, ports: Obj[] = []): Obj => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels },
  spec: { nodeName: node, containers: [{ name: 'c', ports }] },
  status: { phase: 'Running', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
});
const np = (ns: string, name: string, spec: Obj): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });

/** Options: policy name length (Calico stores `default.<name>`, so 245 at most there). */
export function extremeObjects(policyNameLength = 253): Obj[] {
  const pn = (tag: string): string => longName(tag, policyNameLength);
  const objs: Obj[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns1, labels: { yes: 'no', team: 'T_1.x' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns2, labels: { on: 'off' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: node1 }, status: { addresses: [{ type: 'InternalIP', address: '198.19.0.1' }, { type: 'InternalIP', address: 'fd00:19::1' }] } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: node2 }, status: { addresses: [{ type: 'InternalIP', address: 'fd00:19::2' }] } },
    // Two 253-character pod names sharing 252 characters, dual-stack and IPv4-only, on one node.
    pod(ns1, longName('a'), node1, ['198.18.0.10', 'fd00:18::10'], yaml11Labels, [{ name: port15, containerPort: 65535, protocol: 'SCTP' }, { name: 'x', containerPort: 1 }]),
    pod(ns1, longName('b'), node1, ['198.18.0.11'], { ...yaml11Labels, app: 'other' }, [{ name: port15, containerPort: 1, protocol: 'SCTP' }]),
    // IPv6-only pods on an IPv6-only node; an IPv4-mapped address is the IPv4 pod it names.
    pod(ns2, longName('a'), node2, ['fd00:18::20'], { on: 'yes', '012': '012' }, [{ name: port15, containerPort: 8080, protocol: 'SCTP' }]),
    pod(ns2, 'a.b-c', node2, ['fd00:18::21'], { y: 'n' }),
    pod(ns2, 'mapped', node2, ['::ffff:198.18.0.12'], { y: 'n', mapped: '1' }),
  ];
  const except300 = Array.from({ length: 300 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
  objs.push(
    np(ns1, pn('pol-a'), {
      podSelector: { matchLabels: { on: 'yes', [longKey]: rep('V', 63) } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { on: 'off' } }, podSelector: { matchLabels: { '012': '012' } } }], ports: [{ port: port15, protocol: 'SCTP' }, { port: 1, endPort: 65535, protocol: 'SCTP' }] },
        { from: [{ ipBlock: { cidr: '0.0.0.0/0', except: except300 } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 65535 }, { port: 1, protocol: 'UDP' }] },
      ],
      egress: [
        { to: [{ ipBlock: { cidr: 'fd00:18::20/128' } }, { ipBlock: { cidr: '198.18.0.11/32' } }], ports: [{ port: port15, protocol: 'SCTP' }] },
        { to: [{ podSelector: { matchExpressions: [{ key: 'yes', operator: 'In', values: [...Array.from({ length: 20 }, (_, i) => `v${i}`), 'on'] }, { key: 'empty', operator: 'Exists' }] } }] },
      ],
    }),
    // The same name but for its last letter: its chains and comments must stay its own.
    np(ns1, pn('pol-b'), { podSelector: { matchLabels: { app: 'a.b-c_D', empty: '' } }, ingress: [{ from: [{ podSelector: { matchLabels: { y: 'n' } }, namespaceSelector: {} }] }] }),
    np(ns2, pn('pol-a'), {
      podSelector: {}, policyTypes: ['Ingress', 'Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '::/0', except: ['fd00:18::21/128'] } }, { ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 1, endPort: 65535 }] }],
    }),
  );
  return objs;
}

/** Multi-document YAML as kubectl would accept it (YAML 1.1 quoting, so `on`/`yes` stay strings). */
export const toYaml = (objs: readonly Obj[]): string => objs.map((o) => stringify(o, { version: '1.1' })).join('---\n');

/**
 * One namespace, one dual-stack node; a policy with 344 ports (TCP, UDP, SCTP; single, ranges,
 * 40 named ports of 13-15 characters, 1, 65535, 1-65535) and 302 peers (200 /32, 100 /128, a /16
 * with 249 excepts, a pod selector, a /64) both ways, and 150 more policies selecting one pod.
 */
export function wideObjects(): Obj[] {
  const named = Array.from({ length: 40 }, (_, i) => ({ name: `n${i}-${'x'.repeat(12 - String(i).length)}`, containerPort: 20000 + i * 7, protocol: ['TCP', 'UDP', 'SCTP'][i % 3] }));
  const objs: Obj[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '198.19.0.1' }, { type: 'InternalIP', address: 'fd00:19::1' }] } },
    pod('ns1', 'a', 'n1', ['198.18.0.10', 'fd00:18::10'], { app: 'a' }, named),
    pod('ns1', 'm', 'n1', ['::ffff:198.18.0.12'], { app: 'm' }, named.slice(0, 5)),
    pod('ns1', 'b', 'n1', ['fd00:18::11'], { app: 'b' }),
  ];
  const ports: Obj[] = [];
  for (let i = 0; i < 300; i++) {
    const protocol = ['TCP', 'UDP', 'SCTP'][i % 3];
    ports.push(i % 5 === 4 ? { port: 1000 + i * 10, endPort: 1005 + i * 10, protocol } : { port: 1001 + i * 3, protocol });
  }
  ports.push(...named.map((n) => ({ port: n.name, protocol: n.protocol })), { port: 1 }, { port: 65535, protocol: 'UDP' }, { port: 1, endPort: 65535, protocol: 'SCTP' });
  const peers: Obj[] = [];
  for (let i = 0; i < 200; i++) peers.push({ ipBlock: { cidr: `203.0.${i >> 8}.${i & 255}/32` } });
  for (let i = 0; i < 100; i++) peers.push({ ipBlock: { cidr: `2001:db8::${i.toString(16)}/128` } });
  peers.push({ ipBlock: { cidr: '198.18.0.0/16', except: Array.from({ length: 249 }, (_, i) => `198.18.${i + 1}.0/24`) } });
  peers.push({ podSelector: { matchLabels: { app: 'm' } } }, { ipBlock: { cidr: 'fd00:18::/64' } });
  objs.push(np('ns1', 'wide', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: peers, ports }], egress: [{ to: peers, ports }] }));
  for (let i = 0; i < 150; i++) objs.push(np('ns1', `p-${i}`, { podSelector: { matchLabels: { app: 'a' } }, ingress: [{ from: [{ ipBlock: { cidr: `192.0.2.${i}/32` } }], ports: [{ port: 1 + i }] }] }));
  return objs;
}
