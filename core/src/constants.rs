// SPDX-License-Identifier: MIT OR Apache-2.0
//! Symbolic values of syscall arguments: `O_CREAT|O_WRONLY`, `AF_INET6`, `SOCK_RAW`,
//! `AT_FDCWD`, `CLONE_THREAD`, `PROT_EXEC`, `TIOCSTI`, ... and the names of the arguments
//! (`socket`'s `domain`, `type`, `protocol`).
//!
//! One table, read by `explain` and by policy validation (`"value": "AF_INET"`). The values
//! are the `libc` crate's for the architecture sysfence was built for; a value written with
//! names is therefore only accepted for ABIs that share those values (the build's own, and on
//! x86 the three x86 ABIs).
//!
//! A value is one or more terms joined by `|`; a term is a name, a decimal integer (a
//! negative one is its 64-bit two's complement, as the kernel sees a sign-extended `int`),
//! `0x` hex, or octal (`0o755` or `0755`).

use crate::arch::Arch;

/// A family of names that one kind of argument takes.
#[derive(Debug)]
pub struct Group {
    /// What the names are, for messages (`open flags (O_*)`).
    pub what: &'static str,
    /// Whether the values are bits combined with `|` (shown decomposed).
    pub flags: bool,
    /// The names and their values.
    pub names: &'static [(&'static str, u64)],
}

macro_rules! names {
    ($($n:ident),* $(,)?) => {
        &[$((stringify!($n), libc::$n as i64 as u64)),*]
    };
}

