#ifndef CSYSTEMSHIM_H
#define CSYSTEMSHIM_H
#include <spawn.h>
#include <stddef.h>

/* GNU and Linux interfaces that Glibc's Swift overlay does not export (they need
   _GNU_SOURCE): used by Core for temporary bodies, byte search and child processes. */

/* A nameless file in `directory` (O_TMPFILE), read-write, close-on-exec, mode 0600;
   -1 with errno when the file system cannot. */
int mk_open_tmpfile(const char *directory);

/* memmem(3): the offset of `needle` in `haystack`, or -1. */
long mk_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

/* Closes every descriptor from `lowest` up in the spawned child. */
int mk_spawn_closefrom(posix_spawn_file_actions_t *actions, int lowest);

/* Gives the nameless file `fd` (O_TMPFILE) the name `path`: linkat through
   /proc/self/fd (AT_EMPTY_PATH needs a capability a service does not hold). 0, or -1
   with errno (EEXIST when `path` exists: nothing is replaced). */
int mk_link_tmpfile(int fd, const char *path);

#endif
