// Worker-thread entry of the TS backend: trains the runs the pool hands it, one message a run.
// It holds no state between runs and never touches the store or the console.

import { parentPort } from 'node:worker_threads';
import { trainRunSync } from '../model/train.js';
import type { TrainJob } from '../model/types.js';
import { TraceRecorder } from '../trace/trace.js';

parentPort?.on('message', (message: { index: number; job: TrainJob }) => {
  const { job } = message;
  const recorder = job.trace ? new TraceRecorder(job.config, job.data, job.trace) : undefined;
  const result = trainRunSync(job, recorder);
  if (recorder) result.trace = recorder.finish(result.epochsRun, result.final);
  const { W, b, v } = result.final;
  const trace = result.trace;
  const traced = trace ? [trace.epochs, trace.prototypes, trace.scale, trace.v, trace.terms] : [];
  parentPort?.postMessage({ index: message.index, result }, [
    W.buffer as ArrayBuffer,
    b.buffer as ArrayBuffer,
    v.buffer as ArrayBuffer,
    ...traced.map((a) => a.buffer as ArrayBuffer),
  ]);
});
