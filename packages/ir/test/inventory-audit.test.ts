// Audit of how the inventory is read (semantics.md §2.1), against what kubectl prints for clusters
// of Kubernetes 1.24-1.34 and how the enforcers treat it. Behaviour found correct; the defects
// found are in inventory-audit-defects.test.ts.
import { describe, expect, it } from 'vitest';
import {
  actionable,
  addressesOf,
  allowed,
  codes,
  denyAllIngress,
  ip,
  kubectlList,
  loadObjects,
  loadTexts,
  nodeObj,
  nsObj,
  podObj,
  podRef,
  policyObj,
  running,
} from './support/inventory-audit.js';

describe('pod lifecycle (semantics.md §2.1)', () => {
  // Calico: libcalico-go/lib/backend/k8s/conversion/conversion.go IsFinished treats only
  // Succeeded/Failed (or a terminating pod whose CNI annotation says the IP is gone) as finished;
  // workload_endpoint_default.go keeps the IPs of every other pod.
  const phases = ['Pending', 'Running', 'Unknown', 'Succeeded', 'Failed'] as const;
  const r = loadObjects([nsObj('prod'), ...phases.map((ph, i) => podObj(ph.toLowerCase(), { node: 'node1', status: { ...running(`10.0.0.${i + 1}`), phase: ph } }))]);

  it('a Pending or Unknown pod that has an IP takes part; Succeeded and Failed pods do not', () => {
    expect(phases.map((ph) => actionable(r, 'prod', ph.toLowerCase()))).toEqual([true, true, true, false, false]);
    expect(codes(r, 'error')).toEqual([]);
  });

  it('a finished pod is not an owner of its (reusable) IP: no duplicate-ip with the pod that now has it', () => {
    const reuse = loadObjects([
      nsObj('prod'),
      podObj('old', { node: 'node1', status: { ...running('10.0.0.7'), phase: 'Failed' } }),
      podObj('new', { node: 'node1', status: running('10.0.0.7') }),
    ]);
    expect(codes(reuse)).not.toContain('ir/duplicate-ip');
    expect(allowed(reuse.program, ip('10.9.9.9'), ip('10.0.0.7'), 80)).toBe(true);
  });

  it('a terminating pod (deletionTimestamp set, grace period running) still takes part with its IP', () => {
    const t = loadObjects([
      nsObj('prod'),
      denyAllIngress('prod'),
      podObj('web', { node: 'node1', meta: { deletionTimestamp: '2024-05-01T10:00:00Z', deletionGracePeriodSeconds: 30 }, status: running('10.0.0.5') }),
    ]);
    expect(actionable(t, 'prod', 'web')).toBe(true);
    expect(allowed(t.program, ip('10.9.9.9'), podRef('prod', 'web'), 80)).toBe(false);
  });

  it('a pod with no IP yet takes no part, and says why under --verbose', () => {
    const p = loadObjects([nsObj('prod'), podObj('new', { node: 'node1', status: { phase: 'Pending' } })]);
    expect(actionable(p, 'prod', 'new')).toBe(false);
    expect(p.diagnostics.find((d) => d.code === 'ir/ignored-pod')?.message).toContain('no IP');
  });
});

