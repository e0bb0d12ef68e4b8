// Worker-thread entry of the TS backend: trains the runs the pool hands it and evaluates each
// (its terms and winning neurons, so the main thread only assembles the record), one message a
// run. It holds no state between runs and never touches the store or the console.

import { parentPort } from 'node:worker_threads';
import { winningNeurons } from '../eval/metrics.js';
import { computeTerms } from '../model/losses.js';
import { trainRunSync } from '../model/train.js';
import type { TrainJob, TrainResult } from '../model/types.js';

parentPort?.on('message', (message: { index: number; job: TrainJob }) => {
  const { config, data } = message.job;
  const trained = trainRunSync(message.job);
  const result: TrainResult = {
    ...trained,
    terms: computeTerms(config, data, trained.final),
    winners: winningNeurons(config, data, trained.final),
  };
  const { W, b, v } = result.final;
  parentPort?.postMessage({ index: message.index, result }, [
    W.buffer as ArrayBuffer,
    b.buffer as ArrayBuffer,
    v.buffer as ArrayBuffer,
    result.winners!.buffer as ArrayBuffer,
  ]);
});
