#!/usr/bin/env node
// The `protomlp` command: one file per subcommand registers itself here; nothing else lives here.

import { packageVersion } from '../package-info.js';
import { newProgram, runProgram } from './common.js';
import { register as registerRun } from './run.js';

const program = newProgram('protomlp', 'Explainable specialization in minimal MLPs: train, sweep, report.', packageVersion());

registerRun(program);

await runProgram(program, process.argv);
