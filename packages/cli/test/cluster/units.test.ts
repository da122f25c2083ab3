import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { numRuns } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { bindingCommand, readerClusterRole } from '../../src/cluster/errors.js';
import { parseDuration } from '../../src/cluster/options.js';
import { slimObject } from '../../src/cluster/slim.js';
import { toYaml } from '../../src/cluster/to-yaml.js';

const seed = process.env['NETPOLC_SEED'] ? Number(process.env['NETPOLC_SEED']) : undefined;
const params = { numRuns: numRuns(200), ...(seed !== undefined ? { seed } : {}) };

// Strings a YAML reader could take for something else, under YAML 1.2 or 1.1 (kubectl).
const tricky = [
  '', ' ', 'yes', 'No', 'ON', 'off', 'y', 'N', 'true', 'False', 'null', 'Null', '~', '1', '-1', '010', '0x1F', '0o17', '1e3', '1_000', '12:30',
  '2001-12-14', 'e0', 'E-5', '.inf', '-.Inf', '.nan', '<<', '=', '- a', ': x', 'a: b', 'a #b', '#c', ' lead', 'trail ', '@x', '`x', '!x', '&a', '*a', '|', '>', '%x',
  "'q'", '"d"', 'a\nb', 'tab\there', '\u007f', '\u0085', '\u2028', '\ufeff', 'é', '𝄞', '{a}', '[a]', 'a,b', '?', '? x', 'kubernetes.io/metadata.name',
];
const text = fc.oneof(fc.constantFrom(...tricky), fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ maxLength: 12 }));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, fc.integer(), fc.boolean(), fc.constant(null), tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(text, tie('value'), { maxKeys: 4 }),
}));

it('prints YAML that reads back as the same JSON data, under YAML 1.2 and YAML 1.1', () => {
  fc.assert(
    fc.property(fc.dictionary(text, value, { maxKeys: 6 }), (data) => {
      const printed = toYaml(data);
      expect(parse(printed)).toEqual(data);
      expect(parse(printed, { version: '1.1' })).toEqual(data);
    }),
    params,
  );
});

it('prints kubectl-style block YAML: sequences at the key\'s indentation, maps indented by two', () => {
  expect(toYaml({ a: [{ b: 1, c: ['x', 'yes'] }, []], d: {}, e: { f: null } })).toBe('a:\n- b: 1\n  c:\n  - x\n  - "yes"\n- []\nd: {}\ne:\n  f: null\n');
});

it('parses --request-timeout like kubectl: bare seconds or Go durations', () => {
  expect([parseDuration('0'), parseDuration('30'), parseDuration('500ms'), parseDuration('1m30s'), parseDuration('1.5s')]).toEqual([0, 30_000, 500, 90_000, 1500]);
  expect([parseDuration('soon'), parseDuration('5 s'), parseDuration('-1s'), parseDuration('')]).toEqual([undefined, undefined, undefined, undefined]);
});

it('names the subject of a 403 in the binding it suggests', () => {
  expect(bindingCommand('pods is forbidden: User "system:serviceaccount:ci:bot" cannot list resource "pods"')).toBe(
    'kubectl create clusterrolebinding netpolc-reader --clusterrole=netpolc-reader --serviceaccount=ci:bot',
  );
  expect(bindingCommand('pods is forbidden: User "alice@example.com" cannot list')).toBe('kubectl create clusterrolebinding netpolc-reader --clusterrole=netpolc-reader --user=alice@example.com');
  expect(bindingCommand(undefined)).toBe('kubectl create clusterrolebinding netpolc-reader --clusterrole=netpolc-reader --user=USER');
});

it('keeps a pod\'s native sidecar ports and drops ordinary init containers', () => {
  const pod = slimObject('Pod', {
    metadata: { name: 'p', namespace: 'n', labels: { b: '2', a: '1' }, annotations: { x: 'y' }, uid: 'u' },
    spec: {
      hostNetwork: false,
      initContainers: [
        { name: 'setup', image: 'i', ports: [{ containerPort: 1 }] },
        { name: 'proxy', image: 'i', restartPolicy: 'Always', ports: [{ name: 'p', containerPort: 15001, protocol: 'TCP', hostPort: 15001 }] },
      ],
      containers: [{ name: 'app', image: 'i', env: [] }],
    },
    status: { phase: 'Running', podIP: '10.0.0.1', hostIP: '10.1.0.1', conditions: [] },
  });
  expect(pod?.manifest).toEqual({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'n', labels: { a: '1', b: '2' } },
    spec: { containers: [{ name: 'app' }], initContainers: [{ name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'p', containerPort: 15001, protocol: 'TCP' }] }] },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  });
  expect(Object.keys(pod!.manifest['metadata'] as object)).toEqual(['name', 'namespace', 'labels']);
  expect(Object.keys((pod!.manifest['metadata'] as { labels: object }).labels)).toEqual(['a', 'b']);
});

it('fills in a Service port\'s protocol and targetPort as SetDefaults_Service does, empty ones included', () => {
  const service = slimObject('Service', {
    metadata: { name: 's', namespace: 'n' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 81, protocol: '', targetPort: '' }, { port: 82, protocol: 'UDP', targetPort: 'dns' }, { port: 83, protocol: null, targetPort: 0 }] },
  });
  expect((service?.manifest['spec'] as { ports: unknown }).ports).toEqual([
    { port: 80, protocol: 'TCP', targetPort: 80 },
    { port: 81, protocol: 'TCP', targetPort: 81 },
    { port: 82, protocol: 'UDP', targetPort: 'dns' },
    { port: 83, protocol: 'TCP', targetPort: 83 },
  ]);
});

it('keeps malformed fields for the loader to report, and skips items without a name', () => {
  expect(slimObject('Pod', { metadata: { name: 'p', namespace: 'n' }, spec: { containers: 'oops' } })?.manifest['spec']).toEqual({ containers: 'oops' });
  expect(slimObject('Node', { metadata: {} })).toBeUndefined();
  expect(slimObject('Namespace', 'x')).toBeUndefined();
});

it('documents the same ClusterRole the 403 message prints (README and docs/cluster.md)', () => {
  for (const file of ['README.md', 'docs/cluster.md']) {
    const text = readFileSync(new URL(`../../../../${file}`, import.meta.url), 'utf8');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!.trimEnd());
    expect({ file, found: blocks.includes(readerClusterRole) }).toEqual({ file, found: true });
  }
});
