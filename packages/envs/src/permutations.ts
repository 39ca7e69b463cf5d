/**
 * All permutations of `[0, 1, ..., n-1]` in lexicographic order: exactly Python's
 * `list(itertools.permutations(range(n)))`, which is how Darkroom-Permuted numbers its 120 tasks.
 *
 * @example lexicographicPermutations(3) // [[0,1,2],[0,2,1],[1,0,2],[1,2,0],[2,0,1],[2,1,0]]
 */
export function lexicographicPermutations(n: number): number[][] {
  const out: number[][] = [];
  const current: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  // Depth-first, smallest unused element first: the order itertools yields for a sorted input.
  const visit = () => {
    if (current.length === n) {
      out.push(current.slice());
      return;
    }
    for (let v = 0; v < n; v++) {
      if (used[v]) continue;
      used[v] = true;
      current.push(v);
      visit();
      current.pop();
      used[v] = false;
    }
  };
  visit();
  return out;
}

/** Whether `value` is an array holding each of 0..n-1 exactly once. */
export function isPermutation(value: unknown, n: number): value is number[] {
  if (!Array.isArray(value) || value.length !== n) return false;
  const seen = new Array<boolean>(n).fill(false);
  for (const v of value) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n || seen[v]) return false;
    seen[v] = true;
  }
  return true;
}
