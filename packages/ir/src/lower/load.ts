import { irDiagnostic } from '../diagnostics/catalog.js';
import { hasErrors, refAt, type Diagnostic, type SourceRef } from '../diagnostics/diagnostic.js';
import type { Namespace, Node, Pod, Service } from '../model/inventory.js';
import { defaultSemantics, type SemanticsOptions } from '../model/options.js';
import type { Policy } from '../model/policy.js';
import type { Program } from '../model/program.js';
import { SelectorTable } from '../model/selector.js';
import { readObjects, type ManifestObject, type ReadOptions, type ReadResult } from '../source/read-objects.js';
import { isListValue } from '../source/json-items.js';
import type { ListItems } from '../source/list-items.js';
import { locate, locateAll, type InputSource, type Location, type SourceFile } from '../source/source-file.js';
import type { LowerContext } from './fields.js';
import { ignoredReason, lowerNamespace, lowerNode, lowerPod, namespaceNameLabel } from './inventory.js';
import { lowerPolicy } from './policy.js';
import { lowerService } from './service.js';
import { appendAll } from '../util/append.js';
import { capSkipped } from './skipped.js';
import { readKind } from './kinds.js';
import { repeatedClaims } from './address-claims.js';
import { compareValues } from '../util/compare.js';

/** Options of {@link loadProgram}. */
export interface LoadOptions {
  /**
   * Namespace of namespaced objects without `metadata.namespace` (kubectl takes it from the
   * context).
   * @defaultValue "default"
   */
  readonly defaultNamespace?: string;
  /** Implementation-defined behaviour; see {@link SemanticsOptions}. */
  readonly semantics?: Partial<SemanticsOptions>;
  /**
   * Sees every object the load reads and lowers, as it was parsed (`netpolc snapshot` of local
   * files keeps them, reduced): its kind, its namespace as defaulted ('' for a cluster-scoped
   * kind) and its name. Skipped kinds and objects that did not lower are not shown. A List read
   * again whole (one of its items did not parse alone) shows its items again, so collect them by
   * kind, namespace and name; objects an earlier load of the same source lowered (`netpolc
   * diff`) are not parsed again and not shown.
   */
  readonly onObject?: (object: LoadedObject) => void;
  /**
   * Paths of sources that lie under the others, as a cluster lies under the files applied to it
   * (`--inventory` files under the policy PATHs): an object of theirs gives way, without a word,
   * to the object of the same kind, namespace and name from another source. Among themselves, and
   * among the other sources, a repeated object is still a duplicate.
   */
  readonly underlay?: ReadonlySet<string>;
}

/** What {@link LoadOptions.onObject} is shown. */
export interface LoadedObject {
  readonly kind: 'Namespace' | 'Pod' | 'Node' | 'Service' | 'NetworkPolicy';
  readonly namespace: string;
  readonly name: string;
  /** The object as parsed: the loader's own, not to be changed. */
  readonly value: Readonly<Record<string, unknown>>;
  /** The path of the source it was read from (to tell the layers of {@link LoadOptions.underlay} apart). */
  readonly file: string;
}

/** The files read, for locating diagnostics. */
export type SourceFiles = ReadonlyMap<string, SourceFile>;

/** Result of loading: the program (possibly partial when there are errors) and diagnostics. */
export interface LoadResult {
  readonly program: Program;
  readonly diagnostics: readonly Diagnostic[];
  readonly files: SourceFiles;
  /** Resolves a diagnostic target to a line and column. */
  locate(target: Diagnostic['target']): Location | undefined;
  /** {@link locate} of many targets at once, in the order given (located in file order: faster). */
  locateAll(targets: readonly Diagnostic['target'][]): (Location | undefined)[];
}

function objectName(obj: ManifestObject): string {
  const meta = obj.value['metadata'];
  const name = meta && typeof meta === 'object' ? (meta as Record<string, unknown>)['name'] : undefined;
  return typeof name === 'string' ? name : '(unnamed)';
}

function where(files: SourceFiles, ref: SourceRef | undefined): string {
  if (!ref) return 'an earlier input';
  const loc = locate(files, ref);
  return loc ? `${loc.file}:${loc.line}:${loc.column}` : ref.file;
}

/**
 * Reads inputs holding any mix of Namespaces, Pods, Nodes, Services and NetworkPolicies (multi-document
 * YAML, JSON, `kind: List`), validates and defaults them as the API server would, and returns
 * the symbolic program. User errors are collected as diagnostics; nothing is thrown.
 */
