import { defineBackend, defineDiagnostics, NoTarget, paramMessage } from '@netpolc/ir';

const diagnostic = defineDiagnostics({
  'backend-cilium/not-implemented': {
    severity: 'error',
    message: paramMessage`the cilium backend is not implemented yet`,
    docs: 'Placeholder until the backend lands.',
  },
});

/** Options of the cilium backend. */
export type CiliumOptions = Record<string, never>;

/** The cilium backend (work in progress). */
export const ciliumBackend = defineBackend<CiliumOptions>({
  name: 'cilium',
  description: 'cilium (not implemented yet)',
  flags: {},
  parseOptions: () => ({ options: {}, diagnostics: [] }),
  emit: () => ({ files: [], diagnostics: [diagnostic('backend-cilium/not-implemented', {}, NoTarget)] }),
});