describe('pod addresses', () => {
  it('status.podIP alone (clients before dual-stack) and status.podIPs alone are both read', () => {
    const r = loadObjects([
      nsObj('prod'),
      podObj('only-ip', { node: 'n', status: { phase: 'Running', podIP: '10.0.0.1' } }),
      podObj('only-ips', { node: 'n', status: { phase: 'Running', podIPs: [{ ip: '10.0.0.2' }] } }),
      podObj('empty-list', { node: 'n', status: { phase: 'Running', podIP: '10.0.0.3', podIPs: [] } }),
    ]);
    expect(['only-ip', 'only-ips', 'empty-list'].map((n) => addressesOf(r, 'prod', n))).toEqual([['10.0.0.1'], ['10.0.0.2'], ['10.0.0.3']]);
  });

  it('dual-stack podIPs keep their order (primary first), IPv6-primary included', () => {
    const r = loadObjects([
      nsObj('prod'),
      podObj('v4first', { node: 'n', status: running('10.0.0.1', 'fd00::1') }),
      podObj('v6first', { node: 'n', status: running('fd00::2', '10.0.0.2') }),
      podObj('v6only', { node: 'n', status: running('fd00::3') }),
    ]);
    expect(addressesOf(r, 'prod', 'v4first')).toEqual(['10.0.0.1', 'fd00::1']);
    expect(addressesOf(r, 'prod', 'v6first')).toEqual(['fd00::2', '10.0.0.2']);
    expect(addressesOf(r, 'prod', 'v6only')).toEqual(['fd00::3']);
  });

  it('IPv6 text in any spelling is canonical, and an IPv4-mapped address is its IPv4 address (README, Go net.ParseIP)', () => {
    const r = loadObjects([nsObj('prod'), podObj('p', { node: 'n', status: { phase: 'Running', podIPs: [{ ip: '::ffff:10.0.0.9' }, { ip: 'FD00:0:0::0009' }] } })]);
    expect(addressesOf(r, 'prod', 'p')).toEqual(['10.0.0.9', 'fd00::9']);
  });

  it('legacy IPv4 text in status (leading zeros) is an error, not a silently different address', () => {
    const r = loadObjects([nsObj('prod'), podObj('p', { node: 'n', status: running('010.0.0.9') })]);
    expect(codes(r, 'error')).toContain('ir/invalid-ip');
  });
});

describe('hostNetwork and scheduling', () => {
  const r = loadObjects([
    nsObj('prod'),
    nodeObj('node1', [['InternalIP', '10.1.0.1']]),
    podObj('agent', { node: 'node1', spec: { hostNetwork: true }, status: running('10.1.0.1') }),
    podObj('web', { node: 'node1', status: running('10.0.0.5') }),
    podObj('elsewhere', { node: 'ghost', status: running('10.0.0.6') }),
    denyAllIngress('prod'),
  ]);

  it('a hostNetwork pod takes no part and does not collide with its node address', () => {
    expect(actionable(r, 'prod', 'agent')).toBe(false);
    expect(codes(r)).not.toContain('ir/duplicate-ip');
  });

  it("traffic from a hostNetwork pod is its node's traffic: node-local to pods of that node", () => {
    expect(allowed(r.program, ip('10.1.0.1'), podRef('prod', 'web'), 80)).toBe(true);
    expect(allowed(r.program, ip('10.1.0.1'), podRef('prod', 'elsewhere'), 80)).toBe(false);
  });

  it('a pod on a node the inventory lacks is reported once', () => {
    expect(r.diagnostics.filter((d) => d.code === 'ir/unknown-node').map((d) => d.message)).toEqual([expect.stringContaining('ghost')]);
  });
});

describe('node addresses (node-local ingress, semantics.md §2.5)', () => {
  // Cilium's operator copies only InternalIP and ExternalIP from Node.status.addresses
  // (convertToCiliumNode); Hostname / InternalDNS / ExternalDNS name the node, they are no addresses,
  // even when a kubelet with --hostname-override=<IP> writes an IP into Hostname.
  const r = loadObjects([
    nsObj('prod'),
    nodeObj('node1', [
      ['InternalIP', '10.1.0.1'],
      ['InternalIP', 'fd01::1'],
      ['ExternalIP', '203.0.113.1'],
      ['Hostname', '10.1.0.99'],
      ['InternalDNS', 'node1.internal'],
      ['ExternalDNS', 'node1.example.com'],
    ]),
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bare' }, status: {} },
    podObj('web', { node: 'node1', status: running('10.0.0.5', 'fd00::5') }),
    denyAllIngress('prod'),
  ]);

  it('InternalIP and ExternalIP of both families count; Hostname and DNS entries do not (and are no error)', () => {
    expect(r.program.inventory.nodes.find((n) => n.name === 'node1')?.addresses.map((a) => a.ip)).toEqual(['10.1.0.1', 'fd01::1', '203.0.113.1']);
    expect(codes(r, 'error')).toEqual([]);
    expect(allowed(r.program, ip('10.1.0.99'), podRef('prod', 'web'), 80)).toBe(false);
    expect(allowed(r.program, ip('fd01::1'), podRef('prod', 'web'), 80)).toBe(true);
  });

  it('a node without addresses is read (it just has none)', () => {
    expect(r.program.inventory.nodes.find((n) => n.name === 'bare')?.addresses).toEqual([]);
  });
});

