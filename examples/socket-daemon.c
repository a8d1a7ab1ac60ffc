/* A local daemon that serves each connecting user as that user.
 *
 *   socket-daemon serve SOCKET      listens on the Unix domain socket SOCKET (mode 0666)
 *   socket-daemon ask SOCKET FILE   asks the daemon for the first line of FILE
 *
 * For each connection the daemon starts a thread that impersonates the client
 * (HostSec_ImpersonateSocketClient: the uid, gid and groups the kernel recorded when the
 * client connected), opens the file with the client's own credentials, answers, and reverts.
 * That identity is the one the client had at connect(): a client that drops privileges
 * afterwards, or hands its socket to another process, is still served as it was then.
 * It checks that the thread really acts as the client (the token's level is
 * SecurityImpersonation): a daemon without CAP_SETUID/CAP_SETGID only identifies its clients
 * and refuses to serve them rather than serving them with its own rights.
 *
 * Build: cc -pthread socket-daemon.c $(pkg-config --cflags --libs hostsec) */
#define COBJMACROS
#include <hostsec.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static IHostSecurityManager *manager;

static void reply(int fd, const char *text) { (void)!write(fd, text, strlen(text)); }

/* The level the calling thread impersonates at, or -1. */
static int thread_level(void) {
    HANDLE token = NULL;
    SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
    DWORD length = 0;
    if (manager->lpVtbl->OpenThreadToken(manager, TOKEN_QUERY, TRUE, &token) != S_OK) return -1;
    HRESULT hr = HostSec_GetTokenInformation(token, TokenImpersonationLevel, &level, sizeof level, &length);
    HostSec_CloseHandle(token);
    return hr == S_OK ? (int)level : -1;
}

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    char request[4096], answer[8192];
    ssize_t n = read(fd, request, sizeof request - 1);
    if (n <= 0) goto done;
    request[n] = 0;
    request[strcspn(request, "\n")] = 0;
    HRESULT hr = HostSec_ImpersonateSocketClient(fd);
    if (hr != S_OK) {
        snprintf(answer, sizeof answer, "refused: cannot identify the client (%s)\n", HostSec_HResultName(hr));
        reply(fd, answer);
        goto done;
    }
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    if (thread_level() != SecurityImpersonation) {
        snprintf(answer, sizeof answer, "refused: cannot act as the client\n");
    } else {
        FILE *f = fopen(request, "r");
        char line[4096] = "";
        if (!f) {
            snprintf(answer, sizeof answer, "uid %u: denied: %s\n", (unsigned)e, strerror(errno));
        } else {
            if (!fgets(line, sizeof line, f)) line[0] = 0;
            fclose(f);
            line[strcspn(line, "\n")] = 0;
            snprintf(answer, sizeof answer, "uid %u: %s\n", (unsigned)e, line);
        }
    }
    /* Back to the daemon's own identity before anything else runs on this thread. */
    if (manager->lpVtbl->RevertToSelf(manager) != S_OK) {
        fprintf(stderr, "socket-daemon: cannot revert; stopping\n");
        _exit(1);
    }
    reply(fd, answer);
done:
    close(fd);
    return NULL;
}

static int serve_forever(const char *path) {
    IClassFactory *factory = NULL;
    if (DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&factory) != S_OK ||
        IClassFactory_CreateInstance(factory, NULL, &IID_IHostSecurityManager, (void **)&manager) != S_OK)
        return 1;
    IClassFactory_Release(factory);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    unlink(path);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || chmod(path, 0666) != 0 ||
        listen(listener, 16) != 0) {
        perror("socket-daemon");
        return 1;
    }
    printf("listening on %s\n", path);
    fflush(stdout);
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) continue;
        pthread_t thread;
        if (pthread_create(&thread, NULL, serve, (void *)(intptr_t)fd) == 0)
            pthread_detach(thread);
        else
            close(fd);
    }
}

static int ask(const char *path, const char *file) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("socket-daemon ask");
        return 1;
    }
    reply(fd, file);
    shutdown(fd, SHUT_WR);
    char buffer[8192];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) fwrite(buffer, 1, (size_t)n, stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "serve") == 0) return serve_forever(argv[2]);
    if (argc == 4 && strcmp(argv[1], "ask") == 0) return ask(argv[2], argv[3]);
    fprintf(stderr, "usage: socket-daemon serve SOCKET | socket-daemon ask SOCKET FILE\n");
    return 2;
}
