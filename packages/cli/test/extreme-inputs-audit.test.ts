// Audit of the backends with extreme-but-valid inputs (2026-12-01): names, keys and values at the
// API server's limits (apimachinery validation: DNS label 63, DNS subdomain 253, label key
// prefix 253 + name 63, label value 63, IANA_SVC_NAME 15), YAML 1.1 look-alike keys and values,
// IPv6-only, dual-stack and IPv4-mapped pods, /0, /32, /128, ::/0 blocks with hundreds of excepts,
// ports 1 and 65535, endPort 65535, SCTP. `it` tests pin what works and could plausibly break;
// `it.fails` tests assert the correct behaviour of a defect still open (drop `.fails` once fixed).
// The known ENAMETOOLONG of node names of 247+ characters is not covered (fixture.ts keeps them
// at 192).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cli } from './run-cli.js';
import { inNetns, isRoot, schemasAvailable, schemaValidator } from './support/extreme/check.js';
import { extremeObjects, longName, ns1, ns2, toYaml, wideObjects, yaml11Labels } from './support/extreme/fixture.js';

let tmp = '';
beforeAll(() => void (tmp = mkdtempSync(join(tmpdir(), 'netpolc-extreme-audit-'))));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let made = 0;
/** Writes the objects as an inventory file and a policy file (in `reverse` order, swapped). */
function inputs(objects: readonly Record<string, unknown>[], reverse = false): string[] {
  const dir = join(tmp, `in-${made++}`);
  mkdirSync(dir);
  const inv = objects.filter((o) => o['kind'] !== 'NetworkPolicy');
  const pol = objects.filter((o) => o['kind'] === 'NetworkPolicy');
  writeFileSync(join(dir, 'inv.yaml'), toYaml(reverse ? [...inv].reverse() : inv));
  writeFileSync(join(dir, 'pol.yaml'), toYaml(reverse ? [...pol].reverse() : pol));
  return reverse ? ['--inventory', join(dir, 'pol.yaml'), join(dir, 'inv.yaml')] : ['--inventory', join(dir, 'inv.yaml'), join(dir, 'pol.yaml')];
}

/** Compiles into a fresh directory; returns the exit code, stderr and the files written. */
async function compile(backend: string, flags: string[], paths: string[]): Promise<{ code: number; stderr: string; dir: string; files: Map<string, string> }> {
  const dir = join(tmp, `out-${made++}`);
  const r = await cli(['compile', '-b', backend, '--out-dir', dir, ...flags, ...paths]);
  const files = new Map<string, string>();
  try {
    for (const f of readdirSync(dir).sort()) files.set(f, readFileSync(join(dir, f), 'utf8'));
  } catch {
    // nothing written
  }
  return { code: r.code, stderr: r.stderr, dir, files };
}

const errorLines = (stderr: string): string[] => stderr.split('\n').filter((l) => / error /.test(l) || /unexpected error/.test(l));

// Calico stores a default-tier policy as `default.<name>` (at most 253), so its fixture's policy
// names have 240 characters; the others keep 253.
const nameLength: Record<string, number> = { iptables: 253, nftables: 253, calico: 240, cilium: 253 };
// Before 1.20 a Cilium agent checks a selector key with its `k8s.` source in front, which puts a
// key prefix of 253 characters over the limit (label-key-too-long, tested below).
const backendFlags = (b: string): string[] => (b === 'cilium' ? ['--cilium-version', '1.20'] : []);

