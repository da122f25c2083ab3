import { runPython } from './tools.js';

/** A TCP listener in a namespace (by name), on `addr` (default `::`, every address). */
export interface SocketListener {
  readonly ns: string;
  readonly port: number;
  readonly addr?: string;
}

/** A TCP connection from a namespace; `dev` scopes a link-local IPv6 destination. */
export interface SocketConnect {
  readonly ns: string;
  readonly dst: string;
  readonly port: number;
  readonly dev?: string;
}

/** One neighbour solicitation for `target`, from the link-local address `src` on `dev`. */
export interface SocketSolicit {
  readonly ns: string;
  readonly dev: string;
  readonly src: string;
  readonly mac: string;
  readonly target: string;
}

/**
 * One ICMP(v6) message from a namespace to `dst`, watched for in the namespace `to` (which holds
 * `dst`). An error type (IPv4 3, 11, 12; IPv6 1-4) is about a UDP datagram from `dst` that was
 * never sent, so conntrack relates it to no connection.
 */
export interface SocketIcmp {
  readonly from: string;
  readonly to: string;
  readonly dst: string;
  readonly type: number;
  readonly code: number;
}

/** What {@link socketRound} asks of probe/sockets.py. */
export interface SocketRequest {
  readonly listen?: readonly SocketListener[];
  readonly connect?: readonly SocketConnect[];
  readonly solicit?: readonly SocketSolicit[];
  readonly icmp?: readonly SocketIcmp[];
  readonly timeoutMs: number;
}

/**
 * Connections the prober cannot name (a Service VIP rewritten to the connecting pod, a scoped
 * link-local address), neighbour solicitations and raw ICMP messages, in one Python process:
 * every connection at once, against listeners opened first; every ICMP message at once, against
 * raw sockets opened first. Results are in request order: `connected`, `refused`, `timeout`
 * (dropped) or an errno name; `advertised` or `timeout`; `received` or `timeout`.
 */
export function socketRound(request: SocketRequest): { connect: string[]; solicit: string[]; icmp: string[] } {
  return runPython('sockets.py', request) as { connect: string[]; solicit: string[]; icmp: string[] };
}
