// A set of domain names matched by suffix: "is this name, or a name above it, in the set?". Built for
// blocklists of a million names: the names live in one byte buffer, an open-addressing table of 32-bit slots
// finds them by hash, and a lookup hashes the asked name once from its last label to its first, so every
// suffix (com, example.com, ads.example.com) is probed without allocating a substring.

/** Entries and where each came from (for the EDE text: which list, which line). */
export interface DomainMatch {
  /** The entry that matched: the asked name or one of its parents. */
  name: string;
  source: number;
  line: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** One more character into a hash computed from the end of the name towards its start. */
function step(h: number, code: number): number {
  return Math.imul(h ^ code, FNV_PRIME) >>> 0;
}

/** Room left unused in an array is given back by a copy only when it is large: over 1 MiB and over half. */
const SHRINK_WASTE = 1 << 20;

function fitBytes(a: Buffer, length: number): Buffer {
  if (a.length - length <= SHRINK_WASTE || length >= a.length / 2) return a.subarray(0, length);
  const fitted = Buffer.allocUnsafe(length);
  a.copy(fitted, 0, 0, length);
  return fitted;
}

function fit<T extends Uint16Array | Uint32Array>(a: T, length: number): T {
  if ((a.length - length) * a.BYTES_PER_ELEMENT <= SHRINK_WASTE || length >= a.length / 2) return a.subarray(0, length) as T;
  return a.slice(0, length) as T;
}

export class DomainSetBuilder {
  private bytes: Buffer;
  private used = 0;
  // Typed and doubled as they fill: a million entries cost 10 bytes each here, not 24 in plain arrays. `starts`
  // has one slot more than the others, for the end of the last name.
  private starts = new Uint32Array(1025);
  private sources = new Uint16Array(1024);
  private lines = new Uint32Array(1024);
  private count = 0;

  /**
   * `expectedBytes`: how many bytes of names to make room for at once (the loader passes the lists' total size,
   * which bounds the names in them), so the name buffer is not regrown and copied as it fills.
   */
  constructor(expectedBytes = 1 << 16) {
    this.bytes = Buffer.allocUnsafe(Math.max(256, expectedBytes));
  }

  /** Adds a canonical name (lower case, no trailing dot, ASCII). */
  add(name: string, source: number, line: number): void {
    const at = this.entry(name.length, source, line);
    this.used = at + this.bytes.write(name, at, 'latin1');
  }

  /**
   * Adds the name in `src[from..to)`, ASCII letters lowered on the way in: the loader's path from file bytes to
   * the set without a string per name. The bytes must otherwise be canonical (see `add`).
   */
  addBytes(src: Uint8Array, from: number, to: number, source: number, line: number): void {
    let at = this.entry(to - from, source, line);
    const bytes = this.bytes;
    for (let k = from; k < to; k++) {
      const c = src[k]!;
      bytes[at++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    }
    this.used = at;
  }

  get size(): number {
    return this.count;
  }

  build(): DomainSet {
    const n = this.count;
    this.starts[n] = this.used;
    const set = new DomainSet(fitBytes(this.bytes, this.used), fit(this.starts, n + 1), fit(this.sources, n), fit(this.lines, n));
    this.bytes = Buffer.allocUnsafe(256);
    this.used = 0;
    this.starts = new Uint32Array(1025);
    this.sources = new Uint16Array(1024);
    this.lines = new Uint32Array(1024);
    this.count = 0;
    return set;
  }

  /** Records a new entry of `length` bytes and returns where its bytes go. */
  private entry(length: number, source: number, line: number): number {
    if (this.used + length > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + length));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    if (this.count === this.sources.length) this.grow();
    this.starts[this.count] = this.used;
    this.sources[this.count] = source;
    this.lines[this.count] = line;
    this.count++;
    return this.used;
  }

  private grow(): void {
    const size = this.count * 2;
    const starts = new Uint32Array(size + 1);
    starts.set(this.starts);
    const sources = new Uint16Array(size);
    sources.set(this.sources);
    const lines = new Uint32Array(size);
    lines.set(this.lines);
    [this.starts, this.sources, this.lines] = [starts, sources, lines];
  }
}

export class DomainSet {
  /** Slot → entry index + 1 (0 = empty); a power of two at least twice the entries, so probes stay short. */
  private readonly table: Uint32Array;
  private readonly mask: number;
  private entries = 0;

  constructor(
    private readonly bytes: Buffer,
    /** Entry i's name is bytes[starts[i]..starts[i + 1]): one slot more than there are entries. */
    private readonly starts: Uint32Array,
    private readonly sources: Uint16Array,
    private readonly lines: Uint32Array,
  ) {
    let size = 16;
    const n = sources.length;
    while (size < n * 2) size *= 2;
    this.table = new Uint32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < n; i++) this.insert(i);
  }

  static empty(): DomainSet {
    return new DomainSetBuilder().build();
  }

  /** Distinct names held (duplicates in the lists count once: the first one seen is kept). */
  get size(): number {
    return this.entries;
  }

  /** Bytes of the set's arrays (names, offsets, origins, table). */
  get byteSize(): number {
    return this.bytes.length + this.starts.byteLength + this.sources.byteLength + this.lines.byteLength + this.table.byteLength;
  }

  /** The closest entry at or above `name` (canonical: lower case, no trailing dot), or null. */
  match(name: string): DomainMatch | null {
    if (this.entries === 0) return null;
    let h = FNV_OFFSET;
    let found: DomainMatch | null = null;
    // From the last character back: at each label start the hash covers name[i..], one suffix.
    for (let i = name.length - 1; i >= 0; i--) {
      h = step(h, name.charCodeAt(i));
      if (i === 0 || name.charCodeAt(i - 1) === 0x2e) {
        const entry = this.find(h, name, i);
        // Keep going: a deeper entry (ads.example.com under example.com) names the rule more exactly.
        if (entry >= 0) found = { name: name.slice(i), source: this.sources[entry]!, line: this.lines[entry]! };
      }
    }
    return found;
  }

  /** True when name or a name above it is held. */
  has(name: string): boolean {
    return this.match(name) !== null;
  }

  private insert(entry: number): void {
    const start = this.starts[entry]!;
    let h = FNV_OFFSET;
    for (let k = this.starts[entry + 1]! - 1; k >= start; k--) h = step(h, this.bytes[k]!);
    let slot = h & this.mask;
    for (;;) {
      const held = this.table[slot]!;
      if (held === 0) {
        this.table[slot] = entry + 1;
        this.entries++;
        return;
      }
      if (this.sameEntry(held - 1, entry)) return; // a duplicate: the first entry stays
      slot = (slot + 1) & this.mask;
    }
  }

  private sameEntry(a: number, b: number): boolean {
    const la = this.starts[a + 1]! - this.starts[a]!;
    if (la !== this.starts[b + 1]! - this.starts[b]!) return false;
    return this.bytes.compare(this.bytes, this.starts[b], this.starts[b + 1], this.starts[a], this.starts[a + 1]) === 0;
  }

  private find(h: number, name: string, from: number): number {
    let slot = h & this.mask;
    for (;;) {
      const held = this.table[slot]!;
      if (held === 0) return -1;
      if (this.equals(held - 1, name, from)) return held - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Whether entry equals name[from..]. */
  private equals(entry: number, name: string, from: number): boolean {
    const start = this.starts[entry]!;
    const len = this.starts[entry + 1]! - start;
    if (len !== name.length - from) return false;
    for (let k = 0; k < len; k++) if (this.bytes[start + k] !== name.charCodeAt(from + k)) return false;
    return true;
  }
}
