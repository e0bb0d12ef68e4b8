#!/usr/bin/env bash
# Builds the addon with AddressSanitizer + UndefinedBehaviorSanitizer (cmake-js, its own build
# folder) and runs the native tests against that build. node itself is not instrumented, so the
# ASan runtime is preloaded; leak detection is off (node does not free everything at exit).
# Any sanitizer report aborts the test process and fails this script.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx cmake-js compile -O build-sanitize/build --CDPROTOMLP_SANITIZE=ON >/dev/null
asan="$(g++ -print-file-name=libasan.so)"
export LD_PRELOAD="$asan"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# node-gyp-build looks for <PROTOMLP_PREBUILD>/build/{Release,Debug}/protomlp.node
export PROTOMLP_PREBUILD="$PWD/build-sanitize"
node -e "const p=require('node-gyp-build').resolve('.'); if(!p.includes('build-sanitize')) { console.error('not the sanitizer build: '+p); process.exit(1) } console.log('sanitizer build: '+p)"
npx tap --jobs 1 --timeout 1800 test/native-hardening.test.ts test/native-fuzz.test.ts test/conformance.test.ts "$@"
