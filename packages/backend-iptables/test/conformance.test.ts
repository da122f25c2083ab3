import fc from 'fast-check';
import { evaluate, resolve, type Connection, type Program, type SemanticsOptions } from '@netpolc/ir';
import { clusterArb, connectionArb, loadValid, namespace, networkPolicy, node, pod, policiesArb, propertyParams, type GeneratedCluster, type Manifest } from '@netpolc/ir/testing';
import { expect, it } from 'vitest';
import { lowerProgram } from '../src/emit.js';
import { defaultOptions, type IptablesOptions } from '../src/options.js';
import { networkVerdict, validateAll } from './support/network.js';

const params = propertyParams(60);
const runs = params.numRuns;

function load(objects: readonly Manifest[], semantics: Partial<SemanticsOptions> = {}): Program {
  return loadValid(objects, { semantics }).program;
}

function echoToNodes(cluster: GeneratedCluster): Connection[] {
  const out: Connection[] = [];
  for (const p of cluster.pods) {
    if (!p.actionable) continue;
    const [namespace, name] = p.id.split('/') as [string, string];
    for (const ip of cluster.nodeIps) out.push({ src: { kind: 'pod', namespace, name }, dst: { kind: 'ip', ip }, protocol: 'ICMP', port: 0 });
  }
  return out;
}

const scenario = clusterArb().chain((cluster) =>
  fc.record({
    cluster: fc.constant(cluster),
    policies: policiesArb(),
    // Echo requests among them: ICMP passes rules without ports, or every pod under icmp-essentials.
    // Also one from every pod to every node address: a random one rarely takes the INPUT path.
    connections: fc.array(connectionArb(cluster, { icmp: true }), { minLength: 1, maxLength: 10 }).map((random) => [...random, ...echoToNodes(cluster)]),
    denyAction: fc.constantFrom('drop' as const, 'reject' as const),
    logTarget: fc.constantFrom('log' as const, 'nflog' as const),
    // Link-local rules must not change a verdict on inventory addresses (no such connection
    // has a link-local end).
    podInterfaces: fc.constantFrom([], ['cali+'], ['cali+', 'veth+']),
    // The knobs the backend honours through the resolved address sets (the others it warns about).
    semantics: fc.record({ ipBlockMatchesPods: fc.boolean(), ipBlockMatchesNodes: fc.boolean(), allowIcmpEssentials: fc.boolean() }),
  }),
);

/** The four modes the issue asks for: ipset and no-ipset, with and without logging. */
const modes: readonly Pick<IptablesOptions, 'ipset' | 'log'>[] = [
  { ipset: true, log: 'none' },
  { ipset: false, log: 'none' },
  { ipset: true, log: 'all' },
  { ipset: false, log: 'all' },
];

it('agrees with the reference evaluator on every node, in every mode (seed logged on failure)', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, policies, connections, denyAction, logTarget, podInterfaces, semantics }) => {
      const program = load([...cluster.manifests, ...policies], semantics);
      const resolved = resolve(program);
      for (const mode of modes) {
        const options: IptablesOptions = { ...defaultOptions, ...mode, denyAction, logTarget, podInterfaces };
        const lowered = lowerProgram({ program, resolved }, options);
        validateAll(lowered.nodes);
        for (const c of connections) {
          const ref = evaluate(program, c);
          if ('error' in ref) continue;
          const got = networkVerdict(program, lowered.nodes, c);
          expect(got).toBeDefined();
          expect(got!.allowed, `${JSON.stringify(c)} in mode ${JSON.stringify(options)}`).toBe(ref.allowed);
          const denied = got!.traversed.some((t) => !t.passed);
          if (options.log === 'none') expect(got!.logs).toEqual([]);
          else if (denied) expect(got!.logs.some((l) => l.startsWith('netpolc DENY-'))).toBe(true);
          else {
            // A side allowed by a rule logs where it is checked: egress on the source's node
            // (FORWARD, or INPUT for the node itself), ingress on the destination's.
            // ICMP under icmp-essentials is accepted before either check: never logged.
            const profileIcmp = c.protocol === 'ICMP' && semantics.allowIcmpEssentials;
            const checked = (side: 'egress' | 'ingress', node: string | undefined): boolean => !profileIcmp && ref[side].reason === 'allowed-by-rule' && node !== undefined && got!.traversed.some((t) => t.node === node);
            expect(got!.logs.some((l) => l.startsWith('netpolc ALLOW-'))).toBe(checked('egress', got!.srcNode) || checked('ingress', got!.dstNode));
          }
          if (denied) expect(got!.traversed.filter((t) => !t.passed).every((t) => t.verdict === (denyAction === 'drop' ? 'DROP' : 'REJECT'))).toBe(true);
        }
      }
    }),
    params,
  );
});

it('accepts established and related packets of local pods, drops invalid ones, and leaves transit alone', () => {
  fc.assert(
    fc.property(scenario, ({ cluster, policies, connections }) => {
      const program = load([...cluster.manifests, ...policies]);
      const lowered = lowerProgram({ program, resolved: resolve(program) }, defaultOptions);
      for (const c of connections) {
        // networkVerdict itself checks that nodes not crossed answer CONTINUE.
        const established = networkVerdict(program, lowered.nodes, c, 'ESTABLISHED');
        const invalid = networkVerdict(program, lowered.nodes, c, 'INVALID');
        if (!established || !invalid) continue;
        // FORWARD accepts replies; INPUT hands them back to the host's rules.
        expect(established.traversed.every((t) => t.verdict === (t.hook === 'FORWARD' ? 'ACCEPT' : 'CONTINUE'))).toBe(true);
        // INVALID from a local pod is dropped; INPUT leaves other sources alone.
        expect(invalid.traversed.every((t) => t.verdict === (t.hook === 'INPUT' && t.node !== invalid.srcNode ? 'CONTINUE' : 'DROP'))).toBe(true);
      }
    }),
    { ...params, numRuns: Math.max(10, Math.floor(runs / 3)) },
  );
});

