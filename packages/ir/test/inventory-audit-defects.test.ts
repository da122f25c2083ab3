// Defects found auditing how the inventory is read. Each test states the correct behaviour and is
// marked it.fails until netpolc is mended (mending one turns its test red: drop `.fails` then).
import { describe, expect, it } from 'vitest';
import { resolve } from '../src/index.js';
import {
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

describe('status.podIP and status.podIPs disagree (hand-written or edited inventory)', () => {
  // Fixed (ir/pod-ip-mismatch): netpolc took status.podIPs and ignored status.podIP whenever podIPs was not empty.
  // The API server decides the other way: when both are given and podIPs[0] differs, podIP is
  // authoritative and the stored podIPs become [podIP] ("Older field takes precedence for
  // compatibility with patch by older clients": kubernetes/kubernetes pkg/apis/core/v1/conversion.go
  // Convert_v1_PodStatus_To_core_PodStatus, case "mismatched podIP" of Test_v1_PodStatus_to_core_PodStatus
  // in conversion_test.go). Every enforcer then reads the pod's IPs from the stored object, so the
  // pod's address in the cluster is 10.0.0.9 alone. netpolc gives the pod 10.0.0.1 and fd00::1
  // instead: selectors match addresses that are not the pod's (too wide in iptables/nftables
  // output) and the pod's real address is treated as external.
  const r = loadObjects([
    nsObj('prod'),
    podObj('web', { node: 'n', status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] } }),
  ]);

  it('podIP is authoritative: the pod has the address 10.0.0.9 only (as the API server stores it)', () => {
    expect(addressesOf(r, 'prod', 'web')).toEqual(['10.0.0.9']);
  });

  it('or at least the disagreement is reported (a diagnostic naming the podIP)', () => {
    expect(r.diagnostics.some((d) => d.message.includes('10.0.0.9'))).toBe(true);
  });
});

describe('more than one pod IP of a family', () => {
  // Reported (ir/too-many-pod-ips, a warning): the API server refuses a pod status with two IPs of one family or more than two IPs
  // ("may specify no more than one IP for each IP family": kubernetes/kubernetes
  // pkg/apis/core/validation/validation.go validatePodIPs; the kubelet bug that wrote such a status,
  // kubernetes/kubernetes#116879, was rejected by it). netpolc reads every entry silently, so a
  // hand-written inventory no cluster can hold gives one pod several IPv4 addresses, all matched by
  // its selectors.
  it('two IPv4 podIPs are reported, as the API server refuses them (a warning: every address is kept)', () => {
    const r = loadObjects([nsObj('prod'), podObj('p', { node: 'n', status: running('10.0.0.1', '10.0.0.2', 'fd00::1') })]);
    expect(codes(r, 'warning')).toContain('ir/too-many-pod-ips');
    expect(addressesOf(r, 'prod', 'p')).toEqual(['10.0.0.1', '10.0.0.2', 'fd00::1']);
  });
});

describe('an inventory of pods without any Namespace object', () => {
  // Fixed: `ir/unknown-namespace` ("namespace selectors cannot match labels of a namespace the
  // inventory lacks") was reported only when the inventory has at least one Namespace
  // (lower/load.ts completeInventory: hasInventory = namespaces.size > 0). A dump of
  // `kubectl get pods -A` without `ns` gives every namespace no labels but its name, silently: a
  // namespaceSelector on any other label is decided against nothing. With NotIn/DoesNotExist that
  // is too wide: below, dev/dev reaches data/db although namespace dev (labelled env=dev in any
  // real cluster the policy was written for) is excluded. `validate` prints 0 warnings. The
  // Cilium backend already treats "has pods" as "has an inventory" (backend-cilium lower.ts
  // hasInventory), the loader does not.
  const objects = [
    podObj('db', { ns: 'data', node: 'n', status: running('10.0.0.1') }),
    podObj('dev', { ns: 'dev', node: 'n', status: running('10.0.0.3') }),
    policyObj('data', 'not-dev', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }] }],
    }),
  ];

  it('the namespaces of the pods are reported as missing from the inventory, once a namespaceSelector reads their labels', () => {
    expect(codes(loadObjects(objects), 'warning')).toContain('ir/unknown-namespace');
  });
});