describe('every backend on the extreme cluster', () => {
  const out = new Map<string, Awaited<ReturnType<typeof compile>>>();
  beforeAll(async () => {
    for (const b of Object.keys(nameLength)) out.set(b, await compile(b, backendFlags(b), inputs(extremeObjects(nameLength[b]))));
  });

  it('compiles with exit 0, and to the same bytes with objects and files in reverse order', async () => {
    for (const [b, r] of out) {
      expect(errorLines(r.stderr), b).toEqual([]);
      expect(r.code, b).toBe(0);
      expect(r.files.size, b).toBeGreaterThan(0);
      const again = await compile(b, backendFlags(b), inputs(extremeObjects(nameLength[b]), true));
      expect(again.code, b).toBe(0);
      expect([...again.files.keys()], b).toEqual([...r.files.keys()]);
      for (const [f, text] of r.files) expect(again.files.get(f) === text, `${b} ${f}`).toBe(true);
    }
  });

  it('refuses the key with a 253-character prefix for Cilium before 1.20, which checks it as k8s.<key>, and writes nothing', async () => {
    const r = await compile('cilium', [], inputs(extremeObjects(nameLength['cilium'])));
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr).map((l) => / error (\S+):/.exec(l)?.[1])).toEqual(['backend-cilium/label-key-too-long']);
    expect(r.files.size).toBe(0);
  });

  // iptables(8)/iptables-extensions(8): chain names at most 28 characters (XT_EXTENSION_MAXNAMELEN
  // 29 with the NUL), comments at most 256 (XT_MAX_COMMENT_LEN), LOG prefixes 29, NFLOG prefixes
  // 64; ipset(8): set names at most 31 (IPSET_MAXNAMELEN 32); nft: chain and set names at most
  // 255 (NFT_NAME_MAXLEN 256), log prefixes 127 (Linux 5ce6b04ce968).
  it('keeps chain, set, comment and log-prefix lengths within the kernel limits, and the two pods sharing 252 characters their own chains', async () => {
    const ipt = await compile('iptables', ['--log', 'all'], inputs(extremeObjects()));
    expect(ipt.code).toBe(0);
    for (const [f, text] of ipt.files) {
      for (const m of text.matchAll(/--comment "([^"]*)"/g)) expect(Buffer.byteLength(m[1]!), f).toBeLessThanOrEqual(256);
      for (const m of text.matchAll(/^:(\S+)/gm)) expect(m[1]!.length, f).toBeLessThanOrEqual(28);
      for (const m of text.matchAll(/--log-prefix "([^"]*)"/g)) expect(m[1]!.length, f).toBeLessThanOrEqual(29);
      for (const m of text.matchAll(/^create (\S+)/gm)) expect(m[1]!.length, f).toBeLessThanOrEqual(31);
    }
    const nft = await compile('nftables', ['--log', 'all'], inputs(extremeObjects()));
    expect(nft.code).toBe(0);
    for (const [f, text] of nft.files) {
      const chains = [...text.matchAll(/^\s*chain (\S+) \{/gm)].map((m) => m[1]!);
      for (const c of chains) expect(c.length, f).toBeLessThanOrEqual(255);
      for (const m of text.matchAll(/^\s*(?:set|map) (\S+) \{/gm)) expect(m[1]!.length, f).toBeLessThanOrEqual(255);
      for (const m of text.matchAll(/log prefix "([^"]*)"/g)) expect(Buffer.byteLength(m[1]!), f).toBeLessThanOrEqual(127);
      // Node 1: pods a and b (names equal but for the last letter) are isolated both ways, each
      // with its own ingress rules (pol-b selects a only), so their ingress chains differ.
      // With --log all, one allow chain per policy and direction: pol-a (both ways) and pol-b,
      // whose names share 252 characters, and each its own log prefix.
      if (f.endsWith('n1.nft')) {
        expect(new Set(chains.filter((c) => c.startsWith('ingress/'))).size).toBe(2);
        expect(new Set(chains.filter((c) => c.startsWith('allow/'))).size).toBe(3);
        expect(new Set([...text.matchAll(/log prefix "netpolc allow [^"]*"/g)].map((x) => x[0])).size).toBe(3);
      }
    }
  });

  it.skipIf(!schemasAvailable)('Calico and Cilium objects validate against the CRD schemas and read the same under YAML 1.1', () => {
    const validate = schemaValidator();
    let objects = 0;
    for (const b of ['calico', 'cilium']) {
      for (const [f, text] of out.get(b)!.files) {
        const as11 = parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as { kind: string } | null);
        const as12 = parseAllDocuments(text, { version: '1.2' }).map((d) => d.toJS() as { kind: string } | null);
        // Go's YAML 1.1 readers (kubectl, calicoctl) must see the same strings: `on`, `yes`, `012`, `1e3`, `0x1F`, `1_000`, `2001-12-14` quoted.
        expect(as11, `${b} ${f}`).toEqual(as12);
        for (const o of as12) {
          if (!o) continue;
          objects++;
          expect(validate(o), `${b} ${f}`).toEqual([]);
        }
      }
    }
    expect(objects).toBeGreaterThanOrEqual(6);
    // The values really made it into the output (as strings).
    const cilium = [...out.get('cilium')!.files.values()].join('\n');
    expect(cilium).toMatch(/k8s:012: "012"/);
    expect(cilium).toMatch(/k8s:on: "yes"/);
    expect(Object.keys(yaml11Labels).length).toBeGreaterThan(15);
  });

  it('explain and matrix answer on the extreme cluster (IPv4-mapped pod, 300 excepts, ports 1 and 65535)', async () => {
    const paths = inputs(extremeObjects());
    const podA = `${ns1}/${longName('a')}`;
    const excepted = await cli(['explain', '--from', '10.1.5.7', '--to', podA, '--port', '65535', ...paths]);
    expect(excepted.stdout).toMatch(/DENIED/);
    const allowed = await cli(['explain', '--from', '11.1.1.1', '--to', podA, '--port', '65535', ...paths]);
    expect(allowed.stdout).toMatch(/: ALLOWED/);
    const udp1 = await cli(['explain', '--from', '2001:db8::1', '--to', podA, '--port', '1', '--protocol', 'UDP', ...paths]);
    expect(udp1.stdout).toMatch(/: ALLOWED/);
    const mapped = await cli(['explain', '--from', `${ns2}/mapped`, '--to', podA, '--port', '80', ...paths]);
    expect(mapped.stdout).toMatch(/\(198\.18\.0\.12\)/);
    const m = await cli(['matrix', '--format', 'json', ...paths]);
    expect(m.code).toBe(0);
    expect(Object.keys((JSON.parse(m.stdout) as { allowed: Record<string, unknown> }).allowed)).toHaveLength(5);
  });
});

it.skipIf(!schemasAvailable)('Cilium: a policy with 344 ports and 302 peers validates (at most 40 ports per PortRule, one L3 kind per rule)', async () => {
  const r = await compile('cilium', [], inputs(wideObjects()));
  expect(errorLines(r.stderr)).toEqual([]);
  expect(r.code).toBe(0);
  const validate = schemaValidator();
  type CnpRule = Record<string, unknown> & { toPorts?: { ports: unknown[] }[] };
  for (const text of r.files.values()) {
    for (const d of parseAllDocuments(text)) {
      const o = d.toJS() as { kind: string; spec: { ingress?: CnpRule[]; egress?: CnpRule[] } } | null;
      if (!o) continue;
      expect(validate(o)).toEqual([]);
      for (const rule of [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])]) {
        expect(Object.keys(rule).filter((k) => k !== 'toPorts').length).toBeLessThanOrEqual(1);
        for (const pr of rule.toPorts ?? []) expect(pr.ports.length).toBeLessThanOrEqual(40);
      }
    }
  }
});