/**
 * The cluster with every pod copied `copies` times (same labels, node and ports; fresh names and
 * addresses), so that nodes hold more than 16 pods and the dispatch trees get built.
 */
function scaleCluster(cluster: GeneratedCluster, copies: number): GeneratedCluster {
  const manifests: Manifest[] = [...cluster.manifests];
  const pods = [...cluster.pods];
  for (let k = 1; k <= copies; k++) {
    cluster.manifests.forEach((m, i) => {
      if (m['kind'] !== 'Pod') return;
      const meta = m['metadata'] as { name: string; namespace: string };
      const status = m['status'] as { podIPs?: { ip: string }[] };
      const ips = (status.podIPs ?? []).map((x) => (x.ip.includes(':') ? `2001:db8:0:${k}::${i.toString(16)}` : `198.18.${1 + k}.${i}`));
      const hostNetwork = (m['spec'] as { hostNetwork?: boolean }).hostNetwork === true;
      const copy = structuredClone(m);
      (copy['metadata'] as { name: string }).name = `${meta.name}-c${k}`;
      if (!hostNetwork) copy['status'] = { ...status, ...(ips.length > 0 ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}) };
      manifests.push(copy);
      const orig = cluster.pods.find((p) => p.id === `${meta.namespace}/${meta.name}`)!;
      pods.push({ id: `${meta.namespace}/${meta.name}-c${k}`, ips: hostNetwork ? orig.ips : ips, actionable: orig.actionable });
    });
  }
  return { manifests, pods, nodeIps: cluster.nodeIps };
}

it('agrees with the reference evaluator on clusters large enough for dispatch trees', () => {
  let trees = 0;
  const big = clusterArb({ maxPods: 12 }).map((c) => scaleCluster(c, 5)).chain((cluster) =>
    fc.record({ cluster: fc.constant(cluster), policies: policiesArb(4), connections: fc.array(connectionArb(cluster), { minLength: 1, maxLength: 12 }) }),
  );
  fc.assert(
    fc.property(big, ({ cluster, policies, connections }) => {
      const program = load([...cluster.manifests, ...policies]);
      const resolved = resolve(program);
      for (const ipset of [true, false]) {
        const lowered = lowerProgram({ program, resolved }, { ...defaultOptions, ipset });
        validateAll(lowered.nodes);
        if (lowered.nodes.some((n) => n.v4.chains.some((ch) => /-(EGRESS|INGRESS|SRC|DST)-\d+$/.test(ch.name)))) trees++;
        for (const c of connections) {
          const ref = evaluate(program, c);
          if ('error' in ref) continue;
          const got = networkVerdict(program, lowered.nodes, c)!;
          expect(got.allowed, JSON.stringify(c)).toBe(ref.allowed);
        }
      }
    }),
    { ...params, numRuns: Math.max(10, Math.floor(runs / 3)) },
  );
  expect(trees).toBeGreaterThan(0);
});

it('with ipblock-matches-nodes=false, node addresses inside an ipBlock are denied both ways, and the rest of the block allowed', () => {
  const block = { ipBlock: { cidr: '198.18.0.0/15' } };
  const objects = [
    node('node-1', '198.19.0.1'),
    node('node-2', '198.19.0.2'),
    namespace('x'),
    pod('x', 'a', {}, '198.18.1.11', { node: 'node-1' }),
    networkPolicy('x', 'p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [block] }], egress: [{ to: [block] }] }),
  ];
  const a = { kind: 'pod', namespace: 'x', name: 'a', ip: '198.18.1.11' } as const;
  const ip = (address: string) => ({ kind: 'ip', ip: address }) as const;
  // Every case is inside the block (allowed by default); `off` is the verdict without nodes.
  // Node-local ingress (from node-1) is its own knob and stays allowed.
  const cases = [
    { src: ip('198.19.0.2'), dst: a, off: false },
    { src: a, dst: ip('198.19.0.2'), off: false },
    { src: a, dst: ip('198.19.0.1'), off: false },
    { src: ip('198.19.0.1'), dst: a, off: true },
    { src: ip('198.19.7.7'), dst: a, off: true },
    { src: a, dst: ip('198.18.200.1'), off: true },
  ];
  for (const ipBlockMatchesNodes of [true, false]) {
    const program = load(objects, { ipBlockMatchesNodes });
    const lowered = lowerProgram({ program, resolved: resolve(program) }, defaultOptions);
    for (const c of cases) {
      const conn = { src: c.src, dst: c.dst, protocol: 'TCP', port: 80 } as const;
      const expected = ipBlockMatchesNodes || c.off;
      const ref = evaluate(program, conn);
      expect('error' in ref ? ref : ref.allowed, JSON.stringify(conn)).toBe(expected);
      expect(networkVerdict(program, lowered.nodes, conn)!.allowed, JSON.stringify(conn)).toBe(expected);
    }
  }
});
