// The committed Linux prebuilds against the floor docs/install.md states (its "The floor" table),
// read from the binaries with objdump: the newest GLIBC_* version each needs, no libstdc++ at all
// (no GLIBCXX_* or CXXABI_* version, no libstdc++.so.6), the newest libgcc_s GCC_* version, its
// NEEDED libraries and its exported symbols. The floor itself is at most Node 20's (glibc 2.28),
// the docs' distribution table follows it, and the docs' requirements table is the one the
// manifest gives. Static reads only; the binaries running on an older glibc:
// test/full/prebuild-old-glibc.test.ts.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareVersions,
  docsWithTable,
  INSTALL_DOC,
  readManifest,
  systemRequirements,
} from '../scripts/prebuild.js';
import { listFiles, ROOT } from './helpers/package.js';
import { spawnSync } from 'node:child_process';
import { importedDlls, WIN32_FILE, WIN32_OBJDUMP } from '../scripts/prebuild-win32.js';

/** glibc that Node 20's official Linux binaries need: the prebuilds may not ask for more. */
const NODE20_GLIBC = '2.28';

interface Floor {
  glibc: string;
  /** null: no libstdc++ requirement at all is allowed */
  glibcxx: string | null;
  gcc: string;
  needed: string[];
  exported: string[];
}

type Requirements = ReturnType<typeof systemRequirements>;

const doc = readFileSync(INSTALL_DOC, 'utf8');

/** The row of a Markdown table whose first cell starts with `label`, as its cells. */
function row(text: string, label: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${label}`));
  if (!line) throw new Error(`docs/install.md: no table row starting with "${label}"`);
  return line
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.trim());
}

const ticked = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** The floor as docs/install.md states it. */
function parseFloor(text: string): Floor {
  const version = (label: string, prefix: string): string => {
    const m = new RegExp(`\`${prefix}_([0-9.]+)\``).exec(row(text, label)[1]);
    if (!m) throw new Error(`docs/install.md: the "${label}" row names no ${prefix}_ version`);
    return m[1];
  };
  const libstdcxx = row(text, 'libstdc++:')[1];
  return {
    glibc: version('glibc:', 'GLIBC'),
    glibcxx: libstdcxx.startsWith('nothing') ? null : version('libstdc++:', 'GLIBCXX'),
    gcc: version('libgcc_s', 'GCC'),
    needed: ticked(row(text, 'shared libraries')[1]),
    exported: ticked(row(text, 'exported symbols')[1]),
  };
}

/** What a binary's requirements break of the floor; empty when it is within. */
function floorViolations(needs: Requirements, floor: Floor): string[] {
  const above = (kind: string, got: string | null, max: string | null): string[] =>
    got === null
      ? []
      : max === null
        ? [`needs ${kind}_${got}, the floor allows none`]
        : compareVersions(got, max) > 0
          ? [`needs ${kind}_${got} > ${kind}_${max}`]
          : [];
  // with a GLIBCXX floor, CXXABI (which moves with it) is not checked separately
  const libstdcxx =
    floor.glibcxx === null
      ? [
          ...above('GLIBCXX', needs.glibcxx.version, null),
          ...above('CXXABI', needs.cxxabi.version, null),
        ]
      : above('GLIBCXX', needs.glibcxx.version, floor.glibcxx);
  return [
    ...above('GLIBC', needs.glibc.version, floor.glibc),
    ...libstdcxx,
    ...above('GCC', needs.gcc.version, floor.gcc),
    ...needs.needed.filter((lib) => !floor.needed.includes(lib)).map((lib) => `needs ${lib}`),
    ...needs.exported
      .filter((s) => !floor.exported.includes(s))
      .slice(0, 5)
      .map((s) => `exports ${s}`),
  ];
}

const floor = parseFloor(doc);
const binaries = listFiles(join(ROOT, 'prebuilds')).filter(
  (f) => f.startsWith('linux-') && f.endsWith('.node'),
);

t.test('the floor docs/install.md states', async (t) => {
  t.ok(
    compareVersions(floor.glibc, NODE20_GLIBC) <= 0,
    `glibc ${floor.glibc}: at most the ${NODE20_GLIBC} that Node 20 needs`,
  );
  t.equal(floor.glibcxx, null, 'libstdc++: none (linked in)');
  t.match(floor.gcc, /^[0-9.]+$/, `libgcc_s: GCC_${floor.gcc}`);
  t.notOk(
    floor.needed.includes('libstdc++.so.6'),
    'libstdc++.so.6 is not among the allowed libraries',
  );
  t.same(
    floor.exported.sort(),
    ['napi_register_module_v1', 'node_api_module_get_api_version_v1'],
    'only the Node-API entry points are exported',
  );
  t.match(
    doc,
    new RegExp(`### The floor: glibc ${floor.glibc.replace('.', '\\.')},`),
    'the heading names the same glibc',
  );
});

