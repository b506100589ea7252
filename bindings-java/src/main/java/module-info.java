// SPDX-License-Identifier: MIT OR Apache-2.0
/**
 * sysfence for Java: declarative seccomp-bpf policies for the JVM, over libsysfence's C ABI
 * through the Foreign Function &amp; Memory API.
 *
 * <p>The library calls restricted methods of {@code java.lang.foreign} (it loads
 * {@code libsysfence.so} and calls into it): start the JVM with
 * {@code --enable-native-access=dev.sysfence} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path. Without it the JDK prints a
 * warning (and a JDK run with {@code --illegal-native-access=deny} refuses the call).
 */
module dev.sysfence {
    exports dev.sysfence;
}
