// Worker-thread entry of the TS backend: trains the runs the pool hands it and evaluates each
// (its terms and winning neurons, so the main thread only assembles the record), one message a
// run. It holds no state between runs and never touches the store or the console.

import { parentPort } from 'node:worker_threads';
import { winningNeurons } from '../eval/metrics.js';
import { computeTerms } from '../model/losses.js';
import { trainRunSync } from '../model/train.js';
import type { TrainJob, TrainResult } from '../model/types.js';
import { TraceRecorder } from '../trace/trace.js';

parentPort?.on('message', (message: { index: number; job: TrainJob }) => {
  const { job } = message;
  const { config, data } = job;
  const recorder = job.trace ? new TraceRecorder(config, data, job.trace) : undefined;
  const trained = trainRunSync(job, recorder);
  const result: TrainResult = {
    ...trained,
    terms: computeTerms(config, data, trained.final),
    winners: winningNeurons(config, data, trained.final),
  };
  if (recorder) result.trace = recorder.finish(result.epochsRun, result.final);
  const { W, b, v } = result.final;
  const trace = result.trace;
  const traced = trace ? [trace.epochs, trace.prototypes, trace.scale, trace.v, trace.terms] : [];
  parentPort?.postMessage({ index: message.index, result }, [
    W.buffer as ArrayBuffer,
    b.buffer as ArrayBuffer,
    v.buffer as ArrayBuffer,
    result.winners!.buffer as ArrayBuffer,
    ...traced.map((a) => a.buffer as ArrayBuffer),
  ]);
});
