/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Tests of the C API that load nothing: errors, compile, BPF export, simulate, check, status.
 * Functions that could load a filter (sysfence_apply_*) run in kernel tests, in children. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

/* Denies IPv4 sockets (socket(AF_INET, ...)) with EAFNOSUPPORT and exec with EACCES. */
static const char *POLICY =
    "{\"default_action\": \"allow\", \"rules\": ["
    "{\"action\": \"errno:EAFNOSUPPORT\", \"syscalls\": [\"socket\"],"
    " \"args\": [{\"index\": 0, \"op\": \"eq\", \"value\": 2}]},"
    "{\"action\": \"errno:EACCES\", \"syscalls\": [\"@exec\"]}]}";

static void test_version(void) {
    const char *v = sysfence_version();
    CHECK(v != NULL);
    CHECK(strstr(v, "libseccomp 2.") != NULL);
    CHECK(v == sysfence_version()); /* owned by the library, the same every time */
}

static void test_null_arguments(void) {
    const uint8_t *bytes = NULL;
    CHECK(sysfence_compile_json(NULL) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(strlen(sysfence_last_error_message()) > 0);
    CHECK(sysfence_last_error_path() == NULL);
    CHECK_INT(sysfence_apply_json(NULL), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK_INT(sysfence_apply_preset(NULL), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_check_json(NULL) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_pfc(NULL) == NULL);
    CHECK_INT(sysfence_filter_bpf(NULL, &bytes), 0);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(bytes == NULL);
    CHECK(sysfence_filter_simulate(NULL, NULL, "read", NULL, 0) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    /* Not loading anything: a NULL filter fails before any syscall. */
    errno = 0;
    CHECK_INT(sysfence_filter_load(NULL), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK_INT(errno, EINVAL);
    /* sysfence_filter_load's outcome is the last error, as for every other call. */
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(strstr(sysfence_last_error_message(), "filter is NULL") != NULL);
    CHECK_INT(sysfence_last_error_errno(), EINVAL);
    sysfence_filter_free(NULL);
    sysfence_string_free(NULL);
}

static void test_bad_text(void) {
    /* Not UTF-8. */
    CHECK(sysfence_compile_json("{\"default_action\": \"\xff\"}") == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    /* A NUL inside a JSON string reaches the core as a character: a policy error, and the
     * message keeps everything after it. */
    CHECK(sysfence_compile_json("{\"default_action\": \"allow\\u0000x\"}") == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_POLICY);
    CHECK_STR(sysfence_last_error_path(), "default_action");
    CHECK(strstr(sysfence_last_error_message(), "\\0x") != NULL);
}

static void test_policy_error_names_the_place(void) {
    const char *typo = "{\"default_action\": \"allow\", \"rules\": [{\"action\": \"errno:EACCES\","
                       " \"syscalls\": [\"exceve\"]}]}";
    CHECK(sysfence_compile_json(typo) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_POLICY);
    CHECK_STR(sysfence_last_error_path(), "rules[0].syscalls[0]");
    CHECK(strstr(sysfence_last_error_message(), "rules[0].syscalls[0]") != NULL);
    CHECK(strstr(sysfence_last_error_message(), "\"execve\"") != NULL); /* did you mean */

    CHECK(sysfence_compile_json("{\"default_action\": \"allow\", \"rules\": [") == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_POLICY);
    CHECK_STR(sysfence_last_error_path(), "$");

    /* A call that succeeds clears the last error. */
    sysfence_filter *f = sysfence_compile_json(POLICY);
    CHECK(f != NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_OK);
    CHECK_STR(sysfence_last_error_message(), "");
    CHECK(sysfence_last_error_path() == NULL);
    sysfence_filter_free(f);
}

static void test_compile_bpf_simulate(void) {
    sysfence_filter *f = sysfence_compile_json(POLICY);
    CHECK(f != NULL);
    if (f == NULL)
        return;
    const uint8_t *bytes = NULL;
    size_t len = sysfence_filter_bpf(f, &bytes);
    CHECK(len >= 8 * 4);
    CHECK(len % 8 == 0);
    CHECK(bytes != NULL);
    /* First instruction: BPF_LD|BPF_W|BPF_ABS of seccomp_data.arch (offset 4). */
    uint16_t code;
    uint32_t k;
    memcpy(&code, bytes, 2);
    memcpy(&k, bytes + 4, 4);
    CHECK_INT(code, 0x20);
    CHECK_INT(k, 4);

    char *pfc = sysfence_filter_pfc(f);
    CHECK(pfc != NULL && strlen(pfc) > 0);
    sysfence_string_free(pfc);

    uint64_t inet[] = {2, 1, 0}, unix_[] = {1, 1, 0};
    struct {
        const char *arch, *syscall;
        const uint64_t *args;
        size_t nargs;
        const char *action;
    } cases[] = {
        {NULL, "socket", inet, 3, "errno:EAFNOSUPPORT"},
        {NULL, "socket", unix_, 3, "allow"},
        {NULL, "execve", NULL, 0, "errno:EACCES"},
        {"native", "read", NULL, 0, "allow"},
        {"x86", "read", NULL, 0, "kill_process"}, /* another ABI: the bad-arch action */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *action = sysfence_filter_simulate(f, cases[i].arch, cases[i].syscall,
                                                cases[i].args, cases[i].nargs);
        CHECK_STR(action, cases[i].action);
        sysfence_string_free(action);
    }

    uint64_t seven[7] = {0};
    CHECK(sysfence_filter_simulate(f, NULL, "read", seven, 7) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_simulate(f, NULL, "read", NULL, 2) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_simulate(f, NULL, NULL, NULL, 0) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_simulate(f, "vax", "read", NULL, 0) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_simulate(f, NULL, "exceve", NULL, 0) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(strstr(sysfence_last_error_message(), "\"execve\"") != NULL); /* did you mean */
    CHECK_INT(sysfence_filter_bpf(f, NULL), 0);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    sysfence_filter_free(f);
}

/* sysfence_filter_explain: the verdict and what in the policy gave it, as JSON. */
static void test_explain(void) {
    sysfence_filter *f = sysfence_compile_json(POLICY);
    CHECK(f != NULL);
    if (f == NULL)
        return;
    uint64_t inet[1] = {2};
    struct {
        const char *arch, *syscall;
        const uint64_t *args;
        size_t nargs;
        const char *action, *decided_by;
    } cases[] = {
        {NULL, "socket", inet, 1, "errno:EAFNOSUPPORT", "rules[0].syscalls[0] (errno:EAFNOSUPPORT)"},
        {NULL, "execve", NULL, 0, "errno:EACCES", "rules[1].syscalls[0] (errno:EACCES)"},
        {NULL, "read", NULL, 0, "allow", "default_action"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = sysfence_filter_explain(f, cases[i].arch, cases[i].syscall, cases[i].args,
                                             cases[i].nargs);
        json_t *e = text ? json_loads(text, 0, NULL) : NULL;
        sysfence_string_free(text);
        CHECK(e != NULL);
        CHECK_STR(json_string_value(json_object_get(e, "syscall")), cases[i].syscall);
        CHECK_STR(json_string_value(json_object_get(e, "action")), cases[i].action);
        CHECK_STR(json_string_value(json_object_get(e, "decided_by")), cases[i].decided_by);
        CHECK(json_integer_value(json_object_get(e, "instructions")) > 0);
        json_decref(e);
    }
    /* The condition that decided, with the call's value. */
    char *text = sysfence_filter_explain(f, NULL, "socket", inet, 1);
    json_t *e = text ? json_loads(text, 0, NULL) : NULL;
    sysfence_string_free(text);
    CHECK_INT(json_array_size(json_object_get(e, "arguments")), 1);
    json_decref(e);
    /* Another ABI meets the bad-arch action. */
    text = sysfence_filter_explain(f, "x86", "read", NULL, 0);
    e = text ? json_loads(text, 0, NULL) : NULL;
    sysfence_string_free(text);
    const char *by = json_string_value(json_object_get(e, "decided_by"));
    CHECK(by != NULL && strncmp(by, "bad_arch_action", 15) == 0);
    json_decref(e);

    /* The errors are simulate's. */
    uint64_t seven[7] = {0};
    CHECK(sysfence_filter_explain(f, NULL, "read", seven, 7) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_explain(f, NULL, "read", NULL, 2) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_explain(f, NULL, NULL, NULL, 0) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_explain(f, "vax", "read", NULL, 0) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_explain(f, NULL, "exceve", NULL, 0) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(strstr(sysfence_last_error_message(), "\"execve\"") != NULL); /* did you mean */
    CHECK(sysfence_filter_explain(NULL, NULL, "read", NULL, 0) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    sysfence_filter_free(f);
}

/* Reads a check_json report; returns whether it parsed and sets *ok and the error count. */
static int read_report(char *text, int *ok, size_t *errors, size_t *warnings) {
    json_t *report = text ? json_loads(text, 0, NULL) : NULL;
    sysfence_string_free(text);
    if (report == NULL)
        return 0;
    *ok = json_is_true(json_object_get(report, "ok"));
    *errors = *warnings = 0;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(report, "diagnostics"), i, d) {
        const char *severity = json_string_value(json_object_get(d, "severity"));
        if (severity && strcmp(severity, "error") == 0)
            (*errors)++;
        else
            (*warnings)++;
    }
    json_decref(report);
    return 1;
}

static void test_check(void) {
    int ok = -1;
    size_t errors = 0, warnings = 0;
    CHECK(read_report(sysfence_check_json(POLICY), &ok, &errors, &warnings));
    CHECK_INT(ok, 1);
    CHECK_INT(errors, 0);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_OK);

    const char *bad = "{\"defualt_action\": \"allow\", \"rules\": [{\"action\": \"deny\","
                      " \"syscalls\": [\"exceve\"]}]}";
    CHECK(read_report(sysfence_check_json(bad), &ok, &errors, &warnings));
    CHECK_INT(ok, 0);
    CHECK_INT(errors, 4); /* defualt_action, default_action, rules[0].action, ...syscalls[0] */
    /* The policy being invalid is the report's subject, not an error of the call. */
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_OK);

    CHECK(read_report(sysfence_check_json("{\"default_action\": \"allow\", \"rules\": ["),
                      &ok, &errors, &warnings));
    CHECK_INT(ok, 0);
    CHECK_INT(errors, 1);
}

static void test_convert(void) {
    const char *docker = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
                         "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
                         "{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\","
                         " \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}";
    char *text = sysfence_convert_json(docker, "oci", "{\"caps\": \"default\", \"arch\": \"x86_64\"}");
    CHECK(text != NULL);
    json_t *out = text ? json_loads(text, 0, NULL) : NULL;
    CHECK(out != NULL);
    CHECK_INT((long)json_integer_value(json_object_get(out, "defaultErrnoRet")), 1);
    CHECK_INT((long)json_array_size(json_object_get(out, "syscalls")), 1); /* mount needs CAP_SYS_ADMIN */
    json_decref(out);
    sysfence_string_free(text);

    /* A sysfence policy converts too; NULL context is the default. */
    text = sysfence_convert_json(POLICY, "docker", NULL);
    CHECK(text != NULL);
    sysfence_string_free(text);

    CHECK(sysfence_convert_json("{\"defaultAction\": \"SCMP_ACT_NOPE\"}", "oci", NULL) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_POLICY);
    CHECK_STR(sysfence_last_error_path(), "defaultAction");
    CHECK(sysfence_convert_json(POLICY, "yaml", NULL) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_convert_json(NULL, "oci", NULL) == NULL);
}

static void test_status(void) {
    char *text = sysfence_status_json();
    CHECK(text != NULL);
    json_t *status = text ? json_loads(text, 0, NULL) : NULL;
    CHECK(status != NULL);
    CHECK(json_is_string(json_object_get(status, "mode")));
    CHECK(json_is_boolean(json_object_get(status, "no_new_privs")));
    json_decref(status);
    sysfence_string_free(text);
}

static void *other_thread(void *arg) {
    (void)arg;
    static int seen[3];
    seen[0] = sysfence_last_error_code(); /* this thread has no error yet */
    CHECK(sysfence_compile_json("[]") == NULL);
    seen[1] = sysfence_last_error_code();
    seen[2] = sysfence_last_error_path() != NULL && strcmp(sysfence_last_error_path(), "$") == 0;
    return seen;
}

static void test_last_error_is_per_thread(void) {
    CHECK(sysfence_compile_json(NULL) == NULL);
    pthread_t t;
    int *seen = NULL;
    CHECK_INT(pthread_create(&t, NULL, other_thread, NULL), 0);
    CHECK_INT(pthread_join(t, (void **)&seen), 0);
    CHECK_INT(seen[0], SYSFENCE_OK);
    CHECK_INT(seen[1], SYSFENCE_ERR_POLICY);
    CHECK_INT(seen[2], 1);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
}

void api_tests(void) {
    RUN(test_version);
    RUN(test_null_arguments);
    RUN(test_bad_text);
    RUN(test_policy_error_names_the_place);
    RUN(test_compile_bpf_simulate);
    RUN(test_explain);
    RUN(test_check);
    RUN(test_convert);
    RUN(test_status);
    RUN(test_last_error_is_per_thread);
}
