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

/** What {@link socketRound} asks of probe/sockets.py. */
export interface SocketRequest {
  readonly listen?: readonly SocketListener[];
  readonly connect?: readonly SocketConnect[];
  readonly solicit?: readonly SocketSolicit[];
  readonly timeoutMs: number;
}

/**
 * Connections the prober cannot name (a Service VIP rewritten to the connecting pod, a scoped
 * link-local address) and neighbour solicitations, in one Python process: every connection at
 * once, against listeners opened first. Results are in request order: `connected`, `refused`,
 * `timeout` (dropped) or an errno name; `advertised` or `timeout`.
 */
export function socketRound(request: SocketRequest): { connect: string[]; solicit: string[] } {
  return runPython('sockets.py', request) as { connect: string[]; solicit: string[] };
}
