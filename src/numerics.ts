// Which arithmetic made a run's bits (SPEC §10). The native kernels compute the same bits on every
// CPU and instruction set for one numerics version; the TS backend has its own (it fuses no
// multiply-add and uses its own exp, so its last bits differ from native's), the same bits on every
// JavaScript engine since ts/2. A record names its
// numerics as `<backend>/<version>`, and a study never mixes two (src/study/store.ts).

/** Version of the native kernels' numerics; must equal kNumericsVersion in native/core/numerics.h. */
export const NATIVE_NUMERICS_VERSION = 2;
/**
 * Whether the native kernels fuse their multiply-adds (explicitly, at the same places on every
 * instruction set): the design chosen by measurement (docs/native.md, "Fused multiply-add").
 * Must equal PROTOMLP_FMA's default in native/core/numerics.h.
 */
export const NATIVE_FMA = true;
/**
 * Version of the TS backend's numerics. 1: protomlp 0.1.0 to 0.2.0 (Adam's beta^t by the engine's
 * `**`, whose last bit differs between engines); 2: beta^t by powInt (src/numerics/pow-int.ts), so
 * a TS run gives the same bits on every engine.
 */
export const TS_NUMERICS_VERSION = 2;

/** The numerics id of a backend: `native/2`, `ts/2`. */
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
