import { irDiagnostic } from '../diagnostics/catalog.js';
import { hasErrors, refAt, type SourceRef } from '../diagnostics/diagnostic.js';
import { matchAll } from '../model/selector.js';
import type { Direction, Peer, Policy, PortMatch, Protocol, Rule } from '../model/policy.js';
import { formatCidr, isIpv4Mapped, parseCidr, parseIp, strictlyWithin } from '../net/ip.js';
import type { ManifestObject } from '../source/read-objects.js';
import { absent, asMapItem, checkKnownFields, describeValue, intField, valueText, isMap, listField, mapField, stringField, wrongType, type Fields, type LowerContext } from './fields.js';
import { knownFields } from './known-fields.js';
import { checkObjectMeta } from './object-meta.js';
import { lowerMetadata } from './metadata.js';
import { lowerPolicyFast } from './policy-fast.js';
import { isPortName } from './names.js';
import { lowerSelector } from './selector.js';

const protocolNames: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Reads a `networking.k8s.io/v1` NetworkPolicy, applying API-server defaulting and validation. */
export function lowerPolicy(ctx: LowerContext, object: ManifestObject): Policy | undefined {
  return lowerPolicyFast(object.value, object.ref, ctx.selectors) ?? lowerPolicyChecked(ctx, object);
}

