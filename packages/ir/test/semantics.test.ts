// One test per rule and corner case of semantics.md; each names its section or row. Every
// verdict is checked on both the reference evaluator and the resolved layer (support/verdict.ts).
import { expect, it } from 'vitest';
import { evaluate } from '../src/index.js';
import { icmpEssentialsScenario, icmpMessagesScenario, icmpScenario, loadValid, namespace, networkPolicy, node, pod, probeEndpoint, type Manifest } from '../src/testing/index.js';
import { allowed } from './support/verdict.js';

const web = (ns: string, name: string, ip: string | string[], labels: Record<string, string> = { app: name }, extra: Parameters<typeof pod>[4] = {}): Manifest =>
  pod(ns, name, labels, ip, { node: 'n1', ports: [['http', 8080, 'TCP'], ['dns', 53, 'UDP']], ...extra });

/** A small two-namespace cluster: prod/{web,api,db}, dev/{tool}, on nodes n1 and n2. */
function cluster(...policies: Manifest[]): Manifest[] {
  return [
    node('n1', '198.19.0.1'),
    node('n2', '198.19.0.2'),
    namespace('prod', { env: 'prod' }),
    namespace('dev', { env: 'dev' }),
    web('prod', 'web', '198.18.0.10'),
    web('prod', 'api', '198.18.0.11', { app: 'api', tier: 'backend' }, { node: 'n2' }),
    web('prod', 'db', '198.18.0.12', { app: 'db' }),
    web('dev', 'tool', '198.18.1.10', { app: 'tool', tier: 'backend' }),
    ...policies,
  ];
}

const np = networkPolicy;

// §1.1 Defaulting

it('§1.1/§4 row 1: omitted policyTypes default to Ingress only when there are no egress rules', () => {
  const objects = cluster(np('prod', 'p', { podSelector: { matchLabels: { app: 'web' } } }));
  expect(allowed(objects, 'prod/api', 'prod/web', 'TCP', 80)).toBe(false);
  expect(allowed(objects, 'prod/web', 'prod/api', 'TCP', 80)).toBe(true);
});

it('§1.1/§4 row 1: omitted policyTypes include Egress when egress rules exist', () => {
  const objects = cluster(np('prod', 'p', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] }));
  expect(allowed(objects, 'prod/web', 'prod/db', 'TCP', 5432)).toBe(true);
  expect(allowed(objects, 'prod/web', 'prod/api', 'TCP', 80)).toBe(false);
  expect(allowed(objects, 'prod/api', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§1.1: `egress: []` does not add Egress to defaulted policyTypes', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, egress: [] }));
  expect(allowed(objects, 'prod/web', 'dev/tool', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§1.1/§4 row 2: an omitted protocol is TCP', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'UDP', 80)).toBe(false);
});

it('§1.1: `ports: [{}]` is every TCP port', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ ports: [{}] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 65535)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'SCTP', 80)).toBe(false);
});

it('§1.1: an omitted spec.podSelector selects every pod of the namespace (with a warning)', () => {
  const objects = cluster(np('prod', 'p', { policyTypes: ['Ingress'] }));
  expect(allowed(objects, 'dev/tool', 'prod/db', 'TCP', 80)).toBe(false);
  expect(loadValid(objects).diagnostics.map((d) => d.code)).toContain('ir/default-pod-selector');
});

it('§1.1: a missing metadata.namespace becomes the default namespace, with a warning', () => {
  const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: { podSelector: {} } };
  const objects = [...cluster(), namespace('default'), web('default', 'app', '198.18.2.10'), policy];
  expect(allowed(objects, 'prod/web', 'default/app', 'TCP', 80)).toBe(false);
  expect(allowed(objects, 'prod/web', 'default/app', 'TCP', 80, { defaultNamespace: 'prod' })).toBe(true);
  expect(loadValid(objects).diagnostics.map((d) => d.code)).toContain('ir/default-namespace');
  // An empty namespace is an unset one to kubectl (Go's zero value): the same default.
  const empty = [...cluster(), namespace('default'), web('default', 'app', '198.18.2.10'), { ...policy, metadata: { name: 'p', namespace: '' } }];
  expect(allowed(empty, 'prod/web', 'default/app', 'TCP', 80)).toBe(false);
  expect(loadValid(empty).diagnostics.map((d) => d.code)).toContain('ir/default-namespace');
});

