#ifndef CPOOLSHIM_H
#define CPOOLSHIM_H
#include <stdint.h>

/* Atomic access to the pool's scoreboard, a memory region shared by the master and
   every worker process. Swift's Atomic type cannot live at an arbitrary address in
   shared memory, so these few operations are C. */

static inline int64_t mk_load(const int64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void mk_store(int64_t *p, int64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline int64_t mk_add(int64_t *p, int64_t v) { return __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL); }
static inline int mk_cas(int64_t *p, int64_t expected, int64_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* A full barrier: a thread's store before it is seen by any other thread before that
   thread's load after it (the accept/drain hand-shake in Worker). */
static inline void mk_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/* Makes every allocation of at least `bytes` an mmap of its own (see Worker.run). */
int mk_fixed_mmap_threshold(int bytes);

/* Connections waiting in the accept queue of the listening unix socket `fd`, read with
   sock_diag (Linux reports it nowhere else for unix sockets); -1 if unavailable. */
int64_t mk_unix_listen_queue(int fd);

/* accept4(fd, NULL, NULL, SOCK_CLOEXEC): not exported by Glibc's Swift overlay. */
int mk_accept(int fd);

/* memfd_create is not exported by Glibc's Swift overlay on every version. */
int mk_memfd(const char *name);

#endif
