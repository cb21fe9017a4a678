#define _GNU_SOURCE
#include <sys/mman.h>
#include <malloc.h>
#include "CPoolShim.h"

int mk_memfd(const char *name) { return memfd_create(name, 0); }

int mk_fixed_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
