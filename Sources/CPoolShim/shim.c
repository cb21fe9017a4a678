#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/socket.h>
#include <stddef.h>
#include <malloc.h>
#include "CPoolShim.h"

int mk_memfd(const char *name) { return memfd_create(name, 0); }

int mk_accept(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int mk_fixed_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int64_t mk_unix_listen_queue(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    int diag = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (diag < 0) return -1;
    struct {
        struct nlmsghdr header;
        struct unix_diag_req request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST;
    message.request.sdiag_family = AF_UNIX;
    message.request.udiag_states = -1;
    message.request.udiag_ino = (unsigned int)st.st_ino;
    message.request.udiag_show = UDIAG_SHOW_RQLEN;
    message.request.udiag_cookie[0] = message.request.udiag_cookie[1] = (unsigned int)-1;
    int64_t queue = -1;
    if (send(diag, &message, sizeof message, 0) == (ssize_t)sizeof message) {
        char buffer[1024];
        ssize_t length = recv(diag, buffer, sizeof buffer, 0);
        struct nlmsghdr *reply = (struct nlmsghdr *)buffer;
        if (length > 0 && NLMSG_OK(reply, (unsigned int)length) && reply->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            struct unix_diag_msg *info = NLMSG_DATA(reply);
            int left = (int)(reply->nlmsg_len - NLMSG_LENGTH(sizeof *info));
            struct rtattr *attribute = (struct rtattr *)(info + 1);
            for (; RTA_OK(attribute, left); attribute = RTA_NEXT(attribute, left)) {
                if (attribute->rta_type == UNIX_DIAG_RQLEN) {
                    struct unix_diag_rqlen *rqlen = RTA_DATA(attribute);
                    queue = rqlen->udiag_rqueue;
                }
            }
        }
    }
    close(diag);
    return queue;
}
