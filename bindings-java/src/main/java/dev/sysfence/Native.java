// SPDX-License-Identifier: MIT OR Apache-2.0
package dev.sysfence;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;

/**
 * The C ABI of libsysfence ({@code bindings-c/include/sysfence.h}): one downcall handle per
 * entry point, the library's loading, C strings in and out, and the last error as an exception.
 *
 * <p>The last error is per OS thread. Each call site reads it right after the failed call, with
 * no blocking operation in between, so a virtual thread cannot move to another carrier between
 * the two.
 */
@SuppressWarnings("restricted")
final class Native {
    /** The system property naming a libsysfence.so to load instead of the jar's. */
    static final String LIBRARY_PATH_PROPERTY = "sysfence.library.path";

    private static final Object LOCK = new Object();
    private static volatile Native instance;

    private final MethodHandle version;
    private final MethodHandle applyJson;
    private final MethodHandle applyPreset;
    private final MethodHandle applyJsonMode;
    private final MethodHandle applyPresetMode;
    private final MethodHandle checkJson;
    private final MethodHandle convertJson;
    private final MethodHandle statusJson;
    private final MethodHandle stringFree;
    private final MethodHandle lastErrorCode;
    private final MethodHandle lastErrorMessage;
    private final MethodHandle lastErrorPath;
    private final MethodHandle lastErrorErrno;
    private final MethodHandle compileJson;
    private final MethodHandle filterLoad;
    private final MethodHandle filterBpf;
    private final MethodHandle filterFromBytes;
    private final MethodHandle filterFromRawBpf;
    private final MethodHandle filterCompiled;
    private final MethodHandle filterPfc;
    private final MethodHandle filterSimulate;
    private final MethodHandle filterExplain;
    private final MethodHandle filterFree;
    private final MethodHandle parseAuditLine;
    private final StructLayout captureLayout;
    private final VarHandle capturedErrno;

