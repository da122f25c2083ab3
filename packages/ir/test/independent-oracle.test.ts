// Differential tests: the project's reference evaluator (`evaluate`, default profile) against an
// independent oracle written from /work/shared/reference/semantics.md and the upstream docs only
// (test/support/independent-oracle.ts, which reads raw manifests, not the IR). Hand-written cases
// and the project's generators here; raw corner-case manifests in independent-oracle-raw.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/index.js';
import { clusterArb, connectionArb, loadValid, policiesArb, propertyParams, type Manifest } from '../src/testing/index.js';
import { buildOracle, type OracleConnection } from './support/independent-oracle.js';
import { conn, ipEp, nodeM, np, ns, podEp, podM, reference, withAddresses, type Obj } from './support/raw-manifests.js';

const params = propertyParams(100);

// A fixed small cluster for the hand-written cases.
const WEB = podEp('prod', 'web', '198.18.0.10');
const API = podEp('prod', 'api', '198.18.0.11');
const TOOL = podEp('dev', 'tool', '198.18.1.10');
const DFLT = podEp('default', 'def', '198.18.2.10');
function base(...policies: Obj[]): Obj[] {
  return [
    nodeM('n1', ['198.19.0.1', '2001:db8:ffff::1']),
    nodeM('n2', ['198.19.0.2']),
    ns('prod', { env: 'prod' }),
    ns('dev', { env: 'dev' }),
    ns('default'),
    podM('web', { ns: 'prod', labels: { app: 'web' }, ips: ['198.18.0.10'], node: 'n1', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }),
    podM('api', { ns: 'prod', labels: { app: 'api', tier: 'backend' }, ips: ['198.18.0.11'], node: 'n2', ports: [{ name: 'http', containerPort: 9090, protocol: 'TCP' }] }),
    podM('tool', { ns: 'dev', labels: { app: 'tool', tier: 'backend' }, ips: ['198.18.1.10'], node: 'n1' }),
    podM('def', { labels: { app: 'def' }, ips: ['198.18.2.10'], node: 'n2' }), // no metadata.namespace
    podM('host', { ns: 'prod', labels: { app: 'host' }, ips: ['198.19.0.2'], node: 'n2', hostNetwork: true }),
    ...policies,
  ];
}
const webOnly = { matchLabels: { app: 'web' } };

/** A hand case: the expected verdict must hold for both the oracle and the reference evaluator. */
interface HandCase {
  readonly name: string;
  readonly why: string;
  readonly objects: Obj[];
  readonly c: OracleConnection;
  readonly expected: boolean;
}

