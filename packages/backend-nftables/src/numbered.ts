import { compareValues } from '@netpolc/ir';

/**
 * Named things (sets, chains) numbered in order of creation. Nodes refer to them by number:
 * a node lists each once (a stamp per number says which node listed it last) and orders them
 * by name through ranks computed once, instead of hashing and comparing names per node
 * (thousands of nodes times dozens of sets and chains).
 */
export class Numbered<T extends { readonly name: string }> {
  private readonly items: T[] = [];
  private readonly stamps: number[] = [];
  private rankOf: Int32Array | undefined;
  private byRank: readonly T[] = [];

  /** Numbers a new item. */
  add(item: T): number {
    this.items.push(item);
    this.stamps.push(-1);
    return this.items.length - 1;
  }

  /** The item with this number. */
  get(id: number): T {
    return this.items[id]!;
  }

  /** True the first time `id` is listed for the node with this serial. */
  firstFor(id: number, serial: number): boolean {
    if (this.stamps[id] === serial) return false;
    this.stamps[id] = serial;
    return true;
  }

  /** Ranks every item numbered so far by name. */
  rank(): void {
    this.byRank = [...this.items].sort(compareNames);
    const rankOf = new Int32Array(this.items.length);
    const index = new Map(this.items.map((item, id) => [item, id]));
    this.byRank.forEach((item, rank) => (rankOf[index.get(item)!] = rank));
    this.rankOf = rankOf;
  }

  /** Items by number, in name order (distinct numbers). */
  inNameOrder(ids: readonly number[]): T[] {
    const { rankOf } = this;
    if (rankOf !== undefined && ids.every((id) => id < rankOf.length)) {
      const order = new Int32Array(ids.length);
      for (let i = 0; i < ids.length; i++) order[i] = rankOf[ids[i]!]!;
      order.sort();
      const out: T[] = [];
      for (const r of order) out.push(this.byRank[r]!);
      return out;
    }
    return ids.map((id) => this.items[id]!).sort(compareNames);
  }
}

/** Orders named things by name (code units). */
export function compareNames(a: { readonly name: string }, b: { readonly name: string }): number {
  return compareValues(a.name, b.name);
}