/// `open`/`openat` flags.
pub static OPEN_FLAGS: Group = Group {
    what: "open flags (O_*)",
    flags: true,
    names: names!(
        O_RDONLY,
        O_WRONLY,
        O_RDWR,
        O_ACCMODE,
        O_CREAT,
        O_EXCL,
        O_NOCTTY,
        O_TRUNC,
        O_APPEND,
        O_NONBLOCK,
        O_NDELAY,
        O_DSYNC,
        O_SYNC,
        O_RSYNC,
        O_ASYNC,
        O_DIRECT,
        O_DIRECTORY,
        O_NOFOLLOW,
        O_NOATIME,
        O_CLOEXEC,
        O_PATH,
        O_TMPFILE,
    ),
};
/// `AT_FDCWD`, the directory file descriptor meaning the working directory.
pub static AT_FD: Group = Group {
    what: "directory descriptors (AT_FDCWD)",
    flags: false,
    names: names!(AT_FDCWD),
};
/// `AT_*` flags of the `*at` calls.
pub static AT_FLAGS: Group = Group {
    what: "*at flags (AT_*)",
    flags: true,
    names: names!(
        AT_SYMLINK_NOFOLLOW,
        AT_REMOVEDIR,
        AT_EACCESS,
        AT_SYMLINK_FOLLOW,
        AT_NO_AUTOMOUNT,
        AT_EMPTY_PATH,
        AT_RECURSIVE,
    ),
};
/// Address families.
pub static ADDRESS_FAMILY: Group = Group {
    what: "address families (AF_*)",
    flags: false,
    names: names!(
        AF_UNSPEC,
        AF_UNIX,
        AF_LOCAL,
        AF_INET,
        AF_AX25,
        AF_IPX,
        AF_APPLETALK,
        AF_X25,
        AF_INET6,
        AF_KEY,
        AF_NETLINK,
        AF_PACKET,
        AF_RDS,
        AF_CAN,
        AF_TIPC,
        AF_BLUETOOTH,
        AF_ALG,
        AF_VSOCK,
        AF_XDP,
    ),
};
/// Socket types and the flags `socket`, `socketpair` and `accept4` take with them.
pub static SOCKET_TYPE: Group = Group {
    what: "socket types (SOCK_*)",
    flags: true,
    names: names!(
        SOCK_STREAM,
        SOCK_DGRAM,
        SOCK_RAW,
        SOCK_RDM,
        SOCK_SEQPACKET,
        SOCK_NONBLOCK,
        SOCK_CLOEXEC,
    ),
};
/// Protocols of `socket`: IP protocols and netlink families.
pub static PROTOCOL: Group = Group {
    what: "protocols (IPPROTO_*, NETLINK_*)",
    flags: false,
    names: names!(
        IPPROTO_IP,
        IPPROTO_ICMP,
        IPPROTO_TCP,
        IPPROTO_UDP,
        IPPROTO_IPV6,
        IPPROTO_ICMPV6,
        IPPROTO_SCTP,
        IPPROTO_UDPLITE,
        IPPROTO_RAW,
        NETLINK_ROUTE,
        NETLINK_AUDIT,
        NETLINK_NETFILTER,
        NETLINK_KOBJECT_UEVENT,
        NETLINK_GENERIC,
    ),
};
/// `clone`/`unshare`/`setns` flags, and the exit signal clone takes in its low byte.
pub static CLONE_FLAGS: Group = Group {
    what: "clone flags (CLONE_*)",
    flags: true,
    names: names!(
        CLONE_VM,
        CLONE_FS,
        CLONE_FILES,
        CLONE_SIGHAND,
        CLONE_PIDFD,
        CLONE_PTRACE,
        CLONE_VFORK,
        CLONE_PARENT,
        CLONE_THREAD,
        CLONE_NEWNS,
        CLONE_SYSVSEM,
        CLONE_SETTLS,
        CLONE_PARENT_SETTID,
        CLONE_CHILD_CLEARTID,
        CLONE_DETACHED,
        CLONE_UNTRACED,
        CLONE_CHILD_SETTID,
        CLONE_NEWCGROUP,
        CLONE_NEWUTS,
        CLONE_NEWIPC,
        CLONE_NEWUSER,
        CLONE_NEWPID,
        CLONE_NEWNET,
        CLONE_IO,
    ),
};
/// Signals.
pub static SIGNALS: Group = Group {
    what: "signals (SIG*)",
    flags: false,
    names: names!(
        SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1,
        SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN,
        SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS,
    ),
};
/// Memory protections.
pub static PROT: Group = Group {
    what: "memory protections (PROT_*)",
    flags: true,
    names: names!(
        PROT_NONE,
        PROT_READ,
        PROT_WRITE,
        PROT_EXEC,
        PROT_GROWSDOWN,
        PROT_GROWSUP
    ),
};
/// `mmap` flags.
pub static MAP_FLAGS: Group = Group {
    what: "mmap flags (MAP_*)",
    flags: true,
    names: names!(
        MAP_SHARED,
        MAP_PRIVATE,
        MAP_SHARED_VALIDATE,
        MAP_FIXED,
        MAP_ANONYMOUS,
        MAP_ANON,
        MAP_GROWSDOWN,
        MAP_DENYWRITE,
        MAP_EXECUTABLE,
        MAP_LOCKED,
        MAP_NORESERVE,
        MAP_POPULATE,
        MAP_NONBLOCK,
        MAP_STACK,
        MAP_HUGETLB,
        MAP_SYNC,
        MAP_FIXED_NOREPLACE,
    ),
};
/// `ioctl` requests of terminals and files.
pub static IOCTL: Group = Group {
    what: "ioctl requests (TIOC*, TC*, FIO*)",
    flags: false,
    names: names!(
        TCGETS,
        TCSETS,
        TCSETSW,
        TCSETSF,
        TCSBRK,
        TCXONC,
        TCFLSH,
        TIOCEXCL,
        TIOCNXCL,
        TIOCSCTTY,
        TIOCGPGRP,
        TIOCSPGRP,
        TIOCOUTQ,
        TIOCSTI,
        TIOCGWINSZ,
        TIOCSWINSZ,
        TIOCMGET,
        TIOCMSET,
        TIOCGSOFTCAR,
        TIOCSSOFTCAR,
        TIOCLINUX,
        TIOCCONS,
        TIOCNOTTY,
        TIOCGSID,
        TIOCGPTN,
        TIOCSPTLCK,
        TIOCGPTPEER,
        TIOCSETD,
        TIOCGETD,
        FIONREAD,
        FIONBIO,
        FIOCLEX,
        FIONCLEX,
        FIOASYNC,
    ),
};
/// File modes: permission bits and, for `mknod`, file types.
pub static MODE: Group = Group {
    what: "file modes (S_I*)",
    flags: true,
    names: names!(
        S_IFMT, S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO, S_ISUID, S_ISGID,
        S_ISVTX, S_IRWXU, S_IRUSR, S_IWUSR, S_IXUSR, S_IRWXG, S_IRGRP, S_IWGRP, S_IXGRP, S_IRWXO,
        S_IROTH, S_IWOTH, S_IXOTH,
    ),
};
/// `fcntl` commands.
pub static FCNTL_CMD: Group = Group {
    what: "fcntl commands (F_*)",
    flags: false,
    names: names!(
        F_DUPFD,
        F_GETFD,
        F_SETFD,
        F_GETFL,
        F_SETFL,
        F_GETLK,
        F_SETLK,
        F_SETLKW,
        F_SETOWN,
        F_GETOWN,
        F_OFD_GETLK,
        F_OFD_SETLK,
        F_OFD_SETLKW,
        F_DUPFD_CLOEXEC,
        F_SETPIPE_SZ,
        F_GETPIPE_SZ,
        F_ADD_SEALS,
        F_GET_SEALS,
    ),
};
/// `fcntl(F_SETFD)`'s flag.
pub static FD_FLAGS: Group = Group {
    what: "descriptor flags (FD_CLOEXEC)",
    flags: true,
    names: names!(FD_CLOEXEC),
};
/// `prctl` options.
pub static PRCTL_OPTION: Group = Group {
    what: "prctl options (PR_*)",
    flags: false,
    names: names!(
        PR_SET_PDEATHSIG,
        PR_GET_PDEATHSIG,
        PR_GET_DUMPABLE,
        PR_SET_DUMPABLE,
        PR_GET_KEEPCAPS,
        PR_SET_KEEPCAPS,
        PR_SET_NAME,
        PR_GET_NAME,
        PR_GET_SECCOMP,
        PR_SET_SECCOMP,
        PR_CAPBSET_READ,
        PR_CAPBSET_DROP,
        PR_SET_SECUREBITS,
        PR_GET_SECUREBITS,
        PR_SET_MM,
        PR_SET_PTRACER,
        PR_SET_CHILD_SUBREAPER,
        PR_GET_CHILD_SUBREAPER,
        PR_SET_NO_NEW_PRIVS,
        PR_GET_NO_NEW_PRIVS,
        PR_CAP_AMBIENT,
    ),
};
/// `ptrace` requests.
pub static PTRACE_REQUEST: Group = Group {
    what: "ptrace requests (PTRACE_*)",
    flags: false,
    names: names!(
        PTRACE_TRACEME,
        PTRACE_PEEKTEXT,
        PTRACE_PEEKDATA,
        PTRACE_PEEKUSER,
        PTRACE_POKETEXT,
        PTRACE_POKEDATA,
        PTRACE_POKEUSER,
        PTRACE_CONT,
        PTRACE_KILL,
        PTRACE_SINGLESTEP,
        PTRACE_ATTACH,
        PTRACE_DETACH,
        PTRACE_SYSCALL,
        PTRACE_SETOPTIONS,
        PTRACE_GETEVENTMSG,
        PTRACE_GETSIGINFO,
        PTRACE_SETSIGINFO,
        PTRACE_GETREGSET,
        PTRACE_SETREGSET,
        PTRACE_SEIZE,
        PTRACE_INTERRUPT,
        PTRACE_LISTEN,
    ),
};
/// `memfd_create` flags.
pub static MEMFD_FLAGS: Group = Group {
    what: "memfd flags (MFD_*)",
    flags: true,
    names: names!(MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB),
};

