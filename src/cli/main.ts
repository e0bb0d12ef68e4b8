#!/usr/bin/env node
// The `protomlp` command: one file per subcommand registers itself here; nothing else lives here.

import { packageVersion } from '../package-info.js';
import { newProgram, runProgram } from './common.js';
import { register as registerRun } from './run.js';
import { register as registerSweep } from './sweep.js';
import { register as registerTune } from './tune.js';
import { register as registerMerge } from './merge.js';
import { register as registerExport } from './export.js';
import { register as registerReport } from './report.js';
import { register as registerReproduce } from './reproduce.js';
import { register as registerInfo } from './info.js';
import { register as registerSelftest } from './selftest.js';

const program = newProgram('protomlp', 'Explainable specialization in minimal MLPs: train, sweep, report.', packageVersion());

registerRun(program);
registerSweep(program);
registerTune(program);
registerMerge(program);
registerExport(program);
registerReport(program);
registerReproduce(program);
registerInfo(program);
registerSelftest(program);

await runProgram(program, process.argv);
