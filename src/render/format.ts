// The one number and p-value formatter for tables, claims and prose: typed values in, text out.
// No I/O, no statistics.

/** How {@link formatNumber} writes a number. */
export interface NumberFormat {
  /** significant digits (default 4) */
  digits?: number;
  /** exponent form below 1e-3 and from 1e5 on (default true); false keeps positional form */
  exponent?: boolean;
}

/**
 * A number for tables and prose: `–` when missing or not finite, else `digits` significant digits,
 * in exponent form for very small or large values unless `exponent` is false.
 *
 * @example
 * ```ts
 * formatNumber(0.123456); // '0.1235'
 * formatNumber(0.000012); // '1.20e-5'
 * formatNumber(0.123456, { digits: 3, exponent: false }); // '0.123'
 * ```
 */
export function formatNumber(v: number | null | undefined, format: NumberFormat = {}): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const { digits = 4, exponent = true } = format;
  const a = Math.abs(v);
  if (exponent && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(digits)));
}

/**
 * A p-value: `–` when missing, `< 1e-300` when it underflowed to 0, exponent form below 1e-4, else
 * four decimals.
 *
 * @example
 * ```ts
 * formatP(0.03125); // '0.0313'
 * formatP(2e-6); // '2.0e-6'
 * ```
 */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  if (p === 0) return '< 1e-300';
  if (p < 1e-4) return p.toExponential(1);
  return p.toFixed(4);
}