/** {@link lowerPolicy} with every check and diagnostic (the fast path's fallback and oracle). */
export function lowerPolicyChecked(ctx: LowerContext, object: ManifestObject): Policy | undefined {
  const { value: obj, ref } = object;
  const before = ctx.diagnostics.length;
  checkKnownFields(ctx, obj, knownFields.policy, ref, 'a NetworkPolicy');
  // A misspelt `namespce` would otherwise put the policy in the default namespace unnoticed.
  const metaFields = obj['metadata'];
  if (isMap(metaFields)) {
    checkKnownFields(ctx, metaFields, knownFields.metadata, refAt(ref, 'metadata'), 'metadata');
    checkObjectMeta(metaFields, (path, problem) => ctx.diagnostics.push(irDiagnostic('ir/invalid-metadata', { field: ['metadata', ...path].map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').slice(1), problem }, refAt(ref, 'metadata', ...path))));
  }
  const meta = lowerMetadata(ctx, obj, ref, 'NetworkPolicy', true);
  const specRef = refAt(ref, 'spec');
  const specFields = mapField(ctx, obj, 'spec', ref);
  const spec = specFields ?? {};
  checkKnownFields(ctx, spec, knownFields.spec, specRef, 'spec');
  const namespace = meta?.namespace ?? ctx.defaultNamespace;

  const podSelectorObj = mapField(ctx, spec, 'podSelector', specRef);
  // A spec that is no mapping was reported already: it has no podSelector to miss.
  if (!('podSelector' in spec) && (specFields !== undefined || absent(obj['spec']))) {
    ctx.diagnostics.push(irDiagnostic('ir/default-pod-selector', { namespace }, specRef));
  }
  const subject = podSelectorObj ? lowerSelector(ctx, podSelectorObj, refAt(specRef, 'podSelector')) : matchAll;

  const ingressRules = lowerRules(ctx, spec, 'ingress', specRef);
  const egressRules = lowerRules(ctx, spec, 'egress', specRef);
  const types = lowerPolicyTypes(ctx, spec, specRef, egressRules.length > 0);

  if (!types.has('ingress') && ingressRules.length > 0) {
    ctx.diagnostics.push(irDiagnostic('ir/rules-ignored', { direction: 'ingress', type: 'Ingress' }, refAt(specRef, 'ingress')));
  }
  if (!types.has('egress') && egressRules.length > 0) {
    ctx.diagnostics.push(irDiagnostic('ir/rules-ignored', { direction: 'egress', type: 'Egress' }, refAt(specRef, 'egress')));
  }
  if (!meta || !subject || hasErrors(ctx.diagnostics.slice(before))) return undefined;
  return {
    namespace,
    name: meta.name,
    subject,
    ingress: types.has('ingress') ? ingressRules : null,
    egress: types.has('egress') ? egressRules : null,
    origin: ref,
  };
}

function lowerPolicyTypes(ctx: LowerContext, spec: Fields, specRef: SourceRef, hasEgressRules: boolean): Set<Direction> {
  const list = listField(ctx, spec, 'policyTypes', specRef);
  const types = new Set<Direction>();
  // Upstream defaulting (pkg/apis/networking/v1/defaults.go): an omitted or empty list becomes
  // [Ingress], plus Egress iff spec.egress holds at least one rule.
  if (!list || list.length === 0) {
    types.add('ingress');
    if (hasEgressRules) types.add('egress');
    return types;
  }
  if (list.length > 2) ctx.diagnostics.push(irDiagnostic('ir/too-many-policy-types', {}, refAt(specRef, 'policyTypes')));
  list.forEach((t, i) => {
    const at = refAt(specRef, 'policyTypes', i);
    const direction: Direction | undefined = t === 'Ingress' ? 'ingress' : t === 'Egress' ? 'egress' : undefined;
    if (!direction) {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-policy-type', { value: typeof t === 'string' ? JSON.stringify(t) : describeValue(t) }, at));
      return;
    }
    if (types.has(direction)) ctx.diagnostics.push(irDiagnostic('ir/duplicate-policy-type', { value: valueText(t) }, at));
    types.add(direction);
  });
  return types;
}

function lowerRules(ctx: LowerContext, spec: Fields, direction: Direction, specRef: SourceRef): Rule[] {
  const list = listField(ctx, spec, direction, specRef) ?? [];
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  const rules: Rule[] = [];
  list.forEach((item, index) => {
    const at = refAt(specRef, direction, index);
    const rule = asMapItem(ctx, item, at, `${direction} rule`, true);
    if (!rule) return;
    checkKnownFields(ctx, rule, direction === 'ingress' ? knownFields.ingressRule : knownFields.egressRule, at, `an ${direction} rule`);
    const peerList = listField(ctx, rule, peerKey, at) ?? [];
    const portList = listField(ctx, rule, 'ports', at) ?? [];
    const peers = peerList.map((p, i) => lowerPeer(ctx, p, refAt(at, peerKey, i))).filter((p): p is Peer => !!p);
    const ports = portList.map((p, i) => lowerPort(ctx, p, refAt(at, 'ports', i))).filter((p): p is PortMatch => !!p);
    // Omitted and empty lists mean the same ("any"): semantics.md §1.3.
    rules.push({ index, peers: peerList.length === 0 ? 'any' : peers, ports: portList.length === 0 ? 'any' : ports, origin: at });
  });
  return rules;
}

function lowerPeer(ctx: LowerContext, value: unknown, ref: SourceRef): Peer | undefined {
  const peer = asMapItem(ctx, value, ref, 'peer');
  if (!peer) return undefined;
  checkKnownFields(ctx, peer, knownFields.peer, ref, 'a peer');
  const has = (k: string): boolean => peer[k] !== undefined && peer[k] !== null;
  if (has('ipBlock')) {
    if (has('podSelector') || has('namespaceSelector')) {
      const other = [has('podSelector') ? 'podSelector' : '', has('namespaceSelector') ? 'namespaceSelector' : ''].filter(Boolean).join(' and ');
      ctx.diagnostics.push(irDiagnostic('ir/ambiguous-peer', { other }, ref));
      return undefined;
    }
    return lowerIpBlock(ctx, peer, ref);
  }
  if (!has('podSelector') && !has('namespaceSelector')) {
    ctx.diagnostics.push(irDiagnostic('ir/empty-peer', {}, ref));
    return undefined;
  }
  const podSel = mapField(ctx, peer, 'podSelector', ref);
  const nsSel = mapField(ctx, peer, 'namespaceSelector', ref);
  const pods = podSel ? lowerSelector(ctx, podSel, refAt(ref, 'podSelector')) : matchAll;
  const nsSelector = nsSel ? lowerSelector(ctx, nsSel, refAt(ref, 'namespaceSelector')) : undefined;
  if (!pods || (nsSel && !nsSelector)) return undefined;
  return {
    kind: 'pods',
    namespaces: nsSelector ? { kind: 'selector', selector: nsSelector } : { kind: 'policy-namespace' },
    pods,
    origin: ref,
  };
}

function lowerIpBlock(ctx: LowerContext, peer: Fields, ref: SourceRef): Peer | undefined {
  const blockRef = refAt(ref, 'ipBlock');
  const block = mapField(ctx, peer, 'ipBlock', ref);
  if (!block) return undefined;
  checkKnownFields(ctx, block, knownFields.ipBlock, blockRef, 'ipBlock');
  const cidrText = stringField(ctx, block, 'cidr', blockRef);
  if (cidrText === undefined) {
    // null is "" to the API server, which requires a CIDR.
    if (absent(block['cidr'])) ctx.diagnostics.push(irDiagnostic('ir/missing-field', { field: 'ipBlock.cidr' }, blockRef));
    return undefined;
  }
  const cidr = parseCidr(cidrText);
  if (!cidr) {
    ctx.diagnostics.push(irDiagnostic('ir/invalid-cidr', { value: JSON.stringify(cidrText), hint: cidrHint(cidrText) }, refAt(blockRef, 'cidr')));
    return undefined;
  }
  const canonical = formatCidr(cidr.family, cidr.network, cidr.prefix);
  if (cidr.hadHostBits) {
    ctx.diagnostics.push(irDiagnostic('ir/cidr-host-bits', { value: cidrText, normalized: canonical }, refAt(blockRef, 'cidr')));
  }
  const excepts: string[] = [];
  let ok = true;
  (listField(ctx, block, 'except', blockRef) ?? []).forEach((e, i) => {
    const at = refAt(blockRef, 'except', i);
    if (typeof e !== 'string') {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-type', { field: 'except entry', expected: 'a string', found: describeValue(e), hint: '' }, at));
      ok = false;
      return;
    }
    const ex = parseCidr(e);
    if (!ex) {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-except', { value: JSON.stringify(e), reason: `is not a valid CIDR${cidrHint(e)}` }, at));
      ok = false;
      return;
    }
    const exCanonical = formatCidr(ex.family, ex.network, ex.prefix);
    if (ex.family !== cidr.family) {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-except', { value: e, reason: `is not of the same address family as ${canonical}` }, at));
      ok = false;
      return;
    }
    // Upstream ValidateIPBlock: each except must be strictly within the cidr (longer prefix).
    if (!strictlyWithin(ex, cidr)) {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-except', { value: e, reason: `must be strictly within ${canonical}` }, at));
      ok = false;
      return;
    }
    if (ex.hadHostBits) ctx.diagnostics.push(irDiagnostic('ir/cidr-host-bits', { value: e, normalized: exCanonical }, at));
    excepts.push(exCanonical);
  });
  if (!ok) return undefined;
  return { kind: 'ip-block', cidr: canonical, except: [...new Set(excepts)].sort(), origin: ref };
}

function cidrHint(text: string): string {
  if (!text.includes('/')) return ' (missing /prefix; write e.g. ' + text + '/32)';
  const addr = text.slice(0, text.indexOf('/'));
  if (/^\d+(\.\d+){0,2}$/.test(addr)) return ' (IPv4 needs four decimal parts)';
  if (/(^|\.)0\d/.test(addr)) return ' (leading zeros are not allowed: they were octal in legacy parsers)';
  // Go's parser (netip) takes at most four hex digits a group; Kubernetes' lenient one took more.
  const long = addr.includes(':') ? /(?:^|:)([0-9a-fA-F]{5,})(?=$|:|\.)/.exec(addr) : null;
  if (long) return ` (an IPv6 group has at most four hex digits${long[1]!.startsWith('0') ? ': leave out leading zeros' : ''})`;
  const ip = parseIp(addr);
  if (ip && isIpv4Mapped(ip)) return ' (an IPv4-mapped IPv6 address: write the IPv4 CIDR, e.g. 10.0.0.0/8 for ::ffff:10.0.0.0/104)';
  return '';
}

function lowerPort(ctx: LowerContext, value: unknown, ref: SourceRef): PortMatch | undefined {
  const entry = asMapItem(ctx, value, ref, 'port', true);
  if (!entry) return undefined;
  checkKnownFields(ctx, entry, knownFields.port, ref, 'a port');
  const rawProtocol = entry['protocol'];
  // `protocol: 6` is no string, and quoting it gives no protocol either: name the three.
  if (!absent(rawProtocol) && typeof rawProtocol !== 'string') wrongType(ctx, refAt(ref, 'protocol'), 'protocol', 'a string', rawProtocol, ' (TCP, UDP or SCTP)');
  const protoText = typeof rawProtocol === 'string' ? rawProtocol : undefined;
  let protocol: Protocol = 'TCP';
  let ok = true;
  if (protoText !== undefined) {
    if (protocolNames.includes(protoText as Protocol)) {
      protocol = protoText as Protocol;
    } else {
      const near = protocolNames.find((p) => p === protoText.toUpperCase());
      ctx.diagnostics.push(
        irDiagnostic('ir/invalid-protocol', { value: JSON.stringify(protoText), hint: near ? ` (protocols are case-sensitive: ${near})` : '' }, refAt(ref, 'protocol')),
      );
      ok = false;
    }
  } else if (!absent(rawProtocol)) {
    ok = false;
  }
  const port = entry['port'];
  const endPortPresent = entry['endPort'] !== undefined && entry['endPort'] !== null;
  const endPort = intField(ctx, entry, 'endPort', ref);
  if (endPortPresent && endPort === undefined) ok = false;
  const portRef = refAt(ref, 'port');
  if (port === undefined || port === null) {
    if (endPortPresent) {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-end-port', { reason: 'may not be specified when port is not specified' }, refAt(ref, 'endPort')));
      return undefined;
    }
    return ok ? { kind: 'all', protocol, origin: ref } : undefined;
  }
  if (typeof port === 'number') {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-port', { value: String(port), reason: 'must be an integer between 1 and 65535' }, portRef));
      return undefined;
    }
    if (endPort !== undefined) {
      if (endPort > 65535) {
        ctx.diagnostics.push(irDiagnostic('ir/invalid-end-port', { reason: `${endPort} must be at most 65535` }, refAt(ref, 'endPort')));
        return undefined;
      }
      if (endPort < port) {
        ctx.diagnostics.push(irDiagnostic('ir/invalid-end-port', { reason: `${endPort} must be greater than or equal to port ${port}` }, refAt(ref, 'endPort')));
        return undefined;
      }
    }
    return ok ? { kind: 'range', protocol, from: port, to: endPort ?? port, origin: ref } : undefined;
  }
  if (typeof port === 'string') {
    if (!isPortName(port)) {
      const reason = /^\d+$/.test(port)
        ? 'is a quoted number: a string port is a port name; write the number unquoted'
        : 'is not a valid port name (at most 15 characters of a-z, 0-9 and -, with at least one letter)';
      ctx.diagnostics.push(irDiagnostic('ir/invalid-port', { value: JSON.stringify(port), reason }, portRef));
      return undefined;
    }
    if (endPortPresent) {
      ctx.diagnostics.push(irDiagnostic('ir/invalid-end-port', { reason: 'may not be specified when port is a name' }, refAt(ref, 'endPort')));
      return undefined;
    }
    return ok ? { kind: 'named', protocol, name: port, origin: ref } : undefined;
  }
  ctx.diagnostics.push(irDiagnostic('ir/invalid-port', { value: describeValue(port), reason: 'must be a number or a port name' }, portRef));
  return undefined;
}
