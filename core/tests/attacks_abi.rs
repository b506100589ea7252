// SPDX-License-Identifier: MIT OR Apache-2.0
//! Attacks through other ABIs and around the filter, checked against the kernel (issue 9,
//! items 3, 4, 5, 13 and 15): i386 socket and SysV IPC calls made directly and through
//! `socketcall`/`ipc`, argument values a 32-bit ABI cannot hold, io_uring beside a denylist,
//! and the `@debug` calls that reach into other processes. Each filter is loaded in a forked
//! child; i386 calls are made with `int 0x80`.

mod common;

use common::{filter, in_child, outcome_of, raw_syscall, Outcome};
use sysfence::{Action, Arch, Policy};

const EPERM: Outcome = Outcome::Returned { errno: libc::EPERM };
const OK: Outcome = Outcome::Returned { errno: 0 };

fn error_paths(json: &str) -> Vec<(String, String)> {
    match Policy::from_json(json) {
        Err(sysfence::Error::Policy(diags)) => {
            diags.into_iter().map(|d| (d.path, d.message)).collect()
        }
        other => panic!("expected a policy error, got {other:?}"),
    }
}

#[cfg(target_arch = "x86_64")]
mod i386 {
    use super::*;
    use common::{int80, int80_ret, low_page};

    // i386 numbers.
    const SOCKETCALL: u32 = 102;
    const IPC: u32 = 117;
    const SOCKET: u32 = 359;
    const DUP: u32 = 41;
    const SHMGET: u32 = 395;
    const SYS_SOCKET: u32 = 1;
    const IPC_SHMGET: u32 = 23;
    const AF_UNIX: u32 = 1;
    const AF_INET: u32 = 2;
    const SOCK_STREAM: u32 = 1;

    /// A socketcall(SYS_SOCKET) argument block for `domain`, below 4 GiB.
    fn socket_args(domain: u32) -> u32 {
        let page = low_page();
        page[..3].copy_from_slice(&[domain, SOCK_STREAM, 0]);
        page.as_ptr() as usize as u32
    }

    /// Creates a private SysV segment with the i386 call `nr(args)`, removes it again; errno.
    fn shm_create(nr: u32, args: [u32; 6]) -> i32 {
        let id = int80_ret(nr, args);
        if id < 0 {
            return -id;
        }
        // Do not leak the segment (x86_64 shmctl, allowed by every policy here).
        raw_syscall(
            libc::SYS_shmctl,
            [id as u64, libc::IPC_RMID as u64, 0, 0, 0, 0],
        );
        0
    }

