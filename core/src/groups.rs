// SPDX-License-Identifier: MIT OR Apache-2.0
//! Named syscall sets (`@exec`, `@network`, ...) and presets (`no-exec`, `no-spawn`, ...).
//!
//! A group member that an architecture does not have is skipped on that architecture.

/// A named set of syscalls that a rule can list as `@name`.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// The name without the `@`.
    pub name: &'static str,
    /// What the group is for.
    pub description: &'static str,
    /// The syscalls in it.
    pub members: &'static [&'static str],
}

/// Every group, in the order the docs list them.
pub const GROUPS: &[Group] = &[
    Group {
        name: "exec",
        description: "run a new program",
        members: &["execve", "execveat"],
    },
    Group {
        name: "spawn",
        description: "create processes and threads",
        members: &["fork", "vfork", "clone", "clone3"],
    },
    Group {
        name: "network",
        description: "sockets: create, connect, listen, send and receive",
        members: &[
            "socket",
            "socketpair",
            "socketcall",
            "connect",
            "bind",
            "listen",
            "accept",
            "accept4",
            "getsockname",
            "getpeername",
            "getsockopt",
            "setsockopt",
            "sendto",
            "recvfrom",
            "sendmsg",
            "recvmsg",
            "sendmmsg",
            "recvmmsg",
            "send",
            "recv",
            "shutdown",
        ],
    },
    Group {
        name: "mount",
        description: "mount, unmount and change the root of file systems",
        members: &[
            "mount",
            "umount",
            "umount2",
            "pivot_root",
            "chroot",
            "move_mount",
            "open_tree",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "mount_setattr",
            "listmount",
            "statmount",
        ],
    },
    Group {
        name: "module",
        description: "load and unload kernel modules",
        members: &[
            "init_module",
            "finit_module",
            "delete_module",
            "create_module",
            "query_module",
        ],
    },
    Group {
        name: "reboot",
        description: "reboot the machine or load a new kernel",
        members: &["reboot", "kexec_load", "kexec_file_load"],
    },
    Group {
        name: "swap",
        description: "enable and disable swap",
        members: &["swapon", "swapoff"],
    },
    Group {
        name: "debug",
        description: "trace other processes, read or write their memory, take their file \
                      descriptors (pidfd_getfd) or compare their kernel objects (kcmp)",
        members: &[
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "pidfd_getfd",
            "kcmp",
        ],
    },
    Group {
        name: "io-uring",
        description: "io_uring, which performs I/O (open, read, write, socket, connect, ...) \
                      without the syscalls a filter sees: refuse it when a policy refuses any of those",
        members: &["io_uring_setup", "io_uring_enter", "io_uring_register"],
    },
    Group {
        name: "keyring",
        description: "the kernel keyring",
        members: &["add_key", "request_key", "keyctl"],
    },
    Group {
        name: "clock",
        description: "set the system clock",
        members: &[
            "adjtimex",
            "clock_adjtime",
            "clock_adjtime64",
            "clock_settime",
            "clock_settime64",
            "settimeofday",
            "stime",
        ],
    },
    Group {
        name: "raw-io",
        description: "raw port and PCI I/O",
        members: &[
            "ioperm",
            "iopl",
            "pciconfig_iobase",
            "pciconfig_read",
            "pciconfig_write",
            "s390_pci_mmio_read",
            "s390_pci_mmio_write",
        ],
    },
    Group {
        name: "obsolete",
        description: "syscalls no current program needs",
        members: &[
            "_sysctl",
            "afs_syscall",
            "bdflush",
            "break",
            "create_module",
            "ftime",
            "get_kernel_syms",
            "getpmsg",
            "gtty",
            "idle",
            "lock",
            "mpx",
            "prof",
            "profil",
            "putpmsg",
            "query_module",
            "security",
            "sgetmask",
            "ssetmask",
            "stty",
            "sysfs",
            "tuxcall",
            "ulimit",
            "uselib",
            "ustat",
            "vserver",
        ],
    },
];

/// Looks a group up by name, with or without the leading `@` (`io_uring` also finds
/// `io-uring`).
pub fn group(name: &str) -> Option<&'static Group> {
    let name = name.strip_prefix('@').unwrap_or(name);
    GROUPS
        .iter()
        .find(|g| g.name == name || (name.contains('_') && g.name == name.replace('_', "-")))
}

