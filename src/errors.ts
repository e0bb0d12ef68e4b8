// The one message format for bad input, everywhere: the field, the value, what is allowed.
// The CLI prints `message` alone and exits 2; nothing here carries a stack trace to the user.

/**
 * Thrown for any bad input (a flag, a config field, a file). `message` is
 * `<field>: got <value>, expected <allowed>`.
 *
 * @example
 * ```ts
 * throw new ValidationError('n', 1, 'an integer >= 2');
 * // message: "n: got 1, expected an integer >= 2"
 * ```
 */
export class ValidationError extends Error {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;

  constructor(field: string, value: unknown, allowed: string) {
    super(`${field}: got ${describeValue(value)}, expected ${allowed}`);
    this.name = 'ValidationError';
    this.field = field;
    this.value = value;
    this.allowed = allowed;
  }
}

/** Renders a value for an error message: JSON where it is short, a type name where it is not. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  // strings (paths, names) are shown whole unless absurdly long; arrays and objects only when short
  if (typeof value === 'string')
    return value.length > 300 ? `${JSON.stringify(value.slice(0, 200))}...` : text;
  if (text.length > 60) {
    if (Array.isArray(value)) return `an array of length ${value.length}`;
    return `an ${typeof value}`;
  }
  return text;
}
