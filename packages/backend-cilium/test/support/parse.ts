// Parser of emitted YAML back into the typed model (round-trip check of the printer). Strict:
// any field the model does not know, or a value of the wrong type, is an error.
import { parseAllDocuments } from 'yaml';
import type {
  CiliumCidrRule,
  CiliumEgressRule,
  CiliumEntity,
  CiliumIcmpField,
  CiliumIcmpRule,
  CiliumIngressRule,
  CiliumPolicy,
  CiliumPortProtocol,
  CiliumPortRule,
  CiliumRequirement,
  CiliumRule,
  CiliumSelector,
} from '../../src/model.js';

type Json = unknown;

function fail(path: string, what: string): never {
  throw new Error(`${path}: ${what}`);
}

function obj(v: Json, path: string, allowed: readonly string[]): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected a mapping');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(path, `unknown field ${k}`);
  return v as Record<string, Json>;
}

function arr<T>(v: Json, path: string, item: (x: Json, p: string) => T): T[] {
  if (!Array.isArray(v)) fail(path, 'expected a sequence');
  return v.map((x, i) => item(x, `${path}[${i}]`));
}

function str(v: Json, path: string): string {
  if (typeof v !== 'string') fail(path, `expected a string, found ${JSON.stringify(v)}`);
  return v;
}

function strMap(v: Json, path: string): Record<string, string> {
  const o = obj(v, path, Object.keys((v ?? {}) as object));
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) out[k] = str(x, `${path}.${k}`);
  return out;
}

function opt<T>(o: Record<string, Json>, key: string, f: (x: Json, p: string) => T, path: string): { [k: string]: T } {
  return key in o ? { [key]: f(o[key], `${path}.${key}`) } : {};
}

function selector(v: Json, path: string): CiliumSelector {
  const o = obj(v, path, ['matchLabels', 'matchExpressions']);
  return {
    ...opt(o, 'matchLabels', strMap, path),
    ...opt(o, 'matchExpressions', (x, p) => arr(x, p, requirement), path),
  };
}

function requirement(v: Json, path: string): CiliumRequirement {
  const o = obj(v, path, ['key', 'operator', 'values']);
  const operator = str(o['operator'], `${path}.operator`);
  if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(operator)) fail(path, `bad operator ${operator}`);
  return { key: str(o['key'], `${path}.key`), operator: operator as CiliumRequirement['operator'], ...opt(o, 'values', (x, p) => arr(x, p, str), path) };
}

function cidrRule(v: Json, path: string): CiliumCidrRule {
  const o = obj(v, path, ['cidr', 'except']);
  return { cidr: str(o['cidr'], `${path}.cidr`), ...opt(o, 'except', (x, p) => arr(x, p, str), path) };
}

function portRule(v: Json, path: string): CiliumPortRule {
  const o = obj(v, path, ['ports']);
  return { ports: arr(o['ports'], `${path}.ports`, portProtocol) };
}

function portProtocol(v: Json, path: string): CiliumPortProtocol {
  const o = obj(v, path, ['port', 'endPort', 'protocol']);
  const protocol = str(o['protocol'], `${path}.protocol`);
  if (!['TCP', 'UDP', 'SCTP', 'ANY'].includes(protocol)) fail(path, `bad protocol ${protocol}`);
  const endPort = o['endPort'];
  if (endPort !== undefined && typeof endPort !== 'number') fail(path, 'endPort must be a number');
  return { port: str(o['port'], `${path}.port`), ...(endPort !== undefined ? { endPort } : {}), protocol: protocol as CiliumPortProtocol['protocol'] };
}

const entity = (x: Json, p: string): CiliumEntity => str(x, p) as CiliumEntity;

