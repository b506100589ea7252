// SPDX-License-Identifier: MIT OR Apache-2.0
//! The audit parser against the shared fixtures in tests/fixtures/audit: every line form the
//! kernel, auditd and journald write, decoded fields, the ECS document, and the summary.

use serde_json::Value;
use sysfence::audit::{
    categorization, parse_line, parse_line_ecs, parse_line_ecs_with, EcsOptions, RecordForm,
    Summary, SummaryRow,
};
use sysfence::{Action, Arch};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/audit");

fn fixture(name: &str) -> String {
    let path = format!("{FIXTURES}/{name}");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The value at a dotted ECS path (`seccomp.syscall.name`; `@timestamp` has no dots).
fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(v) = doc.get(path) {
        return Some(v);
    }
    path.split('.').try_fold(doc, |v, part| v.get(part))
}

#[test]
fn every_fixture_case_gives_the_expected_ecs_fields() {
    let cases: Value = serde_json::from_str(&fixture("cases.json")).unwrap();
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 30, "fixture cases went missing");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let line = case["line"].as_str().unwrap();
        let event = parse_line(line);
        match &case["expect"] {
            Value::Null => assert!(event.is_none(), "{name}: parsed {event:?}"),
            Value::Object(expect) => {
                let event = event.unwrap_or_else(|| panic!("{name}: not parsed"));
                let doc = event.to_ecs("test-host");
                for (path, want) in expect {
                    assert_eq!(at(&doc, path), Some(want), "{name}: {path} in {doc:#}");
                }
                for path in case["absent"].as_array().into_iter().flatten() {
                    let path = path.as_str().unwrap();
                    assert_eq!(at(&doc, path), None, "{name}: {path} should be absent");
                }
                // Every document carries the fields dashboards key on.
                assert_eq!(doc["event"]["action"], "violated-seccomp-policy", "{name}");
                assert!(doc["host"]["name"].is_string(), "{name}");
                // The line as given, but for a /dev/kmsg header (which the case names).
                if !expect.contains_key("event.original") {
                    assert_eq!(doc["event"]["original"], line.trim_end(), "{name}");
                }
            }
            other => panic!("{name}: bad expect {other}"),
        }
    }
}

#[test]
fn decodes_the_typed_fields() {
    let line = fixture("kmsg.txt").lines().next().unwrap().to_string();
    let e = parse_line(&line).unwrap();
    assert_eq!(e.form, RecordForm::Kmsg);
    assert_eq!(e.pid, Some(3984));
    assert_eq!((e.uid, e.gid), (Some(0), Some(0)));
    assert_eq!((e.auid, e.ses), (Some(u32::MAX), Some(u32::MAX)));
    assert_eq!(e.sig, Some(libc::SIGSYS));
    assert_eq!(e.arch, Some(Arch::X86_64));
    assert_eq!(e.arch_raw, Some(0xc000_003e));
    assert_eq!(e.syscall, Some(110));
    assert_eq!(e.syscall_name.as_deref(), Some("getppid"));
    assert_eq!(e.compat, Some(false));
    assert_eq!(e.ip, Some(0x7f0e_e872_a829));
    assert_eq!(e.code, Some(0x8000_0000));
    assert_eq!(e.action, Some(Action::KillProcess));
    assert_eq!(e.serial, Some(28));
    assert_eq!(
        e.timestamp.map(|t| (t.secs, t.millis)),
        Some((1795826927, 796))
    );
    // event.original: the record without /dev/kmsg's `6,370,416209002,-;` header.
    assert_eq!(e.raw, line.split_once(';').unwrap().1);

    let auditd = fixture("audit.log");
    let compat = auditd.lines().find(|l| l.contains(":27)")).unwrap();
    let e = parse_line(compat).unwrap();
    assert_eq!(e.form, RecordForm::Auditd);
    assert_eq!(e.arch, Some(Arch::X86));
    assert_eq!(e.compat, Some(true));
    assert_eq!(e.syscall_name.as_deref(), Some("socketcall"));
    assert_eq!(e.action, Some(Action::Errno(0)));
    assert_eq!(e.action_label().as_deref(), Some("errno"));
}

