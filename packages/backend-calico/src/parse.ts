// YAML text -> typed model: reads back what the printer writes (and hand-written objects of the
// same shape), strictly. Documents are read as YAML 1.1, the dialect of the Go tools that consume
// Calico objects, so a scalar the printer failed to quote shows up here as a wrong type.
import { parseAllDocuments } from 'yaml';
import { calicoApiVersion, type CalicoAction, type CalicoNetworkPolicy, type CalicoObject, type CalicoPort, type CalicoProtocol, type CalicoRule, type CalicoTier, type EntityRule, type ObjectMeta, type PolicyType } from './model.js';
import { parseSelector, type Selector } from './selector.js';

/** Thrown (and caught by {@link parseCalicoYaml}) for input that is not a valid object. */
class ShapeError extends Error {}

type Json = unknown;

function obj(v: Json, path: string, allowed: readonly string[]): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(`${path}: expected a mapping`);
  const unknown = Object.keys(v).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new ShapeError(`${path}: unknown field ${unknown.join(', ')}`);
  return v as Record<string, Json>;
}

function str(v: Json, path: string): string {
  if (typeof v !== 'string') throw new ShapeError(`${path}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function num(v: Json, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeError(`${path}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}

function list(v: Json, path: string): Json[] {
  if (!Array.isArray(v)) throw new ShapeError(`${path}: expected a list`);
  return v;
}

function oneOf<T extends string>(v: Json, path: string, values: readonly T[]): T {
  const s = str(v, path);
  if (!(values as readonly string[]).includes(s)) throw new ShapeError(`${path}: expected one of ${values.join(', ')}, got ${s}`);
  return s as T;
}

function selector(v: Json, path: string): Selector {
  const r = parseSelector(str(v, path));
  if ('error' in r) throw new ShapeError(`${path}: ${r.error}`);
  return r.selector;
}

function port(v: Json, path: string): CalicoPort {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new ShapeError(`${path}: expected an integer port`);
    return { kind: 'number', port: v };
  }
  const s = str(v, path);
  // numorstring.PortFromString: "n", "n:m", or a port name.
  const m = /^(\d+)(?::(\d+))?$/.exec(s);
  if (!m) return { kind: 'named', name: s };
  return m[2] === undefined ? { kind: 'number', port: Number(m[1]) } : { kind: 'range', from: Number(m[1]), to: Number(m[2]) };
}

function entity(v: Json, path: string): EntityRule {
  const o = obj(v, path, ['nets', 'notNets', 'selector', 'namespaceSelector', 'ports']);
  return {
    ...(o['nets'] !== undefined ? { nets: list(o['nets'], `${path}.nets`).map((n, i) => str(n, `${path}.nets[${i}]`)) } : {}),
    ...(o['notNets'] !== undefined ? { notNets: list(o['notNets'], `${path}.notNets`).map((n, i) => str(n, `${path}.notNets[${i}]`)) } : {}),
    ...(o['selector'] !== undefined ? { selector: selector(o['selector'], `${path}.selector`) } : {}),
    ...(o['namespaceSelector'] !== undefined ? { namespaceSelector: selector(o['namespaceSelector'], `${path}.namespaceSelector`) } : {}),
    ...(o['ports'] !== undefined ? { ports: list(o['ports'], `${path}.ports`).map((p, i) => port(p, `${path}.ports[${i}]`)) } : {}),
  };
}

function icmpMatch(v: Json, path: string): { type: number } {
  const o = obj(v, path, ['type']);
  const type = o['type'];
  if (typeof type !== 'number' || !Number.isInteger(type) || type < 0 || type > 254) throw new ShapeError(`${path}.type: expected an ICMP type 0-254`);
  return { type };
}