    const NETWORK_X86_ONLY: &str = r#"{"default_action":"allow","architectures":["x86"],
        "bad_arch_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["@network"]}]}"#;
    const NETWORK_BOTH: &str = r#"{"default_action":"allow","architectures":["x86_64","x86"],
        "rules":[{"action":"errno:EPERM","syscalls":["@network"]}]}"#;

    #[test]
    fn network_group_refuses_direct_i386_socket_and_socketcall() {
        // Before: groups dropped the names libseccomp multiplexes on i386, so an x86-only
        // @network refused socketcall alone and a direct socket(359) got a descriptor.
        for json in [NETWORK_X86_ONLY, NETWORK_BOTH] {
            let f = filter(json);
            let p = socket_args(AF_INET);
            assert_eq!(
                in_child(&f, || int80(SOCKET, [AF_INET, SOCK_STREAM, 0, 0, 0, 0])).0,
                EPERM,
                "direct i386 socket under {json}"
            );
            assert_eq!(
                in_child(&f, move || int80(SOCKETCALL, [SYS_SOCKET, p, 0, 0, 0, 0])).0,
                EPERM,
                "socketcall(SYS_SOCKET) under {json}"
            );
            // The simulator answers for both forms.
            let v = f.simulate("socket", &[2, 1, 0], Some(Arch::X86)).unwrap();
            assert_eq!(
                (v.nr, v.action),
                (SOCKET, Action::Errno(libc::EPERM as u16))
            );
            let m = v.multiplexed.expect("socket is multiplexed on x86");
            assert_eq!(
                (m.multiplexer, m.nr, m.call),
                ("socketcall", SOCKETCALL, SYS_SOCKET)
            );
            assert_eq!(m.action, Action::Errno(libc::EPERM as u16));
        }
        // Control: without the rule both calls create a socket, so the test above can fail.
        let open = filter(
            r#"{"default_action":"allow","architectures":["x86"],"bad_arch_action":"allow",
                "rules":[{"action":"errno:EPERM","syscalls":["getppid"]}]}"#,
        );
        let p = socket_args(AF_INET);
        assert_eq!(
            in_child(&open, || int80(SOCKET, [AF_INET, SOCK_STREAM, 0, 0, 0, 0])).0,
            OK
        );
        assert_eq!(
            in_child(&open, move || int80(
                SOCKETCALL,
                [SYS_SOCKET, p, 0, 0, 0, 0]
            ))
            .0,
            OK
        );
    }

    #[test]
    fn simulator_agrees_with_the_kernel_on_every_socketcall_sub_call() {
        let f = filter(
            r#"{"default_action":"allow","architectures":["x86_64","x86"],
                "rules":[{"action":"errno:EPERM","syscalls":["socket","connect"]}]}"#,
        );
        let p = socket_args(AF_INET);
        for call in 0..=21u32 {
            let v = f
                .simulate("102", &[u64::from(call), u64::from(p)], Some(Arch::X86))
                .unwrap();
            let kernel = in_child(&f, move || int80(SOCKETCALL, [call, p, 0, 0, 0, 0])).0;
            let refused = matches!(call, 1 | 3);
            assert_eq!(
                v.action == Action::Errno(libc::EPERM as u16),
                refused,
                "call {call}"
            );
            if refused {
                assert_eq!(kernel, EPERM, "call {call}");
            } else {
                assert_ne!(kernel, EPERM, "call {call}");
            }
        }
    }

    #[test]
    fn check_and_explain_know_multiplexed_names() {
        // Before: "socket is not a syscall on x86", and explain refused the name.
        let p = Policy::from_json(
            r#"{"default_action":"allow","architectures":["x86"],"bad_arch_action":"allow",
                "rules":[{"action":"errno:EPERM","syscalls":["socket","send"]}]}"#,
        )
        .unwrap();
        assert!(
            !p.lint().iter().any(|d| d.message.contains("not a syscall")),
            "{:?}",
            p.lint()
        );
        let f = p.compile().unwrap();
        let e = f.explain("socket", &[], Some(Arch::X86)).unwrap();
        assert_eq!(e.decided_by, "rules[0].syscalls[0] (errno:EPERM)");
        assert_eq!(
            e.multiplexed_decided_by.as_deref(),
            Some("rules[0].syscalls[0] (errno:EPERM)")
        );
        // send has no direct i386 syscall: only socketcall(SYS_SEND).
        let e = f.explain("send", &[], Some(Arch::X86)).unwrap();
        assert_eq!(e.verdict.nr, SOCKETCALL);
        assert_eq!(e.decided_by, "rules[0].syscalls[1] (errno:EPERM)");
        // socketcall itself, by number, is explained as the call it makes.
        let e = f.explain("102", &[1, 0x1000], Some(Arch::X86)).unwrap();
        assert_eq!(e.syscall, "socket made through socketcall(call 1)");
        assert_eq!(e.decided_by, "rules[0].syscalls[0] (errno:EPERM)");
        let e = f.explain("102", &[3], Some(Arch::X86)).unwrap();
        assert_eq!(e.decided_by, "default_action");
    }

    #[test]
    fn conditions_on_multiplexed_calls_are_refused_where_the_abi_multiplexes_them() {
        // Before: the AF_UNIX test landed on socketcall's own arguments (libseccomp replaces
        // argument 0 with the sub-call number), so socketcall(SYS_SOCKET) created AF_INET.
        let unix_only = r#"{"default_action":"errno:EPERM","architectures":["x86_64","x86"],
            "rules":[{"action":"allow","syscalls":["exit_group","exit"]},
                     {"action":"allow","syscalls":["socket"],"args":[{"index":0,"op":"eq","value":1}]}]}"#;
        let errs = error_paths(unix_only);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].0, "rules[1].args");
        for needle in ["socket", "x86", "socketcall", "drop x86 from architectures"] {
            assert!(errs[0].1.contains(needle), "{needle}: {}", errs[0].1);
        }
        // The same policy built field by field is refused too.
        let mut p = Policy::from_json(&unix_only.replace(r#""x86_64","x86""#, r#""x86_64""#))
            .unwrap()
            .to_builder();
        p.architectures.push(Arch::X86);
        assert!(matches!(p.build(), Err(sysfence::Error::Policy(_))));
        // A SOCK_RAW denylist through a group: refused too.
        let errs = error_paths(
            r#"{"default_action":"allow","architectures":["x86"],"rules":[{"action":"errno:EPERM",
                "syscalls":["@network"],"args":[{"index":1,"op":"eq","value":3}]}]}"#,
        );
        assert_eq!(errs[0].0, "rules[0].args");
        // x86_64 alone has no multiplexer: conditions are fine.
        Policy::from_json(&unix_only.replace(r#""x86_64","x86""#, r#""x86_64""#)).unwrap();
    }

    #[test]
    fn allowing_the_multiplexer_outright_is_linted() {
        let p = Policy::from_json(
            r#"{"default_action":"kill_process","architectures":["x86_64","x86"],
                "rules":[{"action":"allow","syscalls":["socketcall","exit_group"]},
                         {"action":"errno:EPERM","syscalls":["socket"]}]}"#,
        )
        .unwrap();
        let lint = p.lint();
        assert!(
            lint.iter()
                .any(|d| d.path == "rules[1]" && d.message.contains("socketcall(call 1)")),
            "{lint:?}"
        );
        // And the kernel agrees: socketcall(SYS_SOCKET) runs.
        let f = p.compile().unwrap();
        let e = f.explain("102", &[1], Some(Arch::X86)).unwrap();
        assert_eq!(e.verdict.action, Action::Allow);
        assert_eq!(e.decided_by, "rules[0].syscalls[0] (allow)");
        let inet = socket_args(AF_INET);
        assert_eq!(
            in_child(&f, move || int80(
                SOCKETCALL,
                [SYS_SOCKET, inet, 0, 0, 0, 0]
            ))
            .0,
            OK
        );
    }

    #[test]
    fn conditions_hold_when_the_multiplexer_is_refused_outright() {
        // Refusing socketcall with a rule of its own makes the direct call's conditions
        // enforceable: the multiplexed form never reaches them.
        let f = filter(
            r#"{"default_action":"errno:EPERM","architectures":["x86_64","x86"],
                "rules":[{"action":"allow","syscalls":["exit_group","exit"]},
                         {"action":"errno:EACCES","syscalls":["socketcall"]},
                         {"action":"allow","syscalls":["socket"],"args":[{"index":0,"op":"eq","value":1}]}]}"#,
        );
        let unix = socket_args(AF_UNIX);
        let inet = socket_args(AF_INET);
        let run = |body: fn() -> i32| in_child(&f, body).0;
        assert_eq!(
            run(|| int80(SOCKET, [AF_UNIX, SOCK_STREAM, 0, 0, 0, 0])),
            OK
        );
        assert_eq!(
            run(|| int80(SOCKET, [AF_INET, SOCK_STREAM, 0, 0, 0, 0])),
            EPERM
        );
        let eacces = Outcome::Returned {
            errno: libc::EACCES,
        };
        assert_eq!(
            in_child(&f, move || int80(
                SOCKETCALL,
                [SYS_SOCKET, unix, 0, 0, 0, 0]
            ))
            .0,
            eacces
        );
        assert_eq!(
            in_child(&f, move || int80(
                SOCKETCALL,
                [SYS_SOCKET, inet, 0, 0, 0, 0]
            ))
            .0,
            eacces
        );
        assert_eq!(outcome_of(&f, "socket", [1, 1, 0, 0, 0, 0]), OK);
        assert_eq!(outcome_of(&f, "socket", [2, 1, 0, 0, 0, 0]), EPERM);
        let e = f.explain("socket", &[2, 1], Some(Arch::X86)).unwrap();
        assert_eq!(e.decided_by, "default_action");
        assert_eq!(
            e.multiplexed_decided_by.as_deref(),
            Some("rules[1].syscalls[0] (errno:EACCES)")
        );
    }

    #[test]
    fn ipc_version_bits_do_not_get_around_a_refused_ipc_call() {
        // The kernel reads only the low 16 bits of ipc's call (the rest is a version), but
        // libseccomp compiles shmget's multiplexed form as ipc(call == 23).
        let f = filter(
            r#"{"default_action":"allow","architectures":["x86_64","x86"],
                "rules":[{"action":"errno:EPERM","syscalls":["shmget"]}]}"#,
        );
        let create = 0o1600; // IPC_CREAT | 0600
        for call in [IPC_SHMGET, 0x1_0000 | IPC_SHMGET, 0xabcd_0000 | IPC_SHMGET] {
            assert_eq!(
                in_child(&f, move || shm_create(IPC, [call, 0, 4096, create, 0, 0])).0,
                EPERM,
                "ipc({call:#x})"
            );
        }
        assert_eq!(
            in_child(&f, move || shm_create(SHMGET, [0, 4096, create, 0, 0, 0])).0,
            EPERM
        );
        let e = f.explain("117", &[0x1_0017], Some(Arch::X86)).unwrap();
        assert_eq!(e.decided_by, "rules[0].syscalls[0] (errno:EPERM)");
        // Control: without the rule, the versioned call creates a segment.
        let open = filter(
            r#"{"default_action":"allow","architectures":["x86_64","x86"],
                "rules":[{"action":"errno:EPERM","syscalls":["getppid"]}]}"#,
        );
        assert_eq!(
            in_child(&open, move || shm_create(
                IPC,
                [0x1_0000 | IPC_SHMGET, 0, 4096, create, 0, 0]
            ))
            .0,
            OK
        );
    }

    #[test]
    fn values_above_32_bits_are_refused_on_32_bit_abis() {
        // Before: libseccomp cut them to their low half: `lt 0x100000000` became `lt 0`
        // (never), `ge 0xffffffff00000000` became `ge 0` (always), silently.
        for (op, value) in [("lt", "0x100000000"), ("ge", "0xffffffff00000000")] {
            for arch in ["x86", "x32"] {
                let json = format!(
                    r#"{{"default_action":"allow","architectures":["x86_64","{arch}"],"rules":[
                        {{"action":"errno:EPERM","syscalls":["dup"]}},
                        {{"action":"errno:EPERM","syscalls":["dup3"],"args":[{{"index":2,"op":"{op}","value":"{value}"}}]}}]}}"#
                );
                let errs = error_paths(&json);
                assert_eq!(errs.len(), 1, "{errs:?}");
                assert_eq!(errs[0].0, "rules[1].args[0].value");
                assert!(errs[0].1.contains(arch), "{}", errs[0].1);
                assert!(errs[0].1.contains("32"), "{}", errs[0].1);
                // Without the 32-bit ABI, the value is fine.
                Policy::from_json(&json.replace(&format!(r#","{arch}""#), "")).unwrap();
            }
        }
    }

    #[test]
    fn sign_extended_negative_values_mean_the_same_on_both_abis() {
        // -100 written as a 64-bit two's complement: x86_64 passes it sign-extended, i386 as
        // 32 bits; the 32-bit filter compares the low half, which is -100 too.
        let f = filter(
            r#"{"default_action":"allow","architectures":["x86_64","x86"],"rules":[
                {"action":"errno:EPERM","syscalls":["dup"],"args":[{"index":0,"op":"eq","value":"0xffffffffffffff9c"}]}]}"#,
        );
        assert_eq!(
            in_child(&f, || int80(DUP, [(-100i32) as u32, 0, 0, 0, 0, 0])).0,
            EPERM
        );
        assert_eq!(
            in_child(&f, || int80(DUP, [(-99i32) as u32, 0, 0, 0, 0, 0])).0,
            Outcome::Returned { errno: libc::EBADF }
        );
        assert_eq!(
            outcome_of(&f, "dup", [(-100i64) as u64, 0, 0, 0, 0, 0]),
            EPERM
        );
        // explain names the rule, not the default, for the 32-bit argument.
        let e = f.explain("dup", &[0xffff_ff9c], Some(Arch::X86)).unwrap();
        assert_eq!(e.decided_by, "rules[0].syscalls[0] (errno:EPERM)");
    }

    #[test]
    fn explain_blames_the_bad_arch_check_for_x32_numbers_on_x86_64() {
        let f = filter(
            r#"{"default_action":"allow","rules":[{"action":"errno:EACCES","syscalls":["execve"]}]}"#,
        );
        let nr = (0x4000_0000u32 + 59).to_string();
        let e = f.explain(&nr, &[], Some(Arch::X86_64)).unwrap();
        assert_eq!(e.verdict.action, Action::KillProcess);
        assert!(
            e.decided_by.starts_with("bad_arch_action"),
            "{}",
            e.decided_by
        );
        assert!(e.decided_by.contains("x32"), "{}", e.decided_by);
        let (outcome, _) = in_child(&f, move || raw_syscall(0x4000_0000 + 59, [0; 6]));
        assert_eq!(outcome, Outcome::Signal(libc::SIGSYS));
    }
}

