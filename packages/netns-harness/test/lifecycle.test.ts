import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cleanupStale, createTopology, kernelGate, listNamespaces, withTopology } from '../src/index.js';
import { buildTopology } from '../src/topology.js';
import { twoNodeSpec } from './support/fixtures.js';

const gate = kernelGate();
const kit = it.skipIf(gate.skip);
const spec = twoNodeSpec('hlc', 4);
const ours = (): string[] => listNamespaces().filter((name) => name.startsWith('hlc-'));

function kernel(name: string, body: () => void | Promise<void>): void {
  kit(gate.label(name), async () => {
    gate.assertSupported();
    try {
      await body();
    } finally {
      cleanupStale('hlc');
    }
  });
}

kernel('deletes what it made when configuring a namespace fails part-way', () => {
  const broken = (): unknown =>
    buildTopology(spec, (plan) => ({
      ...plan,
      namespaceBatches: new Map([...plan.namespaceBatches].map(([ns, lines]) => [ns, ns === 'hlc-n1' ? [...lines, 'route add bogus'] : lines])),
    }));
  expect(broken).toThrow(/createTopology\(hlc\) failed: configuring hlc-n1/);
  expect(ours()).toEqual([]);
  // The prefix is free again.
  withTopology(spec, (topology) => expect(ours().sort()).toEqual([...topology.namespaces()].sort()));
});

kernel('deletes what it made when creating the links fails part-way', () => {
  const broken = (): unknown =>
    buildTopology(spec, (plan) => ({ ...plan, rootBatch: [...plan.rootBatch, 'link add name x0 netns hlc-missing type veth peer name x1'] }));
  expect(broken).toThrow(/creating namespaces and links/);
  expect(ours()).toEqual([]);
});

kernel('deletes stale namespaces of its prefix first, and only those', () => {
  spawnSync('ip', ['netns', 'add', 'hlc-stale']);
  spawnSync('ip', ['netns', 'add', 'hlcx-keep']);
  try {
    expect(listNamespaces()).toContain('hlc-stale');
    withTopology(spec, () => {
      expect(listNamespaces()).not.toContain('hlc-stale');
      expect(listNamespaces()).toContain('hlcx-keep');
    });
  } finally {
    spawnSync('ip', ['netns', 'del', 'hlcx-keep']);
  }
});

kernel('withTopology destroys after a throw and after a rejected promise', async () => {
  expect(() =>
    withTopology(spec, () => {
      throw new Error('boom');
    }),
  ).toThrow('boom');
  expect(ours()).toEqual([]);
  await expect(withTopology(spec, () => Promise.reject(new Error('later')))).rejects.toThrow('later');
  expect(ours()).toEqual([]);
  await expect(withTopology(spec, async () => ours().length)).resolves.toBe(1 + 2 + 4);
  expect(ours()).toEqual([]);
});

kernel('destroy is idempotent and a destroyed topology refuses work', () => {
  const topology = createTopology(spec);
  topology.destroy();
  topology.destroy();
  expect(ours()).toEqual([]);
  expect(() => topology.run('hlc-n0', ['true'])).toThrow(/was destroyed/);
  expect(() => topology.probe([])).toThrow(/was destroyed/);
});

kernel('run executes only inside the topology namespaces', () => {
  withTopology(spec, (topology) => {
    const pod = topology.podNamespace('ns0/pod-0');
    const result = topology.run(pod, ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/inet 198\.18\.1\.1\/32 /);
    expect(topology.run(pod, ['cat'], 'stdin reaches the command').stdout).toBe('stdin reaches the command');
    expect(topology.run(pod, ['false']).status).toBe(1);
    expect(() => topology.exec(pod, ['false'])).toThrow(/false in hlc-p0 failed \(exit 1\)/);
    for (const outside of ['hlcx-keep', 'hlc-p99', '', '/run/netns/hlc-p0']) {
      expect(() => topology.run(outside, ['true']), outside).toThrow(/not a namespace of this topology/);
    }
    expect(() => topology.nodeNamespace('node-z')).toThrow(/unknown node/);
    expect(() => topology.podNamespace('ns/nope')).toThrow(/unknown pod/);
  });
});

