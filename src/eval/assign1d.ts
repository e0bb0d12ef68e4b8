// Exact optimal assignment in 1-D under the cost |x - p| (SPEC §4 `recon` at dim 1), without the
// O(n^3) Hungarian. On a line a minimum-cost matching can always be taken non-crossing: sorting
// both sides, the i-th smallest of the short side is matched to a strictly increasing choice of
// the long side. With equal sizes that is the sorted-to-sorted matching (O(n log n)); otherwise a
// dynamic program over the sorted sides finds the cheapest increasing choice (O(s (l - s + 1)) for
// short side s and long side l). Both are exact for any convex function of |x - p|.

/** Indices 0..n-1 ordered by value, ties by index (a stable, deterministic order). */
function sortedOrder(v: Float64Array): Int32Array {
  const idx = Int32Array.from({ length: v.length }, (_, i) => i);
  return idx.sort((a, b) => v[a] - v[b] || a - b);
}

/**
 * For the short side `s` (length ns) and the long side `l` (length nl >= ns): for each element of
 * `s`, the index in `l` it is matched to by a minimum-cost assignment under |s_i - l_j|.
 */
function matchShortToLong(s: Float64Array, l: Float64Array): Int32Array {
  const ns = s.length;
  const nl = l.length;
  const os = sortedOrder(s);
  const ol = sortedOrder(l);
  const match = new Int32Array(ns);
  const slack = nl - ns;
  if (slack === 0) {
    for (let k = 0; k < ns; k++) match[os[k]] = ol[k];
    return match;
  }
  // best[t]: least cost of matching the first i sorted shorts to sorted longs, the i-th short
  // taking long i - 1 + t or earlier (t in 0..slack); take[i * (slack + 1) + t] = 1 when the i-th
  // short takes exactly long i - 1 + t.
  const w = slack + 1;
  const take = new Uint8Array(ns * w);
  let best = new Float64Array(w); // row i = 0: nothing matched, cost 0
  let next = new Float64Array(w);
  for (let i = 0; i < ns; i++) {
    const xi = s[os[i]];
    for (let t = 0; t < w; t++) {
      const withIt = best[t] + Math.abs(xi - l[ol[i + t]]);
      if (t > 0 && next[t - 1] <= withIt) {
        next[t] = next[t - 1];
      } else {
        next[t] = withIt;
        take[i * w + t] = 1;
      }
    }
    [best, next] = [next, best];
  }
  let t = slack;
  for (let i = ns - 1; i >= 0; i--) {
    while (!take[i * w + t]) t--;
    match[os[i]] = ol[i + t];
  }
  return match;
}

/**
 * A minimum-cost assignment between `x` (n values) and `p` (h values) under |x_i - p_j|: for each
 * input i its prototype, or -1 when n > h and input i is left unmatched (min(n, h) pairs). Inputs
 * must be finite (the caller checks).
 *
 * @example
 * ```ts
 * assignment1d(Float64Array.of(-0.5, 0, 0.5), Float64Array.of(0.5, -0.25, 0.25)); // Int32Array [1, 2, 0]
 * ```
 */
export function assignment1d(x: Float64Array, p: Float64Array): Int32Array {
  if (x.length <= p.length) return matchShortToLong(x, p);
  const m = matchShortToLong(p, x);
  const rowToCol = new Int32Array(x.length).fill(-1);
  for (let j = 0; j < p.length; j++) rowToCol[m[j]] = j;
  return rowToCol;
}

/**
 * The total cost of {@link assignment1d}: its min(n, h) pairs' |x_i - p_j| summed in input order
 * (i = 0..n-1), as the Hungarian path sums its matched costs.
 *
 * @example
 * ```ts
 * assignmentTotal1d(Float64Array.of(-0.5, 0, 0.5), Float64Array.of(0.5, -0.25, 0.25)); // 0.5
 * ```
 */
export function assignmentTotal1d(x: Float64Array, p: Float64Array): number {
  const rowToCol = assignment1d(x, p);
  let total = 0;
  for (let i = 0; i < x.length; i++) if (rowToCol[i] >= 0) total += Math.abs(x[i] - p[rowToCol[i]]);
  return total;
}