it('§1.1: every namespace carries kubernetes.io/metadata.name', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(true);
});

// §1.3 Nil vs empty lists

it('§1.3/§4 row 15: `ingress` omitted and `ingress: []` both deny all ingress', () => {
  for (const spec of [{ podSelector: {}, policyTypes: ['Ingress'] }, { podSelector: {}, policyTypes: ['Ingress'], ingress: [] }]) {
    expect(allowed(cluster(np('prod', 'p', spec)), 'dev/tool', 'prod/web', 'TCP', 80)).toBe(false);
  }
});

it('§1.3/§4 row 15: `ingress: [{}]` allows all ingress', () => {
  const objects = cluster(np('prod', 'deny', { podSelector: {} }), np('prod', 'all', { podSelector: {}, ingress: [{}] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'UDP', 9999)).toBe(true);
  expect(allowed(objects, '203.0.113.1', 'prod/web', 'SCTP', 1)).toBe(true);
});

it('§1.3: an omitted or empty `from` is any peer, external addresses included', () => {
  for (const rule of [{ ports: [{ port: 80 }] }, { from: [], ports: [{ port: 80 }] }]) {
    const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [rule] }));
    expect(allowed(objects, '8.8.8.8', 'prod/web', 'TCP', 80)).toBe(true);
    expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 81)).toBe(false);
  }
});

it('§1.3: `{protocol: UDP}` is every UDP port', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP' }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'UDP', 1)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 1)).toBe(false);
});

it('§1.3/§4 row 16: `namespaceSelector: {}` selects pods of every namespace, but no external address', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, '203.0.113.1', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§1.3: a `podSelector: {}` peer is every pod of the policy namespace only', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }));
  expect(allowed(objects, 'prod/api', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(false);
});

// §2.1 Inventory filter

it('§2.1: finished and IP-less pods take no part; their IPs are just addresses', () => {
  const objects = [
    ...cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] })),
    pod('dev', 'job', { app: 'job' }, '198.18.1.20', { phase: 'Succeeded' }),
    pod('dev', 'pending', { app: 'job' }, []),
  ];
  const { program } = loadValid(objects);
  expect(program.inventory.pods.filter((p) => !p.actionable).map((p) => p.name)).toEqual(['job', 'pending']);
  // The finished pod's address is no longer a pod: the namespaceSelector peer does not match it.
  expect(allowed(objects, '198.18.1.20', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§2.1/§4 row 9: hostNetwork pods are node traffic, matched only by ipBlock', () => {
  const host = pod('dev', 'agent', { app: 'agent' }, '198.19.0.2', { node: 'n2', hostNetwork: true });
  const selectors = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }));
  expect(allowed([...selectors, host], '198.19.0.2', 'prod/web', 'TCP', 80)).toBe(false);
  const block = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '198.19.0.0/24' } }] }] }));
  expect(allowed([...block, host], '198.19.0.2', 'prod/web', 'TCP', 80)).toBe(true);
});

it('§2.1: every entry of status.podIPs is used (dual-stack)', () => {
  const objects = [
    ...cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }] })),
    web('dev', 'dual', ['198.18.1.30', '2001:db8::30']),
    web('prod', 'dual', ['198.18.0.30', '2001:db8::31']),
  ];
  expect(allowed(objects, 'dev/dual@2001:db8::30', 'prod/dual@2001:db8::31', 'TCP', 80)).toBe(true);
  expect(allowed(objects, '2001:db8::30', 'prod/dual', 'TCP', 80)).toBe(true);
});

// §2.2 Selectors and peers

it('§2.2: NotIn and DoesNotExist match pods that lack the key', () => {
  const objects = cluster(
    np('prod', 'p', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['backend'] }] } }] }, { from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } }], ports: [{ port: 9 }] }],
    }),
  );
  expect(allowed(objects, 'prod/db', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'prod/api', 'prod/web', 'TCP', 80)).toBe(false);
  expect(allowed(objects, 'prod/db', 'prod/web', 'TCP', 9)).toBe(true);
});

