#define _GNU_SOURCE
#include <sys/mman.h>
#include "CPoolShim.h"

int mk_memfd(const char *name) { return memfd_create(name, 0); }
