import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { run } from '../../src/main.js';
import { toYaml } from '../../src/cluster/to-yaml.js';
import type { CliResult } from '../run-cli.js';

type Json = Record<string, unknown>;

/** Repository root. */
export const repoRoot = new URL('../../../..', import.meta.url).pathname;

const made: string[] = [];
// Registered in the suite of each test file that imports this module (vitest evaluates it per
// file): a run of the suite made about 10 000 directories that nothing removed.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test file's tests are done. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netpolc-cluster-'));
  made.push(dir);
  return dir;
}

/** Certificates for an HTTPS fake server: a CA, a server certificate it signed, and an unrelated CA. */
export interface Pki {
  readonly ca: string;
  readonly key: string;
  readonly cert: string;
  readonly otherCa: string;
}

let pki: Pki | undefined | null = null;

/**
 * Generates the certificates with the openssl CLI (node:crypto cannot sign X.509 certificates).
 * Undefined when openssl is missing: the suite then serves plain HTTP and skips TLS checks.
 */
export function testPki(): Pki | undefined {
  if (pki !== null) return pki;
  const dir = tempDir();
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3', '-subj', '/CN=netpolc-test-ca');
    ssl('req', '-x509', ...ec, '-keyout', 'other.key', '-out', 'other.crt', '-days', '3', '-subj', '/CN=netpolc-other-ca');
    ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=kube-apiserver');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '3', '-extfile', 'ext.cnf');
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
    pki = { ca: read('ca.crt'), key: read('server.key'), cert: read('server.crt'), otherCa: read('other.crt') };
  } catch {
    pki = undefined;
  }
  return pki;
}

/** One context of a generated kubeconfig. */
export interface KubeContext {
  readonly name: string;
  readonly server: string;
  /** PEM of the CA to trust; none for http. */
  readonly ca?: string;
  readonly token?: string;
}

/** Writes a kubeconfig (YAML, as kubectl writes it) and returns its path; `current` null for none. */
export function writeKubeconfig(dir: string, contexts: readonly KubeContext[], current: string | null = contexts[0]?.name ?? null, file = 'config'): string {
  const config: Json = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((c) => ({
      name: `${c.name}-cluster`,
      cluster: { server: c.server, ...(c.ca ? { 'certificate-authority-data': Buffer.from(c.ca).toString('base64') } : {}) },
    })),
    users: contexts.map((c) => ({ name: `${c.name}-user`, user: { token: c.token ?? 'netpolc-test-token' } })),
    contexts: contexts.map((c) => ({ name: c.name, context: { cluster: `${c.name}-cluster`, user: `${c.name}-user` } })),
    ...(current ? { 'current-context': current } : {}),
  };
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, toYaml(config));
  return path;
}

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((e) => (/\.(ya?ml|json)$/.test(e) || statSync(join(path, e)).isDirectory() ? listFiles(join(path, e)) : []));
}

/** Every object of YAML files and directories (Lists flattened), as the API would store them. */
export function readManifests(paths: readonly string[]): Json[] {
  const out: Json[] = [];
  for (const file of paths.flatMap(listFiles)) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const v = doc.toJS() as Json | null;
      if (!v) continue;
      if (typeof v['kind'] === 'string' && v['kind'].endsWith('List') && Array.isArray(v['items'])) out.push(...(v['items'] as Json[]));
      else out.push(v);
    }
  }
  return out;
}

/** Runs the CLI in-process with an environment (KUBECONFIG, HOME) and a chosen stderr TTY flag. */
export async function runCli(argv: readonly string[], env: Record<string, string | undefined>, options: { cwd?: string; tty?: boolean } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (t: string) => void (stdout += t), isTTY: false },
    stderr: { write: (t: string) => void (stderr += t), isTTY: options.tty ?? false },
    cwd: options.cwd ?? repoRoot,
    env,
    readStdin: async () => new Uint8Array(),
  });
  return { code, stdout, stderr };
}