#[test]
fn io_uring_beside_a_denylist_is_linted() {
    let warned = |json: &str| {
        Policy::from_json(json)
            .unwrap()
            .lint()
            .into_iter()
            .any(|d| d.message.contains("io_uring"))
    };
    // Before: "ok (0 warnings)" although IORING_OP_SOCKET creates the socket anyway.
    assert!(warned(
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["@network"]}]}"#
    ));
    assert!(warned(
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["openat"]}]}"#
    ));
    // An allowlist that lets io_uring in refuses by default what io_uring can do.
    assert!(warned(
        r#"{"default_action":"errno:EPERM","rules":[{"action":"allow","syscalls":["@io-uring","exit_group"]}]}"#
    ));
    // Refusing io_uring too, or refusing nothing io_uring does: no warning.
    assert!(!warned(
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["@network","@io_uring"]}]}"#
    ));
    assert!(!warned(
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["ptrace"]}]}"#
    ));
    assert!(!warned(
        r#"{"default_action":"errno:EPERM","rules":[{"action":"allow","syscalls":["read","exit_group"]}]}"#
    ));
}

#[test]
fn refusing_io_uring_fails_io_uring_setup_with_the_errno() {
    let mut params = [0u8; 120]; // struct io_uring_params
    let p = params.as_mut_ptr() as u64;
    let setup = move || raw_syscall(libc::SYS_io_uring_setup, [1, p, 0, 0, 0, 0]);
    let f = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["@network","@io_uring"]}]}"#,
    );
    assert_eq!(in_child(&f, setup).0, EPERM);
    // The hardened preset refuses io_uring (before: it did not).
    let hardened = Policy::preset("hardened").unwrap().compile().unwrap();
    assert_eq!(in_child(&hardened, setup).0, EPERM);
    // Control: io_uring_setup works here without a filter refusing it.
    let open = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["getppid"]}]}"#,
    );
    assert_eq!(in_child(&open, setup).0, OK);
}

