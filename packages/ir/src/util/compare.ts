/**
 * Orders strings by UTF-16 code units whatever the locale (never `localeCompare`), and numbers
 * or bigints by value: the order every deterministic output of the project is sorted in.
 */
export function compareValues<T extends string | number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