export function loadProgram(sources: readonly InputSource[], options: LoadOptions = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  /** The file and kind of each ir/skipped-kind diagnostic, for {@link capSkipped}. */
  const skippedKinds = new Map<Diagnostic, string>();
  const files = new Map<string, SourceFile>();
  const ctx: LowerContext = { diagnostics, defaultNamespace: options.defaultNamespace ?? 'default', selectors: new SelectorTable() };
  const namespaces = new Map<string, Namespace>();
  // Pods are many (150k at kube-scale): duplicates are found next to each other once sorted.
  const podList: Pod[] = [];
  const nodes = new Map<string, Node>();
  const policies = new Map<string, Policy>();
  const services = new Map<string, Service>();
  let objectCount = 0;

  type Origin = { origin: SourceRef | undefined };
  const duplicate = (kind: string, key: string, item: Origin, first: Origin): void => {
    diagnostics.push(irDiagnostic('ir/duplicate-object', { kind, name: key, other: where(files, first.origin) }, item.origin ?? { kind: 'none' }));
  };
  // While a split JSON List is read, what was added, to take back should an item not parse.
  let undo: (() => void)[] | undefined;
  const underlay = options.underlay;
  const under = (o: Origin): boolean => underlay !== undefined && o.origin !== undefined && underlay.has(o.origin.file);
  /** Whether `item` repeats `first`, or one of them gives way to the other (see LoadOptions.underlay). */
  const repeats = (item: Origin, first: Origin): boolean => under(item) === under(first);
  /** `quiet`: a repeat keeps the first without an error (Services, which change no verdict). */
  const add = <T extends Origin>(map: Map<string, T>, key: string, kind: string, item: T | undefined, quiet = false): void => {
    if (!item) return;
    const existing = map.get(key);
    if (existing) {
      if (repeats(item, existing)) {
        if (!quiet) duplicate(kind, key, item, existing);
      } else if (under(existing)) {
        map.set(key, item);
        undo?.push(() => map.set(key, existing));
      }
    } else {
      map.set(key, item);
      undo?.push(() => map.delete(key));
    }
  };

  const inventory = <T extends Namespace | Pod | Node>(kind: InventoryKind, value: T | undefined): T | undefined => {
    if (!value) return undefined;
    if (kind === 'Namespace') add(namespaces, value.name, kind, value as Namespace);
    else if (kind === 'Pod') podList.push(value as Pod);
    else add(nodes, value.name, kind, value as Node);
    return value;
  };
  const onObject = options.onObject;
  const shown = (kind: InventoryKind, obj: ManifestObject, value: Namespace | Pod | Node | undefined): void => {
    if (onObject && value) onObject({ kind, namespace: 'namespace' in value ? value.namespace : '', name: value.name, value: obj.value, file: obj.ref.file });
  };

  /** One object; `index` is its place in the lowered-inventory cache of its read. */
  const take = (obj: ManifestObject, lowered: Lowered, index: number): void => {
    objectCount++;
    // An item of a typed List (PodList) may name neither: the List does.
    const apiVersion = obj.value['apiVersion'] ?? obj.defaults?.apiVersion;
    const kind = obj.value['kind'] ?? obj.defaults?.kind;
    // An empty kind is a missing one to kubectl ("Object 'Kind' is missing").
    if (typeof kind !== 'string' || kind === '' || typeof apiVersion !== 'string' || apiVersion === '') {
      diagnostics.push(irDiagnostic('ir/missing-kind', { field: typeof kind !== 'string' || kind === '' ? 'kind' : 'apiVersion' }, obj.ref));
      return;
    }
    // A NetworkPolicy of another API group (Calico's projectcalico.org/v3) is another kind: Kubernetes
    // tells kinds apart by group (projectcalico/calico api/pkg/apis/projectcalico/v3 register.go).
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    if (kind === 'NetworkPolicy' && (group === 'networking.k8s.io' || group === 'extensions' || group === '')) {
      if (apiVersion === 'extensions/v1beta1') {
        diagnostics.push(irDiagnostic('ir/deprecated-api-version', { found: apiVersion, expected: 'networking.k8s.io/v1' }, refAt(obj.ref, 'apiVersion')));
      } else if (apiVersion !== 'networking.k8s.io/v1') {
        diagnostics.push(irDiagnostic('ir/api-version', { kind, found: apiVersion, expected: 'networking.k8s.io/v1' }, refAt(obj.ref, 'apiVersion')));
        return;
      }
      const p = lowerPolicy(ctx, obj);
      if (p) {
        add(policies, `${p.namespace}/${p.name}`, 'NetworkPolicy', p);
        onObject?.({ kind, namespace: p.namespace, name: p.name, value: obj.value, file: obj.ref.file });
      }
      return;
    }
    const core = apiVersion === 'v1';
    if (core && kind === 'Namespace') {
      shown(kind, obj, inventory(kind, lowerCached(ctx, lowered, index, obj, kind, lowerNamespace)));
    } else if (core && kind === 'Pod') {
      shown(kind, obj, inventory(kind, lowerCached(ctx, lowered, index, obj, kind, lowerPod)));
    } else if (core && kind === 'Node') {
      shown(kind, obj, inventory(kind, lowerCached(ctx, lowered, index, obj, kind, lowerNode)));
    } else if (core && kind === 'Service') {
      const s = lowerService(ctx, obj);
      if (s) {
        add(services, `${s.namespace}/${s.name}`, kind, s, true);
        onObject?.({ kind, namespace: s.namespace, name: s.name, value: obj.value, file: obj.ref.file });
      }
    } else {
      // The API server knows kinds by their exact spelling: `kind: Networkpolicy` is refused
      // ("no matches for kind"), not skipped, so the policy it was meant to be must not vanish.
      const reading = readKind(apiVersion, kind);
      if (reading.kind === 'misspelled') diagnostics.push(irDiagnostic('ir/misspelled-kind', { found: JSON.stringify(kind), meant: reading.meant }, refAt(obj.ref, 'kind')));
      else if (reading.kind === 'wrong-version') diagnostics.push(irDiagnostic('ir/api-version', { kind, found: apiVersion, expected: reading.expected }, refAt(obj.ref, 'apiVersion')));
      else if (reading.kind === 'unknown') diagnostics.push(irDiagnostic('ir/unknown-kind', { kind, apiVersion, name: objectName(obj) }, refAt(obj.ref, 'kind')));
      // Another API's policy (Calico, Cilium, AdminNetworkPolicy) changes connectivity too: say so.
      else if (kind.endsWith('NetworkPolicy')) diagnostics.push(irDiagnostic('ir/other-policy-kind', { kind: `${apiVersion} ${kind}`, name: objectName(obj) }, obj.ref));
      else {
        const d = irDiagnostic('ir/skipped-kind', { kind: `${apiVersion} ${kind}`, name: objectName(obj) }, obj.ref);
        skippedKinds.set(d, `${obj.ref.file}\u0000${apiVersion} ${kind}`);
        diagnostics.push(d);
      }
    }
  };

  /**
   * The items of a List read a run at a time, each lowered as it is parsed; false, with
   * everything they added taken back, when one does not parse alone or is a List itself (the
   * file is then read whole). So too, when `wholeReadable`, for an item without a kind in a List
   * whose kind was not known before its items: a typed List (`PodList`) that names its kind after
   * them names its items' kind (a whole reading sees it).
   */
  const takeItems = (items: ListItems, lowered: Lowered, file: string, offset: number, wholeReadable: boolean): boolean => {
    const marks = { diagnostics: diagnostics.length, pods: podList.length, objects: objectCount };
    undo = [];
    try {
      const known = (i: number): boolean => lowered.kinds[offset + i] !== undefined;
      const read = items.forEach((value, i) => {
        if (value === undefined) {
          // Lowered by an earlier load of this read (`netpolc diff`): not parsed again.
          objectCount++;
          inventory(lowered.kinds[offset + i]!, reuse(ctx, lowered, offset + i));
          return true;
        }
        if (isListValue(value) || (wholeReadable && value['kind'] === undefined && !items.itemDefaults)) return false;
        const ref: SourceRef = { kind: 'ref', file, doc: 0, path: ['items', i] };
        take(items.itemDefaults ? { value, ref, defaults: items.itemDefaults } : { value, ref }, lowered, offset + i);
        return true;
      }, known, (d) => diagnostics.push(d));
      if (!read) {
        diagnostics.length = marks.diagnostics;
        podList.length = marks.pods;
        objectCount = marks.objects;
        for (let u = undo.length - 1; u >= 0; u--) undo[u]!();
      }
      return read;
    } finally {
      undo = undefined;
    }
  };

  for (const source of sources) {
    if (files.has(source.path)) continue;
    let read = readCached(source);
    for (let whole = false; ; whole = true) {
      files.set(source.path, read.file);
      appendAll(diagnostics, read.diagnostics);
      const lowered = loweredOf(read, ctx.defaultNamespace);
      const objects = read.objects;
      for (let index = 0; index < objects.length; index++) take(objects[index]!, lowered, index);
      if (!read.items || takeItems(read.items, lowered, source.path, objects.length, typeof read.file.text === 'string') || whole) break;
      read = readCached(source, { lazyListChars: Infinity });
    }
  }
  capSkipped(diagnostics, skippedKinds);
  if (objectCount === 0 && !hasErrors(diagnostics)) {
    diagnostics.push(irDiagnostic('ir/no-objects', {}, { kind: 'none' }));
  }
  // A stable sort keeps duplicates in input order: the first stays, as with the other kinds.
  podList.sort((a, b) => compareValues(a.namespace, b.namespace) || compareValues(a.name, b.name));
  const sortedPods: Pod[] = [];
  for (const pod of podList) {
    const last = sortedPods[sortedPods.length - 1];
    if (!last || last.name !== pod.name || last.namespace !== pod.namespace) sortedPods.push(pod);
    else if (repeats(pod, last)) duplicate('Pod', `${pod.namespace}/${pod.name}`, pod, last);
    else if (under(last)) sortedPods[sortedPods.length - 1] = pod;
  }
  completeInventory(namespaces, sortedPods, nodes, policies, diagnostics);

  const program: Program = {
    policies: [...policies.values()].sort((a, b) => compareValues(a.namespace, b.namespace) || compareValues(a.name, b.name)),
    inventory: {
      namespaces: [...namespaces.values()].sort((a, b) => compareValues(a.name, b.name)),
      pods: sortedPods,
      nodes: [...nodes.values()].sort((a, b) => compareValues(a.name, b.name)),
      ...(services.size > 0 ? { services: [...services.values()].sort((a, b) => compareValues(a.namespace, b.namespace) || compareValues(a.name, b.name)) } : {}),
    },
    semantics: { ...defaultSemantics, ...options.semantics },
  };
  return { program, diagnostics, files, locate: (target) => locate(files, target), locateAll: (targets) => locateAll(files, targets) };
}