/// Every group, for names used where the argument has no table of its own.
pub static GROUPS: &[&Group] = &[
    &OPEN_FLAGS,
    &AT_FD,
    &AT_FLAGS,
    &ADDRESS_FAMILY,
    &SOCKET_TYPE,
    &PROTOCOL,
    &CLONE_FLAGS,
    &SIGNALS,
    &PROT,
    &MAP_FLAGS,
    &IOCTL,
    &MODE,
    &FCNTL_CMD,
    &FD_FLAGS,
    &PRCTL_OPTION,
    &PTRACE_REQUEST,
    &MEMFD_FLAGS,
];

/// One argument of a syscall: its name and the groups of names it takes (`None`: any name of
/// any group, for arguments whose meaning depends on another one; empty: none).
type ArgSpec = (&'static str, Option<&'static [&'static Group]>);

const NONE: Option<&[&Group]> = Some(&[]);
const ANY: Option<&[&Group]> = None;
const O: Option<&[&Group]> = Some(&[&OPEN_FLAGS]);
const DIRFD: Option<&[&Group]> = Some(&[&AT_FD]);
const AT: Option<&[&Group]> = Some(&[&AT_FLAGS]);
const MODE_: Option<&[&Group]> = Some(&[&MODE]);
const SIG: Option<&[&Group]> = Some(&[&SIGNALS]);

/// The syscalls whose arguments have names here, in their kernel order.
static SYSCALLS: &[(&str, &[ArgSpec])] = &[
    ("open", &[("pathname", NONE), ("flags", O), ("mode", MODE_)]),
    (
        "openat",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("flags", O),
            ("mode", MODE_),
        ],
    ),
    (
        "openat2",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("how", NONE),
            ("size", NONE),
        ],
    ),
    ("creat", &[("pathname", NONE), ("mode", MODE_)]),
    (
        "socket",
        &[
            ("domain", Some(&[&ADDRESS_FAMILY])),
            ("type", Some(&[&SOCKET_TYPE])),
            ("protocol", Some(&[&PROTOCOL])),
        ],
    ),
    (
        "socketpair",
        &[
            ("domain", Some(&[&ADDRESS_FAMILY])),
            ("type", Some(&[&SOCKET_TYPE])),
            ("protocol", Some(&[&PROTOCOL])),
            ("sv", NONE),
        ],
    ),
    (
        "accept4",
        &[
            ("sockfd", NONE),
            ("addr", NONE),
            ("addrlen", NONE),
            ("flags", Some(&[&SOCKET_TYPE])),
        ],
    ),
    (
        "clone",
        &[
            ("flags", Some(&[&CLONE_FLAGS, &SIGNALS])),
            ("stack", NONE),
            ("parent_tid", NONE),
        ],
    ),
    ("unshare", &[("flags", Some(&[&CLONE_FLAGS]))]),
    ("setns", &[("fd", NONE), ("nstype", Some(&[&CLONE_FLAGS]))]),
    (
        "mmap",
        &[
            ("addr", NONE),
            ("length", NONE),
            ("prot", Some(&[&PROT])),
            ("flags", Some(&[&MAP_FLAGS])),
            ("fd", NONE),
            ("offset", NONE),
        ],
    ),
    (
        "mmap2",
        &[
            ("addr", NONE),
            ("length", NONE),
            ("prot", Some(&[&PROT])),
            ("flags", Some(&[&MAP_FLAGS])),
            ("fd", NONE),
            ("pgoffset", NONE),
        ],
    ),
    (
        "mprotect",
        &[("addr", NONE), ("len", NONE), ("prot", Some(&[&PROT]))],
    ),
    (
        "pkey_mprotect",
        &[
            ("addr", NONE),
            ("len", NONE),
            ("prot", Some(&[&PROT])),
            ("pkey", NONE),
        ],
    ),
    (
        "ioctl",
        &[("fd", NONE), ("request", Some(&[&IOCTL])), ("arg", ANY)],
    ),
    (
        "fcntl",
        &[
            ("fd", NONE),
            ("cmd", Some(&[&FCNTL_CMD])),
            ("arg", Some(&[&OPEN_FLAGS, &FD_FLAGS])),
        ],
    ),
    (
        "fcntl64",
        &[
            ("fd", NONE),
            ("cmd", Some(&[&FCNTL_CMD])),
            ("arg", Some(&[&OPEN_FLAGS, &FD_FLAGS])),
        ],
    ),
    (
        "prctl",
        &[
            ("option", Some(&[&PRCTL_OPTION])),
            ("arg2", ANY),
            ("arg3", ANY),
            ("arg4", ANY),
            ("arg5", ANY),
        ],
    ),
    (
        "ptrace",
        &[
            ("request", Some(&[&PTRACE_REQUEST])),
            ("pid", NONE),
            ("addr", NONE),
            ("data", ANY),
        ],
    ),
    ("kill", &[("pid", NONE), ("sig", SIG)]),
    ("tkill", &[("tid", NONE), ("sig", SIG)]),
    ("tgkill", &[("tgid", NONE), ("tid", NONE), ("sig", SIG)]),
    ("mkdir", &[("pathname", NONE), ("mode", MODE_)]),
    (
        "mkdirat",
        &[("dirfd", DIRFD), ("pathname", NONE), ("mode", MODE_)],
    ),
    ("chmod", &[("pathname", NONE), ("mode", MODE_)]),
    ("fchmod", &[("fd", NONE), ("mode", MODE_)]),
    (
        "fchmodat",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("mode", MODE_),
            ("flags", AT),
        ],
    ),
    (
        "mknod",
        &[("pathname", NONE), ("mode", MODE_), ("dev", NONE)],
    ),
    (
        "mknodat",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("mode", MODE_),
            ("dev", NONE),
        ],
    ),
    (
        "unlinkat",
        &[("dirfd", DIRFD), ("pathname", NONE), ("flags", AT)],
    ),
    (
        "newfstatat",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("statbuf", NONE),
            ("flags", AT),
        ],
    ),
    (
        "fstatat64",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("statbuf", NONE),
            ("flags", AT),
        ],
    ),
    (
        "statx",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("flags", AT),
            ("mask", NONE),
            ("statxbuf", NONE),
        ],
    ),
    (
        "faccessat",
        &[("dirfd", DIRFD), ("pathname", NONE), ("mode", NONE)],
    ),
    (
        "faccessat2",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("mode", NONE),
            ("flags", AT),
        ],
    ),
    (
        "execveat",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("argv", NONE),
            ("envp", NONE),
            ("flags", AT),
        ],
    ),
    (
        "execve",
        &[("pathname", NONE), ("argv", NONE), ("envp", NONE)],
    ),
    (
        "linkat",
        &[
            ("olddirfd", DIRFD),
            ("oldpath", NONE),
            ("newdirfd", DIRFD),
            ("newpath", NONE),
            ("flags", AT),
        ],
    ),
    (
        "symlinkat",
        &[("target", NONE), ("newdirfd", DIRFD), ("linkpath", NONE)],
    ),
    (
        "renameat",
        &[
            ("olddirfd", DIRFD),
            ("oldpath", NONE),
            ("newdirfd", DIRFD),
            ("newpath", NONE),
        ],
    ),
    (
        "renameat2",
        &[
            ("olddirfd", DIRFD),
            ("oldpath", NONE),
            ("newdirfd", DIRFD),
            ("newpath", NONE),
            ("flags", NONE),
        ],
    ),
    (
        "readlinkat",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("buf", NONE),
            ("bufsiz", NONE),
        ],
    ),
    (
        "fchownat",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("owner", NONE),
            ("group", NONE),
            ("flags", AT),
        ],
    ),
    (
        "utimensat",
        &[
            ("dirfd", DIRFD),
            ("pathname", NONE),
            ("times", NONE),
            ("flags", AT),
        ],
    ),
    ("dup3", &[("oldfd", NONE), ("newfd", NONE), ("flags", O)]),
    ("pipe2", &[("pipefd", NONE), ("flags", O)]),
    (
        "memfd_create",
        &[("name", NONE), ("flags", Some(&[&MEMFD_FLAGS]))],
    ),
    ("read", &[("fd", NONE), ("buf", NONE), ("count", NONE)]),
    ("write", &[("fd", NONE), ("buf", NONE), ("count", NONE)]),
    ("close", &[("fd", NONE)]),
];

