// Training traces: snapshots of a run every K epochs, stored as .npy (issue 18).

export {
  TRACE_TERMS,
  MAX_TRACE_BYTES,
  checkTraceEvery,
  snapshotBytes,
  snapshotCount,
  TraceRecorder,
  type Trace,
} from './trace.js';
export {
  copyTraces,
  hasWholeTrace,
  readTrace,
  traceFile,
  traceToNpy,
  TRACES_DIR,
  writeTrace,
} from './npy.js';