const hand: HandCase[] = [
  {
    name: 'policyTypes omitted with egress rules: Egress is added',
    why: 'semantics.md §1.1: policyTypes omitted → [Ingress] + Egress iff spec.egress has ≥ 1 rule',
    objects: base(np('prod', 'p', { podSelector: webOnly, egress: [{ to: [{ podSelector: {} }] }] })),
    c: conn(WEB, ipEp('8.8.8.8'), 'TCP', 443),
    expected: false,
  },
  {
    name: 'policyTypes omitted with egress rules: Ingress is still there (and empty)',
    why: 'semantics.md §1.1 + §1.3: Ingress in types with ingress omitted = isolated, nothing allowed',
    objects: base(np('prod', 'p', { podSelector: webOnly, egress: [{ to: [{ podSelector: {} }] }] })),
    c: conn(TOOL, WEB, 'TCP', 8080),
    expected: false,
  },
  {
    name: 'egress: [] without policyTypes does not isolate egress',
    why: 'semantics.md §1.1: "egress: [] does not add Egress"',
    objects: base(np('prod', 'p', { podSelector: webOnly, egress: [] })),
    c: conn(WEB, ipEp('8.8.8.8'), 'TCP', 443),
    expected: true,
  },
  {
    name: 'ports: [{}] is every TCP port, not UDP',
    why: 'semantics.md §1.1: protocol omitted → TCP, "ports: [{}] = all TCP ports"',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ ports: [{}] }] })),
    c: conn(TOOL, WEB, 'UDP', 53),
    expected: false,
  },
  {
    name: '{protocol: UDP} is every UDP port',
    why: 'semantics.md §1.3: "{protocol: UDP}: every UDP port"',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ ports: [{ protocol: 'UDP' }] }] })),
    c: conn(TOOL, WEB, 'UDP', 5353),
    expected: true,
  },
  {
    name: 'ingress: [{}] allows everything',
    why: 'semantics.md §1.3: "ingress: [{}]: one rule, any source, any port"',
    objects: base(np('prod', 'p', { podSelector: webOnly, policyTypes: ['Ingress'], ingress: [{}] })),
    c: conn(ipEp('203.0.113.9'), WEB, 'SCTP', 7),
    expected: true,
  },
  {
    name: 'namespaceSelector + podSelector in one entry is an AND',
    why: 'semantics.md §2.2: same entry = pods matching podSelector AND in a matching namespace',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { tier: 'backend' } } }] }] })),
    c: conn(TOOL, WEB, 'TCP', 8080),
    expected: false,
  },
  {
    name: 'namespaceSelector + podSelector in one entry is not an OR (own-namespace pod with the labels)',
    why: 'semantics.md §2.2: splitting {namespaceSelector, podSelector} into two entries turns AND into OR and widens the policy',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { tier: 'backend' } } }] }] })),
    c: conn(API, WEB, 'TCP', 8080),
    expected: false,
  },
  {
    name: 'except is not a deny: another peer still allows the address',
    why: 'semantics.md §2.2 / §4 row 4: except removes addresses from its own ipBlock only',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/16', except: ['198.18.1.0/24'] } }, { namespaceSelector: { matchLabels: { env: 'dev' } } }] }] })),
    c: conn(TOOL, WEB, 'TCP', 8080),
    expected: true,
  },
  {
    name: 'except removes the address from its ipBlock',
    why: 'semantics.md §2.2: ipBlock = addresses in cidr minus its own except list',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/28'] } }] }] })),
    c: conn(ipEp('203.0.113.9'), WEB, 'TCP', 8080),
    expected: false,
  },
  {
    name: 'ingress named port resolves on the destination (subject) pod',
    why: 'semantics.md §2.3: named ports resolved on the destination pod: the subject pod for ingress',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ ports: [{ port: 'http' }] }] })),
    c: conn(TOOL, WEB, 'TCP', 8080),
    expected: true,
  },
  {
    name: "egress named port resolves on the peer pod, not on the subject's own ports",
    why: 'semantics.md §2.3 / §4 row 6: the peer pod for egress (api: http=9090, web: http=8080)',
    objects: base(np('prod', 'p', { podSelector: webOnly, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }], ports: [{ port: 'http' }] }] })),
    c: conn(WEB, API, 'TCP', 8080),
    expected: false,
  },
  {
    name: 'egress named port to an ipBlock matches nothing',
    why: 'semantics.md §2.3: destination not a known pod → the name cannot be resolved, matches nothing',
    objects: base(np('prod', 'p', { podSelector: webOnly, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 'http' }] }] })),
    c: conn(WEB, ipEp('8.8.8.8'), 'TCP', 8080),
    expected: false,
  },
  {
    name: 'egress named port with empty to: every pod exposing the name',
    why: 'semantics.md §2.3: "Egress with a named port and empty to means every pod exposing that name"',
    objects: base(np('prod', 'p', { podSelector: webOnly, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] })),
    c: conn(WEB, API, 'TCP', 9090),
    expected: true,
  },
  {
    name: 'a named port served by a native sidecar (init container with restartPolicy Always) resolves',
    why: 'kubernetes/kubernetes#127976 and projectcalico/calico#8881: sidecar named ports count (semantics.md §2.1: "every container port")',
    objects: base(np('prod', 'p', { podSelector: { matchLabels: { app: 'side' } }, ingress: [{ ports: [{ port: 'metrics' }] }] })).concat([
      { ...podM('side', { ns: 'prod', labels: { app: 'side' }, ips: ['198.18.0.20'], node: 'n1' }), spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'img' }], initContainers: [{ name: 'agent', image: 'img', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9100 }] }] } },
    ]),
    c: conn(TOOL, podEp('prod', 'side', '198.18.0.20'), 'TCP', 9100),
    expected: true,
  },
  {
    name: 'a named port of an ordinary init container does not resolve',
    why: 'kubernetes.io init containers "run to completion" before app containers start; only sidecars (restartPolicy Always) serve (kubernetes/kubernetes#127976)',
    objects: base(np('prod', 'p', { podSelector: { matchLabels: { app: 'side' } }, ingress: [{ ports: [{ port: 'metrics' }] }] })).concat([
      { ...podM('side', { ns: 'prod', labels: { app: 'side' }, ips: ['198.18.0.20'], node: 'n1' }), spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'img' }], initContainers: [{ name: 'setup', image: 'img', ports: [{ name: 'metrics', containerPort: 9100 }] }] } },
    ]),
    c: conn(TOOL, podEp('prod', 'side', '198.18.0.20'), 'TCP', 9100),
    expected: false,
  },
  {
    name: 'endPort is an inclusive range',
    why: 'semantics.md §1.2 / §2.3: port+endPort is an inclusive range',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ ports: [{ port: 8000, endPort: 8080 }] }] })),
    c: conn(TOOL, WEB, 'TCP', 8080),
    expected: true,
  },
  {
    name: "ingress from the pod's own node is allowed under deny-all",
    why: "semantics.md §2.5 / §4 row 8: ingress whose source is the pod's own node is allowed",
    objects: base(np('prod', 'p', { podSelector: webOnly })),
    c: conn(ipEp('198.19.0.1'), WEB, 'TCP', 8080),
    expected: true,
  },
  {
    name: 'ingress from another node is not always allowed',
    why: "semantics.md §2.5: only the pod's own node (web runs on n1; 198.19.0.2 is n2)",
    objects: base(np('prod', 'p', { podSelector: webOnly })),
    c: conn(ipEp('198.19.0.2'), WEB, 'TCP', 8080),
    expected: false,
  },
  {
    name: 'a pod can always reach itself',
    why: 'semantics.md §2.5 / §4 row 13; kubernetes.io: "a pod cannot block access to itself"',
    objects: base(np('prod', 'p', { podSelector: webOnly, policyTypes: ['Ingress', 'Egress'] })),
    c: conn(WEB, WEB, 'TCP', 8080),
    expected: true,
  },
  {
    name: 'traffic of a hostNetwork pod on the same node is node-local traffic',
    why: "semantics.md §2.1 + §2.5: a hostNetwork pod's traffic is node traffic; api runs on n2 = 198.19.0.2",
    objects: base(np('prod', 'p', { podSelector: { matchLabels: { app: 'api' } }, ingress: [] })),
    c: conn(ipEp('198.19.0.2'), API, 'TCP', 9090),
    expected: true,
  },
  {
    name: 'a hostNetwork pod is not a selector peer',
    why: 'semantics.md §2.1 / §4 row 9: hostNetwork pods excluded, their traffic can only match an ipBlock',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ from: [{ podSelector: {} }] }] })),
    c: conn(ipEp('198.19.0.2'), WEB, 'TCP', 8080),
    expected: false,
  },
  {
    name: 'the namespace name label is added by the API server',
    why: 'semantics.md §1.1: kubernetes.io/metadata.name is set on every namespace',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev' } } }] }] })),
    c: conn(TOOL, WEB, 'TCP', 8080),
    expected: true,
  },
  {
    name: 'a policy without metadata.namespace applies to namespace default',
    why: 'semantics.md §1.1: metadata.namespace omitted → default',
    objects: base(np(undefined, 'p', { podSelector: {} })),
    c: conn(TOOL, DFLT, 'TCP', 80),
    expected: false,
  },
  {
    name: 'metadata.namespace: "" is the default namespace too',
    why: 'semantics.md §1.1: namespace omitted → default (the API treats an empty namespace as unset)',
    objects: base(np('', 'p', { podSelector: {} })),
    c: conn(TOOL, DFLT, 'TCP', 80),
    expected: false,
  },
  {
    name: 'NotIn matches pods that lack the key',
    why: 'semantics.md §2.2: NotIn and DoesNotExist match pods that lack the key',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['backend'] }] } }] }] })),
    c: conn(DFLT, WEB, 'TCP', 8080),
    expected: true,
  },
  {
    name: 'ipBlock matches pod IPs (default profile)',
    why: 'semantics.md §3 row 1: upstream e2e and kube-network-policies match ipBlocks by IP',
    objects: base(np('prod', 'p', { podSelector: webOnly, ingress: [{ from: [{ ipBlock: { cidr: '198.18.1.0/24' } }] }] })),
    c: conn(TOOL, WEB, 'TCP', 8080),
    expected: true,
  },
  {
    name: 'kind: List is read item by item',
    why: 'v1 List is a plain container; its items are the objects (kubectl get -o yaml)',
    objects: [{ apiVersion: 'v1', kind: 'List', items: base(np('prod', 'p', { podSelector: webOnly })) }],
    c: conn(TOOL, WEB, 'TCP', 8080),
    expected: false,
  },
  {
    name: 'egress from an egress-isolated pod to its own node is not exempt',
    why: 'semantics.md §2.5 only exempts ingress whose source is the local node; egress to it needs a rule',
    objects: base(np('prod', 'p', { podSelector: webOnly, policyTypes: ['Egress'] })),
    c: conn(WEB, ipEp('198.19.0.1'), 'TCP', 10250),
    expected: false,
  },
  {
    name: 'an ipBlock matches node addresses (default profile)',
    why: 'semantics.md §3 row 2 / §4 row 3: ipBlock matches by IP; a node address is not a pod, so only an ipBlock can match it',
    objects: base(np('prod', 'p', { podSelector: webOnly, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.19.0.0/24' } }] }] })),
    c: conn(WEB, ipEp('198.19.0.2'), 'TCP', 10250),
    expected: true,
  },
];

describe('hand-written cases (expected verdict from semantics.md / upstream docs)', () => {
  for (const h of hand) {
    it(`oracle: ${h.name}`, () => expect(buildOracle(h.objects).allowed(h.c), h.why).toBe(h.expected));
    it(`reference: ${h.name}`, () => expect(reference(h.objects as Manifest[], h.c), h.why).toBe(h.expected));
  }
});

// ---------------------------------------------------------------------------------------------
// The one reading the oracle first disagreed on: semantics.md §2.1 lists "scheduled" among the
// conditions of an actionable pod. A pod only gets an IP from the CNI on its node, after
// scheduling, so netpolc takes an IP as proof of it (README, Input), and a pod with an IP that a
// hand-written inventory gives no nodeName takes part. The oracle now follows that reading.

describe('a pod with an IP and no spec.nodeName', () => {
  const cluster = (policy: Obj): Obj[] => [
    nodeM('n1', ['198.19.0.1']),
    ns('default'),
    podM('web', { labels: { app: 'web' }, ips: ['198.18.0.11'], node: 'n1' }),
    podM('p0', { ips: ['198.18.0.10'] }),
    policy,
  ];
  it('is a subject: a default deny isolates it', () => {
    const objects = cluster(np(undefined, 'np-0', { policyTypes: ['Ingress', 'Egress'] }));
    const c = conn(ipEp('198.18.0.10'), ipEp('203.0.113.5'), 'TCP', 53);
    expect([buildOracle(objects).allowed(c), reference(objects as Manifest[], c)]).toEqual([false, false]);
  });
  it('is a selector peer: podSelector {} admits it', () => {
    const objects = cluster(np(undefined, 'np-0', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }] }] }));
    const c = conn(ipEp('198.18.0.10'), podEp('default', 'web', '198.18.0.11'), 'TCP', 80);
    expect([buildOracle(objects).allowed(c), reference(objects as Manifest[], c)]).toEqual([true, true]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property 1: the project's own generators.

const scenario = clusterArb().chain((cluster) =>
  fc.record({ cluster: fc.constant(cluster), policies: policiesArb(), connections: fc.array(connectionArb(cluster), { minLength: 1, maxLength: 8 }) }),
);

it('reference evaluator and independent oracle agree on generated clusters (clusterArb/policiesArb/connectionArb)', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, policies, connections }) => {
      const objects: Manifest[] = [...cluster.manifests, ...policies];
      const program = loadValid(objects).program;
      const oracle = buildOracle(objects);
      for (const c of connections) {
        const v = evaluate(program, c);
        if ('error' in v) expect.fail(`evaluator error on a valid connection ${JSON.stringify(c)}: ${JSON.stringify(v.error)}`);
        expect(oracle.allowed(withAddresses(c)), JSON.stringify(c)).toBe(v.allowed);
      }
    }),
    params,
  );
});
