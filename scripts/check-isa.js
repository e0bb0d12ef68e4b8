#!/usr/bin/env node
// Proves that an x86-64 build of the addon runs on any x86-64 CPU until cpu.cc has chosen a kernel:
// only the objects of the ISA-specific kernel targets (protomlp_avx2, protomlp_avx512) may contain
// instructions beyond baseline x86-64 (SSE2), and none of their code may be shared with the baseline
// objects (an inline function emitted by both is merged by the linker, which may keep the AVX copy).
//
// Usage: node scripts/check-isa.js [build/Release [binary]]   (a node-gyp build: objects, unstripped binary)
// Exits 1 and names each offending object, function and instruction. Needs binutils (objdump, nm).
// Checked: the baseline objects, the symbols the ISA objects share with them, and (when the linked
// protomlp.node still has its symbol table) every function of the binary that uses such instructions.

import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

/** Targets whose objects are compiled with -mavx2 / -mavx512f and only run after cpu.cc's check. */
const ISA_TARGET = /^protomlp_(avx2|avx512)$/;

// Beyond x86-64 baseline: any VEX/EVEX encoding (AVX, AVX2, FMA, AVX-512 mnemonics start with "v"),
// any ymm/zmm/opmask register, and the SSE3..SSE4.2, POPCNT, LZCNT, BMI1/2, MOVBE instructions a
// -march flag would let the compiler pick. (tzcnt is left out: it decodes as bsf on older CPUs.)
const EXTENDED_MNEMONICS = new Set([
  'addsubpd',
  'addsubps',
  'haddpd',
  'haddps',
  'hsubpd',
  'hsubps',
  'lddqu',
  'movddup',
  'movshdup',
  'movsldup',
  'pabsb',
  'pabsd',
  'pabsw',
  'palignr',
  'phaddd',
  'phaddsw',
  'phaddw',
  'phsubd',
  'phsubsw',
  'phsubw',
  'pmaddubsw',
  'pmulhrsw',
  'pshufb',
  'psignb',
  'psignd',
  'psignw',
  'blendpd',
  'blendps',
  'blendvpd',
  'blendvps',
  'dppd',
  'dpps',
  'extractps',
  'insertps',
  'movntdqa',
  'mpsadbw',
  'packusdw',
  'pblendvb',
  'pblendw',
  'pcmpeqq',
  'pextrb',
  'pextrd',
  'pextrq',
  'phminposuw',
  'pinsrb',
  'pinsrd',
  'pinsrq',
  'pmaxsb',
  'pmaxsd',
  'pmaxud',
  'pmaxuw',
  'pminsb',
  'pminsd',
  'pminud',
  'pminuw',
  'pmovsxbd',
  'pmovsxbq',
  'pmovsxbw',
  'pmovsxdq',
  'pmovsxwd',
  'pmovsxwq',
  'pmovzxbd',
  'pmovzxbq',
  'pmovzxbw',
  'pmovzxdq',
  'pmovzxwd',
  'pmovzxwq',
  'pmuldq',
  'pmulld',
  'ptest',
  'roundpd',
  'roundps',
  'roundsd',
  'roundss',
  'crc32',
  'pcmpestri',
  'pcmpestrm',
  'pcmpistri',
  'pcmpistrm',
  'pcmpgtq',
  'popcnt',
  'lzcnt',
  'andn',
  'bextr',
  'blsi',
  'blsmsk',
  'blsr',
  'bzhi',
  'mulx',
  'pdep',
  'pext',
  'rorx',
  'sarx',
  'shlx',
  'shrx',
  'movbe',
  'adcx',
  'adox',
]);
const NOT_AVX = new Set(['verr', 'verw']);
const WIDE_REGISTER = /%(ymm|zmm)\d+|%k[0-7]\b/;

/** The first extended instruction of one disassembled line, or null. */
export function extendedInstruction(line) {
  const m =
    /^\s*[0-9a-f]+:\s+(?:(?:lock|rep[nez]*|notrack|bnd|data16|addr32|cs|ds|es|ss)\s+)*([a-z][a-z0-9.]*)\b(.*)$/.exec(
      line,
    );
  if (!m) return null;
  const mnemonic = m[1];
  const bare = mnemonic.replace(/[bwlq]$/, '');
  if ((mnemonic.startsWith('v') && !NOT_AVX.has(mnemonic)) || WIDE_REGISTER.test(m[2]))
    return `${mnemonic}${m[2]}`.trim();
  if (EXTENDED_MNEMONICS.has(mnemonic) || EXTENDED_MNEMONICS.has(bare))
    return `${mnemonic}${m[2]}`.trim();
  return null;
}

