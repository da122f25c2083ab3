import { bindConnection, evaluate, policyId, refAt, type BoundEndpoint, type LoadResult, type SideVerdict } from '@netpolc/ir';
import type { Command, Values } from '../command.js';
import { ExitCode, UsageError } from '../io.js';
import { loadInputs, useColor } from '../load.js';
import { parseConnectionProtocol, parseEndpoint, parsePortOrName, resolvePortName } from './parse-connection.js';

function describe(ep: BoundEndpoint): string {
  if (ep.pod) return `pod ${ep.pod.namespace}/${ep.pod.name} (${ep.ip})`;
  if (ep.node) return `node ${ep.node} (${ep.ip})`;
  return `${ep.ip} (outside the cluster's pods)`;
}

function at(result: LoadResult, target: Parameters<LoadResult['locate']>[0]): string {
  const loc = result.locate(target);
  return loc ? `${loc.file}:${loc.line}:${loc.column}` : '';
}

function table(rows: readonly (readonly [string, string])[], indent: string): string[] {
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `${indent}${l.padEnd(width)}  ${r}`.trimEnd());
}

function explainSide(result: LoadResult, side: SideVerdict, ep: BoundEndpoint): string[] {
  const who = ep.pod ? `${ep.pod.namespace}/${ep.pod.name}` : describe(ep);
  const head = `${side.direction} of ${who}: ${side.allowed ? 'allowed' : 'denied'}`;
  const isolated = table(side.isolatedBy.map((p) => [policyId(p), at(result, refAt(p.origin, 'metadata', 'name'))] as const), '    ');
  switch (side.reason) {
    case 'not-a-pod':
      return [`${side.direction}: ${describe(ep)} is not a pod, so no policy applies on this side`];
    case 'not-isolated':
      return [`${head} (no policy selects it for ${side.direction})`];
    case 'self':
      return [`${head} (a pod can always reach itself)`];
    case 'node-local':
      return [`${head} (traffic from the pod's own node is always allowed)`];
    case 'icmp-essentials':
      return [`${head} (--semantics icmp-essentials: ICMP echo requests are always allowed)`];
    case 'no-rule-allows':
      return [`${head}`, '  isolated by:', ...isolated, `  no ${side.direction} rule of these policies matches`];
    case 'allowed-by-rule': {
      const peerKey = side.direction === 'ingress' ? 'from' : 'to';
      const rows = side.allowedBy.map((m) => {
        const where = [`${side.direction}[${m.rule.index}]`, m.peer === null ? `any ${peerKey}` : `${peerKey}[${m.peer}]`, m.port === null ? 'any port' : `ports[${m.port}]`];
        const ref = m.peer !== null && m.rule.peers !== 'any' ? m.rule.peers[m.peer]!.origin : m.rule.origin;
        return [`${policyId(m.policy)} ${where.join(' ')}`, at(result, ref)] as const;
      });
      return [`${head}`, '  isolated by:', ...isolated, '  allowed by:', ...table(rows, '    ')];
    }
  }
}

/**
 * With `--from-cluster -n NS`, pods of every namespace are read (an IP may be any pod's) but only
 * NS's NetworkPolicies: an endpoint that is a pod of another namespace has policies that were not
 * read, so the verdict would be wrong for its side (an audit got ALLOWED for a pod, given by IP,
 * whose namespace denies its egress). Returns why, or undefined.
 */
function unreadPolicies(values: Values, endpoints: readonly BoundEndpoint[]): string | undefined {
  const read = (values['namespace'] as string[] | undefined) ?? [];
  if (read.length === 0 || values['from-cluster'] !== true) return undefined;
  const outside = endpoints.filter((e) => e.pod !== undefined && !e.pod.hostNetwork && !read.includes(e.pod.namespace));
  if (outside.length === 0) return undefined;
  const names = outside.map((e) => `${e.ip} is the pod ${e.pod!.namespace}/${e.pod!.name}`);
  const add = [...new Set(outside.map((e) => e.pod!.namespace))].map((ns) => `-n ${ns}`);
  return `${names.join(' and ')}, whose namespace's NetworkPolicies were not read (--namespace ${read.join(', ')}); add ${add.join(' ')}`;
}

