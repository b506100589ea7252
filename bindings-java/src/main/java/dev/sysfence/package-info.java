// SPDX-License-Identifier: MIT OR Apache-2.0
/**
 * Declarative seccomp-bpf policies for the JVM (docs/java.md).
 *
 * <p>{@link dev.sysfence.Sysfence} is the entry point: {@code Sysfence.applyPreset("no-exec")}
 * makes {@code execve}, {@code execveat}, {@code fork} and {@code vfork} fail with
 * {@code EACCES} on every thread of the JVM. {@link dev.sysfence.Sysfence#compile(String)}
 * gives a {@link dev.sysfence.Filter} to simulate, export or load. Every failure is a
 * {@link dev.sysfence.SysfenceException}, one subclass per C result code.
 */
package dev.sysfence;
