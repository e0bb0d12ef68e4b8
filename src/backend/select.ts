// Backend selection: `auto` (native if it loads, else TS with one warning), `native`, `ts`;
// PROTOMLP_BACKEND overrides the option. The reason for a fallback is kept for `protomlp info`.

import { ValidationError } from '../errors.js';
import { createNativeBackend, loadNative, type NativeLoad } from './native.js';
import { tsBackend } from './ts.js';
import { BACKEND_CHOICES, type Backend, type BackendChoice } from './types.js';

export { BACKEND_CHOICES, type BackendChoice } from './types.js';

/** The outcome of a selection. */
export interface BackendSelection {
  backend: Backend;
  /** the choice in force (PROTOMLP_BACKEND if set, else the option) */
  choice: BackendChoice;
  /** why `auto` fell back to TS (null when it did not) */
  fallbackReason: string | null;
  /** how the addon loaded (or why it did not); null when the choice was `ts` */
  native: NativeLoad | null;
}

let warned = false;
let nativeBackend: Backend | undefined;

/** The choice in force: PROTOMLP_BACKEND when set, else `choice`, validated. */
export function effectiveChoice(choice: BackendChoice = 'auto'): BackendChoice {
  const env = process.env.PROTOMLP_BACKEND;
  const wanted = env ? env : choice;
  if (!(BACKEND_CHOICES as readonly string[]).includes(wanted)) {
    throw new ValidationError(
      env ? 'PROTOMLP_BACKEND' : 'backend',
      wanted,
      `one of ${BACKEND_CHOICES.join(', ')}`,
    );
  }
  return wanted as BackendChoice;
}

/**
 * Resolves a backend choice. `native` throws when the addon does not load; `auto` falls back to
 * TS and emits one process warning (once per process) saying why and what to do. A PROTOMLP_SIMD
 * that this machine cannot honour is an error for `auto` too: the user asked for it explicitly.
 * `load` is injectable for tests.
 *
 * @example
 * ```ts
 * const { backend, fallbackReason } = resolveBackend('auto');
 * ```
 */
export function resolveBackend(
  choice: BackendChoice = 'auto',
  load: () => NativeLoad = loadNative,
): BackendSelection {
  const wanted = effectiveChoice(choice);
  if (wanted === 'ts')
    return { backend: tsBackend, choice: wanted, fallbackReason: null, native: null };
  const native = load();
  if (native.binding) {
    nativeBackend ??= createNativeBackend(native.binding);
    return {
      backend: load === loadNative ? nativeBackend : createNativeBackend(native.binding),
      choice: wanted,
      fallbackReason: null,
      native,
    };
  }
  const reason = native.error ?? 'the native addon did not load';
  if (wanted === 'native' || reason.startsWith('PROTOMLP_SIMD')) {
    throw new Error(`native backend unavailable: ${reason}`);
  }
  if (!warned) {
    warned = true;
    process.emitWarning(
      `protomlp: the native backend is unavailable (${reason}); using the slower TypeScript backend. ` +
        'Fix: `npm rebuild protomlp --build-from-source` (needs a C++ compiler and python3), ' +
        'or set PROTOMLP_BACKEND=ts to choose TS explicitly and silence this warning.',
      { code: 'PROTOMLP_NATIVE_UNAVAILABLE' },
    );
  }
  return { backend: tsBackend, choice: wanted, fallbackReason: reason, native };
}

/**
 * The backend for a choice (the PROTOMLP_BACKEND environment variable wins over `choice`).
 *
 * @example
 * ```ts
 * const backend = selectBackend('ts');
 * ```
 */
export function selectBackend(choice: BackendChoice = 'auto'): Backend {
  return resolveBackend(choice).backend;
}
