// Scenarios of the upstream Kubernetes NetworkPolicy e2e suite (test/e2e/network/netpol,
// KEP-1611): 3 namespaces x 3 pods, ports 80/81 on TCP/UDP/SCTP. Each expectation is written by
// hand from the upstream test's own `reachability.Expect*` calls and checked against both the
// reference evaluator and the resolved layer.
import { expect, it } from 'vitest';
import { networkPolicy, upstreamModel, type Manifest } from '../src/testing/index.js';
import { all, check, type Port } from './support/reachability.js';

const tcp80: Port = ['TCP', 80];
const tcp81: Port = ['TCP', 81];
const udp80: Port = ['UDP', 80];
const udp81: Port = ['UDP', 81];
const sctp80: Port = ['SCTP', 80];
const everyPort: readonly Port[] = [tcp80, tcp81, udp80, udp81, sctp80];
const sel = (labels: Record<string, string>) => ({ matchLabels: labels });

it("supports a 'default-deny-ingress' policy", () => {
  const np = networkPolicy('x', 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
  check([...upstreamModel(), np], everyPort, () => all(true).expect({}, { ns: 'x' }, false).allowLoopback());
});

it("supports a 'default-deny-all' policy", () => {
  const np = networkPolicy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  check([...upstreamModel(), np], everyPort, () => all(true).expect({}, { ns: 'x' }, false).expect({ ns: 'x' }, {}, false).allowLoopback());
});

it('allows traffic from pods within the server namespace based on PodSelector', () => {
  const np = networkPolicy('x', 'x-a-from-b', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }] });
  check([...upstreamModel(), np], everyPort, () => all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ ns: 'x', pod: 'b' }, { ns: 'x', pod: 'a' }, true).allowLoopback());
});

it('allows ingress traffic from pods in all namespaces (namespaceSelector: {})', () => {
  const np = networkPolicy('x', 'all-ns', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: {} }] }] });
  check([...upstreamModel(), np], everyPort, () => all(true));
});

it('allows traffic only from a different namespace, based on NamespaceSelector', () => {
  const np = networkPolicy('x', 'from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }] }] });
  check([...upstreamModel(), np], everyPort, () => all(true).expect({}, { ns: 'x' }, false).expect({ ns: 'y' }, { ns: 'x' }, true).allowLoopback());
});

it('enforces PodSelector with MatchExpressions', () => {
  const np = networkPolicy('x', 'expr', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }] });
  check([...upstreamModel(), np], [tcp80], () => all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ ns: 'x', pod: 'b' }, { ns: 'x', pod: 'a' }, true).allowLoopback());
});

it('enforces NamespaceSelector with MatchExpressions', () => {
  const np = networkPolicy('x', 'ns-expr', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['y'] }] } }] }] });
  check([...upstreamModel(), np], [tcp80], () => all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ ns: 'y' }, { ns: 'x', pod: 'a' }, true).allowLoopback());
});

it('enforces PodSelector OR NamespaceSelector (two peers are ORed)', () => {
  const np = networkPolicy('x', 'or', {
    podSelector: sel({ pod: 'a' }),
    ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] } }, { podSelector: sel({ pod: 'b' }) }] }],
  });
  check([...upstreamModel(), np], [tcp80], () =>
    all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ ns: 'y' }, { ns: 'x', pod: 'a' }, true).expect({ ns: 'z' }, { ns: 'x', pod: 'a' }, true).expect({ ns: 'x', pod: 'b' }, { ns: 'x', pod: 'a' }, true).allowLoopback(),
  );
});

it('enforces PodSelector AND NamespaceSelector (one peer: both must match)', () => {
  const np = networkPolicy('x', 'and', {
    podSelector: sel({ pod: 'a' }),
    ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] }, podSelector: sel({ pod: 'b' }) }] }],
  });
  check([...upstreamModel(), np], [tcp80], () =>
    all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ ns: 'y', pod: 'b' }, { ns: 'x', pod: 'a' }, true).expect({ ns: 'z', pod: 'b' }, { ns: 'x', pod: 'a' }, true).allowLoopback(),
  );
});

it('enforces multiple PodSelectors and NamespaceSelectors', () => {
  const np = networkPolicy('x', 'multi', {
    podSelector: {},
    ingress: [
      {
        from: [
          {
            namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] },
            podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
          },
        ],
      },
    ],
  });
  check([...upstreamModel(), np], [tcp80], () => {
    const r = all(true).expect({}, { ns: 'x' }, false);
    for (const ns of ['y', 'z']) for (const p of ['b', 'c']) r.expect({ ns, pod: p }, { ns: 'x' }, true);
    return r.allowLoopback();
  });
});

it('enforces policy based on Ports', () => {
  const np = networkPolicy('x', 'port-81', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 81, protocol: 'TCP' }] }] });
  check([...upstreamModel(), np], [tcp80, tcp81, udp81], ([proto, port]) => {
    const r = all(true).expect({}, { ns: 'x', pod: 'a' }, false);
    if (proto === 'TCP' && port === 81) r.expect({ ns: 'y' }, { ns: 'x', pod: 'a' }, true);
    return r.allowLoopback();
  });
});

