// The reconstruction scorecard of a run (SPEC §4 yardsticks, docs/model.md): recon's null
// baselines (the untrained network, random prototypes, every prototype at the data mean), the
// spread of the matched distances, mutual nearest neighbours and a greedy matching. Reads the data
// and the initial and final parameters only; never trains, never moves a training bit.

import type { RunConfig } from '../config.js';
import type { Dataset, Params } from '../model/types.js';
import { dataFromJson, type Metrics, type ParamsJson, type RunRecord } from '../record.js';
import { Rng, STREAMS } from '../rng.js';
import { allFinite, boundingBox, checkLength, checkSizes, finiteOrNull } from './checks.js';
import { distance, matchedDistances, reconstructionError, spread } from './metrics.js';
import { prototypes } from './prototypes.js';

/** The scorecard fields of {@link Metrics}. */
export type Scorecard = Required<
  Pick<
    Metrics,
    | 'reconUntrained'
    | 'reconRandom'
    | 'reconMean'
    | 'matchedMedian'
    | 'matchedP90'
    | 'bestBuddies'
    | 'reconGreedy'
  >
>;

/** The scorecard's field names, in record order. */
export const SCORECARD_FIELDS: readonly (keyof Scorecard)[] = [
  'reconUntrained',
  'reconRandom',
  'reconMean',
  'matchedMedian',
  'matchedP90',
  'bestBuddies',
  'reconGreedy',
];

/** The random-prototype draws `reconRandom` averages over in 1-D, and at most in d > 1. */
export const RANDOM_DRAWS = 8;
/** In d > 1 the draws stop growing once they pool this many matched pairs (see {@link randomDraws}). */
export const RANDOM_PAIRS = 4000;

/**
 * How many random-prototype draws `reconRandom` averages over at N inputs, H prototypes and
 * dimension d: {@link RANDOM_DRAWS} (8) in 1-D, where a draw's assignment is a sort or a small
 * dynamic program and one draw's recon varies much (a relative sd of 30-45% at N = 10 to 1000: a
 * matching on a line does not average out); in d > 1, where each draw is a full assignment,
 * R = min(8, ceil({@link RANDOM_PAIRS} / min(N, H))): 8 up to min(N, H) = 500, 4 at 1000, 2 at
 * 2000, 1 from 4000 on (one draw's relative sd there is 10-20% at N = 100-500 in 2-D: fewer draws where each costs
 * most).
 */
export function randomDraws(n: number, h: number, d: number): number {
  if (d === 1) return RANDOM_DRAWS;
  return Math.min(RANDOM_DRAWS, Math.ceil(RANDOM_PAIRS / Math.min(n, h)));
}

/**
 * The scorecard of one run (SPEC §4 yardsticks; each field defined in docs/model.md): from its
 * config (sizes, seed), data and initial and final parameters. Deterministic: the random
 * prototypes come from the package's generator on stream {@link STREAMS}.random of the run's
 * seed, which the data and init never use. Fields computed from the final prototypes are null
 * when one is not finite (a diverged run); the baselines use only the data and the start and stay
 * numbers then.
 *
 * @example
 * ```ts
 * const card = scorecard(config, data, initial, result.final);
 * card.reconRandom; // recon of random prototypes in the inputs' bounding box, averaged
 * ```
 */
export function scorecard(
  config: Pick<RunConfig, 'n' | 'hidden' | 'dim' | 'seed'> & Partial<Pick<RunConfig, 'unit'>>,
  data: Dataset,
  initial: Params,
  final: Params,
  matched?: { distances: Float64Array | undefined },
): Scorecard {
  const { n, hidden: h, dim: d } = config;
  checkSizes(n, h, d);
  checkLength('data.x.length', data.x.length, 'n * dim', n * d);
  checkLength('initial.b.length', initial.b.length, 'hidden', h);
  checkLength('final.b.length', final.b.length, 'hidden', h);
  const x = data.x;
  const protos = prototypes(final, d, config.unit);
  const { distances } = matched ?? { distances: matchedDistances(x, protos, n, h, d) };
  return {
    reconUntrained: finiteOrNull(
      reconstructionError(x, prototypes(initial, d, config.unit), n, h, d),
    ),
    reconRandom: finiteOrNull(randomRecon(x, n, h, d, config.seed)),
    reconMean: finiteOrNull(meanRecon(x, n, h, d)),
    matchedMedian: distances ? finiteOrNull(quantile(distances, 0.5)) : null,
    matchedP90: distances ? finiteOrNull(quantile(distances, 0.9)) : null,
    bestBuddies: finiteOrNull(bestBuddies(x, protos, n, h, d)),
    reconGreedy: finiteOrNull(greedyRecon(x, protos, n, h, d)),
  };
}

