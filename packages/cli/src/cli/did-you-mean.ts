/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min(
          (previous[j] as number) + 1,
          (current[j - 1] as number) + 1,
          (previous[j - 1] as number) + cost,
        ),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo: at most 2 edits,
 * or a third of the candidate's length for long names. Case is ignored (`BakeSeconds`), and a
 * candidate that starts with the word or the word with it (`bake` → `bakeSeconds`) also counts.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    if (name === word) continue;
    const other = name.toLowerCase();
    let distance = editDistance(lower, other);
    if (distance > Math.max(2, Math.floor(name.length / 3))) {
      const prefix = lower.length >= 3 && (other.startsWith(lower) || lower.startsWith(other));
      if (!prefix) continue;
      distance = Math.max(2, Math.floor(name.length / 3));
    }
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best?.name;
}