/// What io_uring operations (`IORING_OP_*`, Linux 6.x) can do without making the syscall:
/// a filter never sees them, so refusing these while `io_uring_setup` is allowed leaves a way
/// around.
pub const IO_URING_OPS: &[&str] = &[
    "read",
    "write",
    "readv",
    "writev",
    "pread64",
    "pwrite64",
    "preadv",
    "pwritev",
    "preadv2",
    "pwritev2",
    "fsync",
    "fdatasync",
    "sync_file_range",
    "poll",
    "ppoll",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "socket",
    "connect",
    "accept",
    "accept4",
    "bind",
    "listen",
    "sendmsg",
    "recvmsg",
    "sendto",
    "recvfrom",
    "send",
    "recv",
    "shutdown",
    "getsockopt",
    "setsockopt",
    "open",
    "openat",
    "openat2",
    "close",
    "statx",
    "fallocate",
    "ftruncate",
    "fadvise64",
    "madvise",
    "splice",
    "tee",
    "rename",
    "renameat",
    "renameat2",
    "unlink",
    "unlinkat",
    "rmdir",
    "mkdir",
    "mkdirat",
    "symlink",
    "symlinkat",
    "link",
    "linkat",
    "setxattr",
    "fsetxattr",
    "getxattr",
    "fgetxattr",
    "waitid",
    "futex",
    "futex_waitv",
    "pipe",
    "pipe2",
];

/// A ready-made policy that `extends` can name and `apply_preset` applies.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// The name (`no-exec`).
    pub name: &'static str,
    /// What it does, in a line.
    pub description: &'static str,
    /// The policy, in the JSON format.
    pub json: &'static str,
}

/// Every preset.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "no-exec",
        description: "refuse running programs: execve, execveat, fork, vfork -> errno:EACCES \
                      (the policy Elasticsearch ships)",
        json: r#"{
  "default_action": "allow",
  "rules": [
    { "action": "errno:EACCES", "syscalls": ["execve", "execveat", "fork", "vfork"] }
  ]
}"#,
    },
    Preset {
        name: "no-spawn",
        description: "no-exec, and no new processes: clone without CLONE_THREAD -> errno:EACCES, \
                      clone3 -> errno:ENOSYS (libc falls back to clone); threads still work",
        json: r#"{
  "default_action": "allow",
  "rules": [
    { "action": "errno:EACCES", "syscalls": ["execve", "execveat", "fork", "vfork"] },
    { "action": "errno:EACCES", "syscalls": ["clone"],
      "args": [{ "index": 0, "op": "masked_eq", "mask": 65536, "value": 0 }] },
    { "action": "errno:ENOSYS", "syscalls": ["clone3"] }
  ]
}"#,
    },
    Preset {
        name: "hardened",
        description: "refuse what an application never needs: @mount @module @reboot @swap \
                      @debug @io-uring @keyring @clock @raw-io @obsolete -> errno:EPERM",
        json: r#"{
  "default_action": "allow",
  "rules": [
    { "action": "errno:EPERM",
      "syscalls": ["@mount", "@module", "@reboot", "@swap", "@debug", "@io-uring", "@keyring",
                   "@clock", "@raw-io", "@obsolete"] }
  ]
}"#,
    },
    Preset {
        name: DOCKER_DEFAULT,
        description: "Docker's default container profile (moby/profiles seccomp/default.json), \
                      resolved for Docker's default capabilities on the native architecture: \
                      errno:EPERM for what it does not allow",
        json: DOCKER_DEFAULT_JSON,
    },
];

/// The name of the preset made from Docker's default profile.
pub const DOCKER_DEFAULT: &str = "docker-default";

/// Docker's default seccomp profile, unchanged (moby/profiles `seccomp/default.json` at
/// `cd3bed8`, Apache-2.0; see `presets/README.md`). [`PRESETS`] lists it in Docker's format:
/// `Policy::preset` imports it.
pub const DOCKER_DEFAULT_JSON: &str = include_str!("presets/docker-default.json");

/// Looks a preset up by name.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscalls::is_known;

    #[test]
    fn every_group_member_is_a_syscall_libseccomp_knows() {
        for g in GROUPS {
            for m in g.members {
                assert!(is_known(m), "@{}: {m} unknown to libseccomp", g.name);
            }
        }
        for m in IO_URING_OPS {
            assert!(is_known(m), "io_uring op {m} unknown to libseccomp");
        }
        assert_eq!(group("@io_uring").map(|g| g.name), Some("io-uring"));
    }
}