describe('container ports (named-port resolution, semantics.md §2.3)', () => {
  const web = podObj('web', {
    node: 'n',
    status: running('10.0.0.5'),
    spec: {
      containers: [
        { name: 'a', image: 'i', ports: [{ containerPort: 8080, name: 'http' }, { containerPort: 53, name: 'dns', protocol: 'UDP' }, { containerPort: 9000, hostPort: 30900 }] },
        { name: 'b', image: 'i', ports: [{ containerPort: 8081, name: 'http', protocol: 'TCP' }] },
      ],
      initContainers: [
        { name: 'setup', image: 'i', ports: [{ containerPort: 7000, name: 'setup' }] },
        { name: 'proxy', image: 'i', restartPolicy: 'Always', ports: [{ containerPort: 15001, name: 'proxy' }] },
      ],
      ephemeralContainers: [{ name: 'debug', image: 'i', targetContainerName: 'a' }],
    },
  });
  const r = loadObjects([nsObj('prod'), web]);
  const ports = r.program.inventory.pods[0]!.ports;

  it('protocol defaults to TCP, hostPort is irrelevant, plain init containers are left out, sidecars count', () => {
    expect(ports).toEqual([
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: undefined, port: 9000, protocol: 'TCP' },
      { name: 'http', port: 8081, protocol: 'TCP' },
      { name: 'proxy', port: 15001, protocol: 'TCP' },
    ]);
    // Kept apart too, for the backends whose target resolves names differently (Calico reads
    // every init container, Cilium spec.containers only).
    expect(r.program.inventory.pods[0]!.initPorts).toEqual([{ name: 'setup', port: 7000, protocol: 'TCP' }]);
    expect(r.program.inventory.pods[0]!.sidecarPorts).toEqual([{ name: 'proxy', port: 15001, protocol: 'TCP', container: 'proxy' }]);
  });

  it('one name in two containers is allowed by the API (unique per container only) and resolves to both, with a warning', () => {
    expect(codes(r, 'error')).toEqual([]);
    expect(codes(r, 'warning')).toContain('ir/named-port-conflict');
    const p = loadObjects([nsObj('prod'), web, policyObj('prod', 'http', { podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })]).program;
    expect([8080, 8081, 15001].map((port) => allowed(p, ip('10.9.9.9'), podRef('prod', 'web'), port))).toEqual([true, true, false]);
  });

  it('a named port resolves under its own protocol only', () => {
    const p = loadObjects([nsObj('prod'), web, policyObj('prod', 'dns', { podSelector: {}, ingress: [{ ports: [{ port: 'dns' }] }] })]).program;
    // `port: dns` defaults to TCP; the pod's dns is UDP.
    expect(allowed(p, ip('10.9.9.9'), podRef('prod', 'web'), 53)).toBe(false);
  });
});

