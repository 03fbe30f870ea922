/**
 * A unified line diff of two short lists (the rule steps of a hop): every line
 * is kept, prefixed "  " (in both), "- " (expected only) or "+ " (actual only).
 * Longest common subsequence; the lists are a handful of lines, so O(n·m) is fine.
 */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

export function lineDiff(expected: readonly string[], actual: readonly string[]): DiffLine[] {
  const n = expected.length;
  const m = actual.length;
  // lcs[i][j] = length of the LCS of expected[i..] and actual[j..].
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = expected[i] === actual[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      out.push({ op: ' ', text: expected[i]! });
      i++;
      j++;
    } else if (j === m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removals before additions at the same place, as diff -u prints them.
      out.push({ op: '-', text: expected[i]! });
      i++;
    } else {
      out.push({ op: '+', text: actual[j]! });
      j++;
    }
  }
  return out;
}
