/* A syscall() of the test's own that the library's raw credential syscalls go through: link
 * syscall-hook.c into the test program, or preload it (LD_PRELOAD); either definition comes
 * before libc's in symbol lookup. Lets a test run its own code while the calling thread is
 * inside the library, as a signal handler that interrupts it would. */
#ifndef HOSTSEC_SYSCALL_HOOK_H
#define HOSTSEC_SYSCALL_HOOK_H

/* The next call of system call `number` the process makes runs callback first, once. */
void syscall_hook_arm(long number, void (*callback)(void));

#endif
