/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Runs every case in tests/vectors/ (format in tests/vectors/README.md) through the C API:
 * errors through sysfence_check_json and sysfence_compile_json, simulate (and explain, for
 * decided_by) through the filter. */
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)len + 1);
    if (text && fread(text, 1, (size_t)len, f) != (size_t)len) {
        free(text);
        text = NULL;
    }
    if (text)
        text[len] = '\0';
    fclose(f);
    return text;
}

/* The end of the JSON value starting at p (a balanced scan that skips strings). */
static const char *value_end(const char *p) {
    int depth = 0;
    for (; *p; p++) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (depth == 0)
                return *p ? p + 1 : p;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0)
                return p;
            if (--depth == 0)
                return p + 1;
        } else if (depth == 0 && strchr(", \t\r\n", *p)) {
            return p;
        }
    }
    return p;
}

/* The raw text of the top-level member "policy", copied (its numbers may not fit a double or
 * an int64, so it is passed on exactly as written). */
static char *raw_policy(const char *text) {
    const char *p = strchr(text, '{');
    while (p && *p) {
        p = strchr(p, '"');
        if (p == NULL)
            return NULL;
        const char *key = p + 1, *key_end = strchr(key, '"');
        p = strchr(key_end, ':') + 1;
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
            p++;
        const char *end = value_end(p);
        if ((size_t)(key_end - key) == 6 && strncmp(key, "policy", 6) == 0)
            return strndup(p, (size_t)(end - p));
        p = end;
    }
    return NULL;
}

/* Whether the diagnostics of one severity (NULL: all) are exactly `want`'s {path, kind}
 * pairs, in order. */
static void check_pairs(const char *name, const char *severity, json_t *want,
                        json_t *diagnostics) {
    size_t i, n = 0;
    json_t *d;
    json_array_foreach(diagnostics, i, d) {
        if (severity && strcmp(json_string_value(json_object_get(d, "severity")), severity) != 0)
            continue;
        json_t *w = json_array_get(want, n++);
        const char *path = json_string_value(json_object_get(d, "path"));
        const char *kind = json_string_value(json_object_get(d, "kind"));
        if (w == NULL || strcmp(path, json_string_value(json_object_get(w, "path"))) != 0 ||
            strcmp(kind, json_string_value(json_object_get(w, "kind"))) != 0) {
            fprintf(stderr, "%s: unexpected %s at %s (%s)\n", name, severity ? severity : "diagnostic",
                    path, kind);
            harness_failed = 1;
        }
    }
    if (n != json_array_size(want)) {
        fprintf(stderr, "%s: %zu diagnostics, expected %zu\n", name, n, json_array_size(want));
        harness_failed = 1;
    }
}

static void check_errors(const char *name, const char *policy, json_t *expected,
                         json_t *suggestions, json_t *diagnostics) {
    check_pairs(name, "error", expected, diagnostics);
    const char *path;
    json_t *want;
    json_object_foreach(suggestions, path, want) {
        int found = 0;
        size_t i;
        json_t *d;
        json_array_foreach(diagnostics, i, d) {
            json_t *s = json_object_get(d, "suggestion");
            found |= strcmp(json_string_value(json_object_get(d, "path")), path) == 0 &&
                     json_is_string(s) && strcmp(json_string_value(s), json_string_value(want)) == 0;
        }
        if (!found) {
            fprintf(stderr, "%s: no suggestion %s at %s\n", name, json_string_value(want), path);
            harness_failed = 1;
        }
    }
    sysfence_filter *f = sysfence_compile_json(policy);
    CHECK(f == NULL);
    sysfence_filter_free(f);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_POLICY);
    const char *first = sysfence_last_error_path();
    const char *want_first = json_string_value(json_object_get(json_array_get(expected, 0), "path"));
    CHECK(first != NULL && strcmp(first, want_first) == 0);
}

