// The fast reading of Pods answers only for clean input, and then exactly as the checked reading.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { lowerPodChecked } from '../src/lower/inventory.js';
import { lowerPodFast } from '../src/lower/pod-fast.js';
import { resolve } from '../src/resolve/resolve.js';
import { reachabilityMatrix } from '../src/query/matrix.js';
import { allowedResolved } from '../src/resolve/query.js';
import { evaluate } from '../src/evaluate/evaluate.js';
import { loadValid, networkPolicy, numRuns, pod as podOf } from '../src/testing/index.js';
import { compareReadings, opt, some } from './support/fast-readings.js';

const port = fc.record(
  {
    containerPort: some(fc.constantFrom(80, 81, 1, 65535, 0, 65536)),
    name: opt(some(fc.constantFrom('http', 'dns', '', 'web'))),
    protocol: opt(some(fc.constantFrom('TCP', 'UDP', 'SCTP', 'tcp'))),
  },
  { requiredKeys: [] },
);
const container = some(fc.record({ ports: opt(some(fc.array(some(port), { maxLength: 3 }))), restartPolicy: opt(fc.constantFrom('Always', 'Never')) }, { requiredKeys: [] }));
const podIp = some(fc.record({ ip: some(fc.constantFrom('10.0.0.1', '10.0.0.2', 'fd00::1', 'FD00:0::1', '010.0.0.1', '1.2.3', '::ffff:10.0.0.1', '::ffff:a00:2')) }, { requiredKeys: [] }));
const pod = fc.record(
  {
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Pod'),
    metadata: some(
      fc.record(
        {
          name: some(fc.constantFrom('a', 'web-1', 'a.b', 'Bad_Name')),
          namespace: opt(some(fc.constantFrom('ns', 'other', 'a.b'))),
          labels: opt(some(fc.dictionary(fc.constantFrom('app', 'tier', 'x.io/role', 'bad key', ''), some(fc.constantFrom('web', 'db', '', '-bad')), { maxKeys: 3 }))),
        },
        { requiredKeys: [] },
      ),
    ),
    spec: opt(
      some(
        fc.record(
          {
            nodeName: opt(some(fc.constantFrom('n1', 'n2'))),
            hostNetwork: opt(some(fc.boolean())),
            containers: opt(some(fc.array(container, { maxLength: 2 }))),
            initContainers: opt(some(fc.array(container, { maxLength: 2 }))),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
    status: opt(
      some(
        fc.record(
          {
            phase: opt(some(fc.constantFrom('Running', 'Pending', 'Succeeded', 'Failed'))),
            podIPs: opt(some(fc.array(podIp, { maxLength: 3 }))),
            podIP: opt(some(fc.constantFrom('10.0.0.3', '', 'nope'))),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
  },
  { requiredKeys: ['apiVersion', 'kind'] },
);

it('reads a clean Pod exactly as the checked reading does, and leaves every other one to it', () => {
  const ref = { kind: 'ref', file: 't.json', doc: 0, path: ['items', 3] } as const;
  const { clean, fast } = compareReadings(
    pod,
    (value, diagnostics) => ({ checked: lowerPodChecked({ diagnostics, defaultNamespace: 'default' }, { value, ref }), fast: lowerPodFast(value, ref, 'default') }),
    { numRuns: numRuns(3000) },
  );
  // The fast reading is not a no-op: it answers for most clean pods.
  expect(fast).toBeGreaterThan(clean * 0.5);
});

it('reads an IPv4-mapped IPv6 address as its IPv4 address, as Kubernetes does: the pod talks IPv4', () => {
  const { program } = loadValid([
    podOf('x', 'mapped', { app: 'a' }, ['::ffff:198.18.0.1', '198.18.0.1']),
    podOf('x', 'hex', { app: 'b' }, '::ffff:c612:2'),
    podOf('x', 'plain', { app: 'c' }, '198.18.0.3'),
    networkPolicy('x', 'from-a', { podSelector: { matchLabels: { app: 'c' } }, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.1/32' } }] }] }),
  ]);
  expect(program.inventory.pods.map((p) => [p.name, p.addresses.map((a) => `${a.family} ${a.ip}`)])).toEqual([
    ['hex', ['4 198.18.0.2']],
    ['mapped', ['4 198.18.0.1']],
    ['plain', ['4 198.18.0.3']],
  ]);
  const resolved = resolve(program);
  const m = reachabilityMatrix(resolved, { protocol: 'TCP', port: 80 });
  const row = (name: string): number => m.pods.findIndex((i) => resolved.pods[i]!.name === name);
  const at = (from: string, to: string): boolean => m.allowed[row(from)]![row(to)]!;
  expect([at('mapped', 'plain'), at('hex', 'plain'), at('plain', 'hex')]).toEqual([true, false, true]);
  // An address given so (netpolc explain --from ::ffff:198.18.0.1) is the IPv4 one too.
  for (const [ip, allowed] of [['::ffff:198.18.0.1', true], ['::ffff:198.18.0.2', false]] as const) {
    const conn = { src: { kind: 'ip' as const, ip }, dst: { kind: 'pod' as const, namespace: 'x', name: 'plain' }, protocol: 'TCP' as const, port: 80 };
    const verdict = evaluate(program, conn);
    expect('allowed' in verdict && [verdict.allowed, verdict.src.ip, verdict.src.pod?.name]).toEqual([allowed, ip.slice(7), allowed ? 'mapped' : 'hex']);
    expect(allowedResolved(resolved, conn)).toBe(allowed);
  }
});
