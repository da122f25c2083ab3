import { pathWith, type SourceRef } from '../diagnostics/diagnostic.js';
import type { Direction, Peer, Policy, PortMatch, Protocol, Rule } from '../model/policy.js';
import { canonicalSelector, matchAll, matchLabelsKey, type LabelSelector, type Requirement, type SelectorTable } from '../model/selector.js';
import { formatCidr, parseCidr, strictlyWithin } from '../net/ip.js';
import { absent, isMap, type Fields } from './fields.js';
import { knownFields } from './known-fields.js';
import { checkObjectMeta } from './object-meta.js';
import { isDnsLabel, isDnsSubdomain, isLabelKey, isLabelValue, isPortName } from './names.js';

// The common case of reading a NetworkPolicy (every field known, of its type, with a valid value,
// nothing defaulted with a warning), without the diagnostics machinery of the checked reading:
// its child references, closures and field checks cost 20-50 µs per policy, and the large
// workloads have 20k-75k policies. Anything else returns undefined and the checked reading
// (`lowerPolicyChecked`) runs and reports. A property test holds the two to the same result
// wherever this one answers. The policy's own references are built as the checked reading
// builds them: they are part of the IR (diagnostics of later stages point at them).
//
// Every object this reading allocates is kept in the IR, except a few arrays: V8 pretenures an
// allocation site (allocates in the old generation) once most of its objects outlive a
// collection, and a shared site that also makes short-lived objects then fills the old
// generation with garbage and keeps their young children alive (measured: the checked reading of
// 20k policies took 0.8 s next to a loaded inventory against 0.4 s alone, 91 MB promoted against
// none). So references are made here, from paths, not with the shared `refAt`.

/** Whether every key of the mapping is one of `known` (the checked reading warns otherwise). */
function onlyKnown(obj: Fields, known: readonly string[]): boolean {
  for (const key in obj) if (!known.includes(key)) return false;
  return true;
}


/** Metadata labels are validated, not kept (a policy's own labels select nothing). */
function validLabels(v: unknown): boolean {
  if (absent(v)) return true;
  if (!isMap(v)) return false;
  for (const k in v) {
    const value = v[k];
    if (typeof value !== 'string' || !isLabelKey(k) || !isLabelValue(value)) return false;
  }
  return true;
}

function selector(v: Fields, table: SelectorTable | undefined): LabelSelector | undefined {
  if (!onlyKnown(v, knownFields.selector)) return undefined;
  const labels = v['matchLabels'];
  const expressions = v['matchExpressions'];
  if (!validLabels(labels)) return undefined;
  // Labels only (most selectors): one seen before is found by its key, without making a
  // canonical selector first (60k selectors at kube-scale, 225k in antrea-stress).
  if (table && isMap(labels) && absent(expressions)) {
    const found = table.byText(matchLabelsKey(labels as Record<string, string>));
    if (found) return found;
  }
  const requirements: Requirement[] = [];
  if (isMap(labels)) for (const key in labels) requirements.push({ key, operator: 'In', values: [labels[key] as string] });
  if (!absent(expressions)) {
    if (!Array.isArray(expressions)) return undefined;
    for (const e of expressions) {
      if (!isMap(e) || !onlyKnown(e, knownFields.requirement)) return undefined;
      const key = e['key'];
      const operator = e['operator'];
      const values = e['values'];
      if (typeof key !== 'string' || !isLabelKey(key)) return undefined;
      if (!absent(values) && !Array.isArray(values)) return undefined;
      const strings: string[] = [];
      for (const value of values ?? []) {
        if (typeof value !== 'string' || !isLabelValue(value)) return undefined;
        strings.push(value);
      }
      if (operator === 'In' || operator === 'NotIn') {
        if (strings.length === 0) return undefined;
      } else if (operator !== 'Exists' && operator !== 'DoesNotExist') return undefined;
      else if (strings.length > 0) return undefined;
      requirements.push({ key, operator, values: strings });
    }
  }
  const canonical = canonicalSelector(requirements);
  return table ? table.intern(canonical) : canonical;
}

function ipBlock(block: unknown, ref: SourceRef): Peer | undefined {
  if (!isMap(block) || !onlyKnown(block, knownFields.ipBlock)) return undefined;
  const text = block['cidr'];
  const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
  if (!cidr || cidr.hadHostBits) return undefined;
  const list = block['except'];
  if (!absent(list) && !Array.isArray(list)) return undefined;
  const excepts: string[] = [];
  for (const e of list ?? []) {
    const ex = typeof e === 'string' ? parseCidr(e) : undefined;
    if (!ex || ex.hadHostBits || !strictlyWithin(ex, cidr)) return undefined;
    excepts.push(formatCidr(ex.family, ex.network, ex.prefix));
  }
  return { kind: 'ip-block', cidr: formatCidr(cidr.family, cidr.network, cidr.prefix), except: [...new Set(excepts)].sort(), origin: ref };
}

function peer(v: unknown, ref: SourceRef, table: SelectorTable | undefined): Peer | undefined {
  if (!isMap(v) || !onlyKnown(v, knownFields.peer)) return undefined;
  const pods = v['podSelector'];
  const namespaces = v['namespaceSelector'];
  const block = v['ipBlock'];
  if (!absent(block)) return absent(pods) && absent(namespaces) ? ipBlock(block, ref) : undefined;
  if (absent(pods) && absent(namespaces)) return undefined;
  if ((!absent(pods) && !isMap(pods)) || (!absent(namespaces) && !isMap(namespaces))) return undefined;
  const podSelector = pods ? selector(pods, table) : matchAll;
  const nsSelector = namespaces ? selector(namespaces, table) : undefined;
  if (!podSelector || (namespaces && !nsSelector)) return undefined;
  return {
    kind: 'pods',
    namespaces: nsSelector ? { kind: 'selector', selector: nsSelector } : { kind: 'policy-namespace' },
    pods: podSelector,
    origin: ref,
  };
}