describe.skipIf(!isRoot)('kernel: the extreme cluster loads, and its address sets hold what the policies say', () => {
  it('iptables and nftables of a policy with 344 ports and 302 peers (and 150 more on one pod) load', async () => {
    const paths = inputs(wideObjects());
    const outs = [await compile('iptables', [], paths), await compile('iptables', ['--no-ipset'], paths), await compile('nftables', [], paths)];
    for (const r of outs) expect(errorLines(r.stderr)).toEqual([]);
    inNetns('wide', (run) => {
      for (const r of outs) {
        for (const [f, text] of r.files) {
          if (f.endsWith('.ipset')) continue;
          run('nft', ['flush', 'ruleset']);
          for (const t of ['iptables', 'ip6tables']) {
            run(t, ['-F']);
            run(t, ['-X']);
          }
          run('ipset', ['destroy']);
          const sets = r.files.get(f.replace(/\.ip6?tables$/, '.ipset'));
          if (sets !== undefined && !f.endsWith('.nft')) expect(run('ipset', ['restore'], sets).out, f).toBe('');
          const tool = f.endsWith('.nft') ? ['nft', '-f', '-'] : f.endsWith('.ip6tables') ? ['ip6tables-restore'] : ['iptables-restore'];
          const load = run(tool[0]!, tool.slice(1), text);
          expect(load.out, f).toBe('');
          expect(load.code, f).toBe(0);
        }
      }
    });
  });


  it('iptables: ipset restore and iptables-restore / ip6tables-restore of every node, with and without ipsets; the 0.0.0.0/0 set leaves the 300 excepts out', async () => {
    const paths = inputs(extremeObjects());
    const withSets = await compile('iptables', ['--log', 'all'], paths);
    const noSets = await compile('iptables', ['--no-ipset', '--log', 'all', '--log-target', 'nflog', '--deny-action', 'reject'], paths);
    expect([withSets.code, noSets.code]).toEqual([0, 0]);
    inNetns('ipt', (run) => {
      for (const r of [withSets, noSets]) {
        for (const [f, text] of r.files) {
          if (f.endsWith('.ipset')) continue;
          for (const t of ['iptables', 'ip6tables']) {
            run(`${t}`, ['-F']);
            run(`${t}`, ['-X']);
          }
          run('ipset', ['destroy']);
          const node = f.replace(/\.ip6?tables$/, '');
          const sets = r.files.get(`${node}.ipset`);
          if (sets !== undefined) expect(run('ipset', ['restore'], sets).out, f).toBe('');
          const load = run(f.endsWith('.ip6tables') ? 'ip6tables-restore' : 'iptables-restore', [], text);
          expect(load.out, f).toBe('');
          expect(load.code, f).toBe(0);
          // Node 1's IPv4 sets: the ingress peer 0.0.0.0/0 except 10.0.0.0/24 .. 10.1.43.0/24.
          if (sets !== undefined && f.endsWith('n1.iptables')) {
            const names = [...sets.matchAll(/^create (netpolc4-\S+)/gm)].map((x) => x[1]!);
            const holds = (ip: string): string[] => names.filter((s) => run('ipset', ['test', s, ip]).code === 0);
            expect(holds('10.1.5.7')).toEqual([]);
            expect(holds('10.0.255.255')).toEqual([]);
            expect(holds('11.1.1.1').length).toBe(1);
            expect(holds('255.255.255.255').length).toBe(1);
            expect(holds('10.1.44.0').length).toBe(1);
          }
        }
      }
    });
  });

  it('nftables: nft -f of every node with --log all --counters --deny-action reject; the peer sets leave the excepts out', async () => {
    const r = await compile('nftables', ['--log', 'all', '--counters', '--deny-action', 'reject'], inputs(extremeObjects()));
    expect(r.code).toBe(0);
    inNetns('nft', (run) => {
      for (const [f, text] of r.files) {
        run('nft', ['flush', 'ruleset']);
        const load = run('nft', ['-f', '-'], text);
        expect(load.out, f).toBe('');
        expect(load.code, f).toBe(0);
        if (!f.endsWith('n1.nft')) continue;
        const sets = [...text.matchAll(/^\s*set (peer4-\S+) \{/gm)].map((x) => x[1]!);
        const holds = (ip: string): string[] => sets.filter((s) => run('nft', ['get', 'element', 'inet', 'netpolc', s, `{ ${ip} }`]).code === 0);
        expect(holds('10.1.5.7')).toEqual([]);
        expect(holds('11.1.1.1').length).toBeGreaterThan(0);
      }
      run('nft', ['flush', 'ruleset']);
    });
  });
});

// Fixed (held it.fails before; now 5 rules): one ingress rule with 1025 except-free ipBlock peers
// (/32 each) gives "error backend-calico/too-many-rules: policy p needs 1025 ingress rules;
// Calico accepts at most 1024 per policy", and nothing is written. The API server puts no limit
// on peers, and Calico's CRD allows 1024 rules of up to 256 `nets` each
// (projectcalico.org_networkpolicies.yaml: ingress maxItems 1024, source.nets maxItems 256), so
// ipBlocks without `except` of one rule and protocol fit in ceil(1025 / 256) = 5 rules (a rule
// with several `nets` matches any of them, which is the union the peers mean). The same wall is
// hit by 342 peers with ports on TCP, UDP and SCTP (one rule per peer and protocol).
it('Calico: 1025 ipBlock peers without except in one rule compile (nets packed, at most 256 per rule)', async () => {
  const peers = Array.from({ length: 1025 }, (_, i) => ({ ipBlock: { cidr: `203.0.${i >> 8}.${i & 255}/32` } }));
  const policy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'ns1' }, spec: { podSelector: {}, ingress: [{ from: peers }] } };
  const r = await compile('calico', [], inputs([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } }, policy]));
  expect(errorLines(r.stderr)).toEqual([]);
  expect(r.code).toBe(0);
  const rules = [...r.files.values()].join('\n').match(/- action: Allow/g) ?? [];
  expect(rules.length).toBeLessThanOrEqual(1024);
});

