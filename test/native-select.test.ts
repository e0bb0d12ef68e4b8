// Backend selection and fallback: `auto` falls back to TS with one warning and a recorded reason,
// `native` refuses to, PROTOMLP_BACKEND overrides the option, and a PROTOMLP_SIMD that cannot be
// honoured is an error even for `auto`. The loader is injected, so no build is needed here.

import t from 'tap';
import { resolveBackend, selectBackend } from '../src/backend/select.js';
import type { NativeLoad } from '../src/backend/native.js';

const broken = (error: string) => (): NativeLoad => ({
  binding: null,
  source: null,
  path: null,
  error,
});

t.test('auto falls back to TS with one actionable warning and the reason', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  const a = resolveBackend('auto', broken('No native build was found for platform=linux arch=x64'));
  const b = resolveBackend('auto', broken('No native build was found for platform=linux arch=x64'));
  await new Promise((resolve) => setImmediate(resolve));
  process.off('warning', onWarning);
  t.equal(a.backend.name, 'ts');
  t.equal(b.backend.name, 'ts');
  t.equal(a.fallbackReason, 'No native build was found for platform=linux arch=x64');
  t.equal(warnings.length, 1, 'one warning per process');
  t.match(
    warnings[0].message,
    /native backend is unavailable \(No native build was found.*npm rebuild protomlp --build-from-source.*PROTOMLP_BACKEND=ts/,
  );
});

t.test('native does not fall back', async (t) => {
  t.throws(() => resolveBackend('native', broken('libfoo.so: cannot open shared object file')), {
    message: 'native backend unavailable: libfoo.so: cannot open shared object file',
  });
});

t.test('an unusable PROTOMLP_SIMD is an error for auto too', async (t) => {
  t.throws(
    () =>
      resolveBackend(
        'auto',
        broken("PROTOMLP_SIMD: instruction set 'avx512' is not supported by this CPU/OS"),
      ),
    {
      message: /^native backend unavailable: PROTOMLP_SIMD: instruction set 'avx512'/,
    },
  );
});

t.test('PROTOMLP_BACKEND overrides the option and is validated', async (t) => {
  const saved = process.env.PROTOMLP_BACKEND;
  t.teardown(() => {
    if (saved === undefined) delete process.env.PROTOMLP_BACKEND;
    else process.env.PROTOMLP_BACKEND = saved;
  });
  process.env.PROTOMLP_BACKEND = 'ts';
  const s = resolveBackend('native', broken('never loaded'));
  t.equal(s.backend.name, 'ts');
  t.equal(s.choice, 'ts');
  t.equal(s.native, null, 'the addon is not even loaded');
  process.env.PROTOMLP_BACKEND = 'gpu';
  t.throws(() => selectBackend('auto'), {
    message: 'PROTOMLP_BACKEND: got "gpu", expected one of auto, native, ts',
  });
  delete process.env.PROTOMLP_BACKEND;
  t.throws(() => selectBackend('fast' as never), {
    message: 'backend: got "fast", expected one of auto, native, ts',
  });
});

t.test('auto uses the native backend when it loads', async (t) => {
  const s = resolveBackend('auto');
  if (s.native?.binding) {
    t.equal(s.backend.name, 'native');
    t.equal(s.fallbackReason, null);
    t.ok(
      ['build', 'prebuild'].includes(s.native.source ?? ''),
      `binary from ${s.native.source}: ${s.native.path}`,
    );
  } else {
    t.equal(s.backend.name, 'ts');
    t.ok(s.fallbackReason, `no addon here: ${s.fallbackReason}`);
  }
});
