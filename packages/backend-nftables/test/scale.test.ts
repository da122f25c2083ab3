import { expect, it } from 'vitest';
import { batchFiles, resolve, type Program, type RawOptions } from '@netpolc/ir';
import { namespace, networkPolicy, node, pod, type Manifest } from '@netpolc/ir/testing';
import { nftablesBackend } from '../src/index.js';
import { ProgramLowering } from '../src/lower.js';
import { loadProgram } from './support/compile.js';

const flagSets: readonly RawOptions[] = [{}, { log: 'all', 'deny-action': 'reject', counters: true }, { log: 'allowed' }];

/**
 * A small cluster in the shape of the bench workloads: teams of namespaces, apps with replicas
 * spread over nodes, dual-stack pods with named ports, and policies with pod, namespace,
 * ipBlock and named-port peers; namespaces `a` and `a-b` sort differently as chain names
 * (`a-b/…` < `a/…`) than as (namespace, name).
 */
function cluster(): Program {
  const m: Manifest[] = [];
  const nodes = 6;
  for (let n = 0; n < nodes; n++) m.push(node(`node-${n}`, `198.19.0.${n + 1}`));
  const namespaces = ['a', 'a-b', 'c', 'd'];
  namespaces.forEach((ns, i) => m.push(namespace(ns, { team: `t${i % 2}` })));
  let ip = 10;
  namespaces.forEach((ns, i) => {
    for (let k = 0; k < 9; k++) {
      const app = `app-${k % 3}`;
      m.push(
        pod(ns, `${app}-${k}`, { app, tier: k % 2 === 0 ? 'frontend' : 'backend' }, [`198.18.0.${ip}`, `2001:db8::${ip.toString(16)}`], {
          node: `node-${(i * 9 + k) % nodes}`,
          ports: [['http', 8000 + (k % 2), 'TCP']],
        }),
      );
      ip++;
    }
    for (let k = 0; k < 3; k++) {
      m.push(
        networkPolicy(ns, `p-${k}`, {
          podSelector: { matchLabels: { app: `app-${k}` } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            { from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ port: 'http' }] },
            { from: [{ namespaceSelector: { matchLabels: { team: `t${k % 2}` } }, podSelector: { matchLabels: { app: 'app-1' } } }], ports: [{ port: 9090 }] },
          ],
          egress: [
            { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.255.0.0/16'] } }], ports: [{ protocol: 'UDP', port: 53 }] },
            { to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }] },
          ],
        }),
      );
    }
  });
  return loadProgram(m);
}

function emitFiles(program: Program, raw: RawOptions): Map<string, string> {
  const { options } = nftablesBackend.parseOptions({ 'out-dir': 'out', ...raw });
  const result = nftablesBackend.emit({ program, resolved: resolve(program) }, options);
  return new Map(result.files.map((f) => [f.path, f.content]));
}

it('writes the same bytes for a node alone (--node) as in an all-nodes compile', () => {
  const program = cluster();
  for (const flags of flagSets) {
    const all = emitFiles(program, flags);
    expect(all.size).toBe(6);
    for (const [path, content] of all) {
      const one = emitFiles(program, { ...flags, node: [path.replace(/\.nft$/, '')] });
      expect([...one.keys()]).toEqual([path]);
      expect(one.get(path)).toBe(content);
    }
  }
});

it('hands every file to a sink as it is printed, exactly as it would return them', () => {
  const program = cluster();
  const resolved = resolve(program);
  for (const flags of flagSets) {
    const { options } = nftablesBackend.parseOptions({ 'out-dir': 'out', ...flags });
    const returned = nftablesBackend.emit({ program, resolved }, options).files;
    const sunk: { path: string; content: string }[] = [];
    const out = nftablesBackend.emit({ program, resolved }, options, (b) => sunk.push(...batchFiles(b)));
    expect(out.files).toEqual([]);
    expect(sunk).toEqual(returned);
    expect(sunk.length).toBe(6);
  }
});

it('lowers many nodes in one pass to the same models as node by node', () => {
  const program = cluster();
  const resolved = resolve(program);
  for (const flags of flagSets) {
    const { options } = nftablesBackend.parseOptions({ 'out-dir': 'out', ...flags });
    const names = new ProgramLowering(resolved, options).nodeNames();
    const together = [...new ProgramLowering(resolved, options).lowerNodes(names)];
    const alone = names.map((n) => new ProgramLowering(resolved, options).lowerNode(n));
    expect(together).toStrictEqual(alone);
  }
});

it('orders pod chains by name even where namespace order differs (a-b/… before a/…)', () => {
  const resolved = resolve(cluster());
  const { options } = nftablesBackend.parseOptions({ 'out-dir': 'out' });
  const lowering = new ProgramLowering(resolved, options);
  let mixed = 0;
  for (const m of lowering.lowerNodes(lowering.nodeNames())) {
    const names = m.table.chains.filter((c) => c.hook === undefined).map((c) => c.name);
    expect(names).toEqual([...names].sort());
    if (names.some((n) => n.startsWith('ingress/a/')) && names.some((n) => n.startsWith('ingress/a-b/'))) mixed++;
    const sets = m.table.sets.map((s) => s.name);
    expect(sets.filter((s) => s.startsWith('peer'))).toEqual(sets.filter((s) => s.startsWith('peer')).sort());
  }
  expect(mixed).toBeGreaterThan(0);
});

it('shares one rule list among pods with the same policies and ports, unless denials are logged per pod', () => {
  const resolved = resolve(cluster());
  const lists = (raw: RawOptions): Map<string, { pods: number; lists: Set<readonly unknown[]> }> => {
    const { options } = nftablesBackend.parseOptions({ 'out-dir': 'out', ...raw });
    const lowering = new ProgramLowering(resolved, options);
    // Pods of one app in one namespace are selected by the same policy; their "http" port is
    // 8000 or 8001 by the parity of their index.
    const groups = new Map<string, { pods: number; lists: Set<readonly unknown[]> }>();
    for (const m of lowering.lowerNodes(lowering.nodeNames())) {
      for (const c of m.table.chains) {
        const match = /^ingress\/([^/]+)\/(app-\d)-(\d+)$/.exec(c.name);
        if (!match) continue;
        const key = `${match[1]}/${match[2]}/${Number(match[3]) % 2}`;
        const g = groups.get(key) ?? { pods: 0, lists: new Set() };
        g.pods++;
        g.lists.add(c.rules);
        groups.set(key, g);
      }
    }
    return groups;
  };
  const shared = lists({});
  expect(shared.size).toBe(24);
  for (const g of shared.values()) expect(g.lists.size).toBe(1);
  expect([...shared.values()].some((g) => g.pods > 1)).toBe(true);
  for (const g of lists({ log: 'denied' }).values()) expect(g.lists.size).toBe(g.pods);
});