// Fixed (held it.fails before; now split over rules): a peer `podSelector` with one `In` of 150 values
// (the API server puts no limit on `values`) gives "error backend-calico/selector-too-long: the
// Calico selector for this pod selector has 1890 characters; Calico accepts at most 1024", and
// nothing is written. The CRD's 1024-character limit is per selector (`source.selector`
// maxLength 1024), and the Allow rules of a policy are alternatives, so `app in {v0, ..., v149}`
// is exactly the union of rules whose selectors each hold a part of the values
// (`app in {v0..v60}`, `app in {v61..}`, ...), each under 1024 characters.
it('Calico: a peer selector with an In of 150 values compiles (split over rules, each selector under 1024 characters)', async () => {
  const values = Array.from({ length: 150 }, (_, i) => `value-${i}`);
  const policy = {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'ns1' },
    spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values }] } }] }] },
  };
  const r = await compile('calico', [], inputs([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } }, policy]));
  expect(errorLines(r.stderr)).toEqual([]);
  expect(r.code).toBe(0);
  const text = [...r.files.values()].join('\n');
  for (const v of values) expect(text).toContain(`'${v}'`);
  for (const m of text.matchAll(/selector: (.*)$/gm)) expect(m[1]!.length).toBeLessThanOrEqual(1024 + 2);
});

