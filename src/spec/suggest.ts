/** "Did you mean" suggestions for misspelt keys and GPU types (pure, no dependencies). */

/**
 * Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1, so `imgae` is one step from `image`.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => {
    const row = new Array<number>(cols).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[rows - 1]![cols - 1]!;
}

/** Case, `_` and `-` do not matter when comparing, so `container_volume_in_gb` finds `containerVolumeInGb`. */
function fold(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The candidate closest to `input`, if it is close enough to be a likely typo: at most a third
 * of the word's length in edits (and at least one), after folding case, `_` and `-`.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  // Long inputs cannot be typos of our keys or GPU codes; skip them rather than spend quadratic time.
  if (input.length > 64) return undefined;
  const folded = fold(input);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const other = fold(c);
    // The distance is at least the difference in length: skip candidates that cannot be close.
    if (Math.abs(other.length - folded.length) > Math.max(folded.length, other.length) / 3 + 1) continue;
    const dist = editDistance(folded, other);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  if (best === undefined || best === input) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(folded.length, fold(best).length) / 3));
  return bestDistance <= limit ? best : undefined;
}