/**
 * The q-quantile of the values by linear interpolation between order statistics (Hyndman & Fan
 * type 7, numpy's default): with the m values sorted ascending v_0..v_{m-1}, position
 * t = (m - 1) q, and v_floor(t) + (t - floor(t)) (v_ceil(t) - v_floor(t)). q = 0.5 is the median.
 */
export function quantile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const t = (sorted.length - 1) * q;
  const lo = Math.floor(t);
  const hi = Math.ceil(t);
  return sorted[lo] + (t - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * `reconRandom`: the mean over {@link randomDraws} draws of recon with H random prototypes, each
 * coordinate k uniform on [lo_k, hi_k) of the inputs' bounding box (`Rng.uniform`, prototype
 * after prototype, coordinate after coordinate, the draws one after the other from one generator,
 * `new Rng(seed, STREAMS.random)`). The draws' recons are summed in draw order.
 */
export function randomRecon(
  x: Float64Array,
  n: number,
  h: number,
  d: number,
  seed: number,
): number {
  if (!allFinite(x)) return NaN;
  const { lo, hi } = boundingBox(x, n, d);
  const rng = new Rng(seed, STREAMS.random);
  const draws = randomDraws(n, h, d);
  const protos = new Float64Array(h * d);
  let total = 0;
  for (let r = 0; r < draws; r++) {
    for (let j = 0; j < h; j++)
      for (let k = 0; k < d; k++) protos[j * d + k] = rng.uniform(lo[k], hi[k]);
    total += reconstructionError(x, protos, n, h, d);
  }
  return total / draws;
}

/**
 * `reconMean`: recon with all H prototypes at the data mean m (per coordinate, the inputs summed
 * in order, divided by N). Every assignment then costs the same per input, so the optimum is
 * direct: for H >= N every input's |x_i - m|; for H < N the H inputs nearest m (ties to the lower
 * index); the mean of those distances, summed in input order.
 */
export function meanRecon(x: Float64Array, n: number, h: number, d: number): number {
  if (!allFinite(x)) return NaN;
  const m = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) m[k] += x[i * d + k];
  for (let k = 0; k < d; k++) m[k] /= n;
  const dist = Float64Array.from({ length: n }, (_, i) => distance(x, i, m, 0, d));
  const kept = new Uint8Array(n).fill(1);
  if (h < n) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => dist[a] - dist[b] || a - b);
    kept.fill(0);
    for (let r = 0; r < h; r++) kept[order[r]] = 1;
  }
  let total = 0;
  for (let i = 0; i < n; i++) if (kept[i]) total += dist[i];
  return total / Math.min(n, h);
}

/**
 * `bestBuddies`: the fraction of the N inputs i whose nearest prototype j (argmin_j |x_i - p_j|,
 * ties to the lowest j) has i as its nearest input (argmin_i' |x_i' - p_j|, ties to the lowest
 * i'): mutual nearest neighbours. NaN when a value or a distance is not finite. O(N H d) by one
 * pass over all pairs; in 1-D O((N + H) log(N + H)) on the sorted lines, with the same answer.
 */
export function bestBuddies(
  x: Float64Array,
  protos: Float64Array,
  n: number,
  h: number,
  d: number,
): number {
  if (!allFinite(x) || !allFinite(protos)) return NaN;
  let nearProto: Int32Array;
  let nearInput: Int32Array;
  if (d === 1) {
    if (!Number.isFinite(spread(x, protos))) return NaN;
    const onProtos = new LineNearest(protos);
    const onInputs = new LineNearest(x);
    nearProto = Int32Array.from(x, (v) => onProtos.nearest(v).j);
    nearInput = Int32Array.from(protos, (v) => onInputs.nearest(v).j);
  } else {
    const near = nearestBothWays(x, protos, n, h, d);
    if (!near) return NaN;
    ({ nearProto, nearInput } = near);
  }
  let mutual = 0;
  for (let i = 0; i < n; i++) if (nearInput[nearProto[i]] === i) mutual++;
  return mutual / n;
}

/**
 * Every input's nearest prototype and every prototype's nearest input, by one pass over all N H
 * pairs in (i, j) order (a strict < keeps the lowest index on ties, on both sides); undefined when
 * a distance is not finite.
 */
