// Checks for extreme-inputs-audit.test.ts: network namespaces named npx-ext-* (always deleted),
// and the Calico / Cilium CRD schemas of ../shared/schemas (as backend-calico/test/support/schema.ts
// and backend-cilium/test/schema.test.ts load them).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export const isRoot = process.getuid?.() === 0 && ['ip', 'ipset', 'iptables-restore', 'nft'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);

/** Runs `use` with a command runner inside a fresh netns `npx-ext-<tag>`, deleted afterwards. */
export function inNetns<T>(tag: string, use: (run: (cmd: string, args: string[], input?: string) => { code: number; out: string }) => T): T {
  const ns = `npx-ext-${tag}-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    return use((cmd, args, input) => {
      const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
      return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
    });
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

const schemaRoot = new URL('../../../../../../shared/schemas', import.meta.url).pathname;
export const schemasAvailable = existsSync(join(schemaRoot, 'calico')) && existsSync(join(schemaRoot, 'cilium'));

type Schema = Record<string, unknown>;
function crd(file: string, version?: string): Schema {
  const c = parse(readFileSync(join(schemaRoot, file), 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
  return (version ? c.spec.versions.find((v) => v.name === version)! : c.spec.versions[0]!).schema.openAPIV3Schema;
}
// Go regexps allow the short Unicode class form \PC; JavaScript needs \P{C}.
function goPatterns(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(goPatterns);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'pattern' && typeof x === 'string' ? x.replace(/\\([pP])([A-Z])(?![a-z{])/g, '\\$1{$2}') : goPatterns(x)]));
}

/** Schema errors of one emitted object, by kind (empty when valid). */
export function schemaValidator(): (o: { kind: string }) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const by: Record<string, ValidateFunction> = {
    NetworkPolicy: ajv.compile(crd('calico/projectcalico.org_networkpolicies.yaml')),
    Tier: ajv.compile(crd('calico/projectcalico.org_tiers.yaml')),
    CiliumNetworkPolicy: ajv.compile(goPatterns(crd('cilium/ciliumnetworkpolicies.yaml', 'v2')) as Schema),
  };
  return (o) => {
    const v = by[o.kind];
    if (!v) return [`unexpected kind ${o.kind}`];
    return v(o) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
  };
}