#[test]
fn every_form_names_the_same_record_the_same_way() {
    let body = r#"audit(1603120490.865:8): auid=1000 uid=0 gid=0 ses=3 pid=1376 comm="nc" exe="/usr/bin/nc.traditional" sig=31 arch=c000003e syscall=49 compat=0 ip=0x7f9ad10d7497 code=0x0"#;
    let forms = [
        (format!("audit: type=1326 {body}"), RecordForm::Kernel),
        (
            format!("[  1.5] audit: type=1326 {body}"),
            RecordForm::Kernel,
        ),
        (
            format!("6,1234,93093589,-;audit: type=1326 {body}"),
            RecordForm::Kmsg,
        ),
        (format!("type=SECCOMP msg={body}"), RecordForm::Auditd),
    ];
    let mut docs = Vec::new();
    for (line, form) in &forms {
        let e = parse_line(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!(e.form, *form, "{line}");
        let mut doc = e.to_ecs("h");
        doc["event"].as_object_mut().unwrap().remove("original");
        docs.push(doc);
    }
    assert!(docs.windows(2).all(|w| w[0] == w[1]), "{docs:#?}");
}

#[test]
fn ecs_with_this_machines_host_name() {
    let line = fixture("dmesg.txt").lines().nth(3).unwrap().to_string();
    let doc = parse_line_ecs(&line).unwrap();
    assert_eq!(doc["host"]["name"], sysfence::audit::host_name());
    assert!(!sysfence::audit::host_name().is_empty());
    assert_eq!(doc["seccomp"]["syscall"]["name"], "bind");
    assert!(parse_line_ecs("type=SYSCALL msg=audit(1.2:3): pid=1").is_none());
}

#[test]
fn the_text_form_is_one_readable_line() {
    let line = fixture("dmesg.txt").lines().nth(3).unwrap().to_string();
    let text = parse_line(&line).unwrap().to_text();
    assert_eq!(
        text,
        "2020-10-19T15:14:50.865Z kill_thread bind(49) x86_64 pid=1376 comm=\"nc\" \
         exe=\"/usr/bin/nc.traditional\" uid=0 auid=1000 sig=SIGSYS"
    );
    assert!(!text.contains('\n'));
}

#[test]
fn hex_names_and_bad_bytes_decode_without_failing() {
    let text = fixture("invalid-utf8.log");
    let mut lines = text.lines();
    let e = parse_line(lines.next().unwrap()).unwrap();
    assert_eq!(e.comm.as_deref(), Some("a\u{fffd}\u{fffd}"));
    assert_eq!(e.syscall_name.as_deref(), Some("read"));
    assert!(parse_line(lines.next().unwrap()).is_none());
}

fn summary_of(name: &str) -> Summary {
    let mut summary = Summary::new();
    for line in fixture(name).lines() {
        summary.add_line(line);
    }
    summary
}

fn row(
    executable: &str,
    syscall: &str,
    arch: &str,
    action: &str,
    count: u64,
    pids: usize,
) -> SummaryRow {
    SummaryRow {
        executable: executable.into(),
        syscall: syscall.into(),
        arch: arch.into(),
        action: action.into(),
        count,
        processes: pids,
    }
}

#[test]
fn summary_groups_by_executable_syscall_and_action() {
    let s = summary_of("audit.log");
    assert_eq!(s.events(), 6);
    assert_eq!(s.skipped(), 11);
    assert_eq!(
        s.rows(),
        vec![
            row(
                "/opt/legacy/bin/legacy32",
                "socketcall",
                "x86",
                "errno",
                1,
                1
            ),
            row("/opt/my app/bin/worker", "ptrace", "x86_64", "trap", 1, 1),
            row(
                "/usr/bin/nc.openbsd",
                "bind",
                "x86_64",
                "kill_process",
                1,
                1
            ),
            row("/usr/sbin/php-fpm8.2", "execve", "x86_64", "log", 2, 2),
            row("/usr/sbin/php-fpm8.2", "fork", "x86_64", "log", 1, 1),
        ]
    );
    let table = s.render();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 7, "{table}");
    assert!(lines[0].starts_with("EXECUTABLE"), "{table}");
    assert_eq!(
        lines[4],
        "/usr/sbin/php-fpm8.2      execve      x86_64  log               2     2"
    );
    assert_eq!(
        lines[6],
        "6 seccomp events in 5 groups; 11 lines skipped (not seccomp records)"
    );

    let k = summary_of("dmesg.txt");
    // Its "kauditd_printk_skb: 3 callbacks suppressed" is a loss, not a skipped line.
    assert_eq!((k.events(), k.skipped(), k.lost().suppressed), (5, 5, 3));
    assert!(k.rows().contains(&row(
        "/usr/bin/python3.11",
        "execve",
        "x86_64",
        "errno",
        3,
        2
    )));
    let raw = summary_of("kmsg.txt");
    assert_eq!((raw.events(), raw.skipped()), (4, 3));
    assert_eq!(raw.rows().len(), 4);
}

