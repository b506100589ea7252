// SPDX-License-Identifier: MIT OR Apache-2.0
//! Container profiles against real consumers: moby's default profile imported by sysfence,
//! exported with `sysfence convert --to oci` and run by runc (the bundle holds only a static
//! probe), compiled with `sysfence compile` and run by bubblewrap (`--seccomp FD`), and run by
//! `sysfence run`; every result must be `explain`'s verdict on the source profile.
//!
//! runc and bwrap come from `make setup` (mk/oci.mk). Without them, without a static C
//! toolchain, or not as root (runc), the consumer is skipped with a message on stderr.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sysfence");
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../core/src/presets/docker-default.json"
);

/// (syscall, args): the fixture's argument rules, cap-gated entries, its ENOSYS entry, and
/// calls it does not name. Every one is harmless when allowed.
const CASES: &[(&str, &[u64])] = &[
    ("getpid", &[]),
    ("personality", &[0xffff_ffff]),
    ("personality", &[0]),
    ("personality", &[1]),
    ("personality", &[0x1_0000_0000]),
    ("socket", &[38, 5, 0]),
    ("socket", &[40, 1, 0]),
    ("socket", &[41, 1, 0]),
    ("socket", &[1, 1, 0]),
    ("clone3", &[0, 0]),
    ("clone", &[0x1000_0000 | 17]),
    ("unshare", &[0x20000]),
    ("mount", &[0, 0, 0]),
    ("io_uring_setup", &[0, 0]),
    ("bpf", &[0, 0, 0]),
    ("kexec_load", &[0, 0, 0]),
    ("chroot", &[0]),
    ("ptrace", &[2, 0, 0]),
];

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sysfence-containers-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Builds the probe: each argument `NR,A0,A1,A2` becomes a syscall; it prints `ok` or `errno N`.
fn probe(dir: &Path) -> Option<PathBuf> {
    let src = dir.join("probe.c");
    std::fs::write(
        &src,
        r#"#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        unsigned long long v[4] = {0, 0, 0, 0};
        char *p = argv[i];
        for (int k = 0; k < 4 && *p; k++) { v[k] = strtoull(p, &p, 0); if (*p == ',') p++; }
        errno = 0;
        long r = syscall((long)v[0], v[1], v[2], v[3], 0, 0, 0);
        if (r < 0) printf("errno %d\n", errno); else printf("ok\n");
        fflush(stdout);
    }
    return 0;
}
"#,
    )
    .unwrap();
    let out = dir.join("probe");
    let built = Command::new("cc")
        .args(["-static", "-O2", "-o"])
        .arg(&out)
        .arg(&src)
        .status()
        .is_ok_and(|s| s.success());
    if !built {
        eprintln!("skipped: cannot build a static probe with `cc -static`");
        return None;
    }
    Some(out)
}

type Case = (&'static str, &'static [u64]);

