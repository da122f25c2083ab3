// Scenarios of the upstream Kubernetes NetworkPolicy e2e suite (test/e2e/network/netpol,
// KEP-1611): 3 namespaces x 3 pods, ports 80/81 on TCP/UDP/SCTP. The policy states are the shared
// table upstreamScenarios (@netpolc/ir/testing, src/testing/upstream-cases.ts), which the Calico and
// Cilium upstream tests and the iptables and nftables kernel tests also run; the expectations stay
// here, one per state, written by hand from the upstream test's own `reachability.Expect*` calls
// (or, for the states upstream lacks, in their style) and checked against both the reference
// evaluator and the resolved layer.
import { expect, it } from 'vitest';
import { upstreamModel, upstreamScenarios, type Manifest, type UpstreamCaseName } from '../src/testing/index.js';
import { all, check, type Port, type Reachability } from './support/reachability.js';

const tcp80: Port = ['TCP', 80];
const tcp81: Port = ['TCP', 81];
const udp80: Port = ['UDP', 80];
const udp81: Port = ['UDP', 81];
const sctp80: Port = ['SCTP', 80];
const everyPort: readonly Port[] = [tcp80, tcp81, udp80, udp81, sctp80];
const xa = { ns: 'x', pod: 'a' };

/** The expectation pinned for one state: what it is named here, the ports probed, the table of each. */
interface Pin {
  readonly title: string;
  readonly ports: readonly Port[];
  readonly table: (port: Port) => Reachability;
}

/** The model (relabelled as the state says) and the state's policies. */
function objects(name: UpstreamCaseName): Manifest[] {
  const s = upstreamScenarios[name];
  return [...upstreamModel(s.labels ?? {}), ...s.policies];
}

