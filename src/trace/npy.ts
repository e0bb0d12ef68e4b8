// A run's trace as one NumPy .npy file (format version 1.0): a structured array of S snapshots
// with the fields epoch (<i4), prototype (<f8, (H, d)), scale (<f8, (H,)), v (<f8, (H,)) and
// terms (<f8, (5,)), little-endian and packed, so `np.load(path)` opens it with nothing else
// installed. Written by hand: the format is a short text header and the raw records (numpy's
// format spec, numpy.lib.format), and npm's .npy packages read only plain numeric arrays.

import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import * as path from 'node:path';
import { ValidationError } from '../errors.js';
import { emptyTrace, snapshotBytes, snapshotFields, TRACE_TERMS, type Trace } from './trace.js';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** The header dict of a trace of H neurons in d dimensions with S snapshots. */
function header(hidden: number, dim: number, snapshots: number): string {
  const descr =
    `[('epoch', '<i4'), ('prototype', '<f8', (${hidden}, ${dim})), ` +
    `('scale', '<f8', (${hidden},)), ('v', '<f8', (${hidden},)), ` +
    `('terms', '<f8', (${TRACE_TERMS.length},))]`;
  return `{'descr': ${descr}, 'fortran_order': False, 'shape': (${snapshots},), }`;
}

/** The whole .npy file of a trace (header padded to a multiple of 64 bytes, then the records). */
export function traceToNpy(trace: Trace): Buffer {
  const { hidden: h, dim: d } = trace;
  const s = trace.epochs.length;
  const text = header(h, d, s);
  const unpadded = MAGIC.length + 2 + 2 + text.length + 1;
  const pad = (64 - (unpadded % 64)) % 64;
  const head = Buffer.from(`${text}${' '.repeat(pad)}\n`, 'latin1');
  const item = snapshotBytes(h, d);
  const out = Buffer.alloc(MAGIC.length + 4 + head.length + s * item);
  MAGIC.copy(out, 0);
  out[6] = 1; // format version 1.0
  out[7] = 0;
  out.writeUInt16LE(head.length, 8);
  head.copy(out, 10);
  let at = 10 + head.length;
  const fields = snapshotFields(trace);
  for (let r = 0; r < s; r++) {
    out.writeInt32LE(trace.epochs[r], at);
    at += 4;
    for (const [values, k] of fields)
      for (let i = 0; i < k; i++, at += 8) out.writeDoubleLE(values[r * k + i], at);
  }
  return out;
}

/** Writes a trace to `file` atomically (a temporary file renamed), so a file is whole or absent. */
export function writeTrace(file: string, trace: Trace): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, traceToNpy(trace));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/**
 * Reads a trace written by {@link writeTrace}. A file that is not such a trace, or is cut short,
 * throws a {@link ValidationError} naming it (a store then trains the run again).
 *
 * @example
 * ```ts
 * const trace = readTrace('results/mine/traces/0123456789abcdef.npy');
 * const lastTotal = trace.terms[(trace.epochs.length - 1) * 5 + 4];
 * ```
 */
export function readTrace(file: string): Trace {
  const bytes = readFileSync(file);
  const bad = (what: string): never => {
    throw new ValidationError(
      file,
      `a file of ${bytes.length} bytes`,
      `a protomlp trace (.npy): ${what}`,
    );
  };
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(MAGIC) || bytes[6] !== 1)
    bad('no .npy 1.0 magic');
  const headLength = bytes.readUInt16LE(8);
  const text = bytes.subarray(10, 10 + headLength).toString('latin1');
  const m =
    /^\{'descr': \[\('epoch', '<i4'\), \('prototype', '<f8', \((\d+), (\d+)\)\), .*'shape': \((\d+),\), \}\s*$/.exec(
      text,
    );
  if (!m) return bad('not the header of a trace');
  const [h, d, s] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (text.trimEnd() !== header(h, d, s)) bad('not the fields of a trace');
  const item = snapshotBytes(h, d);
  if (bytes.length !== 10 + headLength + s * item)
    bad(`cut short (${s} snapshots need ${10 + headLength + s * item} bytes)`);
  return parseRecords(bytes, 10 + headLength, h, d, s);
}

function parseRecords(bytes: Buffer, start: number, h: number, d: number, s: number): Trace {
  const trace = emptyTrace(h, d, s);
  const fields = snapshotFields(trace);
  let at = start;
  for (let r = 0; r < s; r++) {
    trace.epochs[r] = bytes.readInt32LE(at);
    at += 4;
    for (const [values, k] of fields)
      for (let i = 0; i < k; i++, at += 8) values[r * k + i] = bytes.readDoubleLE(at);
  }
  return trace;
}

/** The folder of a study's traces (`traces/`). */
export const TRACES_DIR = 'traces';

/**
 * A run's trace file in a study folder: `<studyDir>/traces/<id>.npy`.
 *
 * @example
 * ```ts
 * const trace = readTrace(traceFile('results/mine', record.id));
 * ```
 */
export function traceFile(studyDir: string, id: string): string {
  return path.join(studyDir, TRACES_DIR, `${id}.npy`);
}

/** Whether a study folder holds a whole trace of run `id` (absent, cut or foreign: false). */
export function hasWholeTrace(studyDir: string, id: string): boolean {
  try {
    readTrace(traceFile(studyDir, id));
    return true;
  } catch {
    return false;
  }
}

/**
 * Copies the whole traces of `ids` found in the folders `dirs` (first found wins) into `out`'s
 * traces folder (merge); a cut or foreign file is left behind. Returns how many were copied.
 */
export function copyTraces(dirs: readonly string[], out: string, ids: readonly string[]): number {
  let copied = 0;
  for (const id of ids) {
    const from = dirs.find(
      (dir) => path.resolve(dir) !== path.resolve(out) && hasWholeTrace(dir, id),
    );
    if (!from) continue;
    mkdirSync(path.join(out, TRACES_DIR), { recursive: true });
    copyFileSync(traceFile(from, id), traceFile(out, id));
    copied++;
  }
  return copied;
}