describe('two nodes that list the same address (a shared ExternalIP behind one NAT, k3s --node-external-ip)', () => {
  // Fixed (the tests held it.fails before): the reference evaluator and the resolver gave an
  // address to the first node (by name) that lists it (evaluate/connection.ts bind; resolve/inventory-index.ts nodeAddresses), and
  // node-local ingress then compares that node with the destination pod's node. The iptables
  // and nftables backends allow node-local ingress from every address of the pod's own node:
  // `netpolc compile -b iptables --no-ipset --node node2` writes
  // `-A NETPOLC-INGRESS -s 203.0.113.5/32 -m comment --comment "node node2 (node-local ingress)" -j RETURN`
  // while `netpolc explain --from 203.0.113.5 --to prod/web` says DENIED ("node node1"). The
  // API doc (k8s.io/api networking/v1 types.go NetworkPolicySpec.ingress: traffic "from the pod's
  // local node") and semantics.md §2.5 make an address of the pod's own node node-local, whichever
  // other node lists it too; nor was the shared address reported (address-claims.ts keeps repeats
  // of pods only; load.ts now reports nodes' too).
  const objects = [
    nsObj('prod'),
    nodeObj('node1', [
      ['InternalIP', '10.1.0.1'],
      ['ExternalIP', '203.0.113.5'],
    ]),
    nodeObj('node2', [
      ['InternalIP', '10.1.0.2'],
      ['ExternalIP', '203.0.113.5'],
    ]),
    podObj('web', { node: 'node2', status: running('10.0.0.1') }),
    denyAllIngress('prod'),
  ];

  it("an address of the destination pod's own node is node-local, as the compiled rules of that node have it", () => {
    expect(allowed(loadObjects(objects).program, ip('203.0.113.5'), podRef('prod', 'web'), 80)).toBe(true);
  });

  it('an address listed by two nodes is reported', () => {
    expect(loadObjects(objects).diagnostics.some((d) => d.message.includes('203.0.113.5'))).toBe(true);
  });
});

describe('a dump saved as UTF-16 (Windows PowerShell 5.1 `kubectl get ... -o yaml > cluster.yaml`)', () => {
  // Fixed (was refused as ir/binary-input): kubectl reads files through a decoder that honours a UTF-16 byte-order mark
  // (kubernetes/kubernetes staging/src/k8s.io/cli-runtime/pkg/resource/visitor.go FileVisitor.Visit:
  // unicode.BOMOverride(unicode.UTF8.NewDecoder())), so `kubectl apply -f cluster.yaml` of such a
  // file works. Windows PowerShell 5.1's `>` writes UTF-16LE with a BOM. netpolc refuses the
  // file with `ir/binary-input: file is not UTF-8 text (invalid UTF-8)` (exit 2), which does not
  // even say it is UTF-16. The UTF-8 BOM is already skipped (source/read-objects.ts decode).
  const text = JSON.stringify(kubectlList([nsObj('prod')]));
  const utf16le = (s: string): Uint8Array => {
    const out = new Uint8Array(2 + s.length * 2);
    out[0] = 0xff;
    out[1] = 0xfe;
    for (let i = 0; i < s.length; i++) {
      out[2 + 2 * i] = s.charCodeAt(i) & 0xff;
      out[3 + 2 * i] = s.charCodeAt(i) >> 8;
    }
    return out;
  };

  it('a UTF-16LE file with its byte-order mark is read as kubectl reads it', () => {
    const r = loadTexts({ 'cluster.json': utf16le(text) });
    expect(codes(r, 'error')).toEqual([]);
    expect(r.program.inventory.namespaces.map((n) => n.name)).toEqual(['prod']);
  });

  it('reads UTF-16BE too, locates diagnostics in the decoded text, and refuses a broken UTF-16 file', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nstatus: {podIP: 010.0.0.1}\n';
    const be = new Uint8Array(2 + yaml.length * 2);
    be[0] = 0xfe;
    be[1] = 0xff;
    for (let i = 0; i < yaml.length; i++) be[3 + 2 * i] = yaml.charCodeAt(i);
    const r = loadTexts({ 'pod.yaml': be });
    const bad = r.diagnostics.find((d) => d.code === 'ir/invalid-ip')!;
    expect(r.locate(bad.target)).toMatchObject({ line: 4, column: 17 });
    // A lone high surrogate: not UTF-16 text.
    const broken = utf16le('{"kind": "List", "items": []}');
    const cut = new Uint8Array([...broken, 0x00, 0xd8]);
    expect(codes(loadTexts({ 'cut.json': cut }), 'error')).toEqual(['ir/binary-input']);
  });
});