t.test('the check catches what the prebuilds of before needed', async (t) => {
  // what systemRequirements read from the dynamically linked x64 prebuild shipped before (of its
  // 23 exported symbols, the first)
  const before: Requirements = {
    glibc: { version: '2.32', symbols: ['__libc_single_threaded'] },
    glibcxx: { version: '3.4.29', symbols: ['_ZSt28__throw_bad_array_new_lengthv'] },
    cxxabi: { version: '1.3.9', symbols: ['_ZdlPvm'] },
    gcc: { version: '3.0', symbols: ['_Unwind_Resume'] },
    exported: [
      '_ZNSt16_Sp_counted_baseILN9__gnu_cxx12_Lock_policyE2EE10_M_releaseEv',
      'napi_register_module_v1',
      'node_api_module_get_api_version_v1',
    ],
    needed: ['libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libc.so.6'],
  };
  t.same(floorViolations(before, floor), [
    `needs GLIBC_2.32 > GLIBC_${floor.glibc}`,
    'needs GLIBCXX_3.4.29, the floor allows none',
    'needs CXXABI_1.3.9, the floor allows none',
    'needs libstdc++.so.6',
    'exports _ZNSt16_Sp_counted_baseILN9__gnu_cxx12_Lock_policyE2EE10_M_releaseEv',
  ]);
  t.same(
    floorViolations(
      { ...before, glibc: { version: '2.29', symbols: ['log', 'pow'] } },
      floor,
    ).slice(0, 1),
    [`needs GLIBC_2.29 > GLIBC_${floor.glibc}`],
    'libm log/pow of glibc 2.29 too',
  );
});

t.test('every shipped Linux binary is within the floor', async (t) => {
  t.same(
    binaries.sort(),
    ['linux-arm64/protomlp.glibc.node', 'linux-x64/protomlp.glibc.node'],
    'both Linux prebuilds are committed',
  );
  const manifest = readManifest() as {
    binaries: Record<
      string,
      { glibc: string; glibcxx: string | null; gcc?: string; needed: string[] }
    >;
  };
  for (const file of binaries) {
    const needs = systemRequirements(join(ROOT, 'prebuilds', file));
    const within = floorViolations(needs, floor);
    t.same(
      within,
      [],
      `${file}: GLIBC_${needs.glibc.version}, ${needs.glibcxx.version ? `GLIBCXX_${needs.glibcxx.version}` : 'no libstdc++'}, GCC_${needs.gcc.version}, needs ${needs.needed.join(' ')} (if not: native/portable/glibc_floor.cc, binding.gyp protomlp_portable)`,
    );
    t.ok(
      needs.needed.includes('libc.so.6') && needs.exported.includes('napi_register_module_v1'),
      `${file}: objdump read its dynamic section`,
    );
    const recorded = manifest.binaries[file];
    t.same(
      {
        glibc: recorded.glibc,
        glibcxx: recorded.glibcxx,
        gcc: recorded.gcc ?? null,
        needed: recorded.needed,
      },
      {
        glibc: needs.glibc.version,
        glibcxx: needs.glibcxx.version,
        gcc: needs.gcc.version,
        needed: needs.needed,
      },
      `${file}: prebuilds/manifest.json records what it needs`,
    );
  }
});

t.test(
  "docs/install.md: the requirements table is the manifest's, the distribution table follows the floor",
  async (t) => {
    t.equal(
      doc,
      docsWithTable(doc, readManifest()),
      'the table between the prebuilds markers is what `node scripts/prebuild.js --docs` writes',
    );
    const distributions = doc
      .slice(doc.indexOf('| distribution | glibc | the prebuild loads |'))
      .split('\n\n')[0]
      .split('\n')
      .slice(2);
    t.ok(distributions.length >= 12, `${distributions.length} distributions listed`);
    for (const line of distributions) {
      const [name, glibc, loads] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      const expected = compareVersions(glibc, floor.glibc) >= 0 ? 'yes' : 'no';
      t.equal(loads, expected, `${name} (glibc ${glibc}): ${expected}`);
    }
  },
);

// The win32-x64 binary imports only what Windows and node.exe provide (everything else is linked
// in), as the manifest records; read with mingw-w64's objdump, required under CI.
const winObjdump = spawnSync(WIN32_OBJDUMP, ['--version']).status === 0;
t.test(
  'the win32-x64 prebuild imports node.exe, KERNEL32.dll and msvcrt.dll only',
  {
    skip:
      !winObjdump && !process.env.CI
        ? `${WIN32_OBJDUMP} not installed (apt-get install mingw-w64)`
        : false,
  },
  async (t) => {
    const manifest = readManifest() as { binaries: Record<string, { imports?: string[] }> };
    const imports = importedDlls(join(ROOT, 'prebuilds', WIN32_FILE));
    t.same([...imports].sort(), ['KERNEL32.dll', 'msvcrt.dll', 'node.exe']);
    t.same(manifest.binaries[WIN32_FILE]?.imports, imports, 'as the manifest records');
  },
);
