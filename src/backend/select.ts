// Backend selection: `auto` (native if it loads, else TS), `native`, `ts`; PROTOMLP_BACKEND
// overrides the option. (Native loading is added by the native-backend work.)

import { ValidationError } from '../errors.js';
import { tsBackend } from './ts.js';
import type { Backend } from './types.js';

/** Which backend to use. */
export type BackendChoice = 'auto' | 'native' | 'ts';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'native', 'ts'];

/**
 * The backend for a choice (the PROTOMLP_BACKEND environment variable wins over `choice`).
 *
 * @example
 * ```ts
 * const backend = selectBackend('ts');
 * ```
 */
export function selectBackend(choice: BackendChoice = 'auto'): Backend {
  const env = process.env.PROTOMLP_BACKEND;
  const wanted = env ? env : choice;
  if (!(BACKEND_CHOICES as readonly string[]).includes(wanted)) {
    throw new ValidationError(env ? 'PROTOMLP_BACKEND' : 'backend', wanted, `one of ${BACKEND_CHOICES.join(', ')}`);
  }
  return tsBackend;
}