#[test]
fn an_empty_summary_says_so() {
    let s = Summary::new();
    assert_eq!(
        s.render(),
        "0 seccomp events in 0 groups; 0 lines skipped (not seccomp records)\n"
    );
}

/// Property-style: every fixture line, cut at every character and mutated at random, parses
/// without a panic, and whatever parses renders as ECS (value and stream), text and summary.
#[test]
fn mutated_fixture_lines_never_panic() {
    let cases: Value = serde_json::from_str(&fixture("cases.json")).unwrap();
    let lines: Vec<String> = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["line"].as_str().unwrap().to_string())
        .collect();
    let mut state: u64 = 0x0DDB_1A5E_5BAD_5EED;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    let noise: Vec<char> = "= \"'()[]:;.,-0123456789abcdefxX\u{1d}\u{0}\n\r\u{fffd}é€🙂typeaudit"
        .chars()
        .collect();
    let mut summary = Summary::new();
    let mut check = |line: &str| {
        if let Some(event) = parse_line(line) {
            let value = event.to_ecs("h");
            let mut streamed = Vec::new();
            event.write_ecs("h", &mut streamed).unwrap();
            assert_eq!(serde_json::from_slice::<Value>(&streamed).unwrap(), value);
            assert!(!event.to_text().contains('\n') || line.contains('\n'));
        }
        summary.add_line(line);
    };
    for line in &lines {
        let chars: Vec<char> = line.chars().collect();
        for cut in 0..=chars.len() {
            check(&chars[..cut].iter().collect::<String>());
        }
        for _ in 0..300 {
            let mut c = chars.clone();
            for _ in 0..=next() % 8 {
                let at = next() % (c.len() + 1);
                let ch = noise[next() % noise.len()];
                match next() % 4 {
                    0 => c.insert(at, ch),
                    1 if at < c.len() => drop(c.remove(at)),
                    2 if at < c.len() => c[at] = ch,
                    _ => {
                        // Duplicate a slice: repeated fields and headers.
                        let end = (at + next() % 40).min(c.len());
                        let piece: Vec<char> = c[at..end].to_vec();
                        c.splice(at..at, piece);
                    }
                }
            }
            check(&c.into_iter().collect::<String>());
        }
    }
    assert!(summary.events() > 0 && summary.skipped() > 0);
    let _ = summary.render();
}

/// Every leaf of a document as `(dotted.path, value)`; arrays are leaves.
fn leaves<'a>(prefix: &str, value: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&path, v, out);
            }
        }
        other => out.push((prefix.to_string(), other)),
    }
}

/// Checks one JSON value against an ECS (or custom) field type; `Err` says why not.
fn check_type(field: &Value, value: &Value) -> Result<(), String> {
    let array = field["array"].as_bool().unwrap_or(false);
    let items: Vec<&Value> = match value {
        Value::Array(items) if array => items.iter().collect(),
        Value::Array(_) => return Err("an array for a single-valued field".into()),
        _ if array => return Err("a single value for an array field".into()),
        v => vec![v],
    };
    for item in items {
        let ok = match field["type"].as_str().unwrap() {
            "keyword" | "match_only_text" | "wildcard" | "constant_keyword" => item.is_string(),
            "long" => item.is_u64() || item.is_i64(),
            "boolean" => item.is_boolean(),
            "date" => item.as_str().is_some_and(|s| {
                let b = s.as_bytes();
                s.len() == 24
                    && b[4] == b'-'
                    && b[10] == b'T'
                    && s.ends_with('Z')
                    && s.chars().filter(|c| c.is_ascii_digit()).count() == 17
            }),
            other => return Err(format!("type {other} not handled by this test")),
        };
        if !ok {
            return Err(format!("{item} is not a {}", field["type"]));
        }
        if let Some(allowed) = field["allowed"].as_array() {
            if !allowed.contains(item) {
                return Err(format!("{item} is not an allowed value"));
            }
        }
    }
    Ok(())
}

