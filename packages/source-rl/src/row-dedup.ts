/**
 * Finds identical rows (bit for bit) among `n` rows of `width` 32-bit words, in first-seen order: row r gets
 * `ids[r]`, and `firsts[id]` is the first row with that content. Open addressing over a power-of-two table,
 * no allocation per call.
 *
 * Why: gridworld observations repeat a lot (100 streams start on one cell), and a network is a function of
 * its input alone, so identical inputs need one forward and one backward pass: the gradients flowing out of
 * their copies are summed first (exact up to float summation order).
 *
 * @example
 * const d = new RowDeduper(4, 2);
 * const u = d.dedupe(new Int32Array([4, 4, 4, 3, 4, 4, 0, 0]), 0, 4); // 3: rows 0 and 2 are equal
 * d.ids.slice(0, 4); // [0, 1, 0, 2]
 */
export class RowDeduper {
  /** Unique id of each row of the last call. */
  readonly ids: Int32Array;
  /** First row of each unique id of the last call. */
  readonly firsts: Int32Array;
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(
    readonly maxRows: number,
    readonly width: number,
  ) {
    this.ids = new Int32Array(maxRows);
    this.firsts = new Int32Array(maxRows);
    let size = 16;
    while (size < maxRows * 2) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  /** Dedupes rows [0, n) starting at word `offset` of `words`; returns the number of unique rows. */
  dedupe(words: Int32Array, offset: number, n: number): number {
    const { table, mask, ids, firsts, width } = this;
    table.fill(-1);
    let unique = 0;
    for (let r = 0; r < n; r++) {
      const at = offset + r * width;
      let h = 0x9e3779b9;
      for (let j = 0; j < width; j++) {
        h = Math.imul(h ^ words[at + j]!, 0x85ebca6b);
        h ^= h >>> 13;
      }
      let slot = (h ^ (h >>> 16)) & mask;
      for (;;) {
        const id = table[slot]!;
        if (id < 0) {
          table[slot] = unique;
          firsts[unique] = r;
          ids[r] = unique++;
          break;
        }
        const other = offset + firsts[id]! * width;
        let same = true;
        for (let j = 0; j < width; j++) {
          if (words[other + j] !== words[at + j]) {
            same = false;
            break;
          }
        }
        if (same) {
          ids[r] = id;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    return unique;
  }
}
