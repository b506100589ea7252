// SPDX-License-Identifier: MIT OR Apache-2.0
//! sysfence for Node.js: the napi-rs addon behind `require('sysfence')`.
//!
//! A thin layer over the `sysfence` core: it turns JavaScript values into the core's types and
//! the core's errors into JavaScript `Error`s with a `code`. Validation, compilation,
//! simulation and loading all happen in the core.
//!
//! | file | exports |
//! |---|---|
//! | `process.rs` | `applyPolicy`, `status` |
//! | `policy.rs` | `Policy`, `checkPolicy`, the policy object types, and what a policy argument is |
//! | `diagnostic.rs` | `Diagnostic` and `CheckReport`: the core's findings as JS objects |
//! | `filter.rs` | `Filter`, `compilePolicy` |
//! | `audit.rs` | `parseAuditLine` |
//! | `error.rs` | the mapping of core errors to `err.code`, `err.path`, `err.errno` |
//! | `value.rs` | JavaScript values into JSON and 64-bit integers |
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]
// napi-derive registers exports only outside `cfg(test)`, so a test build (`clippy
// --all-targets`) sees them as unused.
#![cfg_attr(test, allow(dead_code))]

#[macro_use]
extern crate napi_derive;

mod audit;
mod diagnostic;
mod error;
mod filter;
mod policy;
mod process;
mod value;

/// The versions of this package and of the libseccomp linked into it.
#[napi(object)]
pub struct Versions {
    /// This package (and its Rust core).
    pub sysfence: String,
    /// libseccomp, linked statically, such as `2.6.1`.
    pub libseccomp: String,
}

/// The versions of sysfence and of the libseccomp it was built with.
#[napi]
pub fn versions() -> Versions {
    Versions {
        sysfence: sysfence::VERSION.to_string(),
        libseccomp: sysfence::libseccomp_version(),
    }
}