// Fixed (held it.fails before): `0.0.0.0/0` except 5000 scattered /32s (an 86 KB NetworkPolicy,
// valid) compiled with exit 0 into one Calico NetworkPolicy of 1.67 MB as JSON: over etcd's
// default request limit of 1.5 MiB (`--max-request-bytes` 1572864, etcd docs "Request size
// limit"; Kubernetes stores CRD objects as JSON), so `kubectl apply` failed with "etcdserver:
// request is too large" and the pods were not isolated by it. The excepts exceed notNets' 256
// (CRD maxItems) and are replaced by the remaining CIDRs, 31 per /32. Now an error at the policy.
const scatteredExcepts = (n: number): string[] => Array.from({ length: n }, (_, i) => `${1 + (i % 200)}.${(i * 7) % 256}.${Math.floor(i / 200)}.${1 + (i % 250)}/32`);
const exceptPolicy = (except: string[]) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'ns1' }, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except } }] }] } });

it('Calico: an ipBlock with 5000 excepts gives objects etcd can store, or an error', async () => {
  const r = await compile('calico', [], inputs([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } }, exceptPolicy(scatteredExcepts(5000))]));
  expect(r.code).toBe(2);
  expect(r.files.size).toBe(0);
  const errors = errorLines(r.stderr);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(/^\S+:1:\d+: error backend-calico\/object-too-large: Calico policy p takes (\d+) bytes/);
  expect(Number(/takes (\d+) bytes/.exec(errors[0]!)![1])).toBeGreaterThan(1_572_864);
});

