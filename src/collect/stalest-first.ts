/** A queue that hands out the item of lowest priority first (the stalest customer). */
interface Entry<T> {
  readonly item: T;
  readonly key: number;
  readonly seq: number;
}

export class StalestFirst<T> {
  /** Next out at the end: highest key first, then the latest pushed. */
  private entries: Entry<T>[] = [];
  private sorted = true;
  private seq = 0;

  /** `priority` is read once per item, when it is pushed. */
  constructor(private readonly priority: (item: T) => number) {}

  push(items: readonly T[]): void {
    for (const item of items) this.entries.push({ item, key: this.priority(item), seq: this.seq++ });
    this.sorted = false;
  }

  /** Lowest priority first; equals in the order they were pushed. */
  pop(): T | undefined {
    if (!this.sorted) {
      this.entries.sort((a, b) => b.key - a.key || b.seq - a.seq);
      this.sorted = true;
    }
    return this.entries.pop()?.item;
  }
}
