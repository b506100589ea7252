/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* sysfence_parse_audit_line over the shared audit fixtures (tests/fixtures/audit/cases.json):
 * seccomp records in every form the kernel, auditd and journald write, as ECS JSON. */
#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

static const char *fixtures_path;

/* The value at a dotted path ("seccomp.syscall.name") of an ECS document, or NULL. */
static json_t *at(json_t *doc, const char *path) {
    char *copy = strdup(path), *save = NULL;
    json_t *v = doc;
    for (char *part = strtok_r(copy, ".", &save); part && v; part = strtok_r(NULL, ".", &save))
        v = json_object_get(v, part);
    free(copy);
    return v;
}

static void check_case(json_t *c, const char *host) {
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *line = json_string_value(json_object_get(c, "line"));
    json_t *expect = json_object_get(c, "expect");
    char *text = sysfence_parse_audit_line(line);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_OK);
    if (json_is_null(expect)) {
        if (text != NULL) {
            fprintf(stderr, "%s: parsed, expected no record\n", name);
            harness_failed = 1;
        }
        sysfence_string_free(text);
        return;
    }
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    sysfence_string_free(text);
    if (doc == NULL) {
        fprintf(stderr, "%s: not parsed\n", name);
        harness_failed = 1;
        return;
    }
    const char *path;
    json_t *want;
    json_object_foreach(expect, path, want) {
        json_t *got = at(doc, path);
        /* "test-host" in the fixtures stands for this machine's name (a node= field names
         * another host). */
        int same = json_is_string(want) && strcmp(json_string_value(want), "test-host") == 0
                       ? got && strcmp(json_string_value(got), host) == 0
                       : got && json_equal(got, want);
        if (!same) {
            char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
            fprintf(stderr, "%s: %s is %s\n", name, path, g ? g : "absent");
            free(g);
            harness_failed = 1;
        }
    }
    size_t i;
    json_t *absent;
    json_array_foreach(json_object_get(c, "absent"), i, absent) {
        if (at(doc, json_string_value(absent)) != NULL) {
            fprintf(stderr, "%s: %s should be absent\n", name, json_string_value(absent));
            harness_failed = 1;
        }
    }
    json_decref(doc);
}

static void test_audit_fixtures(void) {
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    json_error_t err;
    json_t *fixtures = json_load_file(fixtures_path, JSON_ALLOW_NUL, &err);
    CHECK(fixtures != NULL);
    json_t *cases = json_object_get(fixtures, "cases");
    CHECK(json_array_size(cases) >= 30);
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        check_case(c, host);
    }
    json_decref(fixtures);
}

static void test_audit_bad_arguments(void) {
    CHECK(sysfence_parse_audit_line(NULL) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_parse_audit_line("type=1326 \xff") == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
}

void audit_tests(const char *fixtures) {
    fixtures_path = fixtures;
    RUN(test_audit_fixtures);
    RUN(test_audit_bad_arguments);
}