// Between 256 KiB and 1.5 MiB a policy can be stored, but client-side `kubectl apply` copies it
// into an annotation that holds at most 262144 bytes: written, with a warning naming the way out.
it('Calico: a policy over 256 KiB as JSON is written with a warning to apply it server-side', async () => {
  const r = await compile('calico', [], inputs([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } }, exceptPolicy(scatteredExcepts(1200))]));
  expect(errorLines(r.stderr)).toEqual([]);
  expect(r.code).toBe(0);
  const sizes = [...r.files.values()].flatMap((text) => parseAllDocuments(text).map((d) => JSON.stringify(d.toJS()).length));
  expect(sizes.some((n) => n > 262_144 && n <= 1_572_864)).toBe(true);
  expect(r.stderr).toMatch(/warning backend-calico\/object-needs-server-side-apply: .*kubectl apply --server-side/);
});

// Fixed (held it.fails before; now an error at the policy): 4000 pods in one namespace, each
// with its own Helm-style labels (13, app.kubernetes.io/name distinct), and one policy allowing
// ingress from `10.0.0.0/20` except `10.0.0.0/24` (3840 of the pods) compiled with exit 0 into one
// CiliumNetworkPolicy of 1.79 MB as JSON: one endpoint selector per covered identity (README,
// "Cilium semantic differences" 1), over etcd's default 1.5 MiB request limit, so `kubectl apply`
// failed ("etcdserver: request is too large"). Here the uncovered pods are fewer (256), and a
// selector on the namespace with `NotIn` their names would be exact and small; in general an
// error like Calico's CRD-limit diagnostics is the least (exit 2, not a file that cannot load).
it('Cilium: an ipBlock around thousands of distinct pods gives objects etcd can store, or an error', async () => {
  const objs: Record<string, unknown>[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '198.19.0.1' }] } },
  ];
  for (let i = 0; i < 4000; i++) {
    const labels = {
      'app.kubernetes.io/name': `app-${i}`, 'app.kubernetes.io/instance': `inst-${i}`, 'app.kubernetes.io/version': 'v1.2.3', 'app.kubernetes.io/component': 'backend',
      'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'chart-1.0.0', team: 'payments', env: 'production', tier: 'backend',
      'cost-center': 'cc-1234', owner: 'someone', version: 'v1',
    };
    objs.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'ns1', labels }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] }, status: { phase: 'Running', podIPs: [{ ip: `10.0.${i >> 8}.${i & 255}` }] } });
  }
  objs.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'half', namespace: 'ns1' }, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/20', except: ['10.0.0.0/24'] } }] }] } });
  const r = await compile('cilium', [], inputs(objs));
  expect(r.code).toBe(2);
  expect(r.files.size).toBe(0);
  expect(errorLines(r.stderr).filter((l) => l.includes('backend-cilium/object-too-large: CiliumNetworkPolicy half takes'))).toHaveLength(1);
});

// Fixed (held it.fails before): iptables comments were cut at 256 bytes (XT_MAX_COMMENT_LEN) by
// keeping the head and appending "...", so `ns/pod` of two pods whose 253-character names share
// 252 characters printed the same comment (11 rules of node 1). They now end with a digest of the
// whole text, as the nftables comments and the iptables LOG prefixes do.
it('iptables: truncated comments keep pods and policies whose long names share a prefix apart', async () => {
  const r = await compile('iptables', [], inputs(extremeObjects()));
  const text = [...r.files].find(([f]) => f.endsWith('n1.iptables'))![1];
  const comment = (re: RegExp): string => re.exec(text)?.[1] ?? '';
  const podA = comment(/-s 198\.18\.0\.10\/32 -m comment --comment "([^"]*)" -g/);
  const podB = comment(/-s 198\.18\.0\.11\/32 -m comment --comment "([^"]*)" -g/);
  expect(podA).not.toBe('');
  expect(podA).not.toBe(podB);
});