/// The names of `syscall`'s arguments, in order, when this table knows them.
pub fn arg_names(syscall: &str) -> Option<Vec<&'static str>> {
    spec(syscall).map(|args| args.iter().map(|a| a.0).collect())
}

fn spec(syscall: &str) -> Option<&'static [ArgSpec]> {
    SYSCALLS.iter().find(|s| s.0 == syscall).map(|s| s.1)
}

/// The index of the argument called `name` (`flags`, or `arg2`) of `syscall`.
pub fn arg_index(syscall: &str, name: &str) -> Result<u8, String> {
    if let Some(i) = spec(syscall).and_then(|a| a.iter().position(|a| a.0 == name)) {
        return Ok(i as u8);
    }
    if let Some(i) = name.strip_prefix("arg").and_then(|n| n.parse::<u8>().ok()) {
        if i < 6 {
            return Ok(i);
        }
    }
    Err(match arg_names(syscall) {
        Some(names) => format!(
            "{syscall} has no argument {name:?} (its arguments: {}; or arg0..arg5)",
            names.join(", ")
        ),
        None => format!("unknown argument {name:?} of {syscall} (write arg0..arg5)"),
    })
}

/// A label for argument `index` of `syscall`: `domain (arg 0)` or `arg 2`.
pub fn arg_label(syscall: &str, index: u8) -> String {
    match spec(syscall).and_then(|a| a.get(usize::from(index))) {
        Some((name, _)) => format!("{name} (arg {index})"),
        None => format!("arg {index}"),
    }
}