function rule(v: Json, path: string): CalicoRule {
  const o = obj(v, path, ['action', 'protocol', 'icmp', 'source', 'destination']);
  return {
    action: oneOf<CalicoAction>(o['action'], `${path}.action`, ['Allow', 'Deny', 'Log', 'Pass']),
    ...(o['protocol'] !== undefined ? { protocol: oneOf<CalicoProtocol>(o['protocol'], `${path}.protocol`, ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6']) } : {}),
    ...(o['icmp'] !== undefined ? { icmp: icmpMatch(o['icmp'], `${path}.icmp`) } : {}),
    ...(o['source'] !== undefined ? { source: entity(o['source'], `${path}.source`) } : {}),
    ...(o['destination'] !== undefined ? { destination: entity(o['destination'], `${path}.destination`) } : {}),
  };
}

function metadata(v: Json, path: string, namespaced: boolean): ObjectMeta {
  const o = obj(v, path, namespaced ? ['name', 'namespace', 'labels'] : ['name', 'labels']);
  let labels: Record<string, string> | undefined;
  if (o['labels'] !== undefined) {
    const l = obj(o['labels'], `${path}.labels`, Object.keys(o['labels'] as object));
    labels = Object.fromEntries(Object.entries(l).map(([k, x]) => [k, str(x, `${path}.labels.${k}`)]));
  }
  return {
    name: str(o['name'], `${path}.name`),
    ...(namespaced ? { namespace: str(o['namespace'], `${path}.namespace`) } : {}),
    ...(labels ? { labels } : {}),
  };
}

function object(v: Json, path: string): CalicoObject {
  const o = obj(v, path, ['apiVersion', 'kind', 'metadata', 'spec']);
  if (str(o['apiVersion'], `${path}.apiVersion`) !== calicoApiVersion) throw new ShapeError(`${path}.apiVersion: expected ${calicoApiVersion}`);
  const kind = oneOf(o['kind'], `${path}.kind`, ['NetworkPolicy', 'Tier']);
  if (kind === 'Tier') {
    const s = obj(o['spec'], `${path}.spec`, ['order', 'defaultAction']);
    const tier: CalicoTier = {
      kind,
      metadata: metadata(o['metadata'], `${path}.metadata`, false),
      spec: {
        ...(s['order'] !== undefined ? { order: num(s['order'], `${path}.spec.order`) } : {}),
        ...(s['defaultAction'] !== undefined ? { defaultAction: oneOf(s['defaultAction'], `${path}.spec.defaultAction`, ['Deny', 'Pass']) } : {}),
      },
    };
    return tier;
  }
  const s = obj(o['spec'], `${path}.spec`, ['tier', 'order', 'selector', 'types', 'ingress', 'egress']);
  const meta = metadata(o['metadata'], `${path}.metadata`, true);
  const rules = (k: 'ingress' | 'egress'): readonly CalicoRule[] | undefined =>
    s[k] === undefined ? undefined : list(s[k], `${path}.spec.${k}`).map((r, i) => rule(r, `${path}.spec.${k}[${i}]`));
  const ingress = rules('ingress');
  const egress = rules('egress');
  const policy: CalicoNetworkPolicy = {
    kind,
    metadata: { ...meta, namespace: meta.namespace! },
    spec: {
      ...(s['tier'] !== undefined ? { tier: str(s['tier'], `${path}.spec.tier`) } : {}),
      ...(s['order'] !== undefined ? { order: num(s['order'], `${path}.spec.order`) } : {}),
      selector: selector(s['selector'], `${path}.spec.selector`),
      types: list(s['types'], `${path}.spec.types`).map((t, i) => oneOf<PolicyType>(t, `${path}.spec.types[${i}]`, ['Ingress', 'Egress'])),
      ...(ingress ? { ingress } : {}),
      ...(egress ? { egress } : {}),
    },
  };
  return policy;
}

/** Reads a (multi-document) YAML stream of Calico objects, or says what is wrong with it. */
export function parseCalicoYaml(text: string): { readonly objects: readonly CalicoObject[] } | { readonly error: string } {
  const docs = parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(docs)) return { objects: [] };
  const objects: CalicoObject[] = [];
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) return { error: `document ${i}: ${doc.errors[0]!.message}` };
    const value: Json = doc.toJS();
    if (value === null || value === undefined) continue;
    try {
      objects.push(object(value, `document ${i}`));
    } catch (e) {
      if (e instanceof ShapeError) return { error: e.message };
      throw e;
    }
  }
  return { objects };
}
