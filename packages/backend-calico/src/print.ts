// Typed model -> YAML text. The printer only serialises; every decision was made in lowering.
import { ownedName, type everyNamespace } from '@netpolc/ir';
import { calicoApiVersion, type CalicoObject, type CalicoPort, type CalicoRule, type EntityRule, type ObjectMeta } from './model.js';
import { managedByLabel } from './names.js';
import { printSelector } from './selector.js';
import { writeDocument, writeStream, type YamlData } from './yaml-writer.js';

type Data = { [key: string]: YamlData };

function portData(p: CalicoPort): YamlData {
  switch (p.kind) {
    case 'number':
      return p.port;
    case 'range':
      // Calico's range syntax (numorstring.Port): "from:to", inclusive.
      return `${p.from}:${p.to}`;
    case 'named':
      return p.name;
  }
}

function entityData(e: EntityRule): Data {
  const out: Data = {};
  if (e.nets) out['nets'] = e.nets;
  if (e.notNets) out['notNets'] = e.notNets;
  if (e.selector) out['selector'] = printSelector(e.selector);
  if (e.namespaceSelector) out['namespaceSelector'] = printSelector(e.namespaceSelector);
  if (e.ports) out['ports'] = e.ports.map(portData);
  return out;
}

function ruleData(r: CalicoRule): Data {
  const out: Data = { action: r.action };
  if (r.protocol) out['protocol'] = r.protocol;
  if (r.icmp) out['icmp'] = { type: r.icmp.type };
  if (r.source) out['source'] = entityData(r.source);
  if (r.destination) out['destination'] = entityData(r.destination);
  return out;
}

function metadataData(m: ObjectMeta): Data {
  const out: Data = { name: m.name };
  if (m.namespace !== undefined) out['namespace'] = m.namespace;
  if (m.labels) out['labels'] = { ...m.labels };
  return out;
}

/** The object as plain data, in the shape of its CRD. */
export function objectData(o: CalicoObject): Data {
  const spec: Data = {};
  if (o.kind === 'Tier') {
    if (o.spec.order !== undefined) spec['order'] = o.spec.order;
    if (o.spec.defaultAction !== undefined) spec['defaultAction'] = o.spec.defaultAction;
  } else {
    const s = o.spec;
    if (s.tier !== undefined) spec['tier'] = s.tier;
    if (s.order !== undefined) spec['order'] = s.order;
    spec['selector'] = printSelector(s.selector);
    spec['types'] = [...s.types];
    if (s.ingress) spec['ingress'] = s.ingress.map(ruleData);
    if (s.egress) spec['egress'] = s.egress.map(ruleData);
  }
  return { apiVersion: calicoApiVersion, kind: o.kind, metadata: metadataData(o.metadata), spec };
}

/** One object as a YAML document. */
export function printObject(o: CalicoObject): string {
  return writeDocument(objectData(o));
}

/** Objects as one multi-document YAML stream, in the given order. */
export function printObjects(objects: readonly CalicoObject[]): string {
  return writeStream(objects.map(objectData));
}

/** What every object's text begins with, and the label each carries in its metadata (first). */
const objectStart = `apiVersion: ${calicoApiVersion}\n`;
const managedByLine = Object.entries(managedByLabel).map(([k, v]) => `${k}: ${v}\n`)[0]!;

/**
 * Whether a file is one this backend writes (`EmitResult.owns`): `cluster.yaml`, or the file of
 * one of `namespaces`, whose first object is a Calico one labelled as netpolc's.
 */
export function isOwnFile(namespaces: ReadonlySet<string> | typeof everyNamespace, path: string, head: () => string): boolean {
  if (path !== 'cluster.yaml' && !ownedName(path, namespaces, ['.yaml'], 'namespace-')) return false;
  const start = head();
  return start.startsWith(objectStart) && start.includes(managedByLine);
}