function icmpRule(v: Json, path: string): CiliumIcmpRule {
  const o = obj(v, path, ['fields']);
  return {
    fields: arr(o['fields']!, `${path}.fields`, (x, p) => {
      const f = obj(x, p, ['family', 'type']);
      const family = str(f['family']!, `${p}.family`);
      if (family !== 'IPv4' && family !== 'IPv6') fail(`${p}.family`, 'must be IPv4 or IPv6');
      if (typeof f['type'] !== 'number' || !Number.isInteger(f['type'])) fail(`${p}.type`, 'must be an integer');
      return { family: family as CiliumIcmpField['family'], type: f['type'] as number };
    }),
  };
}

function ingress(v: Json, path: string): CiliumIngressRule {
  const o = obj(v, path, ['fromEndpoints', 'fromCIDRSet', 'fromEntities', 'toPorts', 'icmps']);
  return {
    ...opt(o, 'fromEndpoints', (x, p) => arr(x, p, selector), path),
    ...opt(o, 'fromCIDRSet', (x, p) => arr(x, p, cidrRule), path),
    ...opt(o, 'fromEntities', (x, p) => arr(x, p, entity), path),
    ...opt(o, 'toPorts', (x, p) => arr(x, p, portRule), path),
    ...opt(o, 'icmps', (x, p) => arr(x, p, icmpRule), path),
  };
}

function egress(v: Json, path: string): CiliumEgressRule {
  const o = obj(v, path, ['toEndpoints', 'toCIDRSet', 'toEntities', 'toPorts', 'icmps']);
  return {
    ...opt(o, 'toEndpoints', (x, p) => arr(x, p, selector), path),
    ...opt(o, 'toCIDRSet', (x, p) => arr(x, p, cidrRule), path),
    ...opt(o, 'toEntities', (x, p) => arr(x, p, entity), path),
    ...opt(o, 'toPorts', (x, p) => arr(x, p, portRule), path),
    ...opt(o, 'icmps', (x, p) => arr(x, p, icmpRule), path),
  };
}

function spec(v: Json, path: string): CiliumRule {
  const o = obj(v, path, ['description', 'endpointSelector', 'ingress', 'egress']);
  return {
    ...opt(o, 'description', str, path),
    endpointSelector: selector(o['endpointSelector'], `${path}.endpointSelector`),
    ...opt(o, 'ingress', (x, p) => arr(x, p, ingress), path),
    ...opt(o, 'egress', (x, p) => arr(x, p, egress), path),
  };
}

function policy(v: Json, path: string): CiliumPolicy {
  const o = obj(v, path, ['apiVersion', 'kind', 'metadata', 'spec']);
  if (o['apiVersion'] !== 'cilium.io/v2') fail(path, 'apiVersion must be cilium.io/v2');
  const kind = str(o['kind'], `${path}.kind`);
  if (kind !== 'CiliumNetworkPolicy' && kind !== 'CiliumClusterwideNetworkPolicy') fail(path, `bad kind ${kind}`);
  const m = obj(o['metadata'], `${path}.metadata`, ['name', 'namespace', 'labels', 'annotations']);
  return {
    apiVersion: 'cilium.io/v2',
    kind,
    metadata: {
      name: str(m['name'], `${path}.metadata.name`),
      ...opt(m, 'namespace', str, `${path}.metadata`),
      ...opt(m, 'labels', strMap, `${path}.metadata`),
      ...opt(m, 'annotations', strMap, `${path}.metadata`),
    },
    spec: spec(o['spec'], `${path}.spec`),
  };
}

/** Parses a multi-document stream; `version` picks the YAML spec used to read scalars. */
export function parseCiliumYaml(text: string, version: '1.1' | '1.2' = '1.2'): CiliumPolicy[] {
  const docs = parseAllDocuments(text, { version });
  if (!Array.isArray(docs)) throw new Error('not a YAML stream');
  return docs.flatMap((d, i) => {
    if (d.errors.length > 0) throw new Error(`document ${i}: ${d.errors.map((e) => e.message).join('; ')}`);
    const js: Json = d.toJS();
    return js === null || js === undefined ? [] : [policy(js, `document ${i}`)];
  });
}