it('enforces multiple, stacked policies with overlapping podSelectors (union)', () => {
  const p81 = networkPolicy('x', 'port-81', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 81 }] }] });
  const p80 = networkPolicy('x', 'port-80', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 80 }] }] });
  check([...upstreamModel(), p81, p80], [tcp80, tcp81], () => all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ ns: 'y' }, { ns: 'x', pod: 'a' }, true).allowLoopback());
});

it('supports an allow-all policy (ingress: [{}])', () => {
  const np = networkPolicy('x', 'allow-all', { podSelector: {}, ingress: [{}] });
  check([...upstreamModel(), np], everyPort, () => all(true));
});

it('allows ingress access on one named port', () => {
  const np = networkPolicy('x', 'named', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] });
  check([...upstreamModel(), np], [tcp80, tcp81, udp81], ([proto, port]) => (proto === 'TCP' && port === 81 ? all(true) : all(true).expect({}, { ns: 'x' }, false).allowLoopback()));
});

it('allows ingress access from a namespace on one named port', () => {
  const np = networkPolicy('x', 'named-ns', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] }] });
  check([...upstreamModel(), np], [tcp80, tcp81], ([, port]) => {
    const r = all(true).expect({}, { ns: 'x' }, false);
    if (port === 80) r.expect({ ns: 'y' }, { ns: 'x' }, true);
    return r.allowLoopback();
  });
});

it('allows egress access on one named port (resolved on the destination pods)', () => {
  const np = networkPolicy('x', 'egress-named', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] });
  check([...upstreamModel(), np], [tcp80, tcp81], ([, port]) => (port === 80 ? all(true) : all(true).expect({ ns: 'x', pod: 'a' }, {}, false).allowLoopback()));
});

it('denies ingress from pods in other namespaces (podSelector: {} peer is namespace-scoped)', () => {
  const np = networkPolicy('x', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
  check([...upstreamModel(), np], [tcp80], () => all(true).expect({}, { ns: 'x' }, false).expect({ ns: 'x' }, { ns: 'x' }, true));
});

it('denies egress from all pods in a namespace', () => {
  const np = networkPolicy('x', 'deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
  check([...upstreamModel(), np], everyPort, () => all(true).expect({ ns: 'x' }, {}, false).allowLoopback());
});

it('denies egress on the client side even if the server explicitly allows it', () => {
  const client = networkPolicy('x', 'client', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: sel({ ns: 'y' }), podSelector: sel({ pod: 'a' }) }] }] });
  const server = networkPolicy('y', 'server', { podSelector: sel({ pod: 'b' }), ingress: [{}] });
  check([...upstreamModel(), client, server], [tcp80], () => all(true).expect({ ns: 'x', pod: 'a' }, {}, false).expect({ ns: 'x', pod: 'a' }, { ns: 'y', pod: 'a' }, true).allowLoopback());
});

it('works with Ingress and Egress specified together', () => {
  const np = networkPolicy('x', 'both', {
    podSelector: sel({ pod: 'a' }),
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }] }],
    egress: [{ to: [{ podSelector: sel({ pod: 'b' }) }] }],
  });
  check([...upstreamModel(), np], [tcp80], () =>
    all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ ns: 'x', pod: 'a' }, {}, false).expect({ ns: 'x', pod: 'b' }, { ns: 'x', pod: 'a' }, true).expect({ ns: 'x', pod: 'a' }, { ns: 'x', pod: 'b' }, true).allowLoopback(),
  );
});

it('allows any port of one protocol when the port entry has only a protocol', () => {
  const np = networkPolicy('x', 'any-tcp', { podSelector: sel({ pod: 'a' }), ingress: [{ ports: [{ protocol: 'TCP' }] }] });
  check([...upstreamModel(), np], [tcp80, tcp81, udp80, sctp80], ([proto]) => (proto === 'TCP' ? all(true) : all(true).expect({}, { ns: 'x', pod: 'a' }, false).allowLoopback()));
});

it('lets an allow-all ingress policy take precedence over a narrower one', () => {
  const narrow = networkPolicy('x', 'narrow', { podSelector: {}, ingress: [{ from: [{ podSelector: sel({ pod: 'b' }) }], ports: [{ port: 80 }] }] });
  const wide = networkPolicy('x', 'allow-all', { podSelector: {}, ingress: [{}] });
  check([...upstreamModel(), narrow, wide], [tcp80, tcp81], () => all(true));
});

it('lets an allow-all egress policy take precedence over a narrower one', () => {
  const narrow = networkPolicy('x', 'narrow', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] });
  const wide = networkPolicy('x', 'allow-all', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{}] });
  check([...upstreamModel(), narrow, wide], [tcp80, tcp81], () => all(true));
});

