/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The C consumer of libsysfence: API, kernel and shared-vector tests. Linked once against
 * libsysfence.a and once against libsysfence.so, each run under valgrind memcheck.
 *
 * Usage: test_sysfence VECTORS_DIR AUDIT_CASES_JSON */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

int harness_failed;
static int passed, failed;

void harness_run(const char *name, void (*test)(void)) {
    harness_failed = 0;
    test();
    if (harness_failed) {
        failed++;
        printf("%s ... FAILED\n", name);
    } else {
        passed++;
        printf("%s ... ok\n", name);
    }
    fflush(stdout);
}

int harness_summary(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

static char self[4096];

struct child_result in_child(const char *name) {
    struct child_result res = {0, -1};
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return res;
    }
    if (pid == 0) {
        char *const argv[] = {self, "--child", (char *)name, NULL};
        execv(self, argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) {
        res.exited = 1;
        res.status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res.status = WTERMSIG(status);
    }
    return res;
}

int exec_true(void) {
    char *const argv[] = {"true", NULL};
    char *const envp[] = {NULL};
    execve("/bin/true", argv, envp);
    return errno;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child_main(argv[2]);
    if (realpath(argv[0], self) == NULL) {
        perror(argv[0]);
        return 2;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s VECTORS_DIR AUDIT_CASES_JSON\n", argv[0]);
        return 2;
    }
    printf("libsysfence %s\n", sysfence_version());
    api_tests();
    kernel_tests();
    vector_tests(argv[1]);
    compiled_tests(argv[1]);
    audit_tests(argv[2]);
    return harness_summary();
}
