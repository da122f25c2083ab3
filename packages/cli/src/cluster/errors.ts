// Imported by main.ts on every run: this module must not import @kubernetes/client-node.

/**
 * A problem reading the live cluster (kubeconfig, connection, TLS, credentials, RBAC, timeout).
 * The CLI prints the message and exits 2; nothing has been written by then.
 */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  /** The HTTP status of the API server's answer, when the error is one. */
  readonly status: number | undefined;

  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
  }
}

/** The minimal ClusterRole that lets netpolc read what it needs (list is what it uses; get is for kubectl). */
export const readerClusterRole = [
  'apiVersion: rbac.authorization.k8s.io/v1',
  'kind: ClusterRole',
  'metadata:',
  '  name: netpolc-reader',
  'rules:',
  '- apiGroups: [""]',
  '  resources: ["namespaces", "nodes", "pods", "services"]',
  '  verbs: ["get", "list"]',
  '- apiGroups: ["networking.k8s.io"]',
  '  resources: ["networkpolicies"]',
  '  verbs: ["get", "list"]',
].join('\n');

/**
 * The `kubectl create clusterrolebinding` line for the subject a 403 names. The API server's
 * message reads `User "system:serviceaccount:ns:name" cannot list resource ...`
 * (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go, forbiddenMessage).
 */
export function bindingCommand(forbiddenMessage: string | undefined): string {
  const user = /User "([^"]*)"/.exec(forbiddenMessage ?? '')?.[1];
  const sa = user ? /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user) : null;
  const subject = sa ? `--serviceaccount=${sa[1]}:${sa[2]}` : `--user=${user && user !== '' ? user : 'USER'}`;
  return `kubectl create clusterrolebinding netpolc-reader --clusterrole=netpolc-reader ${subject}`;
}
