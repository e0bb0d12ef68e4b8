// Checked reading of the JSON files protomlp writes and reads back (claims.json, reproduce.json,
// beyond.json, tune.json): each value is checked against the shape its reader needs and a wrong
// one is refused with a ValidationError naming the field (`claims.json: claims[2].status`), the
// value and what is allowed. No `as` on a JSON.parse result anywhere: the readers use these.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ValidationError } from './errors.js';

/** What a missing file is refused as: usually the folder that should hold it, and what writes it. */
export interface Missing {
  field: string;
  value: unknown;
  allowed: string;
}

/** Reads and parses a JSON file; a missing one is refused as `missing` says, an unparsable one as not JSON. */
export async function readJsonFile(file: string, missing: Missing): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ValidationError(missing.field, missing.value, missing.allowed);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ValidationError(file, text, `JSON (${(e as Error).message})`);
  }
}

/** A JSON file that may be absent (a folder's log): undefined then, else parsed and checked by `parse`. */
export async function readJsonIfPresent<T>(
  file: string,
  parse: (value: unknown, source: string) => T,
): Promise<T | undefined> {
  if (!existsSync(file)) return undefined;
  const unreadable = { field: 'file', value: file, allowed: 'a readable JSON file' };
  return parse(await readJsonFile(file, unreadable), file);
}

/** A JSON object. */
export function checkObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError(field, value, 'an object');
  return value as Record<string, unknown>;
}

/** A finite number. */
export function checkNumber(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ValidationError(field, value, 'a finite number');
  return value;
}

/** A finite number or null (a diverged run's metric, a mean over no runs). */
export function checkNumberOrNull(field: string, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ValidationError(field, value, 'a finite number or null');
  return value;
}

/** A string. */
export function checkString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError(field, value, 'a string');
  return value;
}

/** A boolean. */
export function checkBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, value, 'true or false');
  return value;
}

/** One of `values`. */
export function checkOneOf<T extends string>(
  field: string,
  value: unknown,
  values: readonly T[],
): T {
  if (!values.includes(value as T))
    throw new ValidationError(field, value, `one of ${values.map((v) => `"${v}"`).join(', ')}`);
  return value as T;
}

/** An array, each item read by `item` (with its index in the field name). */
export function checkArray<T>(
  field: string,
  value: unknown,
  item: (field: string, value: unknown) => T,
): T[] {
  if (!Array.isArray(value)) throw new ValidationError(field, value, 'an array');
  return value.map((v, i) => item(`${field}[${i}]`, v));
}

/** The `version` field of a versioned file: exactly `expected`, or the file is refused. */
export function checkVersion(field: string, value: unknown, expected: number): number {
  if (value !== expected)
    throw new ValidationError(
      field,
      value,
      `${expected} (a file of another protomlp version: write it again with this one)`,
    );
  return expected;
}
