#!/usr/bin/env node
// The `protomlp` command: one file per subcommand registers itself here; nothing else lives here.
// Registration is cheap: each command imports what its work needs (training, plots, the native
// addon) inside its action, so the CLI starts fast (bench/cli-start.ts).

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { packageVersion } from '../package-info.js';
import { exitQuietlyOnClosedPipe, newProgram, runProgram } from './common.js';
import { register as registerRun } from './run.js';
import { register as registerSweep } from './sweep.js';
import { register as registerTune } from './tune.js';
import { register as registerMerge } from './merge.js';
import { register as registerExport } from './export.js';
import { register as registerReport } from './report.js';
import { register as registerReproduce } from './reproduce.js';
import { register as registerInfo } from './info.js';
import { register as registerSelftest } from './selftest.js';

/** The `protomlp` program (tests run it in-process: commander resets its state on every parse). */
export const program = newProgram(
  'protomlp',
  'Explainable specialization in minimal MLPs: train, sweep, report.',
  packageVersion(),
);

registerRun(program);
registerSweep(program);
registerTune(program);
registerMerge(program);
registerExport(program);
registerReport(program);
registerReproduce(program);
registerInfo(program);
registerSelftest(program);

/** True when this file is the process's entry point (`protomlp ...`, also through npm's bin link). */
const isEntryPoint = (): boolean =>
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;

// not awaited: no top-level await anywhere in the package (require(esm) loads no module that has one)
if (isEntryPoint()) {
  exitQuietlyOnClosedPipe();
  void runProgram(program, process.argv);
}
