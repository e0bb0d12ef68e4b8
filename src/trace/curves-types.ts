// The shapes of the curves derived from traces (issue 18): what src/trace/curves.ts computes at
// report time and what the report's motion figures and the claims C7/C8 read.

/**
 * Per-snapshot curves of one traced run, derived from its trace and its data at report time
 * (never stored in the record). Index s is snapshot s of the trace.
 *
 * @example
 * ```ts
 * const c: TraceCurves = curves.get(record.id)!;
 * c.outside.at(-1); // the outside fraction after the last epoch
 * ```
 */
export interface TraceCurves {
  /** the run's id */
  id: string;
  /** the epoch of each snapshot (0: the initial parameters) */
  epochs: number[];
  /** recon of the snapshot's prototypes (the record's matching, SPEC §4) */
  recon: number[];
  /** fraction of prototypes outside the inputs' convex hull (exact hull) */
  outside: number[];
  /** specialization ratio of the snapshot's network */
  spec: number[];
  /** the fit term, from the trace */
  fit: number[];
  /** mean prototype speed |p(t) - p(t')| / (t - t') from the previous snapshot t'; NaN at snapshot 0 */
  speed: number[];
}