describe('a named port declared on an ordinary (not restartable) init container', () => {
  // Fixed (backend-calico/init-container-named-port; was an undocumented divergence from the
  // Calico target): netpolc leaves the ports of init
  // containers without `restartPolicy: Always` out of named-port resolution (lower/inventory.ts
  // lowerContainerPorts, lower/pod-fast.ts portsOf), as Kubernetes' own FindPort does for Service
  // targetPorts (kubernetes/kubernetes#127958: sidecars only). Calico resolves named ports on the
  // ports of every init container, restartable or not: libcalico-go/lib/backend/k8s/conversion/
  // workload_endpoint_default.go podToDefaultWorkloadEndpoint calls appendEndpointPorts for
  // pod.Spec.Containers and for pod.Spec.InitContainers with no restartPolicy test
  // (projectcalico/calico#8885, fixing #8881; independent-oracle.ts cites #8881 as if Calico took
  // sidecars only). The Calico backend keeps named ports as names (backend-calico lower-rules.ts),
  // so on the cluster `port: metrics` below also opens 9100 of the pod, which its main container
  // serves unnamed, while `matrix`/`explain` say 9100 is closed. The resolver's only word is
  // `ir/unresolved-named-port: named port metrics (TCP) is defined by no selected pod; this entry
  // matches nothing`, which is untrue of the Calico output; neither README.md nor
  // backend-calico/README.md names the difference.
  const objects = [
    nsObj('prod'),
    podObj('exporter', {
      node: 'n',
      status: running('10.0.0.5'),
      spec: {
        containers: [{ name: 'main', image: 'i', ports: [{ containerPort: 9100 }] }],
        initContainers: [{ name: 'wait-for-config', image: 'i', ports: [{ containerPort: 9100, name: 'metrics' }] }],
      },
    }),
    policyObj('prod', 'scrape', { podSelector: {}, ingress: [{ ports: [{ port: 'metrics' }] }] }),
  ];
  const all = (): string[] => {
    const r = loadObjects(objects);
    return [...r.diagnostics, ...resolve(r.program).diagnostics].map((d) => `${d.code} ${d.message}`);
  };

  it('today: the name does not resolve (9100 closed in the reference) and the warning says it is defined by no pod', () => {
    expect(allowed(loadObjects(objects).program, ip('10.9.9.9'), podRef('prod', 'exporter'), 9100)).toBe(false);
    expect(all()).toEqual([expect.stringMatching(/^ir\/unresolved-named-port named port metrics \(TCP\) is defined by no selected pod/)]);
  });

  it('keeps the name apart (Pod.initPorts) for backends whose target resolves it there', () => {
    const pod = loadObjects(objects).program.inventory.pods[0]!;
    expect(pod.ports).toEqual([{ name: undefined, port: 9100, protocol: 'TCP' }]);
    expect(pod.initPorts).toEqual([{ name: 'metrics', port: 9100, protocol: 'TCP' }]);
  });
});
