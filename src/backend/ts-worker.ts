// Worker-thread entry of the TS backend: trains the runs the pool hands it, one message a run.
// It holds no state between runs and never touches the store or the console.

import { parentPort } from 'node:worker_threads';
import { trainRunSync } from '../model/train.js';
import type { TrainJob } from '../model/types.js';

parentPort?.on('message', (message: { index: number; job: TrainJob }) => {
  const result = trainRunSync(message.job);
  const { W, b, v } = result.final;
  parentPort?.postMessage({ index: message.index, result }, [
    W.buffer as ArrayBuffer,
    b.buffer as ArrayBuffer,
    v.buffer as ArrayBuffer,
  ]);
});
