// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence.Filter`: a compiled filter. What `bpf()` exports and `simulate()` evaluates is,
//! byte for byte, what `load()` gives the kernel.

use crate::error::{guarded, OrRaise};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A compiled seccomp filter, from `sysfence.compile_policy(policy)` or `Policy.compile()`.
///
/// `len(f)` is the number of BPF instructions. Loading needs no allocation, so a filter compiled
/// in the parent can be loaded in a child between `fork` and `exec`: `preexec_fn=f.load`
/// confines only the child.
///
/// Example:
///
/// ```python
/// >>> f = sysfence.compile_policy("no-exec")
/// >>> f.simulate("execve")
/// 'errno:EACCES'
/// >>> f.simulate("openat", (0, 0, 0))
/// 'allow'
/// >>> subprocess.run(["/bin/true"], preexec_fn=f.load)   # the child is refused execve
/// Traceback (most recent call last):
/// PermissionError: [Errno 13] Permission denied: '/bin/true'
/// ```
#[pyclass(frozen, module = "sysfence", name = "Filter")]
pub struct Filter {
    pub(crate) inner: sysfence::Filter,
}

#[pymethods]
impl Filter {
    /// The BPF program as the kernel receives it: 8-byte `struct sock_filter` records in native
    /// byte order.
    ///
    /// ```python
    /// >>> len(f.bpf()) == 8 * len(f)
    /// True
    /// ```
    fn bpf<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.inner.bpf())
    }

    /// A precompiled filter (the bytes `sysfence compile --format sfb` or `to_bytes()` wrote),
    /// decoded and checked with no libseccomp work; it loads with the flags it was compiled
    /// with. Truncated, corrupt or foreign bytes, or a program whose architectures do not
    /// include this machine's, raise `InvalidArgumentError` saying what is wrong.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<Filter> {
        let inner = sysfence::Filter::from_compiled(data).or_raise()?;
        Ok(Filter { inner })
    }

    /// Raw BPF from another tool (native-endian `struct sock_filter` records) for `arches`
    /// (native by default; must include it), loaded with the `seccomp()` `flags` given (TSYNC 1,
    /// LOG 2, SPEC_ALLOW 4). Checked as the kernel would before it ever sees it.
    #[staticmethod]
    #[pyo3(signature = (data, arches = None, flags = 1))]
    fn from_raw_bpf(data: &[u8], arches: Option<Vec<String>>, flags: u32) -> PyResult<Filter> {
        let arches = match arches {
            None => vec![sysfence::Arch::native()],
            Some(names) => names
                .iter()
                .map(|n| n.parse::<sysfence::Arch>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(sysfence::Error::InvalidArgument)
                .or_raise()?,
        };
        let inner = sysfence::Filter::from_raw_bpf(data, &arches, flags).or_raise()?;
        Ok(Filter { inner })
    }

    /// The precompiled form (`sfb`) for `Filter.from_bytes`: the BPF, architectures, mode and
    /// flags, the policy's SHA-256 and the versions that built it, checksummed.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_compiled())
    }

    /// SHA-256 (hex) of the canonical JSON of the policy it was compiled from ("" for raw BPF).
    #[getter]
    fn policy_digest(&self) -> String {
        self.inner.policy_digest()
    }

    /// libseccomp's pseudo-filter-code: the filter as readable text.
    fn pfc(&self) -> &str {
        self.inner.pfc()
    }

    /// What the filter does with one syscall: evaluates the filter's own bytes as the kernel
    /// would and returns the action (`allow`, `log`, `errno:EACCES`, `kill_process`, ...).
    ///
    /// `syscall` is a name or a number as text; `args` up to six unsigned 64-bit arguments;
    /// `arch` an architecture name (`x86_64`, `x86`, `x32`, `aarch64`, ...), native by default.
    /// An unknown syscall or architecture raises `InvalidArgumentError` (a `ValueError`).
    ///
    /// ```python
    /// >>> f.simulate("execve", arch="x86")   # the i386 ABI meets the bad-arch action
    /// 'kill_process'
    /// ```
    #[pyo3(signature = (syscall, args = None, arch = None))]
    fn simulate(
        &self,
        syscall: &str,
        args: Option<&Bound<'_, PyAny>>,
        arch: Option<&str>,
    ) -> PyResult<String> {
        let (args, arch) = call_args(args, arch)?;
        guarded(|| {
            let verdict = self.inner.simulate(syscall, &args, arch).or_raise()?;
            Ok(verdict.action.to_string())
        })
    }

    /// `simulate`, and what in the policy gave the verdict, as a dict (the same object in every
    /// language): `syscall`, `action`, `instructions`, `arch`, `nr`, `decided_by` (a rule's
    /// path and action, `default_action`, or `bad_arch_action` and why) and, when there are
    /// any, `arguments` (the conditions that decided); a `socketcall`/`ipc` call adds
    /// `multiplexed` and `multiplexed_decided_by`. The arguments and errors are `simulate`'s.
    ///
    /// ```python
    /// >>> f.explain("execve")["decided_by"]
    /// 'rules[0].syscalls[0] (errno:EACCES)'
    /// ```
    #[pyo3(signature = (syscall, args = None, arch = None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        syscall: &str,
        args: Option<&Bound<'py, PyAny>>,
        arch: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (args, arch) = call_args(args, arch)?;
        guarded(|| {
            let explanation = self.inner.explain(syscall, &args, arch).or_raise()?;
            crate::convert::to_py(py, &explanation)
        })
    }

    /// Loads the filter into this process, every thread (TSYNC), after setting
    /// `PR_SET_NO_NEW_PRIVS`. All or nothing: on `LoadError` no filter was added.
    ///
    /// Allocation-free on success, so it is safe as `subprocess`'s `preexec_fn`, where it
    /// confines only the child:
    ///
    /// ```python
    /// >>> subprocess.run(cmd, preexec_fn=f.load)
    /// ```
    fn load(&self) -> PyResult<()> {
        self.inner.load().or_raise()
    }

    /// The architectures the filter covers, such as `['x86_64']`.
    #[getter]
    fn architectures(&self) -> Vec<String> {
        self.inner
            .architectures()
            .iter()
            .map(|a| a.to_string())
            .collect()
    }

    /// `enforce`, or `log` when every refusal only logs.
    #[getter]
    fn mode(&self) -> String {
        self.inner.mode().to_string()
    }

    /// Whether the kernel logs every action other than allow (`SECCOMP_FILTER_FLAG_LOG`).
    #[getter]
    fn log_denied(&self) -> bool {
        self.inner.log_denied()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<sysfence.Filter: {} instructions, {}, {}>",
            self.inner.len(),
            self.architectures().join(", "),
            self.inner.mode()
        )
    }
}

/// The arguments of a simulated call: up to 16 unsigned 64-bit values (the core refuses more
/// than six) and the architecture (None: native).
fn call_args(
    args: Option<&Bound<'_, PyAny>>,
    arch: Option<&str>,
) -> PyResult<(Vec<u64>, Option<sysfence::Arch>)> {
    // Iterated once, at most 16 items: `Vec<u64>` extraction would preallocate from
    // `__len__` (`range(2**40)` aborted the interpreter).
    let args = crate::convert::u64_args(args)?;
    let arch = match arch {
        None => None,
        Some(name) => Some(
            name.parse::<sysfence::Arch>()
                .map_err(sysfence::Error::InvalidArgument)
                .or_raise()?,
        ),
    };
    Ok((args, arch))
}