    private Native(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        MemoryLayout sizeT = linker.canonicalLayouts().get("size_t");
        if (sizeT.byteSize() != 8) {
            throw new UnsupportedException("sysfence supports 64-bit platforms only", 0);
        }
        version = handle(linker, lib, "sysfence_version", FunctionDescriptor.of(ADDRESS));
        applyJson = handle(linker, lib, "sysfence_apply_json", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        applyPreset = handle(linker, lib, "sysfence_apply_preset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        applyJsonMode = handle(linker, lib, "sysfence_apply_json_mode",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        applyPresetMode = handle(linker, lib, "sysfence_apply_preset_mode",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        checkJson = handle(linker, lib, "sysfence_check_json", FunctionDescriptor.of(ADDRESS, ADDRESS));
        convertJson = handle(linker, lib, "sysfence_convert_json",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        statusJson = handle(linker, lib, "sysfence_status_json", FunctionDescriptor.of(ADDRESS));
        stringFree = handle(linker, lib, "sysfence_string_free", FunctionDescriptor.ofVoid(ADDRESS));
        lastErrorCode = handle(linker, lib, "sysfence_last_error_code", FunctionDescriptor.of(JAVA_INT));
        lastErrorMessage = handle(linker, lib, "sysfence_last_error_message", FunctionDescriptor.of(ADDRESS));
        lastErrorPath = handle(linker, lib, "sysfence_last_error_path", FunctionDescriptor.of(ADDRESS));
        lastErrorErrno = handle(linker, lib, "sysfence_last_error_errno", FunctionDescriptor.of(JAVA_INT));
        compileJson = handle(linker, lib, "sysfence_compile_json", FunctionDescriptor.of(ADDRESS, ADDRESS));
        filterBpf = handle(linker, lib, "sysfence_filter_bpf", FunctionDescriptor.of(sizeT, ADDRESS, ADDRESS));
        filterPfc = handle(linker, lib, "sysfence_filter_pfc", FunctionDescriptor.of(ADDRESS, ADDRESS));
        filterFromBytes = handle(linker, lib, "sysfence_filter_from_bytes",
                FunctionDescriptor.of(ADDRESS, ADDRESS, sizeT));
        filterFromRawBpf = handle(linker, lib, "sysfence_filter_from_raw_bpf",
                FunctionDescriptor.of(ADDRESS, ADDRESS, sizeT, ADDRESS, JAVA_INT));
        filterCompiled = handle(linker, lib, "sysfence_filter_compiled",
                FunctionDescriptor.of(sizeT, ADDRESS, ADDRESS));
        filterSimulate = handle(linker, lib, "sysfence_filter_simulate",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, sizeT));
        filterExplain = handle(linker, lib, "sysfence_filter_explain",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, sizeT));
        filterFree = handle(linker, lib, "sysfence_filter_free", FunctionDescriptor.ofVoid(ADDRESS));
        parseAuditLine = handle(linker, lib, "sysfence_parse_audit_line", FunctionDescriptor.of(ADDRESS, ADDRESS));
        // sysfence_filter_load records no last error (it is async-signal-safe): errno says why.
        Linker.Option errno = Linker.Option.captureCallState("errno");
        captureLayout = Linker.Option.captureStateLayout();
        capturedErrno = captureLayout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        filterLoad = lib.find("sysfence_filter_load")
                .map(a -> linker.downcallHandle(a, FunctionDescriptor.of(JAVA_INT, ADDRESS), errno))
                .orElseThrow(() -> missing("sysfence_filter_load"));
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd) {
        return lib.find(name).map(a -> linker.downcallHandle(a, fd)).orElseThrow(() -> missing(name));
    }

    private static UnsupportedException missing(String name) {
        return new UnsupportedException("libsysfence lacks " + name + ": a library older than this binding?", 0);
    }

    /**
     * The library, loaded on first use: from {@code -Dsysfence.library.path} when set, otherwise
     * the jar's copy for this platform. A failure is thrown again (and retried) on the next use.
     */
    static Native get() {
        Native n = instance;
        if (n != null) {
            return n;
        }
        synchronized (LOCK) {
            if (instance == null) {
                instance = new Native(lookup());
            }
            return instance;
        }
    }

    /** The platform directory of the jar's native libraries, such as {@code linux-x86_64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) {
            throw new UnsupportedException("seccomp is Linux-only; this is " + os, 0);
        }
        return switch (arch) {
            case "amd64", "x86_64" -> "linux-x86_64";
            case "aarch64", "arm64" -> "linux-aarch64";
            default -> "linux-" + arch;
        };
    }

    private static SymbolLookup lookup() {
        String named = System.getProperty(LIBRARY_PATH_PROPERTY);
        if (named != null && !named.isEmpty()) {
            return open(Path.of(named), named);
        }
        String resource = "/dev/sysfence/native/" + platform() + "/libsysfence.so";
        try (InputStream in = Native.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsupportedException("this sysfence jar has no libsysfence for " + platform()
                        + "; name one with -D" + LIBRARY_PATH_PROPERTY + "=/path/to/libsysfence.so", 0);
            }
            return extractAndOpen(in, resource);
        } catch (IOException e) {
            throw new IoException("extracting libsysfence from the jar failed: " + e, 0);
        }
    }

    /**
     * Copies the jar's library into a new directory only this user can enter (0700, the file
     * 0500), opens it, and removes both: the mapping stays, nothing is left behind.
     */
    private static SymbolLookup extractAndOpen(InputStream in, String resource) throws IOException {
        Path dir = Files.createTempDirectory("sysfence-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path file = dir.resolve("libsysfence.so");
        try {
            try (SeekableByteChannel out = Files.newByteChannel(file,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r-x------"));
            return open(file, "jar:" + resource);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static SymbolLookup open(Path file, String what) {
        try {
            return SymbolLookup.libraryLookup(file, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IoException("cannot load libsysfence (" + what + "): " + e.getMessage()
                    + " (a temporary directory mounted noexec? set -Djava.io.tmpdir, or -D"
                    + LIBRARY_PATH_PROPERTY + " to a copy of libsysfence.so)", 0);
        }
    }

    // ---- strings across the boundary -------------------------------------------------------

    /**
     * A NUL-terminated UTF-8 copy of {@code text} in {@code arena}. A NUL byte cannot cross a C
     * string and a lone surrogate has no UTF-8 form: both are refused here, before the call.
     */
    static MemorySegment cString(String text, String what, Arena arena) {
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw new InvalidArgumentException(what + " contains a NUL byte (at index " + nul
                    + "), which a C string cannot hold");
        }
        ByteBuffer bytes;
        try {
            bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
        } catch (CharacterCodingException e) {
            throw new InvalidArgumentException(what + " is not valid Unicode (a lone surrogate): " + e.getMessage());
        }
        MemorySegment s = arena.allocate(bytes.remaining() + 1L);
        MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, s, 0, bytes.remaining());
        s.set(JAVA_BYTE, bytes.remaining(), (byte) 0);
        return s;
    }

    /** A Java string from a C string the library owns (not freed here); null for NULL. */
    static String borrowed(MemorySegment p) {
        return isNull(p) ? null : p.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
    }

    static boolean isNull(MemorySegment p) {
        return p.address() == 0;
    }

    /** A Java string from a {@code char *} the library returned, freed here; NULL throws the last error. */
    String take(MemorySegment p) {
        if (isNull(p)) {
            throw lastError();
        }
        try {
            return p.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
        } finally {
            stringFree(p);
        }
    }

    /** Throws the last error unless {@code rc} is {@code SYSFENCE_OK}. */
    void check(int rc) {
        if (rc != 0) {
            throw lastError(rc);
        }
    }

    /** The calling thread's last error as an exception. */
    SysfenceException lastError() {
        return lastError(lastErrorCode());
    }

    SysfenceException lastError(int rc) {
        String message = borrowed(call(lastErrorMessage));
        String path = borrowed(call(lastErrorPath));
        int errno = lastErrorErrno();
        ErrorCode code = ErrorCode.of(rc);
        if (code == ErrorCode.INTERNAL && rc != ErrorCode.INTERNAL.value()) {
            message = "unknown result code " + rc + ": " + message;
        }
        if (message == null || message.isEmpty()) {
            message = "sysfence call failed with code " + rc + " and no message";
        }
        return SysfenceException.of(code, message, path, errno);
    }

    // ---- the entry points ------------------------------------------------------------------

    private static MemorySegment call(MethodHandle h) {
        try {
            return (MemorySegment) h.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new InternalException("unexpected " + t);
    }

    String version() {
        return borrowed(call(version));
    }

    int applyJson(MemorySegment json) {
        try {
            return (int) applyJson.invokeExact(json);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int applyPreset(MemorySegment name) {
        try {
            return (int) applyPreset.invokeExact(name);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int applyJsonMode(MemorySegment json, MemorySegment mode) {
        try {
            return (int) applyJsonMode.invokeExact(json, mode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int applyPresetMode(MemorySegment name, MemorySegment mode) {
        try {
            return (int) applyPresetMode.invokeExact(name, mode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment checkJson(MemorySegment json) {
        try {
            return (MemorySegment) checkJson.invokeExact(json);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment convertJson(MemorySegment input, MemorySegment to, MemorySegment context) {
        try {
            return (MemorySegment) convertJson.invokeExact(input, to, context);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment statusJson() {
        return call(statusJson);
    }

    void stringFree(MemorySegment s) {
        try {
            stringFree.invokeExact(s);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int lastErrorCode() {
        try {
            return (int) lastErrorCode.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int lastErrorErrno() {
        try {
            return (int) lastErrorErrno.invokeExact();
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment compileJson(MemorySegment json) {
        try {
            return (MemorySegment) compileJson.invokeExact(json);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code sysfence_filter_load}; returns the result code and, in {@code errnoOut[0]}, errno. */
    int filterLoad(MemorySegment filter, int[] errnoOut) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(captureLayout);
            int rc = (int) filterLoad.invokeExact(state, filter);
            errnoOut[0] = (int) capturedErrno.get(state, 0L);
            return rc;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    long filterBpf(MemorySegment filter, MemorySegment bytesOut) {
        try {
            return (long) filterBpf.invokeExact(filter, bytesOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment filterFromBytes(MemorySegment bytes, long len) {
        try {
            return (MemorySegment) filterFromBytes.invokeExact(bytes, len);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment filterFromRawBpf(MemorySegment bytes, long len, MemorySegment arches, int flags) {
        try {
            return (MemorySegment) filterFromRawBpf.invokeExact(bytes, len, arches, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    long filterCompiled(MemorySegment filter, MemorySegment bytesOut) {
        try {
            return (long) filterCompiled.invokeExact(filter, bytesOut);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment filterPfc(MemorySegment filter) {
        try {
            return (MemorySegment) filterPfc.invokeExact(filter);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment filterSimulate(MemorySegment filter, MemorySegment arch, MemorySegment syscall,
                                 MemorySegment args, long nargs) {
        try {
            return (MemorySegment) filterSimulate.invokeExact(filter, arch, syscall, args, nargs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment filterExplain(MemorySegment filter, MemorySegment arch, MemorySegment syscall,
                                MemorySegment args, long nargs) {
        try {
            return (MemorySegment) filterExplain.invokeExact(filter, arch, syscall, args, nargs);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    void filterFree(MemorySegment filter) {
        try {
            filterFree.invokeExact(filter);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment parseAuditLine(MemorySegment line) {
        try {
            return (MemorySegment) parseAuditLine.invokeExact(line);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