function nearestBothWays(
  x: Float64Array,
  protos: Float64Array,
  n: number,
  h: number,
  d: number,
): { nearProto: Int32Array; nearInput: Int32Array } | undefined {
  const nearProto = new Int32Array(n);
  const nearInput = new Int32Array(h);
  const protoBest = new Float64Array(n).fill(Infinity);
  const inputBest = new Float64Array(h).fill(Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < h; j++) {
      const c = distance(x, i, protos, j, d);
      if (!Number.isFinite(c)) return undefined;
      if (c < protoBest[i]) {
        protoBest[i] = c;
        nearProto[i] = j;
      }
      if (c < inputBest[j]) {
        inputBest[j] = c;
        nearInput[j] = i;
      }
    }
  }
  return { nearProto, nearInput };
}

/**
 * Nearest-point queries on a line, exactly as a scan over every point would answer them: the
 * least |q - v_j| (the 1-D {@link distance}) over the points not taken, ties to the lowest j. The
 * points are sorted once (O(m log m)); a query is a binary search, a step to the nearest point
 * not taken on each side (union-find skips taken ones) and a walk over the points at the same
 * distance (rounding is monotone, so distances never decrease away from q on either side).
 */
class LineNearest {
  private readonly order: Int32Array;
  private readonly sorted: Float64Array;
  /** right[k]: a position >= k on the way to the first one not taken (m: none); left likewise */
  private readonly right: Int32Array;
  private readonly left: Int32Array;
  private readonly position: Int32Array;

  constructor(private readonly values: Float64Array) {
    const m = values.length;
    this.order = Int32Array.from({ length: m }, (_, k) => k).sort(
      (a, b) => values[a] - values[b] || a - b,
    );
    this.sorted = Float64Array.from(this.order, (j) => values[j]);
    this.position = new Int32Array(m);
    this.order.forEach((j, k) => (this.position[j] = k));
    this.right = Int32Array.from({ length: m + 1 }, (_, k) => k);
    this.left = Int32Array.from({ length: m + 1 }, (_, k) => k); // left[k + 1] for position k
  }

  /** Point j is no longer a candidate. */
  take(j: number): void {
    const k = this.position[j];
    this.right[k] = k + 1;
    this.left[k + 1] = k;
  }

  /** The first position >= k not taken (m when none). */
  private nextRight(k: number): number {
    let r = k;
    while (this.right[r] !== r) r = this.right[r];
    for (let s = k; s !== r;) {
      const next = this.right[s];
      this.right[s] = r;
      s = next;
    }
    return r;
  }

  /** The last position <= k not taken (-1 when none). */
  private nextLeft(k: number): number {
    let r = k + 1;
    while (this.left[r] !== r) r = this.left[r];
    for (let s = k + 1; s !== r;) {
      const next = this.left[s];
      this.left[s] = r;
      s = next;
    }
    return r - 1;
  }

  /** The nearest point not taken to q (j = -1, cost Infinity when every point is taken). */
  nearest(q: number): Entry {
    const sorted = this.sorted;
    let lo = 0;
    let hi = sorted.length; // first position with a value > q
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] <= q) lo = mid + 1;
      else hi = mid;
    }
    const cost = (k: number) => Math.abs(q - sorted[k]);
    const l = this.nextLeft(lo - 1);
    const r = this.nextRight(lo);
    const best = Math.min(l >= 0 ? cost(l) : Infinity, r < sorted.length ? cost(r) : Infinity);
    let j = -1;
    for (let k = l; k >= 0 && cost(k) === best; k = this.nextLeft(k - 1))
      if (j < 0 || this.order[k] < j) j = this.order[k];
    for (let k = r; k < sorted.length && cost(k) === best; k = this.nextRight(k + 1))
      if (j < 0 || this.order[k] < j) j = this.order[k];
    return { cost: best, i: -1, j };
  }
}

/**
 * `reconGreedy`: greedy nearest matching. Repeatedly the globally closest pair (input i,
 * prototype j), both still unmatched, is matched (ties: lowest i, then lowest j), until min(N, H)
 * pairs; their mean cost, summed in input order. Never below recon (the optimum). NaN when a value
 * or a distance is not finite.
 *
 * Exact without sorting all N H pairs: a heap holds each unmatched input with its nearest
 * unmatched prototype, keyed (cost, i, j); a popped entry whose prototype was taken meanwhile is
 * recomputed and pushed back (its cost can only have grown), so the first fresh entry popped is
 * the global minimum. In 1-D the nearest free prototype is found on the sorted line
 * (`LineNearest`: the same answer as a scan, ties included), so the whole is O((N + H) log H)
 * instead of O(N H).
 */
