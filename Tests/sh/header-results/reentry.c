/* Preloaded into the probe (LD_PRELOAD): the library's raw credential syscalls go through this
 * syscall() (the first definition in symbol lookup), so the probe can run its own code while
 * the calling thread is inside the library, as a signal handler that interrupts it would.
 * reentry_arm(callback): the next SYS_getresuid the process makes calls callback first, once. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <unistd.h>

static void (*volatile armed)(void);

void reentry_arm(void (*callback)(void)) { armed = callback; }

long syscall(long number, ...) {
    static long (*real)(long, ...);
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
    va_end(ap);
    if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    void (*callback)(void) = armed;
    if (callback && number == SYS_getresuid) {
        armed = 0;
        callback();
    }
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