kernel('the pod and node plumbing is the Calico-style routed layout', () => {
  withTopology(spec, (topology) => {
    const pod = topology.podNamespace('ns0/pod-0');
    expect(topology.exec(pod, ['ip', '-4', 'route', 'show', 'default'])).toMatch(/^default via 169\.254\.1\.1 dev eth0/);
    const node = topology.nodeNamespace('node-a');
    expect(topology.exec(node, ['sysctl', '-n', 'net.ipv4.ip_forward']).trim()).toBe('1');
    expect(topology.exec(node, ['ip', '-4', 'route', 'get', '198.18.1.1']).split('\n')[0]).toMatch(/dev vp0 src 198\.18\.0\.1/);
    // pod-3 lives on node-b: node-a routes it via node-b's address over the fabric.
    expect(topology.exec(node, ['ip', '-4', 'route', 'get', '198.18.1.4'])).toMatch(/via 198\.18\.0\.2 dev fab0/);
  });
});

kernel('leaves the root namespace interfaces and routes alone', () => {
  const root = (): string =>
    [['-o', 'link', 'show'], ['-4', 'route', 'show', 'table', 'all'], ['-6', 'route', 'show', 'table', 'all']]
      .map((args) => spawnSync('ip', args, { encoding: 'utf8' }).stdout)
      // Counters and link state flags of real interfaces may change meanwhile; names and routes not.
      .join('\n')
      .split('\n')
      .map((line) => line.replace(/^(\d+: \S+).*$/, '$1').replace(/ expires \d+sec/, ''))
      .join('\n');
  const before = root();
  withTopology(spec, (topology) => {
    expect(topology.probe([{ from: { pod: 'ns0/pod-0' }, to: '198.18.1.4', protocol: 'TCP', port: 22 }])[0]?.connected).toBe(true);
    expect(root()).toBe(before);
  });
  expect(root()).toBe(before);
});

kernel('refuses a prefix owned by another live process, then takes it over once that process is gone', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid ?? 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const starttime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  const dir = join(tmpdir(), 'netpolc-netns-harness');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hlc.owner'), `${pid} ${starttime}\n`);
  try {
    expect(() => createTopology(spec)).toThrow(new RegExp(`prefix 'hlc' is in use by live process ${pid}`));
    expect(() => cleanupStale('hlc')).toThrow(/in use by live process/);
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  withTopology(spec, (topology) => expect(topology.namespaces()).toHaveLength(7));
  rmSync(join(dir, 'hlc.owner'), { force: true });
});

kernel('refuses a second live topology with the same prefix in one process', () => {
  withTopology(spec, () => {
    expect(() => createTopology(spec)).toThrow(/already has a live topology in this process/);
  });
});

kernel('refuses probes that do not fit the topology', () => {
  withTopology(spec, (topology) => {
    const from = { pod: 'ns0/pod-0' };
    expect(() => topology.probe([{ from, to: '198.18.9.9', protocol: 'TCP', port: 80 }])).toThrow(/not an address of this topology/);
    expect(() => topology.probe([{ from, to: 'pod-1', protocol: 'TCP', port: 80 }])).toThrow(/not a plain IPv4 or IPv6/);
    expect(() => topology.probe([{ from, to: '198.18.1.2', protocol: 'TCP', port: 0 }])).toThrow(/port 0/);
    expect(() => topology.probe([{ from, to: '198.18.1.2', protocol: 'TCP', port: 65536 }])).toThrow(/port 65536/);
    // An echo request has no port: port 0 only.
    expect(() => topology.probe([{ from, to: '198.18.1.2', protocol: 'ICMP', port: 1 }])).toThrow(/port 1 must be 0 for an ICMP echo/);
    const gre = { from, to: '198.18.1.2', protocol: 'GRE', port: 0 } as unknown as Parameters<typeof topology.probe>[0][0];
    expect(() => topology.probe([gre])).toThrow(/unknown protocol 'GRE'/);
    expect(() => topology.probe([{ from: { pod: 'ns/ghost' }, to: '198.18.1.2', protocol: 'UDP', port: 53 }])).toThrow(
      /unknown pod 'ns\/ghost'/,
    );
    expect(() => topology.probe([{ from, to: '198.18.1.2', protocol: 'UDP', port: 53 }], { timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(topology.probe([])).toEqual([]);
  });
});
