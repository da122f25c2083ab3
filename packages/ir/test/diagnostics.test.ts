// Every diagnostic code of the catalog, triggered by a minimal input, with its location.
import { expect, it } from 'vitest';
import { irDiagnostics, loadProgram, resolve, type IrDiagnosticCode } from '../src/index.js';
import { readDefaults } from '../src/source/read-objects.js';

const defaultMaxTextBytes = readDefaults.maxTextBytes;

const head = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\n';
const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n';
/** A pod serving 8080 and a Service forwarding its port 80 there (ten lines and two `---`). */
const service =
  'apiVersion: v1\nkind: Pod\nmetadata: {name: w, namespace: x, labels: {app: w}}\nspec: {nodeName: n, containers: [{name: c, ports: [{containerPort: 8080}]}]}\nstatus: {phase: Running, podIP: 198.18.0.10}\n---\n' +
  'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: x}\nspec: {selector: {app: w}, clusterIP: 10.96.0.10, ports: [{port: 80, targetPort: 8080}]}\n---\n';

/** For each code: input text (file `t.yaml`, or bytes) and the expected `line:col` of the first hit. */
const cases: Record<IrDiagnosticCode, { text: string | Uint8Array; at: string; resolve?: boolean; file?: string; maxTextBytes?: number }> = {
  'ir/syntax': { text: 'kind: Pod\n  bad: [indent\n', at: '1:7' },
  'ir/yaml11-boolean': { text: ns.replace('{name: x}', '{name: x, labels: {enabled: yes}}'), at: '3:39' },
  'ir/yaml11-number': { text: head + 'spec: {podSelector: {}, ingress: [{ports: [{port: 0120}]}]}\n', at: '4:51' },
  'ir/yaml11-string': { text: ns.replace('{name: x}', '{name: x, labels: {v: 1_000}}'), at: '3:33' },
  'ir/yaml-key': { text: ns.replace('{name: x}', '{name: x, labels: {~: v}}'), at: '3:30' },
  'ir/yaml-merge-order': { text: head + 'spec: {podSelector: {}, ingress: [{ports: [&p {port: 80}, {port: 81, <<: *p}]}]}\n', at: '4:70' },
  'ir/binary-input': { text: new Uint8Array([0x80, 0x81, 0x00]), at: '1:1' },
  'ir/input-too-large': { text: new TextEncoder().encode(ns), at: '1:1', maxTextBytes: 10 },
  'ir/empty-file': { text: '# nothing\n---\n', at: '1:1' },
  'ir/no-objects': { text: '', at: '-' },
  'ir/not-an-object': { text: '- just\n- a list\n', at: '1:1' },
  'ir/missing-kind': { text: 'apiVersion: v1\nmetadata: {name: x}\n', at: '1:1' },
  'ir/skipped-kind': { text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n', at: '1:1' },
  'ir/service-unread': { text: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n', at: '1:1' },
  'ir/service-port-unread': { text: 'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: x}\nspec: {ports: [{port: 80}, {port: 0.5}]}\n', at: '4:28' },
  'ir/service-port': { text: service + head + 'spec: {podSelector: {}, ingress: [{ports: [{port: 80}]}]}\n', at: '15:44', resolve: true },
  'ir/service-masquerade': { text: 'apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {addresses: [{type: InternalIP, address: 198.19.0.1}]}\n---\n' + service.replace('{selector', '{type: LoadBalancer, selector') + head + 'spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}]}]}\n', at: '20:43', resolve: true },
  'ir/service-cluster-ip': { text: service + head + 'spec: {podSelector: {}, egress: [{to: [{ipBlock: {cidr: 10.96.0.0/12}}]}]}\n', at: '15:40', resolve: true },
  'ir/other-policy-kind': { text: 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: p, namespace: x}\nspec: {selector: all()}\n', at: '1:1' },
  'ir/misspelled-kind': { text: head.replace('kind: NetworkPolicy', 'kind: Networkpolicy') + 'spec: {podSelector: {}}\n', at: '2:7' },
  'ir/invalid-metadata': { text: head.replace('namespace: x}', 'namespace: x, finalizers: [a b]}') + 'spec: {podSelector: {}}\n', at: '3:48' },
  'ir/unknown-kind': { text: 'apiVersion: networking.k8s.io/v1\nkind: Netpol\nmetadata: {name: p, namespace: x}\n', at: '2:7' },
  'ir/api-version': { text: head.replace('networking.k8s.io/v1', 'networking.k8s.io/v2'), at: '1:13' },
  'ir/deprecated-api-version': { text: head.replace('networking.k8s.io/v1', 'extensions/v1beta1') + 'spec: {podSelector: {}}\n', at: '1:13' },
  'ir/invalid-type': { text: head + 'spec: {podSelector: {}, ingress: {from: []}}\n', at: '4:34' },
  'ir/unknown-field': { text: head + 'spec:\n  podSelector: {}\n  ingres: []\n', at: '6:3' },
  'ir/missing-field': { text: 'apiVersion: v1\nkind: Namespace\nmetadata: {labels: {a: b}}\n', at: '3:11' },
  'ir/invalid-name': { text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad_Name}\n', at: '3:18' },
  'ir/default-namespace': { text: head.replace(', namespace: x', '') + 'spec: {podSelector: {}}\n', at: '3:11' },
  'ir/default-pod-selector': { text: head + 'spec: {policyTypes: [Ingress]}\n', at: '4:7' },
  'ir/duplicate-object': { text: `${ns}---\n${ns}`, at: '5:1' },
  'ir/invalid-policy-type': { text: head + 'spec: {podSelector: {}, policyTypes: [ingress]}\n', at: '4:39' },
  'ir/duplicate-policy-type': { text: head + 'spec: {podSelector: {}, policyTypes: [Ingress, Ingress]}\n', at: '4:48' },
  'ir/too-many-policy-types': { text: head + 'spec: {podSelector: {}, policyTypes: [Ingress, Egress, Ingress]}\n', at: '4:38' },
  'ir/rules-ignored': { text: head + 'spec: {podSelector: {}, policyTypes: [Ingress], egress: [{}]}\n', at: '4:57' },
  'ir/invalid-protocol': { text: head + 'spec: {podSelector: {}, ingress: [{ports: [{protocol: tcp}]}]}\n', at: '4:55' },
  'ir/invalid-port': { text: head + 'spec: {podSelector: {}, ingress: [{ports: [{port: "80"}]}]}\n', at: '4:51' },
  'ir/invalid-end-port': { text: head + 'spec: {podSelector: {}, ingress: [{ports: [{port: 90, endPort: 80}]}]}\n', at: '4:64' },
  'ir/empty-peer': { text: head + 'spec: {podSelector: {}, ingress: [{from: [{}]}]}\n', at: '4:43' },
  'ir/ambiguous-peer': { text: head + 'spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}\n', at: '4:43' },
  'ir/invalid-cidr': { text: head + 'spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 1.2.3/8}}]}]}\n', at: '4:60' },
  'ir/cidr-host-bits': { text: head + 'spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.1/8}}]}]}\n', at: '4:60' },
  'ir/invalid-except': { text: head + 'spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]}\n', at: '4:81' },
  'ir/invalid-selector': { text: head + 'spec: {podSelector: {matchExpressions: [{key: a, operator: Exists, values: [b]}]}}\n', at: '4:76' },
  'ir/invalid-label-key': { text: head + 'spec: {podSelector: {matchLabels: {"a b": c}}}\n', at: '4:36' },
  'ir/invalid-label-value': { text: head + 'spec: {podSelector: {matchLabels: {a: "-x"}}}\n', at: '4:39' },
  'ir/invalid-ip': { text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nstatus: {podIP: 010.0.0.1}\n', at: '4:17' },
  'ir/pod-ip-mismatch': { text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nstatus: {podIP: 198.18.0.2, podIPs: [{ip: 198.18.0.1}]}\n', at: '4:17' },
  'ir/too-many-pod-ips': { text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nstatus:\n  podIPs: [{ip: 198.18.0.1}, {ip: 198.18.0.2}]\n', at: '5:11' },
  'ir/unknown-namespace': { text: `${ns}---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: other}\nstatus: {podIP: 198.18.0.1}\n`, at: '7:32' },
  'ir/unknown-node': { text: 'apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {nodeName: n9}\nstatus: {podIP: 198.18.0.1}\n', at: '8:18' },
  'ir/duplicate-ip': { text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nstatus: {podIP: 198.18.0.1}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: x}\nstatus: {podIP: 198.18.0.1}\n', at: '6:1' },
  'ir/ignored-pod': { text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\n', at: '1:1' },
  'ir/unresolved-named-port': {
    text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nstatus: {podIP: 198.18.0.1}\n---\n' + head + 'spec: {podSelector: {}, ingress: [{ports: [{port: metrics}]}]}\n',
    at: '9:44',
    resolve: true,
  },
  'ir/named-port-conflict': {
    text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n  - ports: [{name: web, containerPort: 80}, {name: web, containerPort: 81}]\n',
    at: '6:52',
  },
};

for (const [code, c] of Object.entries(cases) as [IrDiagnosticCode, (typeof cases)[IrDiagnosticCode]][]) {
  it(`reports ${code} at ${c.at}`, () => {
    // A file longer than a string may be, played by a small one.
    readDefaults.maxTextBytes = c.maxTextBytes ?? defaultMaxTextBytes;
    let r: ReturnType<typeof loadProgram>;
    try {
      r = loadProgram([{ path: 't.yaml', content: c.text }]);
    } finally {
      readDefaults.maxTextBytes = defaultMaxTextBytes;
    }
    const all = c.resolve ? [...r.diagnostics, ...resolve(r.program).diagnostics] : r.diagnostics;
    const hit = all.find((d) => d.code === code);
    expect(hit, `codes seen: ${all.map((d) => d.code).join(', ')}`).toBeDefined();
    expect(hit!.severity).toBe(irDiagnostics[code].severity);
    const loc = r.locate(hit!.target);
    expect(loc ? `${loc.line}:${loc.column}` : '-').toBe(c.at);
  });
}

it('documents every code, and every code has a triggering test', () => {
  for (const [code, entry] of Object.entries(irDiagnostics)) {
    expect(entry.docs.length, code).toBeGreaterThan(10);
    expect(Object.keys(cases), code).toContain(code);
  }
});

it('says once per place that documents ran together (files concatenated without ---), not once per repeated key', () => {
  // Old code: 'Map keys must be unique' for apiVersion, kind, metadata and spec of every join.
  const doc = (name: string, first = 'apiVersion: v1\nkind: Namespace'): string => `${first}\nmetadata: {name: ${name}}\n`;
  const text = doc('a') + doc('b') + doc('c', 'kind: Namespace\napiVersion: v1') + '---\n' + doc('d') + 'metadata: {name: again}\n';
  const r = loadProgram([{ path: 't.yaml', content: text }]);
  const found = r.diagnostics.map((d) => `${r.locate(d.target)?.line}:${d.code}:${d.message}`);
  const joined = 'Map keys must be unique: a second %s at the top level, as when two documents have no --- between them (files concatenated without one?)';
  expect(found).toEqual([
    `4:ir/syntax:${joined.replace('%s', 'apiVersion')}`,
    `7:ir/syntax:${joined.replace('%s', 'kind')}`,
    // A key repeated for another reason keeps the parser's words.
    '14:ir/syntax:Map keys must be unique',
  ]);
});

it('keeps the first of two pods with one name and reports the second at its place, naming the first', () => {
  const pod = (ip: string): string => `apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x, labels: {ip: "${ip}"}}\nstatus: {podIP: ${ip}}\n`;
  const text = `${pod('10.0.0.2')}---\n${pod('10.0.0.1')}---\n${pod('10.0.0.3')}`;
  const r = loadProgram([{ path: 't.yaml', content: text }]);
  const dups = r.diagnostics.filter((d) => d.code === 'ir/duplicate-object');
  expect(dups.map((d) => r.locate(d.target)).map((l) => `${l?.line}:${l?.column}`)).toEqual(['6:1', '11:1']);
  for (const d of dups) expect(d.message).toContain('t.yaml:1:1');
  expect(r.program.inventory.pods.map((p) => p.labels['ip'])).toEqual(['10.0.0.2']);
});

it('resolves egress named ports per policy even when policies share the peer and the names (each entry reported on its own)', () => {
  const pod = (name: string, ip: string, labels: string): string =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: x, labels: {${labels}}}\nspec:\n  containers:\n  - ports: [{name: http, containerPort: 8080}]\nstatus: {podIP: ${ip}}\n`;
  const policy = (name: string): string =>
    head.replace('name: p,', `name: ${name},`) + 'spec: {podSelector: {matchLabels: {role: client}}, egress: [{to: [{podSelector: {matchLabels: {role: server}}}], ports: [{port: http}, {port: metrics}]}]}\n';
  const text = [pod('c', '198.18.0.1', 'role: client'), pod('s', '198.18.0.2', 'role: server'), policy('p1'), policy('p2')].join('---\n');
  const loaded = loadProgram([{ path: 't.yaml', content: text }]);
  expect(loaded.diagnostics).toEqual([]);
  const r = resolve(loaded.program);
  // `metrics` resolves on no peer pod: reported for each policy; `http` for neither.
  const unresolved = r.diagnostics.filter((d) => d.code === 'ir/unresolved-named-port').map((d) => `${loaded.locate(d.target)?.line}:${d.message.split(' ')[2]}`);
  expect(unresolved).toEqual(['20:metrics', '25:metrics']);
  const client = r.pods.findIndex((p) => p.name === 'c');
  const named = r.egress[client]!.tuples.filter((t) => t.ports.kind === 'ports' && t.ports.TCP.some(([a]) => a === 8080));
  expect(named.map((t) => t.provenance.policy)).toEqual([0, 1]);
});

it('rejects an IPv4-mapped IPv6 ipBlock with a hint naming the IPv4 form, and accepts long names without dots', () => {
  const text = head + 'spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: "::ffff:10.0.0.0/104"}}]}]}\n';
  const r = loadProgram([{ path: 't.yaml', content: text }]);
  const hit = r.diagnostics.find((d) => d.code === 'ir/invalid-cidr');
  expect(hit?.message).toContain('IPv4-mapped');
  expect(r.program.policies).toEqual([]);
  // apimachinery's IsDNS1123Subdomain limits the whole name (253), not each dot-separated part.
  const long = 'web-' + 'a'.repeat(70);
  const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: ${long}, namespace: x}\nspec: {nodeName: ${'n'.repeat(75)}}\nstatus: {podIP: 198.18.0.1}\n`;
  const p = loadProgram([{ path: 'p.yaml', content: pod }]);
  expect(p.diagnostics).toEqual([]);
  expect(p.program.inventory.pods.map((x) => x.name)).toEqual([long]);
});

it('refuses port numbers kubectl (YAML 1.1) reads differently, in block files (line reader), flow files and large files alike', () => {
  const block = (port: string): string =>
    head + 'spec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - port: ' + port + '\n';
  const codes = (text: string): string[] => loadProgram([{ path: 't.yaml', content: text }]).diagnostics.map((d) => d.code);
  for (const port of ['0120', '0b1010', '1_000', '0x5_0', '-010']) expect(codes(block(port)), port).toContain('ir/yaml11-number');
  // A boolean word is a named port here and a boolean to kubectl (refused by the API server):
  // refused too, even when the same word was warned about before as a label value (it was a
  // warning once per word and file, so the port went unreported).
  for (const port of ['on', 'y', 'no', 'off']) expect(codes(block(port)), port).toEqual(['ir/yaml11-number']);
  expect(codes(block('No'))).toContain('ir/yaml11-number');
  const labelled = block('on').replace('podSelector: {}', 'podSelector: {matchLabels: {a: on}}');
  expect(codes(labelled)).toEqual(['ir/yaml11-boolean', 'ir/yaml11-number']);
  expect(loadProgram([{ path: 't.yaml', content: block('off') }]).diagnostics[0]!.message).toContain('off is false to kubectl');
  // Same value in both readings, or quoted: nothing to report (quoted 0120 is a bad port name).
  for (const port of ['80', '0x50', '0o120', '07', '08', '"8080"', '"on"', 'web']) expect(codes(block(port)), port).not.toContain('ir/yaml11-number');
  const loaded = loadProgram([{ path: 't.yaml', content: block('0120') }]);
  const d = loaded.diagnostics.find((x) => x.code === 'ir/yaml11-number')!;
  expect(d.message).toContain('80 to kubectl');
  expect(loaded.locate(d.target)).toMatchObject({ line: 8, column: 13 });
  // A large file takes the bulk reader: the candidate's node alone is parsed, same report.
  const pods = Array.from({ length: 4000 }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: x}\nspec:\n  containers:\n  - name: c\n    ports:\n    - containerPort: ${i === 1234 ? '0750' : '8080'}\nstatus: {podIP: 198.18.${i >> 8}.${i & 255}}\n`);
  const big = pods.join('---\n');
  expect(big.length).toBeGreaterThan(512 * 1024);
  const bulk = loadProgram([{ path: 'big.yaml', content: big }]);
  const hits = bulk.diagnostics.filter((x) => x.code === 'ir/yaml11-number');
  expect(hits.map((x) => bulk.locate(x.target)?.line)).toEqual([1234 * 10 + 8]);
  // A label value or a name is not a number field: there 0120 is a number to both readers (an
  // invalid type), and 1_000 a string here and a number to kubectl (a warning, ir/yaml11-string).
  expect(codes(ns.replace('{name: x}', '{name: x, labels: {v: 0120}}'))).not.toContain('ir/yaml11-number');
  expect(codes(ns.replace('{name: x}', '{name: x, labels: {v: 1_000}}'))).toEqual(['ir/yaml11-string']);
});

it('says what the API server would make of a null rule or port (a lone `-`), and nothing of that kind for a null peer', () => {
  const text = head + 'spec:\n  podSelector: {}\n  ingress:\n  -\n  - from:\n    -\n  egress:\n  - ports:\n    -\n';
  const loaded = loadProgram([{ path: 't.yaml', content: text }]);
  const found = loaded.diagnostics.map((d) => [d.code, loaded.locate(d.target)?.line, d.message.includes('which the API server stores as {}')]);
  expect(found).toEqual([
    ['ir/invalid-type', 7, true],
    ['ir/invalid-type', 9, false],
    ['ir/invalid-type', 12, true],
  ]);
});

it('names the first three skipped objects of a kind in a file and counts the rest (--verbose printed one line each)', () => {
  const many = Array.from({ length: 50 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}, namespace: x}\n`);
  const text = `${many.join('---\n')}---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: x}\n`;
  const r = loadProgram([{ path: 't.yaml', content: text }]);
  const skipped = r.diagnostics.filter((d) => d.code === 'ir/skipped-kind').map((d) => `${r.locate(d.target)?.line}:${d.message}`);
  expect(skipped).toEqual([
    '1:skipped v1 ConfigMap c0: not a kind netpolc reads',
    '5:skipped v1 ConfigMap c1: not a kind netpolc reads',
    '9:skipped v1 ConfigMap c2: not a kind netpolc reads',
    '201:skipped v1 Secret s: not a kind netpolc reads',
    '197:skipped v1 ConfigMap (and 47 more in this file, the last here): not a kind netpolc reads',
  ]);
});

it('says a missing containerPort or pod IP is required, and names a mapping a mapping (they read "port undefined", "found undefined undefined", "a object")', () => {
  const text = [
    'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: x}\nspec:\n  nodeName: n1\n  containers:\n  - name: c\n    ports:\n    - {}\n    - {name: http}\n',
    'status: {phase: Running, podIP: 198.18.0.1, podIPs: [{}]}\n',
    '---\napiVersion: v1\nkind: List\nitems: {a: 1}\n',
  ].join('');
  const r = loadProgram([{ path: 't.yaml', content: text }]);
  const shown = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${r.locate(d.target)?.line}:${r.locate(d.target)?.column} ${d.code}: ${d.message}`);
  expect(shown.sort()).toEqual([
    '9:7 ir/missing-field: containerPort is required',
    '10:7 ir/missing-field: containerPort is required',
    '11:54 ir/missing-field: ip is required',
    '15:8 ir/invalid-type: items must be a list, found a mapping',
  ].sort());
});
