/**
 * "Did you mean ...?" for misspelled names (options, manifest keys, categories): the known
 * name closest to a given one by Levenshtein distance.
 *
 * Complexity: O(|a| · |b|) per pair, O(names · |a| · |b|) for a lookup (names are short).
 *
 * @example closestName("maths", ["math", "coding"]) // "math"
 */

/** Levenshtein edit distance (insertions, deletions, substitutions of UTF-16 units). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/**
 * The name in `names` closest to `given` within `maxDistance` edits (first wins on ties), or
 * undefined. With `prefixes`, a name that starts with `given` (or that `given` starts with)
 * counts as distance 1.
 */
export function closestName(given: string, names: Iterable<string>, maxDistance = 2, prefixes = false): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const name of names) {
    const d = prefixes && (name.startsWith(given) || given.startsWith(name)) ? 1 : editDistance(given, name);
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return bestD <= maxDistance ? best : undefined;
}
