#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "CSystemShim.h"

int mk_open_tmpfile(const char *directory) {
    return open(directory, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

long mk_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    const char *hit = memmem(haystack, haystack_length, needle, needle_length);
    return hit ? (long)(hit - (const char *)haystack) : -1;
}

int mk_spawn_closefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

int mk_link_tmpfile(int fd, const char *path) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}
