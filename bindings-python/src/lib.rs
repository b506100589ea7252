// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence._sysfence`: the native module behind `import sysfence`.
//!
//! A thin layer over the `sysfence` core: it converts Python values into the core's types and
//! the core's errors into Python exceptions (error.rs). Validation, compilation, simulation and
//! loading all happen in the core. The public package `sysfence` (python/sysfence/__init__.py)
//! re-exports everything registered here.
//!
//! ```python
//! import sysfence
//! sysfence.apply_policy("no-exec")   # this process and all its threads can no longer exec
//! ```
#![deny(missing_docs)]

mod convert;
mod error;
mod filter;
mod functions;
mod policy;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// The module: classes, functions, exceptions and constants.
#[pymodule]
fn _sysfence(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<policy::Policy>()?;
    m.add_class::<filter::Filter>()?;
    m.add_function(wrap_pyfunction!(functions::apply_policy, m)?)?;
    m.add_function(wrap_pyfunction!(functions::compile_policy, m)?)?;
    m.add_function(wrap_pyfunction!(functions::check_policy, m)?)?;
    m.add_function(wrap_pyfunction!(functions::check_policy_json, m)?)?;
    m.add_function(wrap_pyfunction!(functions::status, m)?)?;
    m.add_function(wrap_pyfunction!(functions::parse_audit_line, m)?)?;
    m.add_function(wrap_pyfunction!(functions::panic_for_tests, m)?)?;
    error::register(m)?;

    m.add("__version__", sysfence::VERSION)?;
    m.add("LIBSECCOMP_VERSION", sysfence::libseccomp_version())?;
    let presets: Vec<&str> = sysfence::groups::PRESETS.iter().map(|p| p.name).collect();
    m.add("PRESETS", PyTuple::new(py, presets)?)?;
    Ok(())
}
