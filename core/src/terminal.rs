// SPDX-License-Identifier: MIT OR Apache-2.0
//! The terminal guard: a second filter that refuses `ioctl(TIOCSTI)` and `ioctl(TIOCLINUX)`.
//!
//! A confined program that shares a terminal with an unconfined shell can type into it:
//! `TIOCSTI` pushes bytes into the terminal's input queue (`dev.tty.legacy_tiocsti=1`, the
//! kernel default before 6.2), and `TIOCLINUX` (subcode 2/3, a selection paste) does the same on
//! a virtual console. The shell then runs those bytes after the confined program exits, outside
//! any filter. The guard is a filter of its own, loaded beside the policy's: the kernel applies
//! the stricter verdict of the two, so the guard holds whatever the policy says about `ioctl`,
//! and in log mode too. The kernel truncates `ioctl`'s request to 32 bits, so only the low 32
//! bits are compared (bubblewrap does the same).

use crate::action::Action;
use crate::arch::Arch;
use crate::policy::{ArgCondition, CmpOp, Mode, Policy, Rule};

/// `TIOCSTI`: push a byte into a terminal's input queue.
pub const TIOCSTI: u64 = 0x5412;
/// `TIOCLINUX`: virtual-console subcommands, among them pasting the selection as input.
pub const TIOCLINUX: u64 = 0x541C;

/// The guard's policy for `arches` (use the confined policy's own architectures): `ioctl` with
/// request `TIOCSTI` or `TIOCLINUX` fails with `EPERM`; everything else is left to the policy
/// (allow, and allow for other architectures too).
pub fn terminal_guard(arches: &[Arch]) -> Policy {
    let refuse = |request: u64| Rule {
        action: Action::Errno(libc::EPERM as u16),
        syscalls: vec!["ioctl".into()],
        args: vec![ArgCondition {
            index: 1,
            op: CmpOp::MaskedEq(0xffff_ffff),
            value: request,
        }],
    };
    Policy {
        default_action: Action::Allow,
        rules: vec![refuse(TIOCSTI), refuse(TIOCLINUX)],
        mode: Mode::Enforce,
        log_denied: false,
        architectures: arches.to_vec(),
        bad_arch_action: Action::Allow,
        extends: Vec::new(),
        enosys_unknown: false,
        validated: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_both_requests_whatever_the_upper_bits() {
        let filter = terminal_guard(&[Arch::native()]).compile().unwrap();
        for request in [TIOCSTI, TIOCLINUX, 0xdead_0000_0000 | TIOCSTI] {
            let v = filter.simulate("ioctl", &[0, request], None).unwrap();
            assert_eq!(v.action, Action::Errno(libc::EPERM as u16), "{request:#x}");
        }
        for request in [0x5401 /* TCGETS */, 0x5413 /* TIOCGWINSZ */] {
            let v = filter.simulate("ioctl", &[0, request], None).unwrap();
            assert_eq!(v.action, Action::Allow, "{request:#x}");
        }
        assert_eq!(
            filter.simulate("execve", &[], None).unwrap().action,
            Action::Allow
        );
    }
}
