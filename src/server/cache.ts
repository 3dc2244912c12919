/**
 * A least-recently-used cache of loaded things (a run's predictions, features, images, encoded
 * payloads, rendered pages) with a bound on their total size in bytes. A value is stored as the
 * promise of its load, so concurrent requests for the same thing share one load; a load that fails
 * is forgotten, so the next request tries again.
 */

/** What a loader returns: the value and the bytes it holds (an estimate is fine). */
export interface Sized<V> {
  value: V;
  bytes: number;
}

interface Entry {
  promise: Promise<unknown>;
  bytes: number;
}

export class LruCache {
  /** Insertion order of a Map is the recency order: a hit is deleted and set again. */
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  constructor(readonly maxBytes: number) {
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
  }

  /** Bytes held by the loaded values. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The value under `key`, loading it with `load` when absent. A value larger than the whole
   * bound is returned but not kept.
   * @example await cache.get("run\0predictions", async () => ({ value: table, bytes: 4_800_000 }))
   */
  get<V>(key: string, load: () => Promise<Sized<V>>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.promise as Promise<V>;
    }
    const entry: Entry = { promise: Promise.resolve(), bytes: 0 };
    entry.promise = load().then(
      (sized) => {
        if (this.entries.get(key) === entry) {
          entry.bytes = sized.bytes;
          this.total += sized.bytes;
          if (sized.bytes > this.maxBytes) this.delete(key);
          this.evict();
        }
        return sized.value;
      },
      (err: unknown) => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw err;
      },
    );
    this.entries.set(key, entry);
    return entry.promise as Promise<V>;
  }

  /** Forgets every key that starts with `prefix` (e.g. all of one run). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  /** Drops the least recently used loaded values until the total is within the bound. */
  private evict(): void {
    for (const [key, e] of this.entries) {
      if (this.total <= this.maxBytes) return;
      if (e.bytes > 0) this.delete(key);
    }
  }
}