// Loading the same source object twice (`netpolc diff` loads one inventory for both sides)
// reuses its parsed documents and lowered inventory objects: both are immutable data. Lowered
// objects are remembered per read and object index (one WeakMap entry per object cost a tenth of
// a 150k-pod load, much of it in the collector's ephemeron work).
const readCache = new WeakMap<InputSource, ReadResult>();

/** Inventory objects lowered from one read, by object index, and their diagnostics. */
interface Lowered {
  readonly defaultNamespace: string;
  /** Grown as a split JSON List's items are read (their number is known only then). */
  readonly values: unknown[];
  /** The kind of each object lowered so far (undefined: not lowered yet). */
  readonly kinds: (InventoryKind | undefined)[];
  readonly diagnostics: Map<number, readonly Diagnostic[]>;
}
const lowerCache = new WeakMap<ReadResult, Lowered>();

/** A source's read, from the cache unless `options` ask for another reading. */
function readCached(source: InputSource, options?: ReadOptions): ReadResult {
  let read = options ? undefined : readCache.get(source);
  if (!read) {
    read = readObjects(source, options);
    readCache.set(source, read);
  }
  return read;
}

function loweredOf(read: ReadResult, defaultNamespace: string): Lowered {
  let lowered = lowerCache.get(read);
  if (!lowered || lowered.defaultNamespace !== defaultNamespace) {
    const count = read.objects.length;
    lowered = { defaultNamespace, values: new Array<unknown>(count).fill(undefined), kinds: new Array<InventoryKind | undefined>(count).fill(undefined), diagnostics: new Map() };
    lowerCache.set(read, lowered);
  }
  return lowered;
}

