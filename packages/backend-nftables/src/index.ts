import { defineBackend, defineDiagnostics, NoTarget, paramMessage } from '@netpolc/ir';

const diagnostic = defineDiagnostics({
  'backend-nftables/not-implemented': {
    severity: 'error',
    message: paramMessage`the nftables backend is not implemented yet`,
    docs: 'Placeholder until the backend lands.',
  },
});

/** Options of the nftables backend. */
export type NftablesOptions = Record<string, never>;

/** The nftables backend (work in progress). */
export const nftablesBackend = defineBackend<NftablesOptions>({
  name: 'nftables',
  description: 'nftables (not implemented yet)',
  flags: {},
  parseOptions: () => ({ options: {}, diagnostics: [] }),
  emit: () => ({ files: [], diagnostics: [diagnostic('backend-nftables/not-implemented', {}, NoTarget)] }),
});
