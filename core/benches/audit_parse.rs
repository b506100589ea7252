// SPDX-License-Identifier: MIT OR Apache-2.0
//! `make bench-audit`: audit-record parsing throughput next to `ausearch`, measured in one run.
//!
//! Writes a 1,000,000-line auditd log (a quarter of it `SECCOMP` records, the rest the
//! `SYSCALL`, `EXECVE`, `CWD`, `PATH`, `PROCTITLE` and login records a busy host writes; half of
//! the lines in auditd's default `ENRICHED` format) under target/audit-bench/, then times on the
//! same file: `sysfence::audit::parse_line` on every line, the same plus the ECS document
//! serialised, the command `sysfence audit --format ecs FILE > /dev/null` (the binary named by
//! `SYSFENCE_BIN`, which `make bench-audit` builds in release mode), and
//! `ausearch -i -if FILE -m SECCOMP > /dev/null` (Debian's auditd package; `-i` interprets
//! ids and names as the ECS documents do); each the best of three runs, the two commands
//! interleaved. `SYSFENCE_BENCH_AUDIT_LINES` changes the line count.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use sysfence::audit::parse_line;

fn main() -> ExitCode {
    let lines: usize = std::env::var("SYSFENCE_BENCH_AUDIT_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("audit-bench");
    std::fs::create_dir_all(&dir).expect("create target/audit-bench");
    let path = dir.join("audit.log");
    let (written, seccomp) = generate(&path, lines).expect("write the bench log");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "audit parse: {written} lines ({seccomp} SECCOMP records), {:.0} MB: {}",
        size as f64 / 1e6,
        path.display()
    );

    let (parse_time, events) = best_of(RUNS, || time_ours(&path, false));
    let (ecs_time, ecs_events) = best_of(RUNS, || time_ours(&path, true));
    assert_eq!(events, seccomp, "parse_line missed or invented records");
    assert_eq!(ecs_events, seccomp);
    let rate = |d: Duration| written as f64 / d.as_secs_f64();
    println!(
        "  sysfence parse_line             {:>7.3} s  {:>12.0} lines/s  {events} events",
        parse_time.as_secs_f64(),
        rate(parse_time)
    );
    println!(
        "  sysfence parse_line + ECS JSON  {:>7.3} s  {:>12.0} lines/s",
        ecs_time.as_secs_f64(),
        rate(ecs_time)
    );

    let bin = std::env::var_os("SYSFENCE_BIN").map(PathBuf::from);
    let mut command_time = None;
    let mut ausearch = None;
    for _ in 0..RUNS {
        if let Some(bin) = &bin {
            let t = time_command(bin, &path);
            command_time = Some(command_time.map_or(t, |b: Duration| b.min(t)));
        }
        let Some(t) = time_ausearch(&path) else {
            eprintln!("  ausearch: not installed (Debian package auditd: `make setup-apt`)");
            return ExitCode::from(1);
        };
        ausearch = Some(ausearch.map_or(t, |b: Duration| b.min(t)));
    }
    let ausearch_time = ausearch.expect("timed");
    let found = count_ausearch(&path).unwrap_or(0);
    if let Some(t) = command_time {
        println!(
            "  sysfence audit --format ecs FILE {:>7.3} s  {:>12.0} lines/s",
            t.as_secs_f64(),
            rate(t)
        );
    }
    println!(
        "  ausearch -i -if FILE -m SECCOMP {:>7.3} s  {:>12.0} lines/s  {found} records",
        ausearch_time.as_secs_f64(),
        rate(ausearch_time)
    );
    let ratio = |ours: Duration| ausearch_time.as_secs_f64() / ours.as_secs_f64();
    println!(
        "  ratio ausearch -i / sysfence: {:.1}x (parse_line), {:.1}x (parse_line + ECS)",
        ratio(parse_time),
        ratio(ecs_time)
    );
    match command_time {
        Some(t) => println!(
            "  ratio ausearch -i / `sysfence audit --format ecs`: {:.1}x (target: 5x)",
            ratio(t)
        ),
        None => eprintln!(
            "  SYSFENCE_BIN not set: the command was not timed (`make bench-audit` sets it)"
        ),
    }
    if found != seccomp {
        eprintln!("  note: ausearch reported {found} SECCOMP records, sysfence {seccomp}");
    }
    ExitCode::SUCCESS
}

/// Each timing is the best of this many runs.
const RUNS: usize = 3;

/// The fastest of `runs` timings (`None` when the tool is missing).
fn best_of<T: Timed>(runs: usize, mut f: impl FnMut() -> T) -> T {
    (1..runs).fold(f(), |best, _| {
        let next = f();
        if next.elapsed() < best.elapsed() {
            next
        } else {
            best
        }
    })
}

/// A timing result.
trait Timed {
    fn elapsed(&self) -> Duration;
}

impl Timed for (Duration, usize) {
    fn elapsed(&self) -> Duration {
        self.0
    }
}

/// Reads the file line by line and parses every line (optionally writing ECS to a sink).
fn time_ours(path: &Path, ecs: bool) -> (Duration, usize) {
    let start = Instant::now();
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path).expect("open bench log"));
    let mut sink = io::sink();
    let mut line = String::new();
    let mut events = 0;
    while reader.read_line(&mut line).expect("read bench log") > 0 {
        if let Some(event) = parse_line(&line) {
            events += 1;
            if ecs {
                event.write_ecs("bench-host", &mut sink).expect("sink");
            }
        }
        line.clear();
    }
    (start.elapsed(), events)
}

