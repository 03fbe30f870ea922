/**
 * Identical flows are traced once: a bounded cache from the flow's key to its rendered
 * output bytes, for one rule set and one set of options (a run has one of each, so the key
 * needs only the flow). Real flow logs repeat; a log of distinct flows costs one lookup
 * a flow. Entries leave oldest first (a Map keeps insertion order), except that an entry
 * used after it has aged past half the capacity moves back to the young end: nearly LRU,
 * without two Map operations on every hit.
 */
export const DEFAULT_CACHE_ENTRIES = 4096;
/** The cache holds at most this much output (bytes and key characters), however many entries. */
const MAX_CHARS = 64 * 1024 * 1024;

interface Entry {
  bytes: Buffer;
  /** When it was last put at the young end, in insertions. */
  at: number;
}

export class TraceCache {
  private clock = 0;
  private readonly map = new Map<string, Entry>();
  private chars = 0;
  constructor(readonly capacity: number = DEFAULT_CACHE_ENTRIES) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): Buffer | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (this.clock - e.at > this.capacity >> 1) {
      this.map.delete(key);
      e.at = ++this.clock;
      this.map.set(key, e);
    }
    return e.bytes;
  }

  set(key: string, value: Buffer): void {
    if (this.capacity === 0) return;
    const old = this.map.get(key);
    if (old) {
      this.map.delete(key);
      this.chars -= old.bytes.length + key.length;
    }
    this.map.set(key, { bytes: value, at: ++this.clock });
    this.chars += value.length + key.length;
    while (this.map.size > this.capacity || (this.chars > MAX_CHARS && this.map.size > 1)) {
      const [k, v] = this.map.entries().next().value as [string, Entry];
      this.map.delete(k);
      this.chars -= v.bytes.length + k.length;
    }
  }
}