#[test]
fn debug_group_refuses_pidfd_getfd_and_kcmp() {
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() } as u64;
    let kcmp = move || raw_syscall(libc::SYS_kcmp, [pid, pid, 0 /* KCMP_FILE */, 1, 1, 0]);
    let pidfd_getfd = move || {
        let pidfd = raw_syscall_ret(libc::SYS_pidfd_open, [pid, 0, 0, 0, 0, 0]);
        if pidfd < 0 {
            return -pidfd as i32;
        }
        raw_syscall(libc::SYS_pidfd_getfd, [pidfd as u64, 1, 0, 0, 0, 0])
    };
    let hardened = Policy::preset("hardened").unwrap().compile().unwrap();
    assert_eq!(in_child(&hardened, kcmp).0, EPERM);
    assert_eq!(in_child(&hardened, pidfd_getfd).0, EPERM);
    let open = filter(
        r#"{"default_action":"allow","rules":[{"action":"errno:EPERM","syscalls":["getppid"]}]}"#,
    );
    assert_eq!(in_child(&open, kcmp).0, OK);
    assert_eq!(in_child(&open, pidfd_getfd).0, OK);
}

/// A raw syscall's return value, or the negative errno.
fn raw_syscall_ret(nr: i64, a: [u64; 6]) -> i64 {
    // SAFETY: the kernel validates the arguments.
    let rc = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
    if rc == -1 {
        // SAFETY: errno location of this thread.
        -i64::from(unsafe { *libc::__errno_location() })
    } else {
        rc
    }
}