/// Times `sysfence audit --format ecs FILE > /dev/null`.
fn time_command(bin: &Path, path: &Path) -> Duration {
    let start = Instant::now();
    let status = Command::new(bin)
        .args(["audit", "--format", "ecs"])
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run sysfence");
    let elapsed = start.elapsed();
    assert!(status.success(), "sysfence audit exited {status}");
    elapsed
}

/// Times `ausearch -i -if FILE -m SECCOMP > /dev/null` (`None` when ausearch is missing).
fn time_ausearch(path: &Path) -> Option<Duration> {
    let start = Instant::now();
    let status = Command::new("ausearch")
        .args(["-i", "-if"])
        .arg(path)
        .args(["-m", "SECCOMP"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let elapsed = start.elapsed();
    if !status.success() {
        eprintln!("  ausearch exited {status}");
    }
    Some(elapsed)
}

/// How many SECCOMP records ausearch finds (`--raw`).
fn count_ausearch(path: &Path) -> Option<usize> {
    let out = Command::new("ausearch")
        .arg("--raw")
        .arg("-if")
        .arg(path)
        .args(["-m", "SECCOMP"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    Some(
        out.stdout
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"type=SECCOMP"))
            .count(),
    )
}

/// Writes `lines` lines of auditd log; returns the lines written and the SECCOMP records.
fn generate(path: &Path, lines: usize) -> io::Result<(usize, usize)> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let (mut written, mut seccomp, mut serial, mut secs) = (0, 0, 1000u64, 1_700_000_000u64);
    const SYSCALLS: [(&str, u32, &str); 6] = [
        ("c000003e", 59, "execve"),
        ("c000003e", 49, "bind"),
        ("c000003e", 101, "ptrace"),
        ("c000003e", 165, "mount"),
        ("40000003", 102, "socketcall"),
        ("c00000b7", 198, "socket"),
    ];
    const CODES: [&str; 4] = ["0x7ffc0000", "0x50000", "0x80000000", "0x0"];
    while written < lines {
        serial += 1;
        secs += next() % 3;
        let ms = next() % 1000;
        let pid = 1000 + next() % 30_000;
        let stamp = format!("msg=audit({secs}.{ms:03}:{serial}):");
        let enriched = next() % 2 == 0;
        let mut group: Vec<String> = Vec::with_capacity(5);
        // 9 in 20 groups are a SECCOMP record (one line), 4 a SYSCALL group (five lines), 7 a
        // login record: a quarter of the lines are SECCOMP records.
        match next() % 20 {
            0..=8 => {
                let (arch, nr, name) = SYSCALLS[(next() % 6) as usize];
                let code = CODES[(next() % 4) as usize];
                let sig = if code == "0x80000000" || code == "0x0" {
                    31
                } else {
                    0
                };
                let comm = if next() % 8 == 0 {
                    "6D7920776F726B6572".to_string() // "my worker", hex-encoded
                } else {
                    "\"php-fpm8.2\"".to_string()
                };
                let compat = u8::from(arch == "40000003");
                let mut l = format!(
                    "type=SECCOMP {stamp} auid=1000 uid=33 gid=33 ses=2 subj=unconfined pid={pid} \
                     comm={comm} exe=\"/usr/sbin/php-fpm8.2\" sig={sig} arch={arch} syscall={nr} \
                     compat={compat} ip=0x7f3d1a2b{:04x} code={code}",
                    next() % 0xffff
                );
                if enriched {
                    l.push_str(&format!(
                        "\u{1d}AUID=\"alice\" UID=\"www-data\" GID=\"www-data\" ARCH=x86_64 SYSCALL={name}"
                    ));
                }
                group.push(l);
                seccomp += 1;
            }
            9..=12 => {
                let mut l = format!(
                    "type=SYSCALL {stamp} arch=c000003e syscall=59 success=yes exit=0 a0=55d5 \
                     a1=55d6 a2=55d7 a3=0 items=2 ppid=1 pid={pid} auid=1000 uid=0 gid=0 euid=0 \
                     suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm=\"ls\" \
                     exe=\"/usr/bin/ls\" subj=unconfined key=\"exec\""
                );
                if enriched {
                    l.push_str("\u{1d}ARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"root\"");
                }
                group.push(l);
                group.push(format!("type=EXECVE {stamp} argc=2 a0=\"ls\" a1=\"-l\""));
                group.push(format!("type=CWD {stamp} cwd=\"/home/alice\""));
                group.push(format!(
                    "type=PATH {stamp} item=0 name=\"/usr/bin/ls\" inode=1234 dev=fe:01 \
                     mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 \
                     cap_fe=0 cap_fver=0 cap_frootid=0"
                ));
                group.push(format!("type=PROCTITLE {stamp} proctitle=6C73002D6C"));
            }
            _ => group.push(format!(
                "type=USER_LOGIN {stamp} pid={pid} uid=0 auid=1000 ses=3 subj=unconfined \
                 msg='op=login id=1000 exe=\"/usr/sbin/sshd\" hostname=10.0.0.5 addr=10.0.0.5 \
                 terminal=/dev/pts/1 res=success'"
            )),
        }
        for l in group {
            if written == lines {
                break;
            }
            writeln!(out, "{l}")?;
            written += 1;
        }
    }
    out.flush()?;
    Ok((written, seccomp))
}
