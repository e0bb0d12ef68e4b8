// Linked only into the shipped Linux prebuilds (binding.gyp `protomlp_portable=1`, which
// scripts/prebuild.js sets), so that they load on glibc 2.28 although they are built on a newer
// one (docs/install.md, "The floor: glibc 2.28, no libstdc++"). Must not be in a source build: a
// local build links the system's libraries as they are, and musl has none of these versions.
//
// The prebuilds link libstdc++ statically (binding.gyp). Debian 12's libstdc++.a and headers were
// compiled against glibc 2.36, so the code the addon keeps of them (after --gc-sections, which
// drops e.g. random_device and its arc4random, GLIBC_2.36) references three symbols whose default
// version is newer than 2.28. Each gets a hidden definition here that the static link binds those
// references to (a definition in the link beats the one in libc.so.6); nothing is exported
// (native/portable/exports.ver), so nothing in the process sees these names.
//
// - __libc_single_threaded (GLIBC_2.32): libstdc++ reads it to skip atomic reference counting
//   while a process has one thread. Ours is constantly 0, "not known to be single-threaded", which
//   is always a correct answer (the atomic path is the general one); in Node it is also the true
//   answer, since Node starts its platform threads before any addon loads.
// - pthread_create, pthread_join (GLIBC_2.34, when libpthread moved into libc): std::thread calls
//   them. The wrappers call the same functions under their original version (GLIBC_2.2.5 on
//   x86-64, GLIBC_2.17 on arm64), which every glibc still exports: from libpthread.so.0 before 2.34
//   (the prebuild lists it as NEEDED), as compatibility symbols of libc.so.6 from 2.34 on.
//
// The packaging tests read every versioned symbol of the shipped binaries (objdump -T) and fail on
// anything newer than the floor docs/install.md states: a toolchain that pulls in another such
// symbol shows up there, and gets a wrapper here.
#include <pthread.h>

#if defined(__x86_64__)
#define PROTOMLP_GLIBC_BASE "GLIBC_2.2.5"
#elif defined(__aarch64__)
#define PROTOMLP_GLIBC_BASE "GLIBC_2.17"
#else
#error "protomlp_portable: no glibc base version known for this architecture"
#endif

#define PROTOMLP_HIDDEN __attribute__((visibility("hidden")))

extern "C" {

PROTOMLP_HIDDEN char __libc_single_threaded = 0;

int protomlp_pthread_create_base(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
__asm__(".symver protomlp_pthread_create_base, pthread_create@" PROTOMLP_GLIBC_BASE);
PROTOMLP_HIDDEN int pthread_create(pthread_t* thread, const pthread_attr_t* attr,
                                   void* (*start)(void*), void* arg) noexcept {
  return protomlp_pthread_create_base(thread, attr, start, arg);
}

int protomlp_pthread_join_base(pthread_t, void**);
__asm__(".symver protomlp_pthread_join_base, pthread_join@" PROTOMLP_GLIBC_BASE);
PROTOMLP_HIDDEN int pthread_join(pthread_t thread, void** result) {
  return protomlp_pthread_join_base(thread, result);
}

}  // extern "C"
