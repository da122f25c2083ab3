import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { parseCidr } from '@netpolc/ir';
import { ciliumBackend } from '../src/index.js';
import { options } from './support/harness.js';
import { parseCiliumYaml } from './support/parse.js';
import { repoRoot, validInputs } from './support/sources.js';

const schemaDir = join(repoRoot, '..', 'shared', 'schemas', 'cilium');

function validator(file: string): (o: unknown) => string[] {
  const crd = parse(readFileSync(join(schemaDir, file), 'utf8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] } };
  // Go regexps allow the short Unicode class form \PC; JavaScript needs \P{C}.
  const schema = goPatterns(crd.spec.versions.find((v) => v.name === 'v2')!.schema.openAPIV3Schema);
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('cidr', (s: string) => parseCidr(s) !== undefined);
  for (const f of ['int32', 'int64', 'date-time', 'byte']) ajv.addFormat(f, true);
  const validate = ajv.compile(schema as object);
  return (o) => (validate(o) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

function goPatterns(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(goPatterns);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, k === 'pattern' && typeof x === 'string' ? x.replace(/\\([pP])([A-Z])(?![a-z{])/g, '\\$1{$2}') : goPatterns(x)]),
  );
}

it.skipIf(!existsSync(schemaDir))('emits objects that validate against the cilium.io/v2 CRD schemas', () => {
  const cnp = validator('ciliumnetworkpolicies.yaml');
  const ccnp = validator('ciliumclusterwidenetworkpolicies.yaml');
  let count = 0;
  for (const { name, input } of validInputs()) {
    for (const raw of [{}, { 'cilium-version': '1.15' }]) {
      const out = ciliumBackend.emit(input, options(raw));
      for (const file of out.files) {
        for (const object of parseCiliumYaml(file.content)) {
          count++;
          const errors = object.kind === 'CiliumNetworkPolicy' ? cnp(object) : ccnp(object);
          expect(errors, `${name} ${object.metadata.namespace}/${object.metadata.name}`).toEqual([]);
          // The CRDs' CEL rule "spec or specs must be provided", which ajv does not run.
          expect(object.spec).toBeDefined();
          // Releases before the aggregated-selector rework reject rules combining L3 kinds
          // (pkg/policy/api/rule_validation.go "Combining %s and %s is not supported yet").
          for (const r of [...(object.spec.ingress ?? []), ...(object.spec.egress ?? [])]) {
            const l3 = Object.keys(r).filter((k) => k !== 'toPorts');
            expect(l3.length, `${name} ${object.metadata.name}`).toBeLessThanOrEqual(1);
            for (const pr of r.toPorts ?? []) expect(pr.ports.length).toBeLessThanOrEqual(40);
          }
        }
      }
    }
  }
  expect(count).toBeGreaterThan(10);
});

it.skipIf(!existsSync(schemaDir))('rejects an object the schema forbids (the validator is live)', () => {
  const cnp = validator('ciliumnetworkpolicies.yaml');
  expect(cnp({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' }, spec: { endpointSelector: {}, ingress: [{ fromEntities: ['everything'] }] } })).not.toEqual([]);
  expect(cnp({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' }, spec: { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/33' }] }] } })).not.toEqual([]);
});
