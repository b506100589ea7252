/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Lets libseccomp compile filters under valgrind.
 *
 * valgrind 3.19 (Debian 12) has no wrapper for seccomp(2): under it the syscall fails with
 * ENOSYS, so libseccomp's feature probes conclude that the kernel has no seccomp() and refuse
 * the kill_process and log actions, and no policy compiles. Under valgrind only, this
 * definition of syscall(), which the program's symbols put before libc's (for libsysfence.a
 * and libsysfence.so alike), answers those probes -- and only those -- as a kernel >= 5.0
 * does. Anything else, including a real SECCOMP_SET_MODE_FILTER, goes to the kernel
 * unchanged (and valgrind refuses it), so nothing is ever loaded under valgrind: the kernel
 * tests run in native child processes (see in_child). Natively this is a plain pass-through. */
#include <dlfcn.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <valgrind/valgrind.h>

static long (*real_syscall)(long, ...);

__attribute__((constructor)) static void find_real_syscall(void) {
    real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
}

static long probe(unsigned long op, unsigned long flags, void *arg) {
    switch (op) {
    case SECCOMP_SET_MODE_STRICT: /* "does seccomp() exist": EINVAL for flags != 0 */
        errno = EINVAL;
        return -1;
    case SECCOMP_SET_MODE_FILTER: /* "is this flag known": EFAULT for a NULL program */
        if (arg != NULL)
            break;
        errno = flags & ~0x3fUL ? EINVAL : EFAULT;
        return -1;
    case SECCOMP_GET_ACTION_AVAIL:
        return 0;
    case SECCOMP_GET_NOTIF_SIZES: {
        struct seccomp_notif_sizes *sizes = arg;
        sizes->seccomp_notif = sizeof(struct seccomp_notif);
        sizes->seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
        sizes->seccomp_data = sizeof(struct seccomp_data);
        return 0;
    }
    }
    return real_syscall(SYS_seccomp, op, flags, arg);
}

long syscall(long nr, ...) {
    va_list ap;
    long a[6];
    va_start(ap, nr);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (real_syscall == NULL) /* called before the constructors ran */
        find_real_syscall();
    if (nr == SYS_seccomp && RUNNING_ON_VALGRIND)
        return probe((unsigned long)a[0], (unsigned long)a[1], (void *)a[2]);
    return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