function port(v: unknown, ref: SourceRef): PortMatch | undefined {
  if (!isMap(v) || !onlyKnown(v, knownFields.port)) return undefined;
  const proto = v['protocol'];
  if (!absent(proto) && proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') return undefined;
  const protocol: Protocol = absent(proto) ? 'TCP' : proto;
  const number = v['port'];
  const end = v['endPort'];
  if (absent(number)) return absent(end) ? { kind: 'all', protocol, origin: ref } : undefined;
  if (typeof number === 'number') {
    if (!Number.isInteger(number) || number < 1 || number > 65535) return undefined;
    if (absent(end)) return { kind: 'range', protocol, from: number, to: number, origin: ref };
    if (typeof end !== 'number' || !Number.isInteger(end) || end < number || end > 65535) return undefined;
    return { kind: 'range', protocol, from: number, to: end, origin: ref };
  }
  if (typeof number === 'string' && isPortName(number) && absent(end)) return { kind: 'named', protocol, name: number, origin: ref };
  return undefined;
}

/** A reference into the same document as `base` (the policy's reference). */
function refTo(base: SourceRef, path: (string | number)[]): SourceRef {
  return { kind: 'ref', file: base.file, doc: base.doc, path };
}

function rules(spec: Fields, direction: Direction, base: SourceRef, table: SelectorTable | undefined): Rule[] | undefined {
  const list = spec[direction];
  if (absent(list)) return [];
  if (!Array.isArray(list)) return undefined;
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  // Lists are made at their exact size (see exactSize).
  const out = new Array<Rule>(list.length);
  for (let index = 0; index < list.length; index++) {
    const rule: unknown = list[index];
    if (!isMap(rule) || !onlyKnown(rule, direction === 'ingress' ? knownFields.ingressRule : knownFields.egressRule)) return undefined;
    const peerList = rule[peerKey];
    const portList = rule['ports'];
    if ((!absent(peerList) && !Array.isArray(peerList)) || (!absent(portList) && !Array.isArray(portList))) return undefined;
    const at = refTo(base, pathWith(base.path, 'spec', direction, index));
    let peers: Rule['peers'] = 'any';
    if (peerList && peerList.length > 0) {
      const read = new Array<Peer>(peerList.length);
      for (let i = 0; i < peerList.length; i++) {
        const p = peer(peerList[i], refTo(base, pathWith(at.path, peerKey, i)), table);
        if (!p) return undefined;
        read[i] = p;
      }
      peers = read;
    }
    let ports: Rule['ports'] = 'any';
    if (portList && portList.length > 0) {
      const read = new Array<PortMatch>(portList.length);
      for (let i = 0; i < portList.length; i++) {
        const p = port(portList[i], refTo(base, pathWith(at.path, 'ports', i)));
        if (!p) return undefined;
        read[i] = p;
      }
      ports = read;
    }
    out[index] = { index, peers, ports, origin: at };
  }
  return out;
}

/** Policy types as the API server defaults them, or undefined when the list needs the checked reading. */
function policyTypes(v: unknown, hasEgressRules: boolean): { ingress: boolean; egress: boolean } | undefined {
  if (absent(v) || (Array.isArray(v) && v.length === 0)) return { ingress: true, egress: hasEgressRules };
  if (!Array.isArray(v) || v.length > 2) return undefined;
  const ingress = v.includes('Ingress');
  const egress = v.includes('Egress');
  // Each entry one of the two, none twice.
  return v.length === (ingress ? 1 : 0) + (egress ? 1 : 0) ? { ingress, egress } : undefined;
}

/**
 * A NetworkPolicy read without diagnostics, or undefined when it needs the checked reading.
 * Selectors are shared through `table` when one is given.
 */
export function lowerPolicyFast(obj: Fields, ref: SourceRef, table?: SelectorTable): Policy | undefined {
  if (!onlyKnown(obj, knownFields.policy)) return undefined;
  const meta = obj['metadata'];
  const spec = obj['spec'];
  if (!isMap(meta) || !onlyKnown(meta, knownFields.metadata) || !isMap(spec) || !onlyKnown(spec, knownFields.spec)) return undefined;
  const name = meta['name'];
  const namespace = meta['namespace'];
  if (typeof name !== 'string' || !isDnsSubdomain(name) || typeof namespace !== 'string' || !isDnsLabel(namespace) || !validLabels(meta['labels']) || !checkObjectMeta(meta)) return undefined;
  // An omitted podSelector is defaulted with a warning: the checked reading gives it.
  if (!('podSelector' in spec)) return undefined;
  const podSelector = spec['podSelector'];
  if (!absent(podSelector) && !isMap(podSelector)) return undefined;
  const subject = podSelector ? selector(podSelector, table) : matchAll;
  if (!subject) return undefined;
  const ingress = rules(spec, 'ingress', ref, table);
  const egress = rules(spec, 'egress', ref, table);
  if (!ingress || !egress) return undefined;
  const types = policyTypes(spec['policyTypes'], egress.length > 0);
  // Rules of a direction the types leave out are ignored with a warning.
  if (!types || (!types.ingress && ingress.length > 0) || (!types.egress && egress.length > 0)) return undefined;
  return { namespace, name, subject, ingress: types.ingress ? ingress : null, egress: types.egress ? egress : null, origin: ref };
}