/** `netpolc explain`: the verdict for one connection, with the policies and rules behind it. */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'Explain whether a connection is allowed, naming the isolating policies and the rules (with source locations) that allow each side.',
  usage: 'netpolc explain --from SRC --to DST --port N|NAME [--protocol P] | --protocol ICMP [--inventory PATH]... PATH...   (SRC/DST: ns/pod, ns/pod@IP or an IP)',
  options: {
    from: { type: 'string', value: 'SRC', description: 'source: ns/pod, ns/pod@IP or an IP address' },
    to: { type: 'string', value: 'DST', description: 'destination: ns/pod, ns/pod@IP or an IP address' },
    port: { type: 'string', short: 'p', value: 'N|NAME', description: "destination port: a number, or a container port name of the destination pod (as a policy's named port is resolved)" },
    protocol: { type: 'string', value: 'P', description: 'TCP (default; for a port name, its own), UDP or SCTP; or ICMP, an echo request (no --port), which only rules without ports admit' },
    format: { type: 'string', short: 'f', value: 'text|json', description: 'output format (default text)' },
  },
  async run(io, values, positionals) {
    const src = parseEndpoint('--from', values['from']);
    const dst = parseEndpoint('--to', values['to']);
    const portGiven = parsePortOrName(values['port']);
    const protocolGiven = parseConnectionProtocol(values['protocol']);
    if (protocolGiven === 'ICMP' && portGiven !== undefined) throw new UsageError('--protocol ICMP takes no --port: an echo request has none');
    if (portGiven === undefined && protocolGiven !== 'ICMP') throw new UsageError('--port is required');
    const format = (values['format'] as string | undefined) ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
    const { result, ok } = await loadInputs(io, values, positionals);
    if (!ok) return ExitCode.input;
    let port = typeof portGiven === 'number' ? portGiven : 0;
    let protocol = protocolGiven ?? 'TCP';
    if (typeof portGiven === 'string') {
      // The endpoints are bound first: a name is looked up on the pod the destination is.
      const bound = bindConnection(result.program, { src, dst, protocol, port: 1 });
      if ('error' in bound) throw new UsageError(bound.error);
      ({ port, protocol } = resolvePortName(portGiven, bound.dst, protocolGiven === 'ICMP' ? undefined : protocolGiven));
    }
    const verdict = evaluate(result.program, { src, dst, protocol, port });
    if ('error' in verdict) throw new UsageError(verdict.error);
    const unread = unreadPolicies(values, [verdict.src, verdict.dst]);
    if (unread !== undefined) throw new UsageError(unread);
    const portText = protocol === 'ICMP' ? 'ICMP echo' : typeof portGiven === 'string' ? `${protocol}/${port} (${portGiven})` : `${protocol}/${port}`;
    if (format === 'json') {
      const side = (s: SideVerdict) => ({
        allowed: s.allowed,
        reason: s.reason,
        isolatedBy: s.isolatedBy.map((p) => policyId(p)),
        allowedBy: s.allowedBy.map((m) => ({ policy: policyId(m.policy), rule: m.rule.index, peer: m.peer, port: m.port, at: at(result, m.rule.origin) })),
      });
      const ep = (e: BoundEndpoint) => ({ ip: e.ip, pod: e.pod ? `${e.pod.namespace}/${e.pod.name}` : null, node: e.node ?? null });
      const name = typeof portGiven === 'string' ? { portName: portGiven } : {};
      // An echo request has no port.
      const where = protocol === 'ICMP' ? {} : { port };
      io.stdout.write(JSON.stringify({ allowed: verdict.allowed, protocol, ...where, ...name, from: ep(verdict.src), to: ep(verdict.dst), egress: side(verdict.egress), ingress: side(verdict.ingress) }, null, 2) + '\n');
      return ExitCode.ok;
    }
    const color = useColor(values, io.stdout, io);
    const word = verdict.allowed ? 'ALLOWED' : 'DENIED';
    const painted = color ? `\u001b[${verdict.allowed ? '32' : '31'};1m${word}\u001b[0m` : word;
    const lines = [
      `${describe(verdict.src)} -> ${describe(verdict.dst)} on ${portText}: ${painted}`,
      ...explainSide(result, verdict.egress, verdict.src),
      ...explainSide(result, verdict.ingress, verdict.dst),
    ];
    io.stdout.write(lines.join('\n') + '\n');
    return ExitCode.ok;
  },
};
