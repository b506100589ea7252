/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Tests the kernel decides. Every filter is loaded in a child process, never in this one: each
 * test runs a named body with in_child(), which reports through its exit status: the errno it
 * saw, 0, or 100+ for a step that went wrong. */
#include <errno.h>
#include <jansson.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* IPv4 sockets fail with EAFNOSUPPORT; every other socket works. */
static const char *NO_IPV4 =
    "{\"default_action\": \"allow\", \"rules\": [{\"action\": \"errno:EAFNOSUPPORT\","
    " \"syscalls\": [\"socket\"], \"args\": [{\"index\": 0, \"op\": \"eq\", \"value\": 2}]}]}";

static const char *NO_EXEC = "{\"default_action\": \"allow\", \"extends\": [\"no-exec\"]}";

static const char *KILL_GETPPID = "{\"default_action\": \"allow\", \"rules\": ["
                                  "{\"action\": \"kill_process\", \"syscalls\": [\"getppid\"]}]}";

/* Forks (from a child: this process is single-threaded) and returns the grandchild's exit
 * status, or 150 + the signal that killed it. */
static int in_grandchild(int (*body)(sysfence_filter *), sysfence_filter *f) {
    pid_t pid = fork();
    if (pid == 0)
        _exit(body(f));
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return 149;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 150 + WTERMSIG(status);
}

static int body_exec(void) {
    return exec_true();
}

static int body_no_exec_preset(void) {
    int rc = sysfence_apply_preset("no-exec");
    if (rc != SYSFENCE_OK)
        return 100 - rc;
    return exec_true();
}

static int body_unknown_preset(void) {
    if (sysfence_apply_preset("no-exce") != SYSFENCE_ERR_POLICY)
        return 101;
    if (strstr(sysfence_last_error_message(), "\"no-exec\"") == NULL) /* did you mean */
        return 102;
    return exec_true(); /* nothing was loaded: exec works, /bin/true exits 0 */
}

