// Exec credential plugins (users[].user.exec), run by netpolc as kubectl runs them: client-go
// plugin/pkg/client/auth/exec/exec.go (isInteractive, refreshCredsLocked, getCreds,
// credsExpired, maybeRefreshCreds, wrapCmdRunErrorLocked). @kubernetes/client-node's ExecAuth
// leaves stdin an open pipe, hides stderr, sets no KUBERNETES_EXEC_INFO and re-runs a plugin
// without expirationTimestamp for every request, so netpolc does not use it.
import { spawn } from 'node:child_process';
import { isatty } from 'node:tty';
import type { Io } from '../io.js';
import { ClusterError } from './errors.js';
import type { ExecConfig } from './user-auth.js';

/** A credential an exec plugin printed. */
export interface ExecCredential {
  readonly token: string | undefined;
  /** PEM client certificate and key, both or neither. */
  readonly clientCertificate: { readonly cert: string; readonly key: string } | undefined;
  /** When it expires (ms since the epoch); undefined: it lasts for the whole command. */
  readonly expiresAt: number | undefined;
}

/**
 * How long a plugin may run. client-go sets no limit; netpolc stops a plugin that hangs so a CI
 * job fails with a message rather than at the job's own timeout, and allows minutes because a
 * plugin may wait for a browser or device-code login.
 */
export const execTimeoutMs = 5 * 60_000;

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the plugin prints, checked as refreshCredsLocked checks it. */
function parseCredential(stdout: string, config: ExecConfig, name: string): ExecCredential {
  let v: unknown;
  try {
    v = JSON.parse(stdout);
  } catch (err) {
    throw new ClusterError(`${name} did not print an ExecCredential (JSON) on its standard output: ${(err as Error).message}`);
  }
  if (!isMap(v) || v['kind'] !== 'ExecCredential') throw new ClusterError(`${name} did not print an ExecCredential on its standard output`);
  if (v['apiVersion'] !== config.apiVersion) {
    throw new ClusterError(`${name} is configured to use API version ${config.apiVersion}, but printed an ExecCredential of version ${JSON.stringify(v['apiVersion'] ?? null)}`);
  }
  const status = v['status'];
  if (!isMap(status)) throw new ClusterError(`${name} printed an ExecCredential without a status`);
  const str = (k: string): string => (typeof status[k] === 'string' ? (status[k] as string) : '');
  const token = str('token');
  const cert = str('clientCertificateData');
  const key = str('clientKeyData');
  if (token === '' && cert === '' && key === '') throw new ClusterError(`${name} returned neither a token nor a client certificate and key`);
  if ((cert === '') !== (key === '')) throw new ClusterError(`${name} returned only a client certificate or only a key, not both`);
  let expiresAt: number | undefined;
  const exp = status['expirationTimestamp'];
  if (exp !== undefined && exp !== null) {
    expiresAt = typeof exp === 'string' ? Date.parse(exp) : NaN;
    if (Number.isNaN(expiresAt)) throw new ClusterError(`${name} returned an expirationTimestamp that is not an RFC 3339 time: ${JSON.stringify(exp)}`);
  }
  return { token: token === '' ? undefined : token, clientCertificate: cert === '' ? undefined : { cert, key }, expiresAt };
}

/** Whether the plugin gets the terminal (exec.go isInteractive); client-go checks standard input only. */
function interactive(config: ExecConfig, name: string): boolean {
  const tty = isatty(0);
  if (config.interactiveMode === 'Never') return false;
  if (config.interactiveMode === 'IfAvailable') return tty;
  if (!tty) throw new ClusterError(`${name} cannot run: its interactiveMode is Always, but standard input is not a terminal`);
  return true;
}

function installHelp(config: ExecConfig): string {
  const hint = config.installHint ? `\n\n${config.installHint}` : '';
  return (
    `executable ${config.command} not found. It looks like the kubeconfig uses a client-go credential plugin that is not installed ` +
    `(https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins).${hint}`
  );
}

/**
 * Runs the plugin once: standard input closed unless it may be interactive, its standard error
 * on the user's, KUBERNETES_EXEC_INFO set (spec.interactive; spec.cluster when the kubeconfig asks
 * with provideClusterInfo), at most {@link execTimeoutMs}.
 */
export async function runExecPlugin(config: ExecConfig, cluster: Readonly<Json> | undefined, io: Io, where: string, timeoutMs = execTimeoutMs): Promise<ExecCredential> {
  const name = `the exec credential plugin ${config.command} for ${where}`;
  const isInteractive = interactive(config, name);
  const info = { apiVersion: config.apiVersion, kind: 'ExecCredential', spec: { interactive: isInteractive, ...(cluster ? { cluster } : {}) } };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(io.env)) if (v !== undefined) env[k] = v;
  for (const e of config.env) env[e.name] = e.value;
  env['KUBERNETES_EXEC_INFO'] = JSON.stringify(info);
  return new Promise<ExecCredential>((resolve, reject) => {
    let child;
    try {
      child = spawn(config.command, [...config.args], { env, cwd: io.cwd, stdio: [isInteractive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(new ClusterError(`cannot run ${name}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    const out: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    // client-go gives the plugin the user's stderr: device-code prompts and warnings show.
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (t: string) => io.stderr.write(t));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ClusterError(`${name} did not finish within ${timeoutMs / 1000}s; netpolc stopped it`));
    }, timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT') reject(new ClusterError(`cannot run ${name}: ${installHelp(config)}`, { cause: err }));
      else reject(new ClusterError(`cannot run ${name}: ${err.message}${err.code ? ` [${err.code}]` : ''}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new ClusterError(`${name} failed with ${signal ? `signal ${signal}` : `exit code ${code}`}`));
        return;
      }
      try {
        resolve(parseCredential(Buffer.concat(out).toString('utf8'), config, name));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/**
 * The plugin's credential for one command: run on first use, reused until its
 * expirationTimestamp (for the whole command without one), run again when the server rejects it
 * (getCreds, credsExpired, maybeRefreshCreds).
 */
export class ExecCredentials {
  readonly #run: () => Promise<ExecCredential>;
  #value: ExecCredential | undefined;
  #pending: Promise<ExecCredential> | undefined;

  constructor(run: () => Promise<ExecCredential>) {
    this.#run = run;
  }

  /** The cached credential, or a new one when there is none or it expired. */
  get(): Promise<ExecCredential> {
    const v = this.#value;
    if (v && (v.expiresAt === undefined || Date.now() < v.expiresAt)) return Promise.resolve(v);
    // One run at a time: the plugin may prompt, and every request waits for the same answer.
    this.#pending ??= this.#run()
      .then((c) => (this.#value = c))
      .finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  /** After a 401 with `used`: the next {@link get} runs the plugin again, unless that already happened. */
  invalidate(used: ExecCredential): void {
    if (this.#value === used) this.#value = undefined;
  }
}