type InventoryKind = 'Namespace' | 'Pod' | 'Node';

/** A value lowered by an earlier load of the same read, with its diagnostics again. */
function reuse<T>(ctx: LowerContext, cache: Lowered, index: number): T | undefined {
  const found = cache.diagnostics.get(index);
  if (found) appendAll(ctx.diagnostics, found);
  return cache.values[index] as T | undefined;
}

function lowerCached<T>(ctx: LowerContext, cache: Lowered, index: number, obj: ManifestObject, kind: InventoryKind, lower: (ctx: LowerContext, obj: ManifestObject) => T | undefined): T | undefined {
  if (cache.kinds[index] !== undefined) return reuse(ctx, cache, index);
  const before = ctx.diagnostics.length;
  const value = lower(ctx, obj);
  // Filled in order, so that the lists stay dense as a List's items are appended.
  while (cache.values.length < index) {
    cache.values.push(undefined);
    cache.kinds.push(undefined);
  }
  cache.values[index] = value;
  cache.kinds[index] = kind;
  if (ctx.diagnostics.length > before) cache.diagnostics.set(index, ctx.diagnostics.slice(before));
  return value;
}

/** Implied namespaces, unknown nodes, ignored pods and shared addresses. */
function completeInventory(
  namespaces: Map<string, Namespace>,
  sortedPods: readonly Pod[],
  nodes: Map<string, Node>,
  policies: Map<string, Policy>,
  diagnostics: Diagnostic[],
): void {
  // Pods without Namespace objects are an inventory too (`kubectl get pods -A` alone): their
  // namespaces' labels are unknown, which matters once a namespaceSelector reads one (a NotIn
  // would otherwise hold silently for every namespace).
  const hasInventory = namespaces.size > 0 || (sortedPods.length > 0 && readsNamespaceLabels(policies.values()));
  const imply = (name: string, origin: SourceRef): void => {
    if (namespaces.has(name)) return;
    if (hasInventory) diagnostics.push(irDiagnostic('ir/unknown-namespace', { namespace: name }, refAt(origin, 'metadata', 'namespace')));
    namespaces.set(name, { name, labels: { [namespaceNameLabel]: name }, declared: false, origin: undefined });
  };
  for (const pod of sortedPods) imply(pod.namespace, pod.origin);
  for (const p of policies.values()) imply(p.namespace, p.origin);

  const reportedNodes = new Set<string>();
  // Pods that take part claim their addresses after the nodes (by name); the first claimant owns one.
  const nodesByName = [...nodes.values()].sort((a, b) => compareValues(a.name, b.name));
  const repeats = repeatedClaims(nodesByName, sortedPods.filter((p) => p.actionable));
  const describe = (o: Node | Pod): string => ('namespace' in o ? `pod ${o.namespace}/${o.name}` : `node ${o.name}`);
  // Nodes sharing an address (an ExternalIP behind one NAT): node-local for the pods of each.
  const nodeClaims = new Map<string, Node>();
  for (const node of nodesByName) {
    for (const a of node.addresses) {
      const first = nodeClaims.get(a.ip);
      if (!first) nodeClaims.set(a.ip, node);
      else if (first !== node) diagnostics.push(irDiagnostic('ir/duplicate-ip', { ip: a.ip, first: describe(first), second: describe(node) }, refAt(node.origin, 'status', 'addresses')));
    }
  }
  let position = 0;
  for (const pod of sortedPods) {
    if (!pod.actionable) {
      diagnostics.push(irDiagnostic('ir/ignored-pod', { pod: `${pod.namespace}/${pod.name}`, reason: ignoredReason(pod) }, pod.origin));
      continue;
    }
    if (pod.nodeName && nodes.size > 0 && !nodes.has(pod.nodeName) && !reportedNodes.has(pod.nodeName)) {
      reportedNodes.add(pod.nodeName);
      diagnostics.push(irDiagnostic('ir/unknown-node', { node: pod.nodeName }, refAt(pod.origin, 'spec', 'nodeName')));
    }
    for (const r of repeats.get(position++) ?? []) {
      diagnostics.push(irDiagnostic('ir/duplicate-ip', { ip: r.ip, first: describe(r.first), second: describe(pod) }, pod.origin));
    }
  }
}

/** Whether a peer's namespaceSelector has a requirement on a label other than the name label. */
function readsNamespaceLabels(policies: Iterable<Policy>): boolean {
  for (const p of policies) {
    for (const rules of [p.ingress, p.egress]) {
      for (const rule of rules ?? []) {
        if (rule.peers === 'any') continue;
        for (const peer of rule.peers) {
          if (peer.kind === 'pods' && peer.namespaces.kind === 'selector' && peer.namespaces.selector.requirements.some((r) => r.key !== namespaceNameLabel)) return true;
        }
      }
    }
  }
  return false;
}