/// Every document made from every fixture line is valid for the ECS version it claims: each
/// field is an ECS 8.11.0 field of the right type (allowed values for event.kind, category,
/// type and outcome; each type expected by one of the categories), or one of auditbeat's or
/// sysfence's custom fields; the required fields are there.
#[test]
fn every_fixture_document_is_valid_ecs() {
    let defs: Value = serde_json::from_str(&fixture("ecs-fields.json")).unwrap();
    let mut lines: Vec<String> = Vec::new();
    for name in ["audit.log", "dmesg.txt", "kmsg.txt", "invalid-utf8.log"] {
        lines.extend(fixture(name).lines().map(str::to_string));
    }
    let cases: Value = serde_json::from_str(&fixture("cases.json")).unwrap();
    for case in cases["cases"].as_array().unwrap() {
        lines.push(case["line"].as_str().unwrap().to_string());
    }
    let mut documents = 0;
    for line in &lines {
        let Some(event) = parse_line(line) else {
            continue;
        };
        for resolve in [false, true] {
            let doc = event.to_ecs_with(EcsOptions {
                host_name: "test-host",
                resolve,
            });
            documents += 1;
            assert_eq!(doc["ecs"]["version"], defs["ecs_version"], "{line}");
            let mut fields = Vec::new();
            leaves("", &doc, &mut fields);
            for (path, value) in &fields {
                let field = defs["fields"]
                    .get(path)
                    .or_else(|| defs["custom"].get(path))
                    .or_else(|| {
                        path.starts_with("auditd.data.")
                            .then(|| &defs["custom"]["auditd.data.*"])
                    })
                    .unwrap_or_else(|| panic!("{path} is neither ECS nor a custom field: {line}"));
                if let Err(why) = check_type(field, value) {
                    panic!("{path}: {why}: {line}");
                }
            }
            for (name, field) in defs["fields"].as_object().unwrap() {
                let required = field["required"].as_bool().unwrap_or(false);
                // A record without `audit(...)` (journald's form) has no time to give.
                let exempt = name == "@timestamp" && event.timestamp.is_none();
                if required && !exempt {
                    assert!(at(&doc, name).is_some(), "{name} missing: {line}");
                }
            }
            let categories = doc["event"]["category"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for kind in doc["event"]["type"].as_array().into_iter().flatten() {
                assert!(
                    categories
                        .iter()
                        .any(|c| defs["expected_event_types"][c.as_str().unwrap()]
                            .as_array()
                            .unwrap()
                            .contains(kind)),
                    "event.type {kind} expected by none of {categories:?}: {line}"
                );
            }
        }
    }
    assert!(documents > 40, "{documents}");
}

/// go-libaudit's categorisation of every syscall name is a valid ECS pairing.
#[test]
fn every_syscall_categorization_is_valid_ecs() {
    let defs: Value = serde_json::from_str(&fixture("ecs-fields.json")).unwrap();
    let mut names: Vec<String> = Vec::new();
    for arch in Arch::all() {
        names.extend((0..1000).filter_map(|nr| sysfence::syscalls::name_of(nr, arch)));
    }
    names.extend(["stat64", "umount", "stime", "recv", "send"].map(String::from));
    assert!(names.len() > 500);
    let allowed = |field: &str, v: &str| {
        defs["fields"][field]["allowed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == v)
    };
    for name in &names {
        let (categories, types) = categorization(Some(name));
        assert!(!categories.is_empty() && !types.is_empty(), "{name}");
        for c in categories {
            assert!(allowed("event.category", c), "{name}: {c}");
        }
        for t in types {
            assert!(allowed("event.type", t), "{name}: {t}");
            assert!(
                categories.iter().any(|c| defs["expected_event_types"][c]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|e| e == t)),
                "{name}: {t} not expected by {categories:?}"
            );
        }
    }
    assert_eq!(
        categorization(Some("bind")),
        (&["network"][..], &["start"][..])
    );
    assert_eq!(
        categorization(Some("connect")),
        (&["network"][..], &["connection", "start"][..])
    );
    assert_eq!(categorization(Some("stat")), (&["file"][..], &["info"][..]));
    assert_eq!(
        categorization(Some("no_such")),
        (&["process"][..], &["info"][..])
    );
}

/// The seed's records give what auditbeat's auditd module sends for them (resolve_ids off).
#[test]
fn seed_records_match_auditbeat() {
    let cases: Value = serde_json::from_str(&fixture("auditbeat-parity.json")).unwrap();
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let line = case["line"].as_str().unwrap();
        let doc = parse_line(line)
            .unwrap_or_else(|| panic!("{name}: not parsed"))
            .to_ecs("test-host");
        for (path, want) in case["expect"].as_object().unwrap() {
            assert_eq!(at(&doc, path), Some(want), "{name}: {path} in {doc:#}");
        }
        for path in case["absent"].as_array().into_iter().flatten() {
            let path = path.as_str().unwrap();
            assert_eq!(at(&doc, path), None, "{name}: {path} should be absent");
        }
        // Nothing auditbeat moves out of auditd.data stays there.
        for key in ["auid", "uid", "gid", "ses", "pid", "comm", "exe", "subj"] {
            assert!(
                doc["auditd"]["data"].get(key).is_none(),
                "{name}: data.{key}"
            );
        }
    }
}