// Every state of the table, by name (the type makes a state without a pin a compile error).
const pins: Record<UpstreamCaseName, Pin> = {
  'default-deny-ingress': { title: "supports a 'default-deny-ingress' policy", ports: everyPort, table: () => all(true).expect({}, { ns: 'x' }, false).allowLoopback() },
  'default-deny-all': { title: "supports a 'default-deny-all' policy", ports: everyPort, table: () => all(true).expect({}, { ns: 'x' }, false).expect({ ns: 'x' }, {}, false).allowLoopback() },
  'pod selector': {
    title: 'allows traffic from pods within the server namespace based on PodSelector',
    ports: everyPort,
    table: () => all(true).expect({}, xa, false).expect({ ns: 'x', pod: 'b' }, xa, true).allowLoopback(),
  },
  'namespaceSelector {}': { title: 'allows ingress traffic from pods in all namespaces (namespaceSelector: {})', ports: everyPort, table: () => all(true) },
  'namespace selector': {
    title: 'allows traffic only from a different namespace, based on NamespaceSelector',
    ports: everyPort,
    table: () => all(true).expect({}, { ns: 'x' }, false).expect({ ns: 'y' }, { ns: 'x' }, true).allowLoopback(),
  },
  'PodSelector MatchExpressions': { title: 'enforces PodSelector with MatchExpressions', ports: [tcp80], table: () => all(true).expect({}, xa, false).expect({ ns: 'x', pod: 'b' }, xa, true).allowLoopback() },
  'NamespaceSelector MatchExpressions': { title: 'enforces NamespaceSelector with MatchExpressions', ports: [tcp80], table: () => all(true).expect({}, xa, false).expect({ ns: 'y' }, xa, true).allowLoopback() },
  'OR of peers': {
    title: 'enforces PodSelector OR NamespaceSelector (two peers are ORed)',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect({ ns: 'y' }, xa, true).expect({ ns: 'z' }, xa, true).expect({ ns: 'x', pod: 'b' }, xa, true).allowLoopback(),
  },
  'AND in one peer': {
    title: 'enforces PodSelector AND NamespaceSelector (one peer: both must match)',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect({ ns: 'y', pod: 'b' }, xa, true).expect({ ns: 'z', pod: 'b' }, xa, true).allowLoopback(),
  },
  'multiple PodSelectors and NamespaceSelectors': {
    title: 'enforces multiple PodSelectors and NamespaceSelectors',
    ports: [tcp80],
    table: () => {
      const r = all(true).expect({}, { ns: 'x' }, false);
      for (const ns of ['y', 'z']) for (const p of ['b', 'c']) r.expect({ ns, pod: p }, { ns: 'x' }, true);
      return r.allowLoopback();
    },
  },
  ports: {
    title: 'enforces policy based on Ports',
    ports: [tcp80, tcp81, udp81],
    table: ([proto, port]) => {
      const r = all(true).expect({}, xa, false);
      if (proto === 'TCP' && port === 81) r.expect({ ns: 'y' }, xa, true);
      return r.allowLoopback();
    },
  },
  'stacked policies': {
    title: 'enforces multiple, stacked policies with overlapping podSelectors (union)',
    ports: [tcp80, tcp81],
    table: () => all(true).expect({}, xa, false).expect({ ns: 'y' }, xa, true).allowLoopback(),
  },
  'allow all ingress': { title: 'supports an allow-all policy (ingress: [{}])', ports: everyPort, table: () => all(true) },
  'named port ingress': {
    title: 'allows ingress access on one named port',
    ports: [tcp80, tcp81, udp81],
    table: ([proto, port]) => (proto === 'TCP' && port === 81 ? all(true) : all(true).expect({}, { ns: 'x' }, false).allowLoopback()),
  },
  'named port from a namespace': {
    title: 'allows ingress access from a namespace on one named port',
    ports: [tcp80, tcp81],
    table: ([, port]) => {
      const r = all(true).expect({}, { ns: 'x' }, false);
      if (port === 80) r.expect({ ns: 'y' }, { ns: 'x' }, true);
      return r.allowLoopback();
    },
  },
  'named port egress': {
    title: 'allows egress access on one named port (resolved on the destination pods)',
    ports: [tcp80, tcp81],
    table: ([, port]) => (port === 80 ? all(true) : all(true).expect(xa, {}, false).allowLoopback()),
  },
  'same namespace only': {
    title: 'denies ingress from pods in other namespaces (podSelector: {} peer is namespace-scoped)',
    ports: [tcp80],
    table: () => all(true).expect({}, { ns: 'x' }, false).expect({ ns: 'x' }, { ns: 'x' }, true),
  },
  'deny egress': { title: 'denies egress from all pods in a namespace', ports: everyPort, table: () => all(true).expect({ ns: 'x' }, {}, false).allowLoopback() },
  'client egress vs server ingress': {
    title: 'denies egress on the client side even if the server explicitly allows it',
    ports: [tcp80],
    table: () => all(true).expect(xa, {}, false).expect(xa, { ns: 'y', pod: 'a' }, true).allowLoopback(),
  },
  'ingress and egress': {
    title: 'works with Ingress and Egress specified together',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect(xa, {}, false).expect({ ns: 'x', pod: 'b' }, xa, true).expect(xa, { ns: 'x', pod: 'b' }, true).allowLoopback(),
  },
  'protocol only': {
    title: 'allows any port of one protocol when the port entry has only a protocol',
    ports: [tcp80, tcp81, udp80, sctp80],
    table: ([proto]) => (proto === 'TCP' ? all(true) : all(true).expect({}, xa, false).allowLoopback()),
  },
  'allow-all ingress beats narrow': { title: 'lets an allow-all ingress policy take precedence over a narrower one', ports: [tcp80, tcp81], table: () => all(true) },
  'allow-all egress beats narrow': { title: 'lets an allow-all egress policy take precedence over a narrower one', ports: [tcp80, tcp81], table: () => all(true) },
  'egress to a CIDR': {
    title: 'allows egress access to a server in a CIDR block',
    ports: [tcp80],
    table: () => all(true).expect(xa, {}, false).expect(xa, { ns: 'y', pod: 'b' }, true).allowLoopback(),
  },
  'CIDR except': { title: 'enforces the except clause for egress to a CIDR block', ports: [tcp80], table: () => all(true).expect(xa, { ns: 'y', pod: 'b' }, false) },
  'except is not a deny': { title: 'allows an IP in one ipBlock except list when another policy allows it (except is not a deny)', ports: [tcp80], table: () => all(true) },
  SCTP: {
    title: "does not treat 'protocol: SCTP' as TCP",
    ports: [tcp80, sctp80],
    table: ([proto]) => (proto === 'SCTP' ? all(true) : all(true).expect({}, xa, false).allowLoopback()),
  },
  'UDP only': {
    title: 'does not allow TCP when a policy specifies only UDP',
    ports: [tcp81, udp81, udp80],
    table: ([proto, port]) => (proto === 'UDP' && port === 81 ? all(true) : all(true).expect({}, xa, false).allowLoopback()),
  },
  'namespace name label': { title: 'matches namespaces by the default kubernetes.io/metadata.name label', ports: [tcp80], table: () => all(true).expect({}, xa, false).expect({ ns: 'y' }, xa, true).allowLoopback() },
  endPort: {
    title: 'allows a port range with endPort (inclusive)',
    ports: [tcp80, tcp81, ['TCP', 82], udp80],
    table: ([proto, port]) => {
      const r = all(true).expect({}, xa, false);
      if (proto === 'TCP' && port <= 81) r.expect({ ns: 'y' }, xa, true);
      return r.allowLoopback();
    },
  },
  'updated pod label (before)': {
    title: 'follows a pod label change (allow ingress from an updated pod): before',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect({ pod: 'b' }, xa, true).allowLoopback(),
  },
  'updated pod label (after)': {
    title: 'follows a pod label change (allow ingress from an updated pod): after z/c gains pod=b',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect({ pod: 'b' }, xa, true).allowLoopback().expect({ ns: 'z', pod: 'c' }, xa, true),
  },
  'updated namespace label (before)': {
    title: 'follows a namespace label change (allow ingress from an updated namespace): before',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).allowLoopback(),
  },
  'updated namespace label (after)': {
    title: 'follows a namespace label change (allow ingress from an updated namespace): after y gains ns2=updated',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect({ ns: 'y' }, xa, true).allowLoopback(),
  },
  'isolated after a label change (before)': { title: 'isolates a pod once it gains the selected label (deny ingress to an updated pod): before', ports: [tcp80], table: () => all(true) },
  'isolated after a label change (after)': {
    title: 'isolates a pod once it gains the selected label (deny ingress to an updated pod): after x/a gains target=isolated',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).allowLoopback(),
  },
  'own namespace only': { title: 'leaves other namespaces alone: a policy selects pods of its own namespace only', ports: [tcp80], table: () => all(true).expect({}, { ns: 'y' }, false).allowLoopback() },

  // The states first written for Calico only.
  'named port egress, TCP and UDP': {
    title: 'allows egress on two named ports of two protocols',
    ports: [tcp80, tcp81, udp80, udp81],
    table: ([proto, port]) => ((proto === 'TCP' && port === 80) || (proto === 'UDP' && port === 81) ? all(true) : all(true).expect(xa, {}, false).allowLoopback()),
  },
  'allow-all beats narrow, ingress and egress': { title: 'lets allow-all ingress and egress policies take precedence over narrower ones together', ports: [tcp80, tcp81], table: () => all(true) },
  'ingress ipBlock around pods': {
    title: 'admits pods by ipBlock with except on a UDP port range',
    ports: [tcp80, udp80, udp81, sctp80],
    table: ([proto]) => {
      // 198.18.0.0/24 holds x's pods; the except takes x/b (198.18.0.11) out.
      const r = all(true).expect({}, { ns: 'y' }, false);
      if (proto === 'UDP') r.expect({ ns: 'x', pod: 'a' }, { ns: 'y' }, true).expect({ ns: 'x', pod: 'c' }, { ns: 'y' }, true);
      return r.allowLoopback();
    },
  },

  // The states first written for Cilium only.
  'allow all ingress over deny all': { title: 'lets an allow-all ingress policy open a default-deny-ingress one', ports: everyPort, table: () => all(true) },
  'pod a from its own namespace': { title: 'admits a pod from its own namespace (podSelector: {} peer)', ports: [tcp80, udp81], table: () => all(true).expect({}, xa, false).expect({ ns: 'x' }, xa, true) },
  'pod a from namespace y': { title: 'admits a pod from one namespace', ports: [tcp80, udp81], table: () => all(true).expect({}, xa, false).expect({ ns: 'y' }, xa, true).allowLoopback() },
  'namespaceSelector NotIn': {
    title: 'enforces a namespaceSelector NotIn',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect({ ns: 'y' }, xa, true).expect({ ns: 'z' }, xa, true).allowLoopback(),
  },
  'podSelector In b, c': {
    title: 'enforces a podSelector In of two values (own namespace)',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect({ ns: 'x', pod: 'b' }, xa, true).expect({ ns: 'x', pod: 'c' }, xa, true).allowLoopback(),
  },
  'namespace y AND pod b': { title: 'ANDs namespaceSelector and podSelector in one peer (matchLabels)', ports: [tcp80], table: () => all(true).expect({}, xa, false).expect({ ns: 'y', pod: 'b' }, xa, true).allowLoopback() },
  'namespace y OR pod b': {
    title: 'ORs namespaceSelector and podSelector peers (matchLabels)',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect({ ns: 'y' }, xa, true).expect({ ns: 'x', pod: 'b' }, xa, true).allowLoopback(),
  },
  'named port ingress from every namespace': {
    title: 'admits one named port from every namespace',
    ports: [tcp80, tcp81, udp81],
    table: ([proto, port]) => (proto === 'TCP' && port === 81 ? all(true) : all(true).expect({}, xa, false).allowLoopback()),
  },
  'port range, any protocol field': {
    title: 'admits a port range whose protocol defaults to TCP',
    ports: [tcp80, tcp81, ['TCP', 82], udp80],
    table: ([proto, port]) => (proto === 'TCP' && port <= 81 ? all(true) : all(true).expect({}, xa, false).allowLoopback()),
  },
  'egress to a CIDR except one pod': { title: 'allows egress to a CIDR holding every pod but one', ports: [tcp80], table: () => all(true).expect(xa, { ns: 'x', pod: 'b' }, false) },
  'IP in one CIDR and another except': {
    title: "allows an IP that one policy's except takes out and another policy's /32 allows",
    ports: [tcp80],
    table: () => all(true).expect(xa, {}, false).expect(xa, { ns: 'x' }, true),
  },
  'ingress from a CIDR except one pod': { title: 'admits ingress from a CIDR holding every pod but one', ports: [tcp80], table: () => all(true).expect({ ns: 'z', pod: 'a' }, xa, false) },
  'egress named port to namespace y': {
    title: 'allows egress to a namespace on one named port',
    ports: [tcp80, tcp81],
    table: ([, port]) => {
      const r = all(true).expect(xa, {}, false);
      if (port === 80) r.expect(xa, { ns: 'y' }, true);
      return r.allowLoopback();
    },
  },
  'egress to anywhere on port 80': {
    title: 'allows egress anywhere on one port (TCP by default)',
    ports: [tcp80, tcp81, udp80],
    table: ([proto, port]) => (proto === 'TCP' && port === 80 ? all(true) : all(true).expect(xa, {}, false).allowLoopback()),
  },
  'ingress from b, egress to c': {
    title: 'enforces ingress and egress rules naming different pods',
    ports: [tcp80],
    table: () => all(true).expect({}, xa, false).expect(xa, {}, false).expect({ ns: 'x', pod: 'b' }, xa, true).expect(xa, { ns: 'x', pod: 'c' }, true).allowLoopback(),
  },
};

for (const [name, pin] of Object.entries(pins) as [UpstreamCaseName, Pin][]) {
  it(`${pin.title} [${name}]`, () => check(objects(name), pin.ports, pin.table));
}

it('pins every state of the shared table, and nothing else', () => {
  expect(Object.keys(pins).sort()).toEqual(Object.keys(upstreamScenarios).sort());
});
