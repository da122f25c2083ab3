/** `n` and the word for that many: `1 pod`, `2 pods`, `1 policy`, `3 policies`. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
