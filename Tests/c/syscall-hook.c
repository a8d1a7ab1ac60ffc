/* See syscall-hook.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include "syscall-hook.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <unistd.h>

static void (*volatile hook)(void);
static volatile long hooked_number;

void syscall_hook_arm(long number, void (*callback)(void)) {
    hooked_number = number;
    hook = callback;
}

long syscall(long number, ...) {
    static long (*real)(long, ...);
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
    va_end(ap);
    if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    void (*callback)(void) = hook;
    if (callback && number == hooked_number) {
        hook = 0;
        callback();
    }
    return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
