import { defineBackend, defineDiagnostics, NoTarget, paramMessage } from '@netpolc/ir';

const diagnostic = defineDiagnostics({
  'backend-iptables/not-implemented': {
    severity: 'error',
    message: paramMessage`the iptables backend is not implemented yet`,
    docs: 'Placeholder until the backend lands.',
  },
});

/** Options of the iptables backend. */
export type IptablesOptions = Record<string, never>;

/** The iptables backend (work in progress). */
export const iptablesBackend = defineBackend<IptablesOptions>({
  name: 'iptables',
  description: 'iptables (not implemented yet)',
  flags: {},
  parseOptions: () => ({ options: {}, diagnostics: [] }),
  emit: () => ({ files: [], diagnostics: [diagnostic('backend-iptables/not-implemented', {}, NoTarget)] }),
});
