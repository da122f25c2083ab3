export type { Diagnostic, NoTarget as NoTargetType, Severity, SourceRef, SourceSpan, Target } from './diagnostics/diagnostic.js';
export { compilerAssert, hasErrors, InternalError, keyRef, NoTarget, refAt } from './diagnostics/diagnostic.js';
export { defineDiagnostics, paramMessage, type CatalogEntry, type MessageTemplate } from './diagnostics/message.js';
export { irDiagnostic, irDiagnostics, type IrDiagnosticCode } from './diagnostics/catalog.js';

export type { InputSource, Location, SourceFile } from './source/source-file.js';
export { locate } from './source/source-file.js';
export { maxStringLength, type ByteSource } from './source/text.js';

export type { LabelSelector, Requirement, SelectorOperator } from './model/selector.js';
export { canonicalSelector, formatSelector, matchAll, selectorKey } from './model/selector.js';
export type { Direction, NamespaceScope, Peer, Policy, PortMatch, Protocol, Rule } from './model/policy.js';
export { policyId, protocols } from './model/policy.js';
export type { Address, ContainerPort, Inventory, Labels, Namespace, Node, Pod, Service, ServicePort, SidecarPort } from './model/inventory.js';
export { podId } from './model/inventory.js';
export { defaultSemantics, icmpEssentialTypes, type SemanticsOptions } from './model/options.js';
export { antiSpoofingChecks, dhcpServerPort, logRateUnit, neighbourDiscovery, type AntiSpoofingCheck, type LogRateUnit } from './model/host-firewall.js';
export type { Program } from './model/program.js';
export type { AllowTuple, PeerDefinition, PeerSet, PodDirection, Provenance, ResolvedProgram } from './model/resolved.js';

export type { Family, ParsedCidr, ParsedIp } from './net/ip.js';
export { cidrBounds, familyBits, familyMax, formatCidr, formatIp, parseCidr, parseIp } from './net/ip.js';
export { interfaceNameProblem, maxInterfaceName } from './net/interface-name.js';
export type { CidrBlock, IntervalSet } from './net/interval-set.js';
export { cardinality, contains, equals, intersect, normalize, subtract, toCidrBlocks, toCidrStrings, union, unionAll } from './net/interval-set.js';

export { loadProgram, type LoadedObject, type LoadOptions, type LoadResult, type SourceFiles } from './lower/load.js';
export { namespaceNameLabel } from './lower/inventory.js';
export { defaultedServiceProtocol, defaultedTargetPort } from './lower/service.js';
export { isDnsLabel, isDnsSubdomain, isLabelKey, isLabelValue, isPortName } from './lower/names.js';

export { resolve, type ResolveOptions } from './resolve/resolve.js';
export { InventoryIndex } from './resolve/inventory-index.js';
export type { PortRanges, PortSet } from './resolve/port-set.js';
export { anyPorts, fullRange, intersectPortSets, isEmptyPortSet, isFullRange, noPorts, portSetAllows, portSetEquals, portSetKey, portSetOf, unionPortSets } from './resolve/port-set.js';
export { allowedResolved, nodeListsAddress, podAllowed } from './resolve/query.js';
export { allowedPorts, reachabilityMatrix, selectPodsOf, type Matrix, type MatrixOptions } from './query/matrix.js';
export { allowedPortsMatrix } from './query/ports-matrix.js';

export type { BindError, BoundEndpoint, Connection, ConnectionProtocol, Endpoint } from './evaluate/connection.js';
export { bindConnection, findPod } from './evaluate/connection.js';
export { evaluate, selects, type EvaluationError, type RuleMatch, type SideReason, type SideVerdict, type Verdict } from './evaluate/evaluate.js';

export type { Backend, BackendInput, EmitFile, EmitResult, FileBatch, FileSink, OptionSpec, RawOptions } from './backend.js';
export { defineBackend } from './backend.js';
export { batchFiles, FileAssembler, releaseBatch, type AssemblerOptions } from './output/file-assembler.js';
export { answeredNamespaces, endOfFileLine, everyNamespace, maxFileNameBytes, overlongFileName, ownedName } from './output/owned-files.js';
export { annotationLimit, etcdRequestLimit, storedBytesOver } from './output/stored-size.js';
export { yamlCommentText, yamlNumber, yamlPlainTest, yamlQuoted } from './output/yaml-scalars.js';

export { diffConnectivity, endpointText, type ConnectionChange, type ConnectivityDiff, type DiffEndpoint, type DiffOptions } from './diff/connectivity.js';
export { deltaKey, formatRanges, isEmptyDelta, noDelta, toDelta, type PortDelta } from './diff/port-delta.js';
export { appendAll } from './util/append.js';
export { closest, nearNames } from './util/closest.js';
export { compareValues } from './util/compare.js';
export { sha256Hex } from './util/hash.js';
export { slots } from './util/slots.js';
export { memoized } from './util/memo.js';
export { exactSize } from './util/exact-size.js';
export { trieNode, trieStep, type TrieNode } from './util/key-trie.js';