it('§2.2: namespaceSelector and podSelector in one entry are ANDed; in two entries ORed', () => {
  const and = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { tier: 'backend' } } }] }] }));
  const or = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }, { podSelector: { matchLabels: { tier: 'backend' } } }] }] }));
  expect(allowed(and, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(and, 'prod/api', 'prod/web', 'TCP', 80)).toBe(false);
  expect(allowed(or, 'prod/api', 'prod/web', 'TCP', 80)).toBe(true);
});

it('§2.2: selector peers never match external addresses, even inside the pod range', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: {} }] }] }));
  expect(allowed(objects, '198.18.0.99', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§2.2/§4 row 4: except removes addresses from its own ipBlock only, it is not a deny', () => {
  const objects = cluster(
    np('prod', 'p', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { ipBlock: { cidr: '10.1.2.0/24' } }] }],
    }),
  );
  expect(allowed(objects, '10.1.2.3', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, '10.1.3.3', 'prod/web', 'TCP', 80)).toBe(false);
  expect(allowed(objects, '10.9.9.9', 'prod/web', 'TCP', 80)).toBe(true);
});

// §2.3 Ports

it('§2.3/§4 row 5: port..endPort is an inclusive range', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 8000, endPort: 8002 }] }] }));
  expect([7999, 8000, 8002, 8003].map((p) => allowed(objects, 'dev/tool', 'prod/web', 'TCP', p))).toEqual([false, true, true, false]);
});

it('§2.3/§4 row 6: ingress named ports resolve on the subject pod, per pod', () => {
  const objects = [
    ...cluster(np('prod', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 'metrics' }] }] })),
    pod('prod', 'm1', { app: 'm' }, '198.18.0.40', { ports: [['metrics', 9090, 'TCP']] }),
    pod('prod', 'm2', { app: 'm' }, '198.18.0.41', { ports: [['metrics', 9102, 'TCP']] }),
  ];
  expect(allowed(objects, 'dev/tool', 'prod/m1', 'TCP', 9090)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/m1', 'TCP', 9102)).toBe(false);
  expect(allowed(objects, 'dev/tool', 'prod/m2', 'TCP', 9102)).toBe(true);
  // A pod without the name: the rule matches nothing there (never "any port").
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 9090)).toBe(false);
});

it('§2.3/§4 row 6: egress named ports resolve on each destination pod', () => {
  const objects = cluster(np('dev', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'dns', protocol: 'UDP' }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/db', 'UDP', 53)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/db', 'TCP', 53)).toBe(false);
});

it('§2.3: a named port on an ipBlock egress peer matches no external address (warning)', () => {
  const objects = cluster(np('dev', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 'http' }] }] }));
  expect(allowed(objects, 'dev/tool', '8.8.8.8', 'TCP', 8080)).toBe(false);
  // ...but a pod inside the block that exposes the name is a known destination.
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 8080)).toBe(true);
});

it('§2.3: an egress named port with empty `to` reaches every pod exposing the name', () => {
  const objects = cluster(np('dev', 'p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/api', 'TCP', 8080)).toBe(true);
  expect(allowed(objects, 'dev/tool', '8.8.8.8', 'TCP', 8080)).toBe(false);
});

it('§4 row 7: policies see the pod port, not a Service port', () => {
  // A rule on 80 does not allow the pod's 8080 even if a Service maps 80 -> 8080.
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 8080)).toBe(false);
});

// §2.4 Isolation, union, two-sided check

it('§2.4: ingress and egress isolation are independent', () => {
  const objects = cluster(np('prod', 'p', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'prod/web', 'dev/tool', 'TCP', 80)).toBe(false);
});

it('§2.4: allowed traffic is the union of all selecting policies', () => {
  const objects = cluster(
    np('prod', 'a', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] }),
    np('prod', 'b', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 81 }] }] }),
  );
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 81)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/api', 'TCP', 81)).toBe(false);
});

it('§2.4: a connection needs both the source egress and the destination ingress', () => {
  const objects = cluster(
    np('dev', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] }),
    np('prod', 'in', { podSelector: {}, ingress: [{ ports: [{ port: 81 }] }] }),
  );
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(false);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 81)).toBe(false);
  expect(allowed(objects, 'dev/tool', '8.8.8.8', 'TCP', 80)).toBe(true);
});

// §2.5 Always-allowed traffic and §3 knobs

