import type { Diagnostic, Severity, Target } from './diagnostic.js';

/** A message template whose parameters are checked at compile time. */
export interface MessageTemplate<K extends string> {
  readonly keys: readonly K[];
  format(params: Readonly<Record<K, string | number>>): string;
}

/** Tagged template: ``paramMessage`bad ${'cidr'}` `` needs `{ cidr }` when used. */
export function paramMessage<const K extends readonly string[]>(
  strings: TemplateStringsArray,
  ...keys: K
): MessageTemplate<K[number]> {
  return {
    keys,
    format(params) {
      let out = strings[0] ?? '';
      keys.forEach((k: K[number], i) => {
        out += String(params[k]) + (strings[i + 1] ?? '');
      });
      return out;
    },
  };
}

/** One documented diagnostic code. */
export interface CatalogEntry {
  readonly severity: Severity;
  readonly message: MessageTemplate<string>;
  readonly docs: string;
}

type ParamsOf<E> = E extends { message: MessageTemplate<infer K> } ? Readonly<Record<K, string | number>> : never;

/**
 * Turns a catalog (`Record<code, entry>`) into a typed diagnostic factory; every backend uses
 * this for its own catalog.
 */
export function defineDiagnostics<Cat extends Readonly<Record<string, CatalogEntry>>>(catalog: Cat) {
  return <C extends keyof Cat & string>(code: C, params: ParamsOf<Cat[C]>, target: Target): Diagnostic => {
    const entry: CatalogEntry = catalog[code]!;
    return { code, severity: entry.severity, message: entry.message.format(params as never), target };
  };
}
