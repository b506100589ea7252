// SPDX-License-Identifier: MIT OR Apache-2.0
//! Lines saying the kernel dropped audit records, so that a list of seccomp events read from
//! a log is known to be incomplete rather than taken as complete.
//!
//! - `kauditd_printk_skb: 14 callbacks suppressed`: without auditd the kernel prints audit
//!   records through printk, rate-limited by `kernel.printk_ratelimit` (5 s) and
//!   `kernel.printk_ratelimit_burst` (10 lines); the records over the limit are gone.
//! - `audit: audit_lost=5 audit_rate_limit=0 audit_backlog_limit=64`: the kernel's running
//!   count of lost records (since boot), printed when it loses one.
//! - `audit: backlog limit exceeded`, `audit: rate limit exceeded`, `audit: printk limit
//!   exceeded`, `audit: kauditd hold queue overflow`: why it lost them.
//!
//! [`parse_loss`] recognises them; [`LossTally`] adds them up and words the warning that
//! `sysfence audit` (every format, `--follow`, `--summary`) and `sysfence profile
//! --from-audit` print.

use super::ecs::ECS_VERSION;
use memchr::memmem::Finder;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::LazyLock;

/// Every loss line carries one of these; the lines of an auditd log carry neither, and each of
/// them is asked (searchers built once: see parse.rs).
static SUPPRESSED: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(" callbacks suppressed"));
static AUDIT_TAG: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("audit: "));

/// `event.action` of the ECS document for a [`Loss`].
pub const LOSS_ACTION: &str = "audit-records-lost";

/// How to stop losing records, for warnings.
pub const LOSS_ADVICE: &str = "run auditd (records then go to its log, not through printk; \
`auditctl -s` shows \"lost\"), or raise the printk rate limit (sysctl \
kernel.printk_ratelimit=0, or a larger kernel.printk_ratelimit_burst), or record the program \
with `sysfence profile` instead";

/// One line saying the kernel dropped audit records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    /// How many records: those this line says were suppressed, or, when
    /// [`cumulative`](Loss::cumulative), the kernel's count of lost records since boot.
    /// `None` when the line gives no number.
    pub count: Option<u64>,
    /// True for `audit_lost=N`, the kernel's running total.
    pub cumulative: bool,
    /// Why, in words: `suppressed by the printk rate limit`, `backlog limit exceeded`, ...
    pub reason: &'static str,
    /// The line, without a `/dev/kmsg` header.
    pub original: String,
}

/// The phrases of `audit_log_lost()`'s messages, after `audit: `.
const LOST_REASONS: [&str; 4] = [
    "backlog limit exceeded",
    "rate limit exceeded",
    "printk limit exceeded",
    "kauditd hold queue overflow",
];

/// False when `line` cannot say records were lost: it has neither marker.
pub(crate) fn may_be_loss(line: &[u8]) -> bool {
    SUPPRESSED.find(line).is_some() || AUDIT_TAG.find(line).is_some()
}

/// Recognises a line saying the kernel dropped audit records (module docs).
pub fn parse_loss(line: &str) -> Option<Loss> {
    let line = line.trim_end_matches(['\n', '\r']);
    if !may_be_loss(line.as_bytes()) {
        return None;
    }
    let original = super::parse::without_kmsg_header(line);
    let loss = |count, cumulative, reason| {
        Some(Loss {
            count,
            cumulative,
            reason,
            original: original.to_string(),
        })
    };
    if let Some(at) = original.find(" callbacks suppressed") {
        // `kauditd_printk_skb: 14 callbacks suppressed`, or another audit function's.
        let (func, n) = original[..at].rsplit_once(": ")?;
        let func = func.rsplit([' ', ']', ';']).next().unwrap_or(func);
        if func.contains("audit") && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            return loss(n.parse().ok(), false, "suppressed by the printk rate limit");
        }
        return None;
    }
    let (_, message) = original.split_once("audit: ")?;
    if let Some(rest) = message.strip_prefix("audit_lost=") {
        let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !n.is_empty() && rest.contains("audit_backlog_limit=") {
            return loss(n.parse().ok(), true, "lost by the kernel's audit queue");
        }
        return None;
    }
    let message = message.trim_end();
    LOST_REASONS
        .iter()
        .find(|r| message == **r)
        .and_then(|r| loss(None, false, r))
}

impl Loss {
    /// One line for people: `14 audit records suppressed by the printk rate limit`.
    pub fn describe(&self) -> String {
        match (self.count, self.cumulative) {
            (Some(n), false) => format!("{n} audit record{} {}", plural(n), self.reason),
            (Some(n), true) => format!(
                "the kernel has lost {n} audit record{} since boot",
                plural(n)
            ),
            (None, _) => format!("audit records lost: {}", self.reason),
        }
    }

    /// The line as an ECS document: `event.action` [`LOSS_ACTION`], `event.kind` `event`,
    /// `sysfence.lost` with `count` (absent when unknown), `cumulative` and `reason`, and the
    /// line in `event.original`. It has no `@timestamp`: these lines carry only the time since
    /// boot.
    pub fn to_ecs(&self, host_name: &str) -> serde_json::Value {
        let mut lost = serde_json::json!({
            "cumulative": self.cumulative,
            "reason": self.reason,
        });
        if let Some(n) = self.count {
            lost["count"] = n.into();
        }
        serde_json::json!({
            "message": format!("{}: seccomp events are missing from this log", self.describe()),
            "ecs": { "version": ECS_VERSION },
            "event": {
                "kind": "event",
                "module": "auditd",
                "action": LOSS_ACTION,
                "category": ["host"],
                "type": ["info"],
                "outcome": "unknown",
                "original": self.original,
            },
            "host": { "name": host_name },
            "agent": { "type": "sysfence", "version": env!("CARGO_PKG_VERSION") },
            "sysfence": { "lost": lost },
        })
    }