/// True when names resolved with this build's values mean the same on `arch`.
pub fn same_values_on(arch: Arch) -> bool {
    let native = Arch::native();
    let x86 = [Arch::X86_64, Arch::X86, Arch::X32];
    arch == native || (x86.contains(&native) && x86.contains(&arch))
}

/// Parses the value of argument `index` for any of `syscalls` (the rule's names; empty when
/// unknown): numbers, names, `A|B`. On error, a message for the user.
pub fn parse_value(syscalls: &[&str], index: u8, text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty value".to_string());
    }
    let mut value = 0u64;
    for term in text.split('|') {
        let term = term.trim();
        value |= match number(term) {
            Some(n) => n?,
            None => name(syscalls, index, term)?,
        };
    }
    Ok(value)
}

/// True when `text` uses a name rather than only numbers.
pub fn uses_names(text: &str) -> bool {
    text.split('|').any(|t| number(t.trim()).is_none())
}

/// `Some` when `term` is written as a number.
fn number(term: &str) -> Option<Result<u64, String>> {
    let bad = || Err(format!("{term:?} is not a 64-bit integer"));
    let first = term.chars().next()?;
    if !(first.is_ascii_digit() || first == '-') {
        return None;
    }
    let parsed = if let Some(neg) = term.strip_prefix('-') {
        match neg.parse::<u64>() {
            Ok(n) if n <= 1 << 63 => Ok((n as i64).wrapping_neg() as u64),
            _ => bad(),
        }
    } else if let Some(h) = term.strip_prefix("0x").or_else(|| term.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).or_else(|_| bad())
    } else if let Some(o) = term.strip_prefix("0o").or_else(|| term.strip_prefix("0O")) {
        u64::from_str_radix(o, 8).or_else(|_| bad())
    } else if term.len() > 1 && term.starts_with('0') {
        u64::from_str_radix(&term[1..], 8)
            .map_err(|_| format!("{term:?} is not an octal integer (a leading 0 means octal)"))
    } else {
        term.parse::<u64>().or_else(|_| bad())
    };
    Some(parsed)
}

