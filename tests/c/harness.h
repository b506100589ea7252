/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A small test harness for the C consumer of libsysfence: checks, a test runner that prints
 * "N passed, N failed", and helpers that run code in a forked child, so that no filter is ever
 * loaded into the test runner itself. */
#ifndef SYSFENCE_TEST_HARNESS_H
#define SYSFENCE_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "sysfence.h"

/* Set by CHECK when a check of the running test fails. */
extern int harness_failed;

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);       \
            harness_failed = 1;                                                            \
        }                                                                                  \
    } while (0)

#define CHECK_INT(actual, expected)                                                        \
    do {                                                                                   \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                    \
        if (a_ != e_) {                                                                    \
            fprintf(stderr, "%s:%d: %s is %lld, expected %lld (last error %d: %s)\n",      \
                    __FILE__, __LINE__, #actual, a_, e_, sysfence_last_error_code(),       \
                    sysfence_last_error_message());                                        \
            harness_failed = 1;                                                            \
        }                                                                                  \
    } while (0)

#define CHECK_STR(actual, expected)                                                        \
    do {                                                                                   \
        const char *a_ = (actual), *e_ = (expected);                                       \
        if (a_ == NULL || strcmp(a_, e_) != 0) {                                           \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__,   \
                    #actual, a_ ? a_ : "(null)", e_);                                      \
            harness_failed = 1;                                                            \
        }                                                                                  \
    } while (0)

/* Runs one test function and counts it. */
void harness_run(const char *name, void (*test)(void));
#define RUN(test) harness_run(#test, test)

/* Prints the summary line and returns the process exit status. */
int harness_summary(void);

/* What a child ended with. */
struct child_result {
    int exited; /* 1 when it called _exit */
    int status; /* the exit status, or the signal that killed it */
};

/* Runs the kernel-test body `name` in a new process: fork, then exec of this program with
 * `--child NAME`, which runs child_main(NAME) and exits with its result. Under valgrind the
 * child runs natively (valgrind has no seccomp(2) and does not follow exec). */
struct child_result in_child(const char *name);

/* The body `name` of a kernel test, in the child process; returns its exit status. */
int child_main(const char *name);

/* Checks that a child exited with `expected`. */
#define CHECK_CHILD(res, expected)                                                         \
    do {                                                                                   \
        struct child_result r_ = (res);                                                    \
        if (!r_.exited || r_.status != (expected)) {                                       \
            fprintf(stderr, "%s:%d: child %s %d, expected exit %d\n", __FILE__, __LINE__,   \
                    r_.exited ? "exited" : "killed by signal", r_.status, (expected));     \
            harness_failed = 1;                                                            \
        }                                                                                  \
    } while (0)

/* execv("/bin/true"): returns 0 only if the exec failed with errno 0 (never); on failure
 * returns errno. On success the child becomes /bin/true and exits 0. */
int exec_true(void);

void api_tests(void);
void kernel_tests(void);
void vector_tests(const char *dir);
void audit_tests(const char *cases_json);
void compiled_tests(const char *vectors_dir);

#endif