#[test]
fn explain_attributes_every_verdict_to_what_gave_it() {
    // Every verdict is attributed to a rule with that action, the default action or the
    // bad-arch action, and never to one that gives something else.
    let policies = [
        r#"{"default_action":"allow","architectures":["x86_64","x86"],"rules":[
            {"action":"errno:EPERM","syscalls":["@network","shmget","msgsnd"]},
            {"action":"kill_process","syscalls":["@exec"]},
            {"action":"errno:EACCES","syscalls":["dup"],"args":[{"index":0,"op":"eq","value":"0xffffffffffffff9c"}]}]}"#,
        r#"{"default_action":"errno:ENOSYS","bad_arch_action":"errno:EPERM","rules":[
            {"action":"allow","syscalls":["read","write","socket","exit_group"]},
            {"action":"trap","syscalls":["kill"],"args":[{"index":1,"op":"eq","value":9}]}]}"#,
        r#"{"default_action":"allow","architectures":["x86","x32"],"extends":["hardened"],"rules":[
            {"action":"kill_process","syscalls":["socketcall"]},
            {"action":"errno:EPERM","syscalls":["socket"],"args":[{"index":1,"op":"masked_eq","mask":15,"value":3}]}]}"#,
    ];
    for json in policies {
        let p = Policy::from_json(json).unwrap();
        let f = p.compile().unwrap();
        let default = p.effective_default();
        let bad_arch = p.bad_arch_action();
        let rules = p.effective_rules();
        for arch in [Arch::X86_64, Arch::X86, Arch::X32] {
            let base = if arch == Arch::X32 { 0x4000_0000 } else { 0 };
            for nr in (0..460u32).chain([0x4000_0000 + 59, 102, 117]) {
                for args in [
                    vec![],
                    vec![1, 3],
                    vec![0xffff_ff9c],
                    vec![0xffff_ffff_ffff_ff9c, 9],
                    vec![0x1_0017, 2],
                ] {
                    let e = f
                        .explain(&(base | nr).to_string(), &args, Some(arch))
                        .unwrap();
                    let action = e.verdict.action;
                    let by = &e.decided_by;
                    let ok = if by == "default_action" {
                        action == default
                    } else if by.starts_with("bad_arch_action") {
                        action == bad_arch
                    } else {
                        rules.iter().any(|r| {
                            by.starts_with(&format!("{} (", r.origin)) && r.action == action
                        })
                    };
                    assert!(ok, "{json}\n{arch} {nr} {args:?}: {action} by {by}");
                    assert!(!by.starts_with("the filter"), "{arch} {nr} {args:?}: {by}");
                }
            }
        }
    }
}
