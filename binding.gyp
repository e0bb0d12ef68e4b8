# node-gyp build of the addon (the default; CMakeLists.txt builds the same sources with cmake-js).
# The addon is compiled for baseline x86-64; only the AVX2 and AVX-512 kernel files get their
# instruction sets, through static libraries with their own flags, and cpu.cc picks one at load.
# Every file is compiled with -ffp-contract=off: the compiler never fuses a*b+c, so every variant
# computes the same bits (native/core/epoch_impl.h; fused multiply-adds only where the code asks).
# protomlp_portable=1 (GYP_DEFINES, set by scripts/prebuild.js for the shipped Linux prebuilds)
# makes a binary that loads on glibc >= 2.28 with any libstdc++ (docs/install.md): libstdc++
# linked in, only the Node-API entry points exported, unused library code dropped, and the few
# newer glibc symbols that libstdc++ uses pinned by native/portable/glibc_floor.cc. A source build
# (the default, 0) links the system's libraries as they are.
{
  'variables': {
    'protomlp_common_cflags': ['-std=c++17', '-O3', '-fno-math-errno', '-fvisibility=hidden'],
    'protomlp_portable%': 0,
  },
  'targets': [
    {
      'target_name': 'protomlp',
      'dependencies': ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      'sources': [
        'native/binding.cc',
        'native/core/batch.cc',
        'native/core/cpu.cc',
        'native/core/train.cc',
        'native/core/lap.cc',
        'native/core/epoch_scalar.cc',
        'native/core/evaluate.cc',
        'native/core/evaluate_baseline.cc',
        'native/core/epoch_neon.cc',
      ],
      'cflags_cc': ['<@(protomlp_common_cflags)', '-ffp-contract=off'],
      'cflags_cc!': ['-fno-exceptions', '-std=gnu++17', '-std=gnu++1y', '-O2', '-O3'],
      'ldflags': ['-pthread'],
      'conditions': [
        ['target_arch=="x64"', {'dependencies': ['protomlp_avx2', 'protomlp_avx512']}],
        ['OS=="linux" and protomlp_portable==1', {
          'sources': ['native/portable/glibc_floor.cc'],
          'ldflags': ['-static-libstdc++', '-Wl,--exclude-libs,ALL', '-Wl,--gc-sections',
                      '-Wl,--version-script=<(module_root_dir)/native/portable/exports.ver'],
          # pthread_create@GLIBC_2.2.5 (glibc_floor.cc) lives in libpthread.so.0 before glibc 2.34
          'libraries': ['-Wl,--push-state,--no-as-needed', '-l:libpthread.so.0', '-Wl,--pop-state'],
        }],
        ['OS=="mac"', {'xcode_settings': {'GCC_ENABLE_CPP_EXCEPTIONS': 'YES', 'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
                                          'OTHER_CPLUSPLUSFLAGS': ['-O3', '-ffp-contract=off']}}],
      ],
    },
  ],
  'conditions': [
    ['target_arch=="x64"', {
      'targets': [
        {
          'target_name': 'protomlp_avx2',
          'type': 'static_library',
          'sources': ['native/core/epoch_avx2.cc', 'native/core/evaluate_avx2.cc'],
          'cflags_cc': ['<@(protomlp_common_cflags)', '-fPIC', '-mavx2', '-mfma', '-ffp-contract=off'],
          'cflags_cc!': ['-std=gnu++17', '-std=gnu++1y', '-O2', '-O3'],
          'xcode_settings': {'OTHER_CPLUSPLUSFLAGS': ['-O3', '-mavx2', '-mfma', '-ffp-contract=off']},
        },
        {
          'target_name': 'protomlp_avx512',
          'type': 'static_library',
          'sources': ['native/core/epoch_avx512.cc', 'native/core/evaluate_avx512.cc'],
          'cflags_cc': ['<@(protomlp_common_cflags)', '-fPIC', '-mavx512f', '-mavx512dq', '-mavx2', '-mfma', '-ffp-contract=off'],
          'cflags_cc!': ['-std=gnu++17', '-std=gnu++1y', '-O2', '-O3'],
          'xcode_settings': {'OTHER_CPLUSPLUSFLAGS': ['-O3', '-mavx512f', '-mavx512dq', '-mavx2', '-mfma', '-ffp-contract=off']},
        },
      ],
    }],
  ],
}
