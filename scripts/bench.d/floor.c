/* The floor of scripts/bench: the least a libfcgi responder can do per request.
 *
 *     floor SOCKET PROCESSES THREADS PIDFILE
 *
 * Listens on the unix socket SOCKET, forks PROCESSES children of THREADS threads each
 * (the pool's shape: workers x threads), and answers every request with the same small
 * JSON body, without looking at it. Each thread loops on FCGX_Accept_r under its process's
 * accept lock, as libfcgi's threaded example does. The parent writes PIDFILE once the
 * socket listens, then waits for SIGTERM or SIGINT and stops the children; a child also
 * dies with its parent. The bench charges the parent and its children's CPU to the floor.
 *
 * Built by scripts/bench with: cc -O2 floor.c -lfcgi -lpthread
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BODY "{\"status\":\"healthy\",\"service\":\"bench-floor\"}\n"
static const char reply[] = "Status: 200 OK\r\n"
                            "Content-Type: application/json\r\n"
                            "Cache-Control: no-store\r\n"
                            "Content-Length: 45\r\n"
                            "\r\n" BODY;
_Static_assert(sizeof BODY - 1 == 45, "Content-Length must match BODY");

static int listen_fd;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void *serve(void *unused) {
    FCGX_Request request;
    (void)unused;
    FCGX_InitRequest(&request, listen_fd, 0);
    for (;;) {
        pthread_mutex_lock(&accept_lock);
        int accepted = FCGX_Accept_r(&request);
        pthread_mutex_unlock(&accept_lock);
        if (accepted < 0) break;
        FCGX_PutStr(reply, sizeof reply - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s SOCKET PROCESSES THREADS PIDFILE\n", argv[0]);
        return 2;
    }
    int processes = atoi(argv[2]), threads = atoi(argv[3]);
    if (processes < 1 || threads < 1) {
        fprintf(stderr, "floor: PROCESSES and THREADS must be positive\n");
        return 2;
    }
    FCGX_Init();
    listen_fd = FCGX_OpenSocket(argv[1], 511); /* the pool's listen_backlog and listen_mode */
    if (listen_fd < 0 || chmod(argv[1], 0660) != 0) {
        perror("floor: cannot listen");
        return 1;
    }

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    pid_t parent = getpid();
    pid_t *children = calloc(processes, sizeof *children);
    for (int p = 0; p < processes; p++) {
        children[p] = fork();
        if (children[p] < 0) {
            perror("floor: fork");
            return 1;
        }
        if (children[p] == 0) {
            /* FCGX_Init's handler only flags a shutdown that a thread blocked in
             * accept never sees: a child ends on SIGTERM. */
            signal(SIGTERM, SIG_DFL);
            sigprocmask(SIG_UNBLOCK, &stop, NULL);
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != parent) _exit(0);
            pthread_t *ids = calloc(threads, sizeof *ids);
            for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, serve, NULL);
            for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
            _exit(0);
        }
    }

    int status = 0, received;
    FILE *pidfile = fopen(argv[4], "w");
    if (pidfile == NULL || fprintf(pidfile, "%d\n", (int)parent) < 0 || fclose(pidfile) != 0) {
        perror("floor: cannot write the pid file");
        status = 1;
    } else {
        sigwait(&stop, &received);
    }
    for (int p = 0; p < processes; p++) kill(children[p], SIGTERM);
    while (wait(NULL) > 0) {}
    unlink(argv[1]);
    unlink(argv[4]);
    return status;
}