static void check_valid(const char *name, const char *policy, json_t *case_,
                        json_t *diagnostics) {
    size_t i;
    check_pairs(name, NULL, json_object_get(case_, "warnings"), diagnostics);
    sysfence_filter *f = sysfence_compile_json(policy);
    CHECK(f != NULL);
    if (f == NULL)
        return;
    json_t *sim;
    json_array_foreach(json_object_get(case_, "simulate"), i, sim) {
        uint64_t args[6] = {0};
        size_t nargs = 0, j;
        json_t *a;
        json_array_foreach(json_object_get(sim, "args"), j, a) {
            if (nargs < 6)
                args[nargs++] = (uint64_t)json_integer_value(a);
        }
        const char *arch = json_string_value(json_object_get(sim, "arch"));
        const char *syscall = json_string_value(json_object_get(sim, "syscall"));
        const char *want = json_string_value(json_object_get(sim, "action"));
        char *got = sysfence_filter_simulate(f, arch, syscall, args, nargs);
        if (got == NULL || strcmp(got, want) != 0) {
            fprintf(stderr, "%s: %s on %s: %s, expected %s\n", name, syscall,
                    arch ? arch : "native", got ? got : sysfence_last_error_message(), want);
            harness_failed = 1;
        }
        sysfence_string_free(got);
        const char *want_by = json_string_value(json_object_get(sim, "decided_by"));
        if (want_by == NULL)
            continue;
        char *text = sysfence_filter_explain(f, arch, syscall, args, nargs);
        json_t *e = text ? json_loads(text, 0, NULL) : NULL;
        sysfence_string_free(text);
        const char *by = json_string_value(json_object_get(e, "decided_by"));
        const char *action = json_string_value(json_object_get(e, "action"));
        if (by == NULL || strcmp(by, want_by) != 0 || action == NULL || strcmp(action, want) != 0) {
            fprintf(stderr, "%s: explain %s on %s: %s (%s), expected %s (%s)\n", name, syscall,
                    arch ? arch : "native", by ? by : sysfence_last_error_message(),
                    action ? action : "-", want_by, want);
            harness_failed = 1;
        }
        json_decref(e);
    }
    sysfence_filter_free(f);
}

static int run_case(const char *dir, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = read_file(path);
    json_error_t err;
    /* Integers beyond int64 (in policies that must be refused) only parse as reals; the policy
     * itself is passed on as raw text, so only the simulate arguments need exact integers. */
    json_t *case_ = text ? json_loads(text, 0, &err) : NULL;
    if (case_ == NULL && text)
        case_ = json_loads(text, JSON_DECODE_INT_AS_REAL, &err);
    if (case_ == NULL) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(text);
        return 0;
    }
    /* A policy argument: JSON text or a preset name, which the core tells apart. */
    json_t *policy_text = json_object_get(case_, "policy_text");
    if (policy_text == NULL)
        policy_text = json_object_get(case_, "argument");
    char *policy = policy_text ? strdup(json_string_value(policy_text)) : raw_policy(text);
    char *report_text = sysfence_check_json(policy);
    json_t *report = report_text ? json_loads(report_text, 0, NULL) : NULL;
    sysfence_string_free(report_text);
    CHECK(report != NULL);
    json_t *diagnostics = json_object_get(report, "diagnostics");
    size_t n_errors = 0, k;
    json_t *d;
    json_array_foreach(diagnostics, k, d) {
        n_errors += strcmp(json_string_value(json_object_get(d, "severity")), "error") == 0;
    }
    CHECK(json_is_true(json_object_get(report, "ok")) == (n_errors == 0));
    CHECK(json_integer_value(json_object_get(report, "errors")) == (json_int_t)n_errors);
    CHECK(json_integer_value(json_object_get(report, "warnings")) ==
          (json_int_t)(json_array_size(diagnostics) - n_errors));
    json_t *errors = json_object_get(case_, "errors");
    if (errors)
        check_errors(name, policy, errors, json_object_get(case_, "suggestions"),
                     diagnostics);
    else
        check_valid(name, policy, case_, diagnostics);
    json_decref(report);
    json_decref(case_);
    free(policy);
    free(text);
    return 1;
}

static int is_json(const struct dirent *e) {
    size_t n = strlen(e->d_name);
    return n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

static const char *vectors_dir;

static void test_vectors(void) {
    struct dirent **names;
    int n = scandir(vectors_dir, &names, is_json, alphasort);
    CHECK(n >= 10);
    for (int i = 0; i < n; i++) {
        CHECK(run_case(vectors_dir, names[i]->d_name));
        free(names[i]);
    }
    if (n >= 0)
        free(names);
}

void vector_tests(const char *dir) {
    vectors_dir = dir;
    RUN(test_vectors);
}
