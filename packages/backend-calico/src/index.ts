import { defineBackend, defineDiagnostics, NoTarget, paramMessage } from '@netpolc/ir';

const diagnostic = defineDiagnostics({
  'backend-calico/not-implemented': {
    severity: 'error',
    message: paramMessage`the calico backend is not implemented yet`,
    docs: 'Placeholder until the backend lands.',
  },
});

/** Options of the calico backend. */
export type CalicoOptions = Record<string, never>;

/** The calico backend (work in progress). */
export const calicoBackend = defineBackend<CalicoOptions>({
  name: 'calico',
  description: 'calico (not implemented yet)',
  flags: {},
  parseOptions: () => ({ options: {}, diagnostics: [] }),
  emit: () => ({ files: [], diagnostics: [diagnostic('backend-calico/not-implemented', {}, NoTarget)] }),
});
