// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled seccomp filter, not loaded: simulate syscalls on it, export it, load it. Build it
 * with {@link Sysfence#compile(String)}. What {@link #bpf()} exports and {@link #simulate}
 * evaluates is byte for byte what {@link #load()} loads.
 *
 * <p>A filter is immutable: several threads may use it at once. {@link #close()} releases its
 * memory (a filter already loaded stays in the kernel); a filter that is never closed is
 * released when it becomes unreachable. Closing a filter while another thread is inside one of
 * its calls fails with {@link IllegalStateException}; using a closed filter does too.
 */
@SuppressWarnings("restricted")
public final class Filter implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Map<Integer, String> ERRNO_NAMES = Map.of(
            1, "EPERM", 3, "ESRCH", 7, "E2BIG", 12, "ENOMEM", 13, "EACCES",
            14, "EFAULT", 16, "EBUSY", 22, "EINVAL", 38, "ENOSYS");

    private final Native lib;
    private final Arena arena;
    private final MemorySegment handle;
    private final Cleaner.Cleanable cleanable;

    /** Takes ownership of a {@code sysfence_filter *}. */
    Filter(Native lib, MemorySegment raw) {
        this.lib = lib;
        this.arena = Arena.ofShared();
        this.handle = raw.reinterpret(arena, lib::filterFree);
        Arena a = arena;
        this.cleanable = CLEANER.register(this, () -> closeQuietly(a));
    }

    private static void closeQuietly(Arena a) {
        try {
            a.close();
        } catch (IllegalStateException alreadyClosed) {
            // closed by close(), or in use: nothing to do
        }
    }

    private MemorySegment live() {
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("the filter is closed");
        }
        return handle;
    }

    /**
     * What the filter does with {@code syscall} on this machine's architecture.
     *
     * @param syscall a name ({@code openat}) or a number as text
     * @param args    the first syscall arguments (at most 6; the rest are 0), compared as
     *                unsigned 64-bit values: pass {@code Long.parseUnsignedLong} for those above
     *                {@link Long#MAX_VALUE}
     * @return the verdict, such as {@code errno:EACCES}
     * @throws InvalidArgumentException for an unknown syscall (the message suggests the nearest
     *                                  name) or more than 6 arguments
     */
    public Verdict simulate(String syscall, long... args) {
        return simulate(null, syscall, args);
    }

    /**
     * What the filter does with {@code syscall} on architecture {@code arch}.
     *
     * @param arch    an architecture name ({@code x86_64}, {@code x86}, {@code x32},
     *                {@code aarch64}, ...), or null for this machine's
     * @param syscall a name ({@code openat}) or a number as text
     * @param args    the first syscall arguments (at most 6), as for {@link #simulate(String, long...)}
     * @return the verdict; an architecture the policy does not list gets its
     *         {@code bad_arch_action}
     * @throws InvalidArgumentException for an unknown architecture or syscall, or more than 6
     *                                  arguments
     */
    public Verdict simulateOn(String arch, String syscall, long... args) {
        Objects.requireNonNull(arch, "arch");
        return simulate(arch, syscall, args);
    }

    private Verdict simulate(String arch, String syscall, long[] args) {
        return new Verdict(call(lib::filterSimulate, arch, syscall, args));
    }

    /**
     * {@link #simulate(String, long...)}, and what in the policy gave the verdict: a rule's path
     * and action ({@code rules[0].syscalls[0] (errno:EACCES)}), {@code default_action}, or the
     * {@code bad_arch_action} and why.
     *
     * @param syscall a name ({@code openat}) or a number as text
     * @param args    the first syscall arguments (at most 6), as for {@link #simulate(String, long...)}
     * @return the explanation, the same in every language
     * @throws InvalidArgumentException as {@link #simulate(String, long...)}
     */
    public Explanation explain(String syscall, long... args) {
        return explain(null, syscall, args);
    }

    /**
     * {@link #explain(String, long...)} on architecture {@code arch}.
     *
     * @param arch    an architecture name ({@code x86_64}, {@code x86}, {@code x32},
     *                {@code aarch64}, ...), or null for this machine's
     * @param syscall a name ({@code openat}) or a number as text
     * @param args    the first syscall arguments (at most 6), as for {@link #simulate(String, long...)}
     * @return the explanation
     * @throws InvalidArgumentException as {@link #simulateOn(String, String, long...)}
     */
    public Explanation explainOn(String arch, String syscall, long... args) {
        Objects.requireNonNull(arch, "arch");
        return explain(arch, syscall, args);
    }

    private Explanation explain(String arch, String syscall, long[] args) {
        return Explanation.fromJson(call(lib::filterExplain, arch, syscall, args));
    }

    /** The signature of {@code sysfence_filter_simulate} and {@code sysfence_filter_explain}. */
    private interface CallFn {
        MemorySegment apply(MemorySegment filter, MemorySegment arch, MemorySegment syscall,
                            MemorySegment args, long nargs);
    }

    /** Calls {@code fn} on this filter with the arguments as C values; the string it returned. */
    private String call(CallFn fn, String arch, String syscall, long[] args) {
        Objects.requireNonNull(syscall, "syscall");
        Objects.requireNonNull(args, "args");
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment a = arch == null ? MemorySegment.NULL : Native.cString(arch, "arch", tmp);
            MemorySegment s = Native.cString(syscall, "syscall", tmp);
            MemorySegment v = args.length == 0 ? MemorySegment.NULL : tmp.allocateFrom(JAVA_LONG, args);
            return lib.take(fn.apply(live(), a, s, v, args.length));
        }
    }

    /**
     * The BPF program as the kernel receives it: {@code struct sock_filter} records of 8 bytes
     * each, native endian.
     *
     * @return a fresh copy of the bytes
     */
    public byte[] bpf() {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ADDRESS);
            long len = lib.filterBpf(live(), out);
            if (len == 0) {
                throw lib.lastError();
            }
            // The bytes belong to the filter: tie them to its arena, so a close cannot race the copy.
            return out.get(ADDRESS, 0).reinterpret(len, arena, null).toArray(JAVA_BYTE);
        }
    }

    /**
     * A precompiled filter (the bytes {@code sysfence compile --format sfb} or {@link #toBytes()}
     * wrote), decoded and checked with no libseccomp work; it loads with the flags it was
     * compiled with.
     *
     * @param bytes the container
     * @return the filter; close it when done
     * @throws InvalidArgumentException saying what is wrong for truncated, corrupt or foreign
     *     bytes, or a program for another architecture than this machine's
     */
    public static Filter fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        Native lib = Native.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(bytes.length, 1));
            MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
            MemorySegment f = lib.filterFromBytes(buf, bytes.length);
            if (Native.isNull(f)) {
                throw lib.lastError();
            }
            return new Filter(lib, f);
        }
    }

    /**
     * Raw BPF from another tool (native-endian {@code struct sock_filter} records).
     *
     * @param bytes the program
     * @param arches the architectures it covers, comma-separated ({@code null}: native); they
     *     must include this machine's
     * @param flags the {@code seccomp()} flags to load with (TSYNC 1, LOG 2, SPEC_ALLOW 4)
     * @return the filter; close it when done
     * @throws InvalidArgumentException for a program the kernel would refuse, or bad arguments
     */
    public static Filter fromRawBpf(byte[] bytes, String arches, int flags) {
        Objects.requireNonNull(bytes, "bytes");
        Native lib = Native.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(Math.max(bytes.length, 1));
            MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
            MemorySegment names = arches == null ? MemorySegment.NULL : Native.cString(arches, "arches", a);
            MemorySegment f = lib.filterFromRawBpf(buf, bytes.length, names, flags);
            if (Native.isNull(f)) {
                throw lib.lastError();
            }
            return new Filter(lib, f);
        }
    }

    /**
     * The precompiled form ({@code sfb}) that {@link #fromBytes(byte[])} reads.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment out = tmp.allocate(ADDRESS);
            long len = lib.filterCompiled(live(), out);
            if (len == 0) {
                throw lib.lastError();
            }
            return out.get(ADDRESS, 0).reinterpret(len, arena, null).toArray(JAVA_BYTE);
        }
    }

    /**
     * libseccomp's pseudo-filter-code: the filter as readable text.
     *
     * @return the text
     */
    public String pfc() {
        return lib.take(lib.filterPfc(live()));
    }

    /**
     * Loads the filter into this process, every thread of the JVM (TSYNC: the GC, the JIT
     * compilers and every thread already running), after setting {@code PR_SET_NO_NEW_PRIVS}.
     * All or nothing. A loaded filter cannot be removed.
     *
     * @throws LoadException when the kernel refuses it; {@link LoadException#errno()} says why
     *                       (0 when a thread runs under a different filter, so TSYNC could not
     *                       move it); nothing was loaded
     */
    public void load() {
        int[] errno = new int[1];
        int rc = lib.filterLoad(live(), errno);
        if (rc == 0) {
            return;
        }
        String why = errno[0] == 0
                ? "a thread runs under a different filter, so TSYNC cannot move it"
                : "the kernel returned " + ERRNO_NAMES.getOrDefault(errno[0], "errno " + errno[0]);
        ErrorCode code = ErrorCode.of(rc);
        throw SysfenceException.of(code, "loading the filter failed: " + why, null, errno[0]);
    }

    /**
     * Releases the filter's memory. A loaded filter stays in the kernel. Closing twice is
     * harmless.
     *
     * @throws IllegalStateException when another thread is inside a call on this filter
     */
    @Override
    public void close() {
        if (!arena.scope().isAlive()) {
            return;
        }
        try {
            arena.close();
        } catch (IllegalStateException e) {
            if (arena.scope().isAlive()) {
                throw new IllegalStateException("the filter is in use by another thread", e);
            }
        }
        cleanable.clean();
    }
}
