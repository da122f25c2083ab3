/**
 * Orders strings by UTF-16 code units, whatever the locale (never `localeCompare`): the order
 * every deterministic output of the project is sorted in.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