/** function name -> extended instructions found in it, for one object or binary. */
export function extendedByFunction(file) {
  const text = execFileSync('objdump', ['-d', '--no-show-raw-insn', '-C', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const found = new Map();
  let current = '(no symbol)';
  for (const line of text.split('\n')) {
    const header = /^[0-9a-f]+ <(.*)>:$/.exec(line);
    if (header) {
      current = header[1];
      continue;
    }
    const insn = extendedInstruction(line);
    if (insn) {
      if (!found.has(current)) found.set(current, []);
      found.get(current).push(insn);
    }
  }
  return found;
}

/** Defined symbols of an object: { name, type } (nm types: T/t text, W/V weak, u unique, ...). */
function definedSymbols(file, demangle) {
  const args = ['--defined-only', ...(demangle ? ['-C'] : []), file];
  return execFileSync('nm', args, { encoding: 'utf8', maxBuffer: 1 << 26 })
    .split('\n')
    .map((line) => /^[0-9a-f]+ (\S) (.*)$/.exec(line))
    .filter(Boolean)
    .map((m) => ({ type: m[1], name: m[2] }));
}

function objectsUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return objectsUnder(path);
    return entry.endsWith('.o') ? [path] : [];
  });
}

/** The ELF machine of a file: 'x86-64', 'aarch64', or the number for others. */
export function elfMachine(file) {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  const machine = header.readUInt16LE(18);
  return { 0x3e: 'x86-64', 0xb7: 'aarch64' }[machine] ?? `machine ${machine}`;
}

/** Runs every check on a node-gyp build folder; returns the list of problems (empty: all good). */
export function checkBuild(releaseDir, binary = join(releaseDir, 'protomlp.node')) {
  const objRoot = join(releaseDir, 'obj.target');
  if (!existsSync(objRoot))
    return [`${objRoot} not found: give a node-gyp build folder (build/Release)`];
  const targets = readdirSync(objRoot).filter(
    (name) => statSync(join(objRoot, name)).isDirectory() && name.startsWith('protomlp'),
  );
  const isaObjects = targets
    .filter((t) => ISA_TARGET.test(t))
    .flatMap((t) => objectsUnder(join(objRoot, t)));
  const baseObjects = targets
    .filter((t) => !ISA_TARGET.test(t))
    .flatMap((t) => objectsUnder(join(objRoot, t)));
  const problems = [];
  if (baseObjects.length === 0) return [`no baseline objects under ${objRoot}`];
  const machine = elfMachine(baseObjects[0]);
  if (machine !== 'x86-64')
    return [`${releaseDir} holds a build for ${machine}; check-isa checks x86-64 builds`];

  // 1. Baseline objects: nothing beyond x86-64 anywhere.
  for (const object of baseObjects) {
    for (const [fn, insns] of extendedByFunction(object)) {
      problems.push(
        `${relative(releaseDir, object)}: ${fn} uses ${insns.length} instruction(s) beyond x86-64, e.g. ${insns[0]}`,
      );
    }
  }

  // 2. No code shared between ISA objects and baseline objects (global or weak definitions).
  const baseNames = new Set(
    baseObjects.flatMap((o) => definedSymbols(o, false).map((s) => s.name)),
  );
  for (const object of isaObjects) {
    for (const s of definedSymbols(object, false)) {
      if (/[TWVu]/.test(s.type) && baseNames.has(s.name)) {
        problems.push(
          `${relative(releaseDir, object)}: ${s.name} is also defined by a baseline object; the linker may keep this AVX copy for both`,
        );
      }
    }
  }

  // 3. The linked binary: every function using extended instructions comes from an ISA object.
  if (existsSync(binary)) {
    const isaFunctions = new Set(
      isaObjects.flatMap((o) => definedSymbols(o, true).map((s) => s.name)),
    );
    const extended = extendedByFunction(binary);
    if (extended.has('(no symbol)') || !execFileSync('nm', [binary], { encoding: 'utf8' }).trim()) {
      problems.push(
        `${binary} has no symbol table (stripped?): its functions cannot be attributed`,
      );
    }
    for (const [fn, insns] of extended) {
      const name = fn.replace(/@plt$|\.(cold|part\.\d+|isra\.\d+|constprop\.\d+)$/g, '');
      if (!isaFunctions.has(name)) {
        problems.push(
          `protomlp.node: ${fn} uses ${insns.length} instruction(s) beyond x86-64 (e.g. ${insns[0]}) but is not ISA-specific code`,
        );
      }
    }
  }
  return problems;
}

const invoked = process.argv[1] && basename(process.argv[1]) === 'check-isa.js';
if (invoked) {
  const dir = resolve(process.argv[2] ?? 'build/Release');
  const problems = checkBuild(dir, process.argv[3] ? resolve(process.argv[3]) : undefined);
  if (problems.length > 0) {
    console.error(`check-isa: ${problems.length} problem(s) in ${dir}:`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log(
    `check-isa: ${dir}: baseline objects use x86-64 instructions only; AVX code is confined to the ISA kernels`,
  );
}