/// `explain --json` on the source profile: (nr, action) per case.
fn verdicts(profile: &str, cases: &[Case]) -> Vec<(u64, String)> {
    cases
        .iter()
        .map(|(name, args)| {
            let mut cmd = Command::new(BIN);
            cmd.args(["explain", profile, name, "--json", "--kernel", "6.0"]);
            cmd.args(args.iter().map(|a| a.to_string()));
            let o = cmd.output().unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let v: Value = serde_json::from_slice(&o.stdout).unwrap();
            (
                v["nr"].as_u64().unwrap(),
                v["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn probe_args(cases: &[Case], verdicts: &[(u64, String)]) -> Vec<String> {
    cases
        .iter()
        .zip(verdicts)
        .map(|((_, args), (nr, _))| {
            let mut parts = vec![nr.to_string()];
            parts.extend(args.iter().map(|a| format!("{a:#x}")));
            parts.join(",")
        })
        .collect()
}

/// Each probe line must be what explain said: `errno N` for errno:N; for allow, what the
/// kernel says (never the profile's default EPERM, except where the kernel itself says so).
fn assert_matches(consumer: &str, cases: &[Case], lines: &[String], verdicts: &[(u64, String)]) {
    assert_eq!(lines.len(), cases.len(), "{consumer}: {lines:?}");
    let errno = |name: &str| match name {
        "EPERM" => 1,
        "EACCES" => 13,
        "ENOSYS" => 38,
        other => other.parse::<i32>().unwrap(),
    };
    for ((case, (_, action)), line) in cases.iter().zip(verdicts).zip(lines) {
        match action.split_once(':') {
            Some(("errno", name)) => assert_eq!(
                line,
                &format!("errno {}", errno(name)),
                "{consumer}: {case:?} ({action})"
            ),
            // Without a tracer, the kernel fails a traced call with ENOSYS.
            Some(("trace", _)) => assert_eq!(line, "errno 38", "{consumer}: {case:?}"),
            _ => {
                assert_eq!(action, "allow", "{case:?}");
                assert_ne!(
                    line, "errno 1",
                    "{consumer}: {case:?} should pass the filter"
                );
                assert_ne!(
                    line, "errno 13",
                    "{consumer}: {case:?} should pass the filter"
                );
            }
        }
    }
}

fn lines(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Runs `cases` under sysfence run, bwrap and runc with `profile`; each must give explain's
/// verdicts (returned for further checks), and the consumers must agree line by line.
fn consumers_agree(name: &str, profile: &str, cases: &[Case]) -> Option<Vec<(u64, String)>> {
    if !cfg!(target_arch = "x86_64") {
        eprintln!("skipped: the cases use x86_64 numbers");
        return None;
    }
    let dir = tmp(name);
    let probe = probe(&dir)?;
    let verdicts = verdicts(profile, cases);
    let args = probe_args(cases, &verdicts);

    // sysfence run, in-process.
    let o = Command::new(BIN)
        .args(["run", "--kernel", "6.0", "--policy", profile, "--"])
        .arg(&probe)
        .args(&args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run = lines(&o.stdout);
    assert_matches("sysfence run", cases, &run, &verdicts);

    // bubblewrap with `sysfence compile` output.
    if have("bwrap") {
        let bpf = dir.join("filter.bpf");
        let o = Command::new(BIN)
            .args(["compile", profile, "--kernel", "6.0", "-o"])
            .arg(&bpf)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let script = format!(
            "exec bwrap --ro-bind / / --dev /dev --proc /proc --seccomp 3 {} {} 3<{}",
            probe.display(),
            args.join(" "),
            bpf.display()
        );
        let o = Command::new("sh").args(["-c", &script]).output().unwrap();
        if o.status.success() {
            let got = lines(&o.stdout);
            assert_matches("bwrap", cases, &got, &verdicts);
            assert_eq!(got, run, "bwrap and sysfence run");
        } else {
            eprintln!("skipped bwrap: {}", String::from_utf8_lossy(&o.stderr));
        }
    } else {
        eprintln!("skipped: bwrap is not installed (make setup)");
    }

    // runc with the exported OCI object in linux.seccomp.
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !have("runc") || !root {
        eprintln!("skipped: runc needs root and the runc package (make setup)");
        let _ = std::fs::remove_dir_all(&dir);
        return Some(verdicts);
    }
    let oci = dir.join("oci.json");
    let o = Command::new(BIN)
        .args(["convert", profile, "--to", "oci", "--kernel", "6.0", "-o"])
        .arg(&oci)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let seccomp: Value = serde_json::from_slice(&std::fs::read(&oci).unwrap()).unwrap();
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(bundle.join("rootfs")).unwrap();
    std::fs::copy(&probe, bundle.join("rootfs/probe")).unwrap();
    let spec = Command::new("runc")
        .arg("spec")
        .current_dir(&bundle)
        .status()
        .unwrap();
    assert!(spec.success());
    let mut config: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("config.json")).unwrap()).unwrap();
    let mut argv = vec![json!("/probe")];
    argv.extend(args.iter().map(|a| json!(a)));
    config["process"]["args"] = json!(argv);
    config["process"]["terminal"] = json!(false);
    config["linux"]["seccomp"] = seccomp;
    std::fs::write(bundle.join("config.json"), config.to_string()).unwrap();
    let id = format!("sysfence-test-{}", std::process::id());
    let o = Command::new("runc")
        .args(["run", "-b"])
        .arg(&bundle)
        .arg(&id)
        .output()
        .unwrap();
    let _ = Command::new("runc").args(["delete", "-f", &id]).output();
    assert!(
        o.status.success(),
        "runc: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let got = lines(&o.stdout);
    assert_matches("runc", cases, &got, &verdicts);
    assert_eq!(got, run, "runc and sysfence run");
    let _ = std::fs::remove_dir_all(&dir);
    Some(verdicts)
}

#[test]
fn moby_default_profile_gives_the_same_results_under_runc_bwrap_and_sysfence_run() {
    let Some(verdicts) = consumers_agree("moby", FIXTURE, CASES) else {
        return;
    };
    // The verdicts themselves, as the notes on the profile say.
    let action = |name: &str, a: &[u64]| {
        let i = CASES
            .iter()
            .position(|(n, x)| *n == name && *x == a)
            .unwrap();
        verdicts[i].1.clone()
    };
    assert_eq!(action("personality", &[0xffff_ffff]), "allow");
    assert_eq!(action("personality", &[1]), "errno:EPERM");
    assert_eq!(action("socket", &[38, 5, 0]), "errno:EPERM");
    assert_eq!(action("clone3", &[0, 0]), "errno:ENOSYS");
}

/// runc's conversion rules, one case each, on a default-allow profile (runc 1.1 adds no ENOSYS
/// stub then): a repeated argument index ORs the conditions; MASKED_EQ takes the mask first
/// and masks the datum; distinct indices AND; a rule equal to the default is skipped before
/// libseccomp merges; TRACE without a tracer is ENOSYS; comparisons are 64-bit.
const MAPPING_PROFILE: &str = r#"{
  "defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64"],
  "syscalls": [
    { "names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
      "args": [{ "index": 0, "value": 2, "op": "SCMP_CMP_EQ" }, { "index": 0, "value": 16, "op": "SCMP_CMP_EQ" },
               { "index": 1, "value": 2, "op": "SCMP_CMP_EQ" }] },
    { "names": ["dup"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
      "args": [{ "index": 0, "value": 255, "valueTwo": 511, "op": "SCMP_CMP_MASKED_EQ" }] },
    { "names": ["ftruncate"], "action": "SCMP_ACT_ERRNO", "errnoRet": 55,
      "args": [{ "index": 0, "value": 99, "op": "SCMP_CMP_EQ" }, { "index": 1, "value": 7, "op": "SCMP_CMP_EQ" }] },
    { "names": ["getppid"], "action": "SCMP_ACT_ALLOW" },
    { "names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 55 },
    { "names": ["getpgid"], "action": "SCMP_ACT_TRACE", "errnoRet": 5 },
    { "names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
      "args": [{ "index": 1, "value": 4294967296, "op": "SCMP_CMP_EQ" }] }
  ]
}"#;

const MAPPING_CASES: &[Case] = &[
    ("socket", &[1, 2, 0]),
    ("socket", &[1, 1, 0]),
    ("socket", &[16, 3, 0]),
    ("dup", &[0xff]),
    ("dup", &[0x1fe]),
    ("ftruncate", &[99, 7]),
    ("ftruncate", &[99, 8]),
    ("getppid", &[]),
    ("getpgid", &[0]),
    ("getpriority", &[0, 0x1_0000_0000]),
    ("getpriority", &[0, 0]),
];

#[test]
fn runcs_conversion_rules_hold_under_runc_bwrap_and_sysfence_run() {
    let dir = tmp("mapping-src");
    let profile = dir.join("profile.json");
    std::fs::write(&profile, MAPPING_PROFILE).unwrap();
    let Some(verdicts) = consumers_agree("mapping", profile.to_str().unwrap(), MAPPING_CASES)
    else {
        return;
    };
    let actions: Vec<&str> = verdicts.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "errno:EACCES",
            "allow",
            "errno:EACCES",
            "errno:EACCES",
            "allow",
            "errno:55",
            "allow",
            "errno:55",
            "trace:5",
            "errno:EACCES",
            "allow"
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