    /// The text format's line: `LOST  14 audit records suppressed by the printk rate limit`.
    pub fn to_text(&self) -> String {
        format!("LOST  {}", self.describe())
    }
}

/// Adds up the [`Loss`]es of one read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LossTally {
    /// Lines seen.
    pub lines: u64,
    /// Records the lines say were suppressed (`N callbacks suppressed`), added up.
    pub suppressed: u64,
    /// The largest `audit_lost=N` seen, and the smallest: lost between them, at least.
    pub kernel_total: Option<(u64, u64)>,
    /// Records lost that a reader counted itself (a `/dev/kmsg` overrun).
    pub overrun: u64,
    /// Every reason given.
    pub reasons: BTreeSet<&'static str>,
}

impl LossTally {
    /// Counts one line.
    pub fn add(&mut self, loss: &Loss) {
        self.lines += 1;
        self.reasons.insert(loss.reason);
        match (loss.count, loss.cumulative) {
            (Some(n), false) => self.suppressed += n,
            (Some(n), true) => {
                let (lo, hi) = self.kernel_total.unwrap_or((n, n));
                self.kernel_total = Some((lo.min(n), hi.max(n)));
            }
            (None, _) => {}
        }
    }

    /// Adds another tally's counts (of another part of the same log).
    pub fn merge(&mut self, other: &LossTally) {
        self.lines += other.lines;
        self.suppressed += other.suppressed;
        self.overrun += other.overrun;
        self.kernel_total = match (self.kernel_total, other.kernel_total) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        self.reasons.extend(other.reasons.iter().copied());
    }

    /// Counts records a reader lost itself (the kernel's ring buffer overran it).
    pub fn add_overrun(&mut self, records: u64) {
        self.lines += 1;
        self.overrun += records;
        self.reasons
            .insert("overwritten in the kernel's ring buffer before they were read");
    }

    /// True when nothing was lost, as far as the log says.
    pub fn is_empty(&self) -> bool {
        self.lines == 0
    }

    /// The warning, or `None` when nothing was lost: how many (at least), why, that the list is
    /// incomplete, and what to do.
    pub fn warning(&self) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let mut counts = Vec::new();
        if self.suppressed > 0 {
            counts.push(format!("{} suppressed", self.suppressed));
        }
        if self.overrun > 0 {
            counts.push(format!(
                "{} overwritten before they were read",
                self.overrun
            ));
        }
        if let Some((lo, hi)) = self.kernel_total {
            counts.push(format!(
                "the kernel's lost count at {hi}{}",
                if hi > lo {
                    format!(", up {} here", hi - lo)
                } else {
                    String::new()
                }
            ));
        }
        let mut text = String::from("warning: the kernel dropped audit records");
        if !counts.is_empty() {
            let _ = write!(text, " ({})", counts.join("; "));
        }
        let reasons: Vec<&str> = self.reasons.iter().copied().collect();
        let _ = write!(
            text,
            ": {}. The list of seccomp events is incomplete. To lose none: {LOSS_ADVICE}.",
            reasons.join("; ")
        );
        Some(text)
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_every_form() {
        let l = parse_loss("[   12.500000] kauditd_printk_skb: 14 callbacks suppressed").unwrap();
        assert_eq!((l.count, l.cumulative), (Some(14), false));
        let l = parse_loss("4,1234,93093589,-;kauditd_printk_skb: 3 callbacks suppressed").unwrap();
        assert_eq!(l.original, "kauditd_printk_skb: 3 callbacks suppressed");
        assert_eq!(l.count, Some(3));
        let l = parse_loss(
            "Nov 28 00:48:47 h kernel: audit: audit_lost=7 audit_rate_limit=0 audit_backlog_limit=64",
        )
        .unwrap();
        assert_eq!((l.count, l.cumulative), (Some(7), true));
        let l = parse_loss("[  1.0] audit: backlog limit exceeded").unwrap();
        assert_eq!((l.count, l.reason), (None, "backlog limit exceeded"));
        // Not losses: other functions' suppressed callbacks, a seccomp record, ordinary text.
        assert!(parse_loss("[ 1.0] net_ratelimit: 5 callbacks suppressed").is_none());
        assert!(parse_loss("audit: type=1326 audit(1.0:1): pid=1 syscall=59 code=0x0").is_none());
        assert!(parse_loss("someone wrote audit: backlog limit exceeded twice").is_none());
    }

    #[test]
    fn the_tally_words_one_warning() {
        let mut t = LossTally::default();
        assert_eq!(t.warning(), None);
        for line in [
            "kauditd_printk_skb: 14 callbacks suppressed",
            "kauditd_printk_skb: 6 callbacks suppressed",
            "audit: audit_lost=3 audit_rate_limit=0 audit_backlog_limit=64",
            "audit: audit_lost=9 audit_rate_limit=0 audit_backlog_limit=64",
        ] {
            t.add(&parse_loss(line).unwrap());
        }
        let w = t.warning().unwrap();
        assert!(w.contains("20 suppressed"), "{w}");
        assert!(w.contains("at 9, up 6 here"), "{w}");
        assert!(w.contains("incomplete") && w.contains("auditd"), "{w}");
    }
}