fn lookup<'a>(groups: impl IntoIterator<Item = &'a &'static Group>, name: &str) -> Option<u64> {
    groups
        .into_iter()
        .find_map(|g| g.names.iter().find(|n| n.0 == name).map(|n| n.1))
}

fn name(syscalls: &[&str], index: u8, term: &str) -> Result<u64, String> {
    let Some(any) = lookup(GROUPS, term) else {
        let all = GROUPS.iter().flat_map(|g| g.names.iter().map(|n| n.0));
        return Err(match crate::suggest::nearest(term, all) {
            Some(s) => format!("unknown name {term:?} (did you mean {s}?)"),
            None => format!("unknown name {term:?} (write a number, or a name such as O_CREAT, AF_INET, SOCK_RAW)"),
        });
    };
    for syscall in syscalls {
        let Some(args) = spec(syscall) else { continue };
        let groups = match args.get(usize::from(index)) {
            Some((_, Some(groups))) => *groups,
            Some((_, None)) => continue,
            None => &[][..],
        };
        if lookup(groups, term).is_none() {
            let label = arg_label(syscall, index);
            return Err(if groups.is_empty() {
                format!("{term} is not a value of {label} of {syscall}, which takes no names (write a number)")
            } else {
                let what: Vec<&str> = groups.iter().map(|g| g.what).collect();
                format!(
                    "{term} is not a value of {label} of {syscall}, which takes {}",
                    what.join(" or ")
                )
            });
        }
    }
    Ok(any)
}

