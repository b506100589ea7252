// SPDX-License-Identifier: MIT OR Apache-2.0
//! Gives libsysfence.so its SONAME (`libsysfence.so.<major>`), so that programs linked against
//! it keep working across compatible releases.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsysfence.so.{major}");
}
