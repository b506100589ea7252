/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The shared malformed precompiled filters (tests/fixtures/compiled, expected.json names the
 * reason each must give): every one is refused with SYSFENCE_ERR_INVALID_ARGUMENT. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

static const char *fixtures_dir;

static uint8_t *read_bytes(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void test_malformed_precompiled_filters_are_refused(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/expected.json", fixtures_dir);
    json_error_t err;
    json_t *cases = json_load_file(path, 0, &err);
    CHECK(cases != NULL && json_object_size(cases) >= 15);
    const char *name;
    json_t *c;
    json_object_foreach(cases, name, c) {
        snprintf(path, sizeof path, "%s/%s", fixtures_dir, name);
        size_t len = 0;
        uint8_t *bytes = read_bytes(path, &len);
        CHECK(bytes != NULL);
        const char *kind = json_string_value(json_object_get(c, "kind"));
        const char *want = json_string_value(json_object_get(c, "error"));
        sysfence_filter *f = strcmp(kind, "sfb") == 0
                                 ? sysfence_filter_from_bytes(bytes, len)
                                 : sysfence_filter_from_raw_bpf(bytes, len, NULL, 1);
        if (f != NULL || sysfence_last_error_code() != SYSFENCE_ERR_INVALID_ARGUMENT ||
            strstr(sysfence_last_error_message(), want) == NULL) {
            fprintf(stderr, "%s: %d %s (wanted %s)\n", name, sysfence_last_error_code(),
                    sysfence_last_error_message(), want);
            harness_failed = 1;
        }
        sysfence_filter_free(f);
        free(bytes);
    }
    json_decref(cases);
    CHECK(sysfence_filter_from_bytes(NULL, 4) == NULL);
    CHECK_INT(sysfence_last_error_code(), SYSFENCE_ERR_INVALID_ARGUMENT);
    CHECK(sysfence_filter_from_raw_bpf((const uint8_t *)"\6\0\0\0\0\0\377\177", 8, "x86_65", 1) ==
          NULL);
    CHECK(strstr(sysfence_last_error_message(), "x86_65") != NULL);
}

/* Compiled, written, read back: the same program and flags. */
static void test_precompiled_round_trip(void) {
    sysfence_filter *f = sysfence_compile_json(
        "{\"default_action\": \"allow\", \"log_denied\": true, \"extends\": [\"no-exec\"]}");
    CHECK(f != NULL);
    const uint8_t *bytes = NULL, *bpf = NULL, *bpf2 = NULL;
    size_t len = sysfence_filter_compiled(f, &bytes);
    CHECK(len > 64);
    sysfence_filter *g = sysfence_filter_from_bytes(bytes, len);
    CHECK(g != NULL);
    size_t n = sysfence_filter_bpf(f, &bpf), n2 = sysfence_filter_bpf(g, &bpf2);
    CHECK(n == n2 && memcmp(bpf, bpf2, n) == 0);
    char *v = sysfence_filter_simulate(g, NULL, "execve", NULL, 0);
    CHECK_STR(v, "errno:EACCES");
    sysfence_string_free(v);
    sysfence_filter_free(g);
    sysfence_filter_free(f);
}

void compiled_tests(const char *vectors_dir) {
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/../fixtures/compiled", vectors_dir);
    fixtures_dir = dir;
    RUN(test_malformed_precompiled_filters_are_refused);
    RUN(test_precompiled_round_trip);
}
