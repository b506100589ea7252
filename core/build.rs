// SPDX-License-Identifier: MIT OR Apache-2.0
//! Detects whether the libseccomp being linked is 2.6 or later, the same way the `libseccomp`
//! crate does, so that `Filter` exports BPF through `seccomp_export_bpf_mem` when it can.
use std::{env, path::Path};

fn main() {
    println!("cargo:rustc-check-cfg=cfg(sysfence_bpf_mem)");
    println!("cargo:rerun-if-env-changed=LIBSECCOMP_LIB_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    if let Ok(path) = env::var("LIBSECCOMP_LIB_PATH") {
        env::set_var("PKG_CONFIG_PATH", Path::new(&path).join("pkgconfig"));
    }
    let found = pkg_config::Config::new()
        .atleast_version("2.6.0")
        .cargo_metadata(false)
        .probe("libseccomp")
        .is_ok();
    if found {
        println!("cargo:rustc-cfg=sysfence_bpf_mem");
    }
}
