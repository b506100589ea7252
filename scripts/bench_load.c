/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* `make bench`'s C probe (scripts/bench-table.py builds and runs it).
 *   bench_load load FILE.sfb        time sysfence_filter_from_bytes + sysfence_filter_load, and
 *                                   the first alone: "total_ns decode_ns"
 *   bench_load calls FILE|- N       load FILE (or nothing for -), then time N getpid and N
 *                                   personality(0xffffffff) calls: "getpid_ns personality_ns" per call
 * A FILE ending in .bpf is raw BPF made by another tool (libseccomp's own output, for the
 * baseline rows), loaded through sysfence_filter_from_raw_bpf for x86_64, x86 and x32 with TSYNC:
 * the same load path, another program. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sysfence.h"

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*len);
    if (b && fread(b, 1, *len, f) != *len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static long long decode_ns;

static int load(const char *path, long long *ns) {
    size_t len = 0;
    uint8_t *b = slurp(path, &len);
    if (!b)
        return 2;
    size_t n = strlen(path);
    int raw = n > 4 && strcmp(path + n - 4, ".bpf") == 0;
    long long t0 = now();
    sysfence_filter *f = raw ? sysfence_filter_from_raw_bpf(b, len, "x86_64,x86,x32", 1)
                             : sysfence_filter_from_bytes(b, len);
    long long td = now();
    int rc = f ? sysfence_filter_load(f) : -1;
    long long t1 = now();
    decode_ns = td - t0;
    if (rc != SYSFENCE_OK) {
        fprintf(stderr, "load: %s\n", sysfence_last_error_message());
        return 3;
    }
    *ns = t1 - t0;
    sysfence_filter_free(f);
    free(b);
    return 0;
}

int main(int argc, char **argv) {
    long long ns = 0;
    if (argc == 3 && strcmp(argv[1], "load") == 0) {
        int rc = load(argv[2], &ns);
        if (rc == 0)
            printf("%lld %lld\n", ns, decode_ns);
        return rc;
    }
    if (argc == 4 && strcmp(argv[1], "calls") == 0) {
        if (strcmp(argv[2], "-") != 0 && load(argv[2], &ns) != 0)
            return 3;
        long n = atol(argv[3]);
        long long t0 = now();
        for (long i = 0; i < n; i++)
            syscall(SYS_getpid);
        long long t1 = now();
        for (long i = 0; i < n; i++)
            syscall(SYS_personality, 0xffffffffUL);
        long long t2 = now();
        printf("%.1f %.1f\n", (double)(t1 - t0) / n, (double)(t2 - t1) / n);
        return 0;
    }
    fprintf(stderr, "usage: bench_load load FILE | calls FILE|- N\n");
    return 2;
}