/// The arguments of a call of `syscall` as written for `sysfence explain`: in order, or
/// named (`flags=O_CREAT|O_WRONLY`, `arg2=0x41`), each a value [`parse_value`] reads. A
/// positional argument follows the one before it; arguments not given are 0.
pub fn parse_args(syscall: &str, items: &[&str]) -> Result<Vec<u64>, String> {
    let mut values: [Option<u64>; 6] = [None; 6];
    let mut next = 0u8;
    for item in items {
        let (index, text) = match item.split_once('=') {
            Some((name, text)) => (arg_index(syscall, name.trim())?, text),
            None => (next, *item),
        };
        if index >= 6 {
            return Err(format!("{item:?}: a syscall has at most six arguments"));
        }
        let label = arg_label(syscall, index);
        if values[usize::from(index)].is_some() {
            return Err(format!("{label} is given twice"));
        }
        let v = parse_value(&[syscall], index, text).map_err(|e| {
            if e.contains(&label) {
                e
            } else {
                format!("{label}: {e}")
            }
        })?;
        values[usize::from(index)] = Some(v);
        next = index + 1;
    }
    let len = values
        .iter()
        .rposition(Option::is_some)
        .map_or(0, |i| i + 1);
    Ok(values[..len].iter().map(|v| v.unwrap_or(0)).collect())
}

/// `value` of argument `index` of `syscall` in names when it is exactly one name or a
/// combination of flags of the argument's groups (`AF_INET6`, `O_WRONLY|O_CREAT`).
pub fn describe(syscall: &str, index: u8, value: u64) -> Option<String> {
    let groups = spec(syscall)?.get(usize::from(index))?.1?;
    for g in groups {
        if let Some(n) = g.names.iter().find(|n| n.1 == value) {
            return Some(n.0.to_string());
        }
    }
    for g in groups.iter().filter(|g| g.flags) {
        let mut left = value;
        let mut parts = Vec::new();
        // Largest values first, so that a name covering several bits wins over its parts.
        let mut names: Vec<&(&str, u64)> = g.names.iter().filter(|n| n.1 != 0).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.1.count_ones()));
        for n in names {
            if left & n.1 == n.1 {
                left &= !n.1;
                parts.push(n.0);
            }
        }
        if left == 0 && !parts.is_empty() {
            return Some(parts.join("|"));
        }
    }
    None
}