it('allows egress access to a server in a CIDR block', () => {
  const np = networkPolicy('x', 'cidr', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.1.11/32' } }] }] });
  check([...upstreamModel(), np], [tcp80], () => all(true).expect({ ns: 'x', pod: 'a' }, {}, false).expect({ ns: 'x', pod: 'a' }, { ns: 'y', pod: 'b' }, true).allowLoopback());
});

it('enforces the except clause for egress to a CIDR block', () => {
  const np = networkPolicy('x', 'cidr-except', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.1.11/32'] } }] }] });
  check([...upstreamModel(), np], [tcp80], () => all(true).expect({ ns: 'x', pod: 'a' }, { ns: 'y', pod: 'b' }, false));
});

it('allows an IP in one ipBlock except list when another policy allows it (except is not a deny)', () => {
  const a = networkPolicy('x', 'cidr-except', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.1.11/32'] } }] }] });
  const b = networkPolicy('x', 'cidr-exact', { podSelector: sel({ pod: 'a' }), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.18.1.11/32' } }] }] });
  check([...upstreamModel(), a, b], [tcp80], () => all(true));
});

it("does not treat 'protocol: SCTP' as TCP", () => {
  const np = networkPolicy('x', 'sctp', { podSelector: sel({ pod: 'a' }), ingress: [{ ports: [{ protocol: 'SCTP', port: 80 }] }] });
  check([...upstreamModel(), np], [tcp80, sctp80], ([proto]) => (proto === 'SCTP' ? all(true) : all(true).expect({}, { ns: 'x', pod: 'a' }, false).allowLoopback()));
});

it('does not allow TCP when a policy specifies only UDP', () => {
  const np = networkPolicy('x', 'udp', { podSelector: sel({ pod: 'a' }), ingress: [{ ports: [{ protocol: 'UDP', port: 81 }] }] });
  check([...upstreamModel(), np], [tcp81, udp81, udp80], ([proto, port]) => (proto === 'UDP' && port === 81 ? all(true) : all(true).expect({}, { ns: 'x', pod: 'a' }, false).allowLoopback()));
});

it('matches namespaces by the default kubernetes.io/metadata.name label', () => {
  const np = networkPolicy('x', 'default-label', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ 'kubernetes.io/metadata.name': 'y' }) }] }] });
  check([...upstreamModel(), np], [tcp80], () => all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ ns: 'y' }, { ns: 'x', pod: 'a' }, true).allowLoopback());
});

it('allows a port range with endPort (inclusive)', () => {
  const np = networkPolicy('x', 'range', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns: 'y' }) }], ports: [{ protocol: 'TCP', port: 80, endPort: 81 }] }] });
  check([...upstreamModel(), np], [tcp80, tcp81, ['TCP', 82], udp80], ([proto, port]) => {
    const r = all(true).expect({}, { ns: 'x', pod: 'a' }, false);
    if (proto === 'TCP' && port <= 81) r.expect({ ns: 'y' }, { ns: 'x', pod: 'a' }, true);
    return r.allowLoopback();
  });
});

it('follows a pod label change (allow ingress from an updated pod)', () => {
  const np = networkPolicy('x', 'from-b', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: {}, podSelector: sel({ pod: 'b' }) }] }] });
  const before = () => all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ pod: 'b' }, { ns: 'x', pod: 'a' }, true).allowLoopback();
  check([...upstreamModel(), np], [tcp80], before);
  check([...upstreamModel({ 'z/c': { pod: 'b' } }), np], [tcp80], () => before().expect({ ns: 'z', pod: 'c' }, { ns: 'x', pod: 'a' }, true));
});

it('follows a namespace label change (allow ingress from an updated namespace)', () => {
  const np = networkPolicy('x', 'from-updated', { podSelector: sel({ pod: 'a' }), ingress: [{ from: [{ namespaceSelector: sel({ ns2: 'updated' }) }] }] });
  check([...upstreamModel(), np], [tcp80], () => all(true).expect({}, { ns: 'x', pod: 'a' }, false).allowLoopback());
  check([...upstreamModel({ y: { ns: 'y', ns2: 'updated' } }), np], [tcp80], () => all(true).expect({}, { ns: 'x', pod: 'a' }, false).expect({ ns: 'y' }, { ns: 'x', pod: 'a' }, true).allowLoopback());
});

it('isolates a pod once it gains the selected label (deny ingress to an updated pod)', () => {
  const np = networkPolicy('x', 'isolate', { podSelector: sel({ target: 'isolated' }), policyTypes: ['Ingress'] });
  check([...upstreamModel(), np], [tcp80], () => all(true));
  check([...upstreamModel({ 'x/a': { pod: 'a', target: 'isolated' } }), np], [tcp80], () => all(true).expect({}, { ns: 'x', pod: 'a' }, false).allowLoopback());
});

it('leaves other namespaces alone: a policy selects pods of its own namespace only', () => {
  const np = networkPolicy('y', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
  check([...upstreamModel(), np], [tcp80], () => all(true).expect({}, { ns: 'y' }, false).allowLoopback());
});