it('§2.5/§4 row 8: ingress from the pod own node is allowed; from another node it is not', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, policyTypes: ['Ingress'] }));
  expect(allowed(objects, '198.19.0.1', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, '198.19.0.2', 'prod/web', 'TCP', 80)).toBe(false);
  expect(allowed(objects, '198.19.0.1', 'prod/web', 'TCP', 80, { semantics: { allowNodeLocalIngress: false } })).toBe(false);
});

it('§2.5/§4 row 13: a pod can always reach itself (knob allowSelf)', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
  expect(allowed(objects, 'prod/web', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'prod/web', 'prod/web', 'TCP', 80, { semantics: { allowSelf: false } })).toBe(false);
});

it('§3/§4 row 3: ipBlock matches pod IPs by default, not with ipBlockMatchesPods=false', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '198.18.1.0/24' } }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80, { semantics: { ipBlockMatchesPods: false } })).toBe(false);
  expect(allowed(objects, '198.18.1.99', 'prod/web', 'TCP', 80, { semantics: { ipBlockMatchesPods: false } })).toBe(true);
});

it('§3/§4 row 3: ipBlock matches node addresses by default, not with ipBlockMatchesNodes=false', () => {
  const objects = cluster(
    np('prod', 'p', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ ipBlock: { cidr: '198.19.0.0/16' } }] }], egress: [{ to: [{ ipBlock: { cidr: '198.19.0.0/16' } }] }] }),
  );
  const off = { semantics: { ipBlockMatchesNodes: false } };
  // n2 is not web's node: only the ipBlock can admit it.
  expect(allowed(objects, '198.19.0.2', 'prod/web', 'TCP', 80)).toBe(true);
  expect(allowed(objects, '198.19.0.2', 'prod/web', 'TCP', 80, off)).toBe(false);
  expect(allowed(objects, 'prod/web', '198.19.0.2', 'TCP', 80)).toBe(true);
  expect(allowed(objects, 'prod/web', '198.19.0.2', 'TCP', 80, off)).toBe(false);
  expect(allowed(objects, 'prod/web', '198.19.0.1', 'TCP', 80, off)).toBe(false);
  // Node-local ingress is its own knob; other addresses of the block still match.
  expect(allowed(objects, '198.19.0.1', 'prod/web', 'TCP', 80, off)).toBe(true);
  expect(allowed(objects, '198.19.7.7', 'prod/web', 'TCP', 80, off)).toBe(true);
  expect(allowed(objects, 'prod/web', '198.19.7.7', 'TCP', 80, off)).toBe(true);
});

// §2.6 IPv6 and dual-stack

it('§2.6/§4 row 12: an ipBlock matches only its own family; selectors match both', () => {
  const objects = [
    ...cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/64' } }] }] })),
    web('dev', 'dual', ['198.18.1.30', '2001:db8::30']),
  ];
  expect(allowed(objects, 'dev/dual@198.18.1.30', 'prod/web', 'TCP', 80)).toBe(false);
  const both = [...objects, web('prod', 'v6', ['198.18.0.60', '2001:db8::60'])];
  expect(allowed(both, 'dev/dual@2001:db8::30', 'prod/v6@2001:db8::60', 'TCP', 80)).toBe(true);
  expect(allowed(both, 'dev/dual@198.18.1.30', 'prod/v6@198.18.0.60', 'TCP', 80)).toBe(false);
});

it('§2.6: ::/0 is exact (not approximated as 2000::/3) and excepts carve out of it', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '::/0', except: ['2000::/3'] } }] }] }));
  const withV6 = [...objects, web('prod', 'v6', ['2001:db8::60'])];
  expect(allowed(withV6, 'fd00::1', 'prod/v6', 'TCP', 80)).toBe(true);
  expect(allowed(withV6, '2001:db8::1', 'prod/v6', 'TCP', 80)).toBe(false);
  expect(allowed(withV6, '198.51.100.1', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§4 row 10: SCTP is a protocol of its own', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ ports: [{ protocol: 'SCTP', port: 80 }] }] }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'SCTP', 80)).toBe(true);
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(false);
});

