/**
 * @netpolc/netns-harness — test-only. Builds routed, Calico-style pod/node topologies in Linux
 * network namespaces and probes them with real TCP, UDP and SCTP packets and ICMP echo requests,
 * so backend tests can load generated rulesets into the kernel and check what they really let
 * through.
 */
export type { Family, ParsedAddress } from './addresses.js';
export { allowedRanges, isAllowedTestAddress, parseAddress } from './addresses.js';
export type { HostSpec, Layout, PodSpec, TopologySpec } from './spec.js';
export { checkPrefix } from './spec.js';
export { TopologyPool, topologyOf } from './program.js';
export type { Probe, ProbeOptions, ProbeProtocol, ProbeResult, TransportProtocol } from './probe.js';
export { transportOf } from './probe.js';
export type { Topology } from './topology.js';
export { createTopology, withTopology } from './topology.js';
export { cleanupStale, listNamespaces } from './stale.js';
export type { KernelGate, KernelSupport } from './support.js';
export { bridgedKernelGate, kernelGate, kernelSupport, kernelTestMode, kernelTestTimeout } from './support.js';
export type { CommandResult } from './tools.js';
export { podBridge, podGatewayV4, podGatewayV6 } from './plan.js';
export type { SocketConnect, SocketIcmp, SocketListener, SocketRequest, SocketSolicit } from './sockets.js';
export { socketRound } from './sockets.js';
export type { ForgedDatagram, ForgedWatch } from './forged.js';
export { forgedArrivals, forgedNodeArrivals, sendForged } from './forged.js';
export type { EveryMode, ExpectedProbe, KernelCheck } from './checks.js';
export { icmpKernelChecks, icmpMessageProblems, probeProblems } from './checks.js';
export type { BridgedPairs } from './bridged.js';
export { acrossBridge, bridgedPairs, podAt, sameNodePair, setRpFilter } from './bridged.js';