static int sockets(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return 110;
    close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

static int body_sockets(void) {
    return sockets();
}

static int body_no_ipv4(void) {
    if (sysfence_apply_json(NO_IPV4) != SYSFENCE_OK)
        return 100 - sysfence_last_error_code();
    return sockets();
}

/* The caller's mode: log lets the refused call through; a bad mode loads nothing. */
static int body_mode_log(void) {
    if (sysfence_apply_json_mode(NO_IPV4, "lgo") != SYSFENCE_ERR_INVALID_ARGUMENT)
        return 101;
    if (strstr(sysfence_last_error_message(), "\"log\"") == NULL)
        return 102;
    if (sysfence_apply_preset_mode("no-exec", "log") != SYSFENCE_OK)
        return 100 - sysfence_last_error_code();
    if (sysfence_apply_json_mode(NO_IPV4, "log") != SYSFENCE_OK)
        return 100 - sysfence_last_error_code();
    int rc = sockets();
    return rc != 0 ? rc : exec_true();
}

static int body_mode_enforce_over_log(void) {
    static const char *LOGGED =
        "{\"default_action\": \"allow\", \"mode\": \"log\", \"extends\": [\"no-exec\"]}";
    if (sysfence_apply_json_mode(LOGGED, "enforce") != SYSFENCE_OK)
        return 100 - sysfence_last_error_code();
    return exec_true();
}

static int body_bad_policies(void) {
    const char *typo = "{\"default_action\": \"allow\", \"rules\": [{\"action\": \"errno:EACCES\","
                       " \"syscalls\": [\"execve\", \"exceve\"]}]}";
    if (sysfence_apply_json(typo) != SYSFENCE_ERR_POLICY)
        return 101;
    const char *path = sysfence_last_error_path();
    if (path == NULL || strcmp(path, "rules[0].syscalls[1]") != 0)
        return 102;
    if (strstr(sysfence_last_error_message(), "rules[0].syscalls[1]") == NULL)
        return 103;
    if (sysfence_apply_json("{\"default_action\": ") != SYSFENCE_ERR_POLICY)
        return 104;
    if (strcmp(sysfence_last_error_path(), "$") != 0)
        return 105;
    if (sysfence_apply_json("{\"default_action\": \"allow\", \"mode\": \"warn\"}") !=
        SYSFENCE_ERR_POLICY)
        return 106;
    if (strcmp(sysfence_last_error_path(), "mode") != 0)
        return 107;
    return exec_true(); /* nothing was loaded */
}

static int load_then_exec(sysfence_filter *f) {
    /* Between fork and exec: only async-signal-safe calls. */
    if (sysfence_filter_load(f) != SYSFENCE_OK)
        return 101;
    return exec_true();
}

static int body_load_between_fork_and_exec(void) {
    sysfence_filter *f = sysfence_compile_json(NO_EXEC);
    if (f == NULL)
        return 120;
    int rc = in_grandchild(load_then_exec, f);
    sysfence_filter_free(f);
    return rc;
}

static int load_then_getppid(sysfence_filter *f) {
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    if (sysfence_filter_load(f) != SYSFENCE_OK)
        return 101;
    syscall(SYS_getppid);
    return 0;
}

static int body_kill_process(void) {
    sysfence_filter *f = sysfence_compile_json(KILL_GETPPID);
    if (f == NULL)
        return 120;
    int rc = in_grandchild(load_then_getppid, f);
    sysfence_filter_free(f);
    return rc == 150 + SIGSYS ? 0 : rc;
}

static int pipefd[2];

static void *exec_from_thread(void *arg) {
    (void)arg;
    char go;
    if (read(pipefd[0], &go, 1) != 1)
        return (void *)(intptr_t)120;
    return (void *)(intptr_t)exec_true();
}

static int body_every_thread(void) {
    pthread_t t;
    void *ret = NULL;
    if (pipe(pipefd) != 0 || pthread_create(&t, NULL, exec_from_thread, NULL) != 0)
        return 110;
    int rc = sysfence_apply_preset("no-exec"); /* from the main thread, for every thread */
    if (write(pipefd[1], "x", 1) != 1 || pthread_join(t, &ret) != 0)
        return 111;
    return rc != SYSFENCE_OK ? 100 - rc : (int)(intptr_t)ret;
}

static int body_status(void) {
    if (sysfence_apply_preset("no-exec") != SYSFENCE_OK)
        return 101;
    char *text = sysfence_status_json();
    json_t *status = text ? json_loads(text, 0, NULL) : NULL;
    sysfence_string_free(text);
    if (status == NULL)
        return 102;
    const char *mode = json_string_value(json_object_get(status, "mode"));
    int ok = mode && strcmp(mode, "filter") == 0 &&
             json_is_true(json_object_get(status, "no_new_privs"));
    json_decref(status);
    return ok ? 0 : 103;
}

/* A thread that loads its own filter without TSYNC, so that TSYNC from another thread fails. */
static int ready[2], go[2];

static void *own_filter(void *arg) {
    (void)arg;
    struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {1, &allow};
    char c;
    long rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
                  ? syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)
                  : -1;
    if (write(ready[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
        rc = -1;
    return (void *)(intptr_t)rc;
}

static int body_tsync_conflict(void) {
    pthread_t t;
    void *ret = NULL;
    char c;
    sysfence_filter *f = sysfence_compile_json(NO_EXEC);
    if (f == NULL)
        return 120;
    if (pipe(ready) != 0 || pipe(go) != 0 || pthread_create(&t, NULL, own_filter, NULL) != 0)
        return 110;
    if (read(ready[0], &c, 1) != 1)
        return 111;
    int applied = sysfence_apply_preset("no-exec");
    int load_errno = sysfence_last_error_errno();
    int loaded = sysfence_filter_load(f);
    /* The load's last error, described after the fact (recording it allocated nothing). */
    int load_code = sysfence_last_error_code();
    int says_tsync = strstr(sysfence_last_error_message(), "TSYNC") != NULL;
    int released = write(go[1], "x", 1) == 1;
    pthread_join(t, &ret);
    sysfence_filter_free(f);
    if (!released || (intptr_t)ret != 0)
        return 112;
    if (applied != SYSFENCE_ERR_LOAD || load_errno != 0)
        return 113;
    if (loaded != SYSFENCE_ERR_LOAD || load_code != SYSFENCE_ERR_LOAD || !says_tsync)
        return 114;
    return exec_true(); /* all or nothing: this thread has no filter, exec works */
}

/* A filter compiled here, written as precompiled bytes, and loaded from a copy of them: the
 * way a program loads a filter compiled at build time. */
static int body_precompiled_no_exec(void) {
    sysfence_filter *f = sysfence_compile_json(NO_EXEC);
    if (f == NULL)
        return 100 - sysfence_last_error_code();
    const uint8_t *bytes = NULL;
    size_t len = sysfence_filter_compiled(f, &bytes);
    uint8_t *copy = malloc(len);
    if (len == 0 || copy == NULL)
        return 101;
    memcpy(copy, bytes, len);
    sysfence_filter_free(f);
    sysfence_filter *g = sysfence_filter_from_bytes(copy, len);
    free(copy);
    if (g == NULL)
        return 100 - sysfence_last_error_code();
    int rc = sysfence_filter_load(g);
    sysfence_filter_free(g);
    if (rc != SYSFENCE_OK)
        return 100 - rc;
    return exec_true();
}

/* Raw BPF from another tool, with explicit architectures and flags. */
static int body_raw_bpf_no_exec(void) {
    sysfence_filter *f = sysfence_compile_json(NO_EXEC);
    if (f == NULL)
        return 100 - sysfence_last_error_code();
    const uint8_t *bpf = NULL;
    size_t len = sysfence_filter_bpf(f, &bpf);
    sysfence_filter *g = sysfence_filter_from_raw_bpf(bpf, len, NULL, 1);
    sysfence_filter_free(f);
    if (g == NULL)
        return 100 - sysfence_last_error_code();
    int rc = sysfence_filter_load(g);
    sysfence_filter_free(g);
    if (rc != SYSFENCE_OK)
        return 100 - rc;
    return exec_true();
}

static const struct {
    const char *name;
    int (*body)(void);
} BODIES[] = {
    {"precompiled_no_exec", body_precompiled_no_exec},
    {"raw_bpf_no_exec", body_raw_bpf_no_exec},
    {"exec", body_exec},
    {"no_exec_preset", body_no_exec_preset},
    {"unknown_preset", body_unknown_preset},
    {"sockets", body_sockets},
    {"no_ipv4", body_no_ipv4},
    {"bad_policies", body_bad_policies},
    {"mode_log", body_mode_log},
    {"mode_enforce_over_log", body_mode_enforce_over_log},
    {"load_between_fork_and_exec", body_load_between_fork_and_exec},
    {"kill_process", body_kill_process},
    {"every_thread", body_every_thread},
    {"status", body_status},
    {"tsync_conflict", body_tsync_conflict},
};

int child_main(const char *name) {
    for (size_t i = 0; i < sizeof BODIES / sizeof BODIES[0]; i++)
        if (strcmp(BODIES[i].name, name) == 0)
            return BODIES[i].body();
    fprintf(stderr, "no child body %s\n", name);
    return 199;
}

static void test_exec_works_without_a_filter(void) {
    CHECK_CHILD(in_child("exec"), 0);
}

static void test_no_exec_preset_refuses_exec(void) {
    CHECK_CHILD(in_child("no_exec_preset"), EACCES);
}

static void test_precompiled_filter_refuses_exec(void) {
    CHECK_CHILD(in_child("precompiled_no_exec"), EACCES);
    CHECK_CHILD(in_child("raw_bpf_no_exec"), EACCES);
}

static void test_unknown_preset_loads_nothing(void) {
    CHECK_CHILD(in_child("unknown_preset"), 0);
}

static void test_json_policy_argument_rule(void) {
    CHECK_CHILD(in_child("sockets"), 0); /* without the policy, IPv4 sockets work */
    CHECK_CHILD(in_child("no_ipv4"), EAFNOSUPPORT);
}

static void test_bad_policy_is_a_policy_error_and_loads_nothing(void) {
    CHECK_CHILD(in_child("bad_policies"), 0);
}

static void test_mode_given_by_the_caller(void) {
    CHECK_CHILD(in_child("mode_log"), 0);
    CHECK_CHILD(in_child("mode_enforce_over_log"), EACCES);
}

static void test_compiled_filter_loads_between_fork_and_exec(void) {
    CHECK_CHILD(in_child("load_between_fork_and_exec"), EACCES);
}

static void test_kill_process_action(void) {
    CHECK_CHILD(in_child("kill_process"), 0);
}

static void test_filter_covers_every_thread(void) {
    CHECK_CHILD(in_child("every_thread"), EACCES);
}

static void test_status_after_apply(void) {
    CHECK_CHILD(in_child("status"), 0);
}

static void test_tsync_conflict_is_a_load_error(void) {
    CHECK_CHILD(in_child("tsync_conflict"), 0);
}

void kernel_tests(void) {
    RUN(test_exec_works_without_a_filter);
    RUN(test_no_exec_preset_refuses_exec);
    RUN(test_precompiled_filter_refuses_exec);
    RUN(test_unknown_preset_loads_nothing);
    RUN(test_json_policy_argument_rule);
    RUN(test_bad_policy_is_a_policy_error_and_loads_nothing);
    RUN(test_mode_given_by_the_caller);
    RUN(test_compiled_filter_loads_between_fork_and_exec);
    RUN(test_kill_process_action);
    RUN(test_filter_covers_every_thread);
    RUN(test_status_after_apply);
    RUN(test_tsync_conflict_is_a_load_error);
}