describe('namespaces', () => {
  it('kubernetes.io/metadata.name is set to the name, whatever an old dump or a hand edit says', () => {
    const r = loadObjects([nsObj('old'), nsObj('edited', { 'kubernetes.io/metadata.name': 'other', team: '' })]);
    expect(r.program.inventory.namespaces.map((n) => n.labels)).toEqual([
      { 'kubernetes.io/metadata.name': 'edited', team: '' },
      { 'kubernetes.io/metadata.name': 'old' },
    ]);
  });

  it('a namespace of a pod or policy missing from an inventory that has namespaces is implied, with a warning', () => {
    const r = loadObjects([nsObj('prod'), podObj('p', { ns: 'other', node: 'n', status: running('10.0.0.1') }), denyAllIngress('third')]);
    expect(r.diagnostics.filter((d) => d.code === 'ir/unknown-namespace').map((d) => d.message)).toEqual([expect.stringContaining('other'), expect.stringContaining('third')]);
    expect(r.program.inventory.namespaces.map((n) => [n.name, n.declared])).toEqual([['other', false], ['prod', true], ['third', false]]);
  });
});

describe('input shapes', () => {
  it('kubectl prints `items: []` (or null) for nothing found: a warning for that file, no error beside other inputs', () => {
    for (const items of [[], null]) {
      const r = loadTexts({ 'empty.yaml': `apiVersion: v1\nitems: ${items === null ? 'null' : '[]'}\nkind: List\nmetadata:\n  resourceVersion: ""\n`, 'ns.json': JSON.stringify(kubectlList([nsObj('prod')])) });
      expect(codes(r, 'error')).toEqual([]);
      expect(codes(r)).toContain('ir/empty-file');
      expect(r.program.inventory.namespaces.map((n) => n.name)).toEqual(['prod']);
    }
  });

  it('several Lists in one multi-document YAML file are all read', () => {
    const doc = (name: string): string => `apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: ${name}\nkind: List\nmetadata:\n  resourceVersion: ""\n`;
    const r = loadTexts({ 'two.yaml': `${doc('a')}---\n${doc('b')}` });
    expect(r.program.inventory.namespaces.map((n) => n.name)).toEqual(['a', 'b']);
  });

  it('other kinds (`kubectl get all`) are skipped with an info, not an error', () => {
    const r = loadObjects([
      nsObj('prod'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'prod' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'prod' } },
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e', namespace: 'prod' } },
    ]);
    // A Service is read (for lint warnings), but one without a spec is passed over alike.
    expect(r.diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ['info', 'ir/service-unread'],
      ['info', 'ir/skipped-kind'],
      ['info', 'ir/skipped-kind'],
    ]);
  });

  it('`kubectl get pod p -o json` (one object, no List) is read', () => {
    const r = loadTexts({ 'pod.json': JSON.stringify(podObj('p', { node: 'n', status: running('10.0.0.1') }), null, 4) });
    expect(addressesOf(r, 'prod', 'p')).toEqual(['10.0.0.1']);
  });

  it('an item without kind or apiVersion in a kind: List is an error (kubectl refuses it too)', () => {
    const r = loadObjects([{ metadata: { name: 'x' } }, { kind: 'Namespace', metadata: { name: 'y' } }]);
    expect(codes(r, 'error')).toEqual(['ir/missing-kind', 'ir/missing-kind']);
  });

  it('the same pod in two dump files is an error naming the first place', () => {
    const text = JSON.stringify(kubectlList([podObj('p', { node: 'n', status: running('10.0.0.1') })]));
    const r = loadTexts({ 'monday.json': text, 'tuesday.json': text });
    expect(r.diagnostics.filter((d) => d.code === 'ir/duplicate-object').map((d) => d.message)).toEqual([expect.stringContaining('monday.json')]);
  });

  it('a UTF-8 byte-order mark is skipped', () => {
    const bytes = new TextEncoder().encode('\uFEFF' + JSON.stringify(kubectlList([nsObj('prod')])));
    const r = loadTexts({ 'bom.json': bytes });
    expect(codes(r, 'error')).toEqual([]);
    expect(r.program.inventory.namespaces.map((n) => n.name)).toEqual(['prod']);
  });
});
