// Which arithmetic made a run's bits (SPEC §10). The native kernels compute the same bits on every
// CPU and instruction set for one numerics version; the TS backend has its own (it fuses no
// multiply-add and uses V8's exp, so its last bits differ from native's). A record names its
// numerics as `<backend>/<version>`, and a study never mixes two (src/study/store.ts).

/** Version of the native kernels' numerics; must equal kNumericsVersion in native/core/numerics.h. */
export const NATIVE_NUMERICS_VERSION = 2;
/**
 * Whether the native kernels fuse their multiply-adds (explicitly, at the same places on every
 * instruction set): the design chosen by measurement (docs/native.md, "Fused multiply-add").
 * Must equal PROTOMLP_FMA's default in native/core/numerics.h.
 */
export const NATIVE_FMA = true;
/** Version of the TS backend's numerics (unchanged since protomlp 0.1.0). */
export const TS_NUMERICS_VERSION = 1;

/** The numerics id of a backend: `native/2`, `ts/1`. */
export function numericsId(backend: 'ts' | 'native'): string {
  return `${backend}/${backend === 'native' ? NATIVE_NUMERICS_VERSION : TS_NUMERICS_VERSION}`;
}

/**
 * The numerics of a stored record. Records written before records named their numerics (protomlp
 * 0.1.0) were made by version 1 of their backend.
 */
export function recordNumerics(record: { numerics?: unknown; backend?: unknown }): string {
  if (typeof record.numerics === 'string') return record.numerics;
  return `${record.backend === 'ts' ? 'ts' : 'native'}/1`;
}

/** A numerics id in words for messages: `native/1 (protomlp 0.1.0)`. */
export function describeNumerics(id: string): string {
  return id === 'native/1' ? `${id} (protomlp 0.1.0)` : id;
}
