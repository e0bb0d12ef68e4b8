// The fused multiply-add decision (issue 9, docs/native.md "Fused multiply-add"), measured: the
// paper grid's CPU time with (a) the shipped kernels, which fuse multiply-adds explicitly at the
// same places on every instruction set, against (b) the same kernels built to fuse none anywhere
// (cmake-js, -DPROTOMLP_FMA=OFF, into build-nofma/), side by side, per instruction set; and 0.1.0.
// The rule: ship (b), under which TS could match native to the bit, when it costs at most 1.10x (a).
// Run: npm run build && npm run build:native && node dist/bench/fma.js [--rounds K]

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadNative, type NativeBinding } from '../src/backend/native.js';
import { packageRoot } from '../src/package-info.js';
import { loadBaseline, paperJobs, sideBySide } from './paper-cpu.js';

const at = process.argv.indexOf('--rounds');
const rounds = at > 0 ? Number(process.argv[at + 1]) : 5;
const shipped = loadNative();
if (!shipped.binding) {
  console.error(`native addon did not load: ${shipped.error}`);
  process.exit(1);
}
const info = shipped.binding.info();
const root = packageRoot();
const nofmaPath = join(root, 'build-nofma', 'Release', 'protomlp.node');
if (!existsSync(nofmaPath)) {
  console.log(
    'building design (b), no fused multiply-add: cmake-js compile -O build-nofma --CDPROTOMLP_FMA=OFF',
  );
  execFileSync('npx', ['cmake-js', 'compile', '-O', 'build-nofma', '--CDPROTOMLP_FMA=OFF'], {
    cwd: root,
    stdio: 'ignore',
  });
}
const nofma = createRequire(import.meta.url)(nofmaPath) as NativeBinding;
if (nofma.info().fma !== false || info.fma !== true)
  throw new Error(
    `expected (a) to fuse and (b) not to: ${shipped.path} fma=${info.fma}, ${nofmaPath} fma=${nofma.info().fma}`,
  );
const baseline = loadBaseline();
const jobs = paperJobs();
console.log(
  `paper grid (480 runs, 2000 epochs) CPU seconds on ${availableParallelism()} threads, median of ${rounds} rounds interleaved; load average ${loadavg()[0].toFixed(1)}`,
);
for (const isa of ['avx2', 'avx512', 'neon'].filter((i) => info.supported.includes(i))) {
  const [a, b, old] = await sideBySide(
    [shipped.binding, nofma, baseline.binding],
    jobs,
    isa,
    rounds,
  );
  console.log(
    `${isa.padEnd(7)} (a) fused ${a.toFixed(2)} s, (b) unfused ${b.toFixed(2)} s, 0.1.0 ${old.toFixed(2)} s: (b)/(a) = ${(b / a).toFixed(3)}, (a)/0.1.0 = ${(a / old).toFixed(3)}, (b)/0.1.0 = ${(b / old).toFixed(3)}`,
  );
  if (isa === 'avx2')
    console.log(`        rule: ship (b) when (b)/(a) <= 1.10: ${b / a <= 1.1 ? '(b)' : '(a)'}`);
}
