// Validation of emitted objects against Calico's CRD schemas (../shared/schemas/calico, copied
// from projectcalico/calico), plus the checks the schemas cannot express: their CEL rules and
// libcalico-go's validator (lib/validator/v3/validator.go), re-implemented by hand.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDnsLabel, isDnsSubdomain, parseCidr, formatCidr } from '@netpolc/ir';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { builtinTiers, type CalicoObject, type CalicoRule } from '../../src/model.js';
import { objectData } from '../../src/print.js';
import { printSelector } from '../../src/selector.js';


/** `../shared/schemas/calico` relative to the repository root, if present. */
export const calicoSchemaDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/schemas/calico');

/** True when the shared schemas are available (CI has them). */
export const schemasAvailable = existsSync(join(calicoSchemaDir, 'projectcalico.org_networkpolicies.yaml'));

type Schema = Record<string, unknown>;

function crdSchema(file: string): Schema {
  const crd = parse(readFileSync(join(calicoSchemaDir, file), 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}

/** Validators per kind: the v3 CRD for the whole object, the crd.projectcalico.org/v1 CRD for its spec. */
export interface CrdValidators {
  readonly v3: Record<CalicoObject['kind'], ValidateFunction>;
  readonly v1Spec: Record<CalicoObject['kind'], ValidateFunction>;
}

/** Compiles the CRD schemas (call only when {@link schemasAvailable}). */
export function crdValidators(): CrdValidators {
  // OpenAPI extensions (x-kubernetes-*) are not JSON Schema keywords; formats are not checked.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const spec = (s: Schema): Schema => (s['properties'] as Record<string, Schema>)['spec']!;
  return {
    v3: {
      NetworkPolicy: ajv.compile(crdSchema('projectcalico.org_networkpolicies.yaml')),
      Tier: ajv.compile(crdSchema('projectcalico.org_tiers.yaml')),
    },
    v1Spec: {
      NetworkPolicy: ajv.compile(spec(crdSchema('crd.projectcalico.org_networkpolicies.yaml'))),
      Tier: ajv.compile(spec(crdSchema('crd.projectcalico.org_tiers.yaml'))),
    },
  };
}

/** Schema errors of one object (empty when valid). */
export function schemaErrors(v: CrdValidators, o: CalicoObject): string[] {
  const data = JSON.parse(JSON.stringify(objectData(o))) as { spec: unknown };
  const out: string[] = [];
  if (!v.v3[o.kind](data)) out.push(...(v.v3[o.kind].errors ?? []).map((e) => `v3 ${e.instancePath} ${e.message}`));
  if (!v.v1Spec[o.kind](data.spec)) out.push(...(v.v1Spec[o.kind].errors ?? []).map((e) => `v1 spec${e.instancePath} ${e.message}`));
  return out;
}

function ruleProblems(r: CalicoRule, where: string): string[] {
  const out: string[] = [];
  // validator.go validateRule: icmp only with protocol ICMP or ICMPv6, types 0-254.
  if (r.icmp && !(r.protocol === 'ICMP' || r.protocol === 'ICMPv6')) out.push(`${where}: icmp without ICMP/ICMPv6`);
  if (r.icmp && !(r.icmp.type >= 0 && r.icmp.type <= 254)) out.push(`${where}: icmp type ${r.icmp.type}`);
  for (const [side, e] of [['source', r.source], ['destination', r.destination]] as const) {
    if (!e) continue;
    // validator.go validateRule: ports only with a protocol that has ports.
    if (e.ports && e.ports.length > 0 && !(r.protocol === 'TCP' || r.protocol === 'UDP' || r.protocol === 'SCTP')) out.push(`${where}.${side}: ports without TCP/UDP/SCTP`);
    for (const p of e.ports ?? []) {
      if (p.kind === 'number' && (p.port < 1 || p.port > 65535)) out.push(`${where}.${side}: port ${p.port}`);
      if (p.kind === 'range' && !(p.from >= 1 && p.from < p.to && p.to <= 65535)) out.push(`${where}.${side}: range ${p.from}:${p.to}`);
      if (p.kind === 'named' && !/^[a-z0-9-]{1,15}$/.test(p.name)) out.push(`${where}.${side}: port name ${p.name}`);
    }
    for (const c of [...(e.nets ?? []), ...(e.notNets ?? [])]) {
      const parsed = parseCidr(c);
      // validator.go: valid CIDRs; Calico normalises them, so emit them normalised.
      if (!parsed || formatCidr(parsed.family, parsed.network, parsed.prefix) !== c) out.push(`${where}.${side}: CIDR ${c}`);
    }
    // Tier CRD CEL: global() only in an EntityRule namespaceSelector.
    if (e.selector && printSelector(e.selector).includes('global(')) out.push(`${where}.${side}: global() in selector`);
  }
  return out;
}

// validator.go networkPolicyNameRegex without its knp.default./ossg.default. branch: Calico's API
// server refuses to create knp.default.* (apiserver/pkg/storage/calico/policy_storage.go) and
// takes the tier of ossg.* (and kcnp.*) from elsewhere than the name (lib/names/policy.go).
const policyNameRegex = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/;

/** What Calico up to 3.31 says about a NetworkPolicy name in a tier. */
export function policyNameProblems(name: string, tier: string): string[] {
  const out: string[] = [];
  if (!policyNameRegex.test(name)) out.push('name is neither a DNS label nor <tier>.<label>');
  if (['knp.default.', 'ossg.', 'kcnp.'].some((p) => name.startsWith(p))) out.push('name has a prefix Calico reserves');
  // lib/names/policy.go ValidateTieredPolicyName (Calico 3.29-3.31).
  if (tier !== 'default' && !name.startsWith(`${tier}.`)) out.push('name lacks the tier prefix');
  if (tier === 'default' && name.includes('.') && !name.startsWith('default.')) out.push('dotted name in the default tier without default.');
  // The v1 CRD of a default-tier policy is named default.<name> (projectcalico/calico#9642).
  const stored = tier === 'default' && !name.startsWith('default.') ? `default.${name}` : name;
  if (stored.length > 253) out.push(`stored name ${stored.length} characters long`);
  return out;
}

/** Problems the schemas cannot see (CEL rules and validator.go), for a set of emitted objects. */
export function semanticProblems(objects: readonly CalicoObject[]): string[] {
  const tiers = new Set([...Object.keys(builtinTiers), ...objects.filter((o) => o.kind === 'Tier').map((o) => o.metadata.name)]);
  const out: string[] = [];
  for (const o of objects) {
    const where = `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (!isDnsSubdomain(o.metadata.name)) out.push(`${where}: name is not a DNS subdomain`);
    if (o.kind === 'Tier') {
      // Tier CEL rules fix the built-in tiers; netpolc never emits them.
      if (o.metadata.name in builtinTiers) out.push(`${where}: built-in tier emitted`);
      if (!isDnsLabel(o.metadata.name)) out.push(`${where}: tier name is not a DNS label`);
      continue;
    }
    if (!isDnsLabel(o.metadata.namespace)) out.push(`${where}: namespace is not a DNS label`);
    const tier = o.spec.tier ?? 'default';
    if (!tiers.has(tier)) out.push(`${where}: tier ${tier} does not exist`);
    out.push(...policyNameProblems(o.metadata.name, tier).map((p) => `${where}: ${p}`));
    if (printSelector(o.spec.selector).includes('global(')) out.push(`${where}: global() in the policy selector`);
    if (new Set(o.spec.types).size !== o.spec.types.length || o.spec.types.length === 0) out.push(`${where}: types ${o.spec.types.join(',')}`);
    for (const d of ['ingress', 'egress'] as const) {
      (o.spec[d] ?? []).forEach((r, i) => out.push(...ruleProblems(r, `${where} ${d}[${i}]`)));
      if (o.spec[d] && !o.spec.types.includes(d === 'ingress' ? 'Ingress' : 'Egress')) out.push(`${where}: ${d} rules without the type`);
    }
  }
  return out;
}