#[cfg(test)]
// libc's types differ between targets (`c_ulong` ioctl requests on glibc): the casts stay.
#[allow(clippy::unnecessary_cast)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_every_notation() {
        assert_eq!(parse_value(&[], 0, "4096"), Ok(4096));
        assert_eq!(parse_value(&[], 0, "0x1f"), Ok(0x1f));
        assert_eq!(parse_value(&[], 0, "0o755"), Ok(0o755));
        assert_eq!(parse_value(&[], 0, "0755"), Ok(0o755));
        assert_eq!(parse_value(&[], 0, "0"), Ok(0));
        assert_eq!(parse_value(&[], 0, "-100"), Ok(0xffff_ffff_ffff_ff9c));
        assert_eq!(parse_value(&[], 0, "-1"), Ok(u64::MAX));
        assert!(parse_value(&[], 0, "089").is_err());
        assert!(parse_value(&[], 0, "18446744073709551616").is_err());
    }

    #[test]
    fn names_and_combinations() {
        assert_eq!(
            parse_value(&["openat"], 2, "O_CREAT|O_WRONLY"),
            Ok((libc::O_CREAT | libc::O_WRONLY) as u64)
        );
        assert_eq!(parse_value(&["openat"], 0, "AT_FDCWD"), Ok(-100i64 as u64));
        assert_eq!(
            parse_value(&["socket"], 0, "AF_INET6"),
            Ok(libc::AF_INET6 as u64)
        );
        assert_eq!(
            parse_value(&["socket"], 1, "SOCK_RAW | SOCK_CLOEXEC"),
            Ok((libc::SOCK_RAW | libc::SOCK_CLOEXEC) as u64)
        );
        assert_eq!(
            parse_value(&["ioctl"], 1, "TIOCSTI"),
            Ok(libc::TIOCSTI as u64)
        );
        // A syscall without a table takes any name.
        assert_eq!(
            parse_value(&["getpid"], 0, "PROT_EXEC"),
            Ok(libc::PROT_EXEC as u64)
        );
    }

    #[test]
    fn names_of_another_argument_are_refused() {
        let e = parse_value(&["socket"], 0, "SOCK_RAW").unwrap_err();
        assert!(
            e.contains("domain (arg 0) of socket") && e.contains("AF_*"),
            "{e}"
        );
        let e = parse_value(&["openat"], 1, "O_CREAT").unwrap_err();
        assert!(e.contains("takes no names"), "{e}");
        let e = parse_value(&["socket"], 0, "AF_INTE").unwrap_err();
        assert!(e.contains("AF_INET"), "{e}");
    }

    #[test]
    fn explain_arguments_positional_and_named() {
        let flags = (libc::O_CREAT | libc::O_WRONLY) as u64;
        assert_eq!(
            parse_args("openat", &["AT_FDCWD", "0", "O_CREAT|O_WRONLY", "0644"]),
            Ok(vec![-100i64 as u64, 0, flags, 0o644])
        );
        assert_eq!(
            parse_args("openat", &["flags=O_CREAT|O_WRONLY"]),
            Ok(vec![0, 0, flags])
        );
        assert_eq!(parse_args("getpid", &[]), Ok(vec![]));
        assert!(parse_args("openat", &["flags=1", "flags=2"])
            .unwrap_err()
            .contains("twice"));
        assert!(parse_args("socket", &["SOCK_RAW"])
            .unwrap_err()
            .contains("domain (arg 0)"));
        assert!(parse_args("read", &["x1"])
            .unwrap_err()
            .starts_with("fd (arg 0): "));
    }

    #[test]
    fn argument_names_and_descriptions() {
        assert_eq!(arg_index("socket", "type"), Ok(1));
        assert_eq!(arg_index("getpid", "arg3"), Ok(3));
        assert!(arg_index("socket", "flags")
            .unwrap_err()
            .contains("domain, type, protocol"));
        assert_eq!(
            describe("socket", 0, libc::AF_INET6 as u64).as_deref(),
            Some("AF_INET6")
        );
        let d = describe("openat", 2, (libc::O_CREAT | libc::O_WRONLY) as u64).unwrap();
        assert!(d.contains("O_CREAT") && d.contains("O_WRONLY"), "{d}");
    }
}