/// Names come from the local account database when asked, and from the record (ENRICHED)
/// either way; an unset auid has none.
#[test]
fn names_resolve_locally_when_asked() {
    let line = fixture("dmesg.txt").lines().nth(3).unwrap().to_string(); // uid 0, gid 0
    let event = parse_line(&line).unwrap();
    let on = event.to_ecs_with(EcsOptions {
        host_name: "h",
        resolve: true,
    });
    let off = event.to_ecs("h");
    assert_eq!(on["user"]["name"], "root");
    assert_eq!(on["user"]["group"]["name"], "root");
    assert_eq!(on["auditd"]["summary"]["actor"]["secondary"], "root");
    assert_eq!(
        on["user"]["audit"].get("name").map(|v| v.as_str().unwrap()),
        sysfence::audit::user_name(1000).as_deref()
    );
    assert!(off["user"].get("name").is_none());
    assert_eq!(off["auditd"]["summary"]["actor"]["secondary"], "0");
    assert_eq!(parse_line_ecs(&line).unwrap()["user"]["name"], "root");
    assert!(parse_line_ecs_with(&line, false).unwrap()["user"]
        .get("name")
        .is_none());

    let unset = fixture("kmsg.txt").lines().next().unwrap().to_string();
    let doc = parse_line_ecs(&unset).unwrap();
    assert!(doc["user"].get("audit").is_none(), "{doc:#}");
    assert_eq!(doc["auditd"]["summary"]["actor"]["primary"], "unset");
}

/// Lines anyone can write (a journald `audit[1]: SECCOMP ...` line through `logger`, or any
/// line of a log file) are as long as they like. Two once took time growing with the square of
/// their length: a record of a hundred thousand different keys (each key looked for again in
/// every later field: 11 s for one 1 MB line), and `type=` repeated with no space (each one's
/// token scanned to the line's end: 1 s). Both must now take a moment, and the document must
/// still keep every key, with the last value of a repeated one.
#[test]
fn long_hostile_lines_take_linear_time() {
    // Not a speed target: a guard that turns minutes into a failure (it takes well under a
    // second in a debug build).
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        hostile_lines();
        let _ = done.send(());
    });
    match finished.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(()) => {}
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("still parsing after 60 s"),
        Err(e) => panic!("the parsing thread failed: {e}"),
    }
}

fn hostile_lines() {
    let keys: String = (0..100_000).map(|i| format!(" k{i}=1")).collect();
    for line in [
        format!("type=SECCOMP msg=audit(1.2:3): a=1 a=2{keys} a=3"),
        format!("Dec 02 16:00:00 host audit[1]: SECCOMP a=1 a=2{keys} a=3"),
    ] {
        let doc = parse_line_ecs_with(&line, false).expect("a record");
        let data = at(&doc, "auditd.data").and_then(Value::as_object).unwrap();
        assert_eq!(data.len(), 100_001, "{}", &line[..40]);
        assert_eq!(data["a"], "3");
        assert_eq!(data["k99999"], "1");
    }
    let types = format!("SECCOMP {}", "type=".repeat(200_000));
    assert!(parse_line(&types).is_none());
    assert!(parse_line(&format!("{types} type=SECCOMP msg=audit(1.2:3): pid=1")).is_none());
}