export function greedyRecon(
  x: Float64Array,
  protos: Float64Array,
  n: number,
  h: number,
  d: number,
): number {
  if (!allFinite(x) || !allFinite(protos)) return NaN;
  if (d === 1 && !Number.isFinite(spread(x, protos))) return NaN;
  const taken = new Uint8Array(h);
  const line = d === 1 ? new LineNearest(protos) : undefined;
  const nearest = (i: number): Entry => {
    if (line) return { ...line.nearest(x[i]), i };
    let best: Entry = { cost: Infinity, i, j: -1 };
    for (let j = 0; j < h; j++) {
      if (taken[j]) continue;
      const c = distance(x, i, protos, j, d);
      if (c < best.cost || best.j < 0) best = { cost: c, i, j };
    }
    return best;
  };
  const heap = new EntryHeap();
  for (let i = 0; i < n; i++) heap.push(nearest(i));
  const cost = new Float64Array(n).fill(NaN);
  for (let pairs = 0; pairs < Math.min(n, h);) {
    const e = heap.pop();
    if (!Number.isFinite(e.cost)) return NaN;
    if (taken[e.j]) {
      heap.push(nearest(e.i));
      continue;
    }
    taken[e.j] = 1;
    line?.take(e.j);
    cost[e.i] = e.cost;
    pairs++;
  }
  let total = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(cost[i])) total += cost[i];
  return total / Math.min(n, h);
}

/** A candidate pair of the greedy matching. */
interface Entry {
  cost: number;
  i: number;
  j: number;
}

const before = (a: Entry, b: Entry): boolean =>
  a.cost < b.cost || (a.cost === b.cost && (a.i < b.i || (a.i === b.i && a.j < b.j)));

/** A binary min-heap of entries ordered by (cost, i, j). */
class EntryHeap {
  private items: Entry[] = [];

  push(e: Entry): void {
    const a = this.items;
    a.push(e);
    for (let k = a.length - 1; k > 0;) {
      const parent = (k - 1) >> 1;
      if (!before(a[k], a[parent])) break;
      [a[k], a[parent]] = [a[parent], a[k]];
      k = parent;
    }
  }

  pop(): Entry {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let k = 0; ;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === k) break;
        [a[k], a[m]] = [a[m], a[k]];
        k = m;
      }
    }
    return top;
  }
}

/**
 * A run's metrics with its scorecard added (before `diverged`, which stays last): what
 * `buildRecord` stores. The scorecard is {@link scorecard} of the same config, data and parameters.
 */
export function withScorecard(
  metrics: Metrics,
  config: Pick<RunConfig, 'n' | 'hidden' | 'dim' | 'seed'> & Partial<Pick<RunConfig, 'unit'>>,
  data: Dataset,
  initial: Params,
  final: Params,
  matched?: { distances: Float64Array | undefined },
): Metrics {
  const { diverged, ...rest } = metrics;
  return { ...rest, ...scorecard(config, data, initial, final, matched), diverged };
}

/** JSON params back to typed arrays, a null (a non-finite number in JSON) as NaN. */
function paramsOrNaN(p: ParamsJson): Params {
  const nan = (v: number | null) => (v === null ? NaN : v);
  const [rows, second] = 'P' in p ? [p.P, p.s] : [p.W, p.b];
  return {
    W: Float64Array.from(rows.flat(), nan),
    b: Float64Array.from(second, nan),
    v: Float64Array.from(p.v, nan),
    c: nan(p.c),
  };
}

/**
 * A record with every scorecard field: unchanged when it has them all, else with the missing ones
 * computed by {@link scorecard} from its config, data and initial and final parameters (a record
 * made before the scorecard existed; a null parameter, written for a non-finite one, counts as
 * NaN). Stored values are kept; the same record always gives the same numbers.
 *
 * @example
 * ```ts
 * const records = (await readStudy('results/paper')).records.map(recordWithScorecard);
 * ```
 */
export function recordWithScorecard(record: RunRecord): RunRecord {
  const m = record.metrics;
  if (SCORECARD_FIELDS.every((f) => m[f] !== undefined)) return record;
  const card = scorecard(
    record.config,
    dataFromJson(record.data),
    paramsOrNaN(record.initial),
    paramsOrNaN(record.final),
  );
  const { diverged, ...rest } = m;
  return { ...record, metrics: { ...rest, ...card, ...definedOnly(m), diverged } };
}

function definedOnly(m: Metrics): Partial<Metrics> {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined));
}
