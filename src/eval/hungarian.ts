// Minimum-cost assignment for a rectangular cost matrix (the Hungarian step of SPEC §4 `recon`).
// Hand-written rather than a dependency: the npm options are O(n^4) or unmaintained, and this is
// one small function. It takes finite costs only and never reorders ties by chance.

import { ValidationError } from '../errors.js';

/**
 * An optimal assignment: which column each row got, and the total cost of the matched pairs.
 *
 * @example
 * ```ts
 * const { rowToCol, total }: Assignment = assignment(Float64Array.of(4, 1, 2, 0), 2, 2);
 * // rowToCol = [1, 0]: row 0 takes column 1, row 1 column 0; total = 3
 * ```
 */
export interface Assignment {
  /** for each row, its column, or -1 when rows > cols and the row is left unmatched */
  rowToCol: Int32Array;
  /** for each column, its row, or -1 when cols > rows and the column is left unmatched */
  colToRow: Int32Array;
  /** sum of the matched costs, summed in row order from the cost matrix itself */
  total: number;
}

/**
 * Minimum-cost assignment for a `rows` x `cols` cost matrix (row-major). Every row is matched when
 * rows <= cols, every column when rows > cols; min(rows, cols) pairs in all, distinct rows and
 * distinct columns, with the least total cost.
 *
 * Shortest augmenting paths with row and column potentials (Kuhn-Munkres in the Jonker-Volgenant
 * form): O(r^2 c) time for r = min(rows, cols), O(rows * cols) memory only when a transpose is
 * needed. Costs may be negative. Every cost must be finite: a NaN or an infinity throws a
 * {@link ValidationError} naming the entry (there is no sound "forbidden pair" meaning to give it
 * here). Among equally cheap assignments the result is deterministic (strict comparisons, lowest
 * index first), but which one is chosen is not part of the contract.
 *
 * @example
 * ```ts
 * const cost = Float64Array.of(
 *   4, 1, 6,
 *   2, 0, 5,
 * );
 * const { rowToCol, total } = assignment(cost, 2, 3);
 * // rowToCol = [1, 0], total = 3
 * ```
 */
export function assignment(cost: Float64Array, rows: number, cols: number): Assignment {
  if (!Number.isInteger(rows) || rows < 0)
    throw new ValidationError('rows', rows, 'an integer >= 0');
  if (!Number.isInteger(cols) || cols < 0)
    throw new ValidationError('cols', cols, 'an integer >= 0');
  if (cost.length !== rows * cols) {
    throw new ValidationError('cost.length', cost.length, `rows * cols = ${rows * cols}`);
  }
  for (let e = 0; e < cost.length; e++) {
    if (!Number.isFinite(cost[e]))
      throw new ValidationError(`cost[${e}]`, cost[e], 'a finite number');
  }

  const rowToCol = new Int32Array(rows).fill(-1);
  const colToRow = new Int32Array(cols).fill(-1);
  if (rows === 0 || cols === 0) return { rowToCol, colToRow, total: 0 };

  if (rows <= cols) {
    const match = assignShortSide(cost, rows, cols);
    for (let i = 0; i < rows; i++) {
      rowToCol[i] = match[i];
      colToRow[match[i]] = i;
    }
  } else {
    const transposed = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) transposed[j * rows + i] = cost[i * cols + j];
    }
    const match = assignShortSide(transposed, cols, rows);
    for (let j = 0; j < cols; j++) {
      colToRow[j] = match[j];
      rowToCol[match[j]] = j;
    }
  }

  let total = 0;
  for (let i = 0; i < rows; i++) if (rowToCol[i] >= 0) total += cost[i * cols + rowToCol[i]];
  return { rowToCol, colToRow, total };
}

/**
 * The core for n <= m: matches every one of the n rows to a distinct column. Rows are added one at
 * a time; each addition is a Dijkstra-like search for the cheapest augmenting path in reduced
 * costs, after which the potentials are updated so reduced costs stay >= 0 on the matching.
 * Index 0 of the 1-based `owner`/`via` arrays is a virtual column holding the row being added.
 */
function assignShortSide(cost: Float64Array, n: number, m: number): Int32Array {
  const rowPot = new Float64Array(n + 1);
  const colPot = new Float64Array(m + 1);
  const owner = new Int32Array(m + 1); // owner[j]: 1-based row matched to column j (0: free)
  const via = new Int32Array(m + 1); // previous column on the shortest path to column j
  const slack = new Float64Array(m + 1);
  const done = new Uint8Array(m + 1);

  for (let i = 1; i <= n; i++) {
    owner[0] = i;
    let col = 0;
    slack.fill(Infinity);
    done.fill(0);
    do {
      done[col] = 1;
      const row = owner[col];
      const base = (row - 1) * m - 1; // cost of (row, column j) is cost[base + j], j 1-based
      const rowShift = rowPot[row];
      let delta = Infinity;
      let next = -1;
      for (let j = 1; j <= m; j++) {
        if (done[j]) continue;
        const reduced = cost[base + j] - rowShift - colPot[j];
        if (reduced < slack[j]) {
          slack[j] = reduced;
          via[j] = col;
        }
        if (slack[j] < delta) {
          delta = slack[j];
          next = j;
        }
      }
      // Finite costs keep every reduced cost finite unless the potentials overflow (costs near
      // 1e308); stop with a clear message rather than loop on NaN.
      if (next < 0)
        throw new RangeError('assignment: costs too large to assign (the potentials overflowed)');
      for (let j = 0; j <= m; j++) {
        if (done[j]) {
          rowPot[owner[j]] += delta;
          colPot[j] -= delta;
        } else {
          slack[j] -= delta;
        }
      }
      col = next;
    } while (owner[col] !== 0);
    do {
      const prev = via[col];
      owner[col] = owner[prev];
      col = prev;
    } while (col !== 0);
  }

  const match = new Int32Array(n);
  for (let j = 1; j <= m; j++) if (owner[j] !== 0) match[owner[j] - 1] = j - 1;
  return match;
}