it('§2.4: a policy selects only pods of its own namespace', () => {
  const objects = cluster(np('dev', 'p', { podSelector: { matchLabels: { app: 'web' } } }));
  expect(allowed(objects, 'dev/tool', 'prod/web', 'TCP', 80)).toBe(true);
});

it('§4 row 11: a rule without ports matches every protocol; ports entries name one', () => {
  const objects = cluster(np('prod', 'p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] }));
  for (const proto of ['TCP', 'UDP', 'SCTP'] as const) expect(allowed(objects, 'dev/tool', 'prod/web', proto, 7)).toBe(true);
});

it('§3/§4 row 11: ICMP is admitted by the rules without ports alone (the kernel tests\' hand-written verdicts)', () => {
  const { objects, probes } = icmpScenario();
  // Straight from the evaluator (and the resolved layer, which `allowed` holds to it)...
  expect(probes.map((p) => allowed(objects, p.from, p.to, 'ICMP', 0))).toEqual(probes.map((p) => p.expected));
  // ...and again from TCP on a port no rule names, once the port-bound rules are gone: a policy
  // still isolates without them, and decides every protocol as it decides ICMP.
  const withoutPorts = objects.map((o) => {
    if (o['kind'] !== 'NetworkPolicy') return o;
    const spec = { ...(o['spec'] as Record<string, unknown>) };
    for (const d of ['ingress', 'egress']) if (Array.isArray(spec[d])) spec[d] = (spec[d] as { ports?: unknown }[]).filter((r) => r.ports === undefined);
    return { ...o, spec };
  });
  expect(probes.map((p) => allowed(withoutPorts, p.from, p.to, 'TCP', 9))).toEqual(probes.map((p) => p.expected));
  expect(probes.filter((p) => p.expected).length).toBe(5);
  // A rule on every TCP port still admits no ICMP: c may send TCP to d, not echo requests.
  expect([allowed(objects, 'y/c', 'y/d', 'TCP', 9), allowed(objects, 'y/c', 'y/d', 'ICMP', 0)]).toEqual([true, false]);
});

it('§3 ICMP knob: icmp-essentials admits every echo request, as kube-router does, and nothing else (the kernel tests\' verdicts)', () => {
  const { objects, probes } = icmpEssentialsScenario();
  const knob = { semantics: { allowIcmpEssentials: true } };
  expect(probes.map((p) => allowed(objects, p.from, p.to, p.protocol, p.port, knob))).toEqual(probes.map((p) => p.expected));
  // Transports keep the verdicts they have without the knob.
  for (const [from, to, proto, port] of [['x/a', 'x/b', 'TCP', 81], ['y/c', 'x/a', 'UDP', 53], ['x/a', 'x/b', 'TCP', 80], ['y/c', 'y/d', 'TCP', 9], ['x/b', 'x/a', 'TCP', 81]] as const) {
    expect(allowed(objects, from, to, proto, port, knob), `${from} -> ${to} ${proto}/${port}`).toBe(allowed(objects, from, to, proto, port));
  }
  // The evaluator says why, on both sides.
  const { program } = loadValid(objects, knob);
  const v = evaluate(program, { src: probeEndpoint('y/c'), dst: probeEndpoint('x/b'), protocol: 'ICMP', port: 0 });
  if ('error' in v) throw new Error(v.error);
  expect([v.egress.reason, v.ingress.reason, v.egress.isolatedBy.length, v.ingress.isolatedBy.length]).toEqual(['icmp-essentials', 'icmp-essentials', 1, 1]);
});

it('§3 ICMP knob: other ICMP messages are decided as echo requests without the profile, or dropped as INVALID (the kernel tests\' verdicts)', () => {
  const { objects, probes } = icmpMessagesScenario();
  const started = probes.filter((p) => p.type === 13 || p.type === 139);
  // Timestamp and node information queries: the evaluator's echo verdict without the profile,
  // whose types they are not.
  expect(started.map((p) => p.expected)).toEqual(started.map((p) => allowed(objects, p.from, p.to, 'ICMP', 0)));
  expect(new Set(started.map((p) => p.expected))).toEqual(new Set([true, false]));
  // Errors about connections that never were, and a lone echo reply: never delivered.
  expect(probes.filter((p) => !started.includes(p)).every((p) => !p.expected)).toBe(true);
  expect(probes).toHaveLength(12 * 7);
});
