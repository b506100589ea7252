// SPDX-License-Identifier: MIT OR Apache-2.0
//! `sysfence audit [FILE|-] [--follow] [--format ecs|text] [--summary]`: reads the kernel's
//! seccomp records from a log file, standard input or `/dev/kmsg` and prints ECS documents, a
//! readable line each, or a summary table. A bad line is skipped, never fatal; a source that
//! cannot be read is a clear error (exit 1).

use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::process::ExitCode;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Duration;
use sysfence::audit::{
    host_name, is_own_ecs_output, may_hold_record, parse_loss, parse_time, Decoder, EcsOptions,
    EventFilter, LossTally, Summary,
};

/// The kernel log device: one record per read.
const KMSG: &str = "/dev/kmsg";

/// How often a followed file is polled for new lines.
const POLL: Duration = Duration::from_millis(200);

/// How each event is printed.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One Elastic Common Schema JSON document a line (Filebeat's ndjson parser reads it).
    Ecs,
    /// One readable line an event.
    Text,
}

/// Arguments of `sysfence audit`.
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Where to read: a log file (audit.log, kern.log, saved dmesg or journalctl output), `-` for
    /// standard input, or /dev/kmsg for the kernel's log buffer. Default: standard input, or
    /// /dev/kmsg with --follow.
    #[arg(value_name = "FILE|-")]
    pub file: Option<String>,
    /// Keep reading and print each event as it comes: /dev/kmsg from now on (no FILE), or FILE
    /// as it grows from its current end (tail -f; follows rotation).
    #[arg(short, long)]
    pub follow: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Ecs)]
    pub format: Format,
    /// Print a table of the violations grouped by executable, syscall and action, and how many
    /// lines were skipped: what a policy would have broken after a log-mode run.
    #[arg(long, conflicts_with = "follow")]
    pub summary: bool,
    /// Do not look uid, gid and auid up in this machine's account database (for logs from
    /// another machine): the documents then carry only the names auditd wrote in the record.
    #[arg(long)]
    pub no_resolve: bool,
    /// Only events of these process ids (comma-separated, or the option repeated).
    #[arg(long, value_delimiter = ',', value_name = "PID")]
    pub pid: Vec<u32>,
    /// Only events of these executables: a full path, or a file name (`nc` matches
    /// /usr/bin/nc).
    #[arg(long, value_delimiter = ',', value_name = "PATH|NAME")]
    pub exe: Vec<String>,
    /// Only events of these thread names (`comm`).
    #[arg(long, value_delimiter = ',', value_name = "NAME")]
    pub comm: Vec<String>,
    /// Only events of these syscalls, by name or number.
    #[arg(long, value_delimiter = ',', value_name = "NAME|NR")]
    pub syscall: Vec<String>,
    /// Only events of these actions: allow, log, errno, trap, trace, notify, kill_thread,
    /// kill_process, kill (either kill).
    #[arg(long, value_delimiter = ',', value_name = "ACTION")]
    pub action: Vec<String>,
    /// Only events at or after this time: 2026-11-28T00:48:47Z, 2026-11-28 00:48 (UTC),
    /// 2026-11-28, @UNIX_SECONDS.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
}

/// The filter the options ask for, or what is wrong with them.
fn event_filter(args: &AuditArgs) -> Result<EventFilter, String> {
    let time = |opt: &str, v: &Option<String>| {
        v.as_deref()
            .map(parse_time)
            .transpose()
            .map_err(|e| format!("{opt}: {e}"))
    };
    let filter = EventFilter {
        pids: args.pid.clone(),
        exes: args.exe.clone(),
        comms: args.comm.clone(),
        syscalls: args.syscall.clone(),
        actions: args.action.clone(),
        since: time("--since", &args.since)?,
        until: time("--until", &args.until)?,
    };
    filter.validate()?;
    Ok(filter)
}

/// Why `sysfence audit` refuses its own ECS output as input.
const OWN_OUTPUT: &str = "this is sysfence audit's own ECS output (JSON documents), not a \
kernel log: read the log it came from (audit.log, kern.log, /dev/kmsg), or filter the JSON with \
jq (jq 'select(.process.pid == 1376)')";

/// Where the lines come from.
enum Source<'a> {
    Stdin,
    File(&'a str),
    FollowFile(&'a str),
    Kmsg,
    FollowKmsg,
}

/// Why reading stopped early.
enum Stop {
    /// The source failed: exit 1 with a message.
    Read(String, io::Error),
    /// Standard output failed (a closed pipe ends quietly).
    Write(io::Error),
    /// The input is not a log: exit 1 with this message.
    Input(String),
}

/// Runs `sysfence audit`.
pub fn run(args: &AuditArgs) -> ExitCode {
    let filter = match event_filter(args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sysfence audit: {e}");
            return ExitCode::from(1);
        }
    };
    let source = match (args.file.as_deref(), args.follow) {
        (None, false) | (Some("-"), _) => Source::Stdin,
        (None, true) => Source::FollowKmsg,
        (Some(KMSG), false) => Source::Kmsg,
        (Some(KMSG), true) => Source::FollowKmsg,
        (Some(path), false) => Source::File(path),
        (Some(path), true) => Source::FollowFile(path),
    };
    let flush_each = matches!(
        source,
        Source::Stdin | Source::FollowFile(_) | Source::FollowKmsg
    );
    let mut sink = Sink {
        out: io::BufWriter::new(io::stdout().lock()),
        format: args.format,
        resolve: !args.no_resolve,
        summary: args.summary.then(Summary::new),
        flush_each,
        follow: args.follow,
        filter,
        filtered: 0,
        events: 0,
        skipped: 0,
        lost: LossTally::default(),
        buf: Vec::new(),
        decoder: Decoder::new(),
    };
    let result = match source {
        Source::Stdin => {
            let stdin = io::stdin();
            if args.file.is_none() && stdin.is_terminal() {
                eprintln!(
                    "sysfence audit: reading audit lines from standard input (Ctrl-D ends); \
                     give a FILE, /dev/kmsg, or --follow"
                );
            }
            read_lines(stdin.lock(), &mut sink).map_err(|e| e.on("standard input"))
        }
        Source::File(path) => match File::open(path) {
            Ok(f) if sink.summary.is_none() => read_chunks(f, &mut sink).map_err(|e| e.on(path)),
            Ok(f) => read_lines(BufReader::new(f), &mut sink).map_err(|e| e.on(path)),
            Err(e) => Err(Stop::Read(path.to_string(), e)),
        },
        Source::FollowFile(path) => follow_file(path, &mut sink),
        Source::Kmsg => read_kmsg(false, &mut sink),
        Source::FollowKmsg => read_kmsg(true, &mut sink),
    };
    let result = result.and_then(|()| sink.finish().map_err(Stop::Write));
    // Said on every path, also after an error: what was printed is incomplete. (A summary
    // carries the warning in its table.)
    if let Some(w) = sink
        .summary
        .is_none()
        .then(|| sink.lost.warning())
        .flatten()
    {
        eprintln!("sysfence audit: {w}");
    }
    match result {
        Ok(()) => {
            if sink.summary.is_none() && sink.events == 0 {
                let from = args.file.as_deref().unwrap_or("standard input");
                if sink.filtered > 0 {
                    eprintln!(
                        "sysfence audit: no seccomp record in {from} matches the filters ({} left out)",
                        sink.filtered
                    );
                } else {
                    eprintln!(
                        "sysfence audit: no seccomp records in {from} ({} line{} skipped)",
                        sink.skipped,
                        if sink.skipped == 1 { "" } else { "s" }
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(Stop::Input(what)) => {
            eprintln!("sysfence audit: {what}");
            ExitCode::from(1)
        }
        Err(Stop::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Stop::Write(e)) => {
            eprintln!("sysfence audit: cannot write the output: {e}");
            ExitCode::from(1)
        }
        Err(Stop::Read(what, e)) => {
            eprintln!("sysfence audit: cannot read {what}: {e}{}", hint(&what, &e));
            ExitCode::from(1)
        }
    }
}

/// What to do about a read error, for the cases people meet.
fn hint(what: &str, err: &io::Error) -> &'static str {
    match (what == KMSG, err.kind()) {
        (true, io::ErrorKind::PermissionDenied) => {
            " (reading the kernel log needs root or CAP_SYSLOG while kernel.dmesg_restrict=1)"
        }
        (false, io::ErrorKind::PermissionDenied) => {
            " (auditd's log is readable by root only; run as root or give the reader the log's group)"
        }
        _ => "",
    }
}

/// Prints events (or counts them for the summary) and counts skipped lines.
struct Sink<W: Write> {
    out: W,
    format: Format,
    resolve: bool,
    summary: Option<Summary>,
    flush_each: bool,
    /// Reading for ever: losses are said as they come.
    follow: bool,
    /// Which events to print.
    filter: EventFilter,
    /// Events the filter left out.
    filtered: u64,
    events: u64,
    skipped: u64,
    /// Lines saying the kernel dropped records.
    lost: LossTally,
    /// The current line's output.
    buf: Vec<u8>,
    /// Decodes the lines (its buffers reused from one to the next).
    decoder: Decoder,
}

/// What one line was.
enum Rendered {
    /// A seccomp record, printed.
    Event,
    /// A line saying the kernel dropped records, printed as such.
    Lost(sysfence::audit::Loss),
    /// A seccomp record the filter leaves out.
    Filtered,
    /// A line of sysfence audit's own ECS output.
    OwnOutput,
    /// Not a seccomp record.
    Skipped,
    /// An empty line.
    Blank,
}

/// Appends the output of one line to `out`.
fn render(
    line: &str,
    format: Format,
    resolve: bool,
    filter: &EventFilter,
    decoder: &mut Decoder,
    out: &mut Vec<u8>,
) -> Rendered {
    if line.starts_with('{') && is_own_ecs_output(line) {
        return Rendered::OwnOutput;
    }
    let Some(event) = decoder.decode(line) else {
        if let Some(loss) = parse_loss(line) {
            match format {
                Format::Ecs => {
                    let doc = loss.to_ecs(host_name());
                    let _ = serde_json::to_writer(&mut *out, &doc);
                }
                Format::Text => out.extend_from_slice(loss.to_text().as_bytes()),
            }
            out.push(b'\n');
            return Rendered::Lost(loss);
        }
        return if line.trim().is_empty() {
            Rendered::Blank
        } else {
            Rendered::Skipped
        };
    };
    if !filter.matches(event) {
        return Rendered::Filtered;
    }
    match format {
        Format::Ecs => event.append_ecs(
            EcsOptions {
                host_name: host_name(),
                resolve,
            },
            out,
        ),
        Format::Text => out.extend_from_slice(event.to_text().as_bytes()),
    }
    out.push(b'\n');
    Rendered::Event
}

impl<W: Write> Sink<W> {
    /// Handles one line or kmsg record.
    fn line(&mut self, line: &str) -> Result<(), Stop> {
        if line.starts_with('{') && is_own_ecs_output(line) {
            return Err(Stop::Input(OWN_OUTPUT.to_string()));
        }
        if let Some(summary) = &mut self.summary {
            summary.add_line_where(line, &self.filter);
            return Ok(());
        }
        self.buf.clear();
        match render(
            line,
            self.format,
            self.resolve,
            &self.filter,
            &mut self.decoder,
            &mut self.buf,
        ) {
            Rendered::Event => self.events += 1,
            Rendered::Filtered => self.filtered += 1,
            Rendered::OwnOutput => return Err(Stop::Input(OWN_OUTPUT.to_string())),
            Rendered::Lost(loss) => {
                self.lost.add(&loss);
                if self.follow {
                    // Say it when it happens, not only at the end.
                    eprintln!(
                        "sysfence audit: warning: {}: the events are incomplete",
                        loss.describe()
                    );
                }
            }
            Rendered::Skipped => self.skipped += 1,
            Rendered::Blank => {}
        }
        if !self.buf.is_empty() {
            self.out.write_all(&self.buf).map_err(Stop::Write)?;
            if self.flush_each {
                self.out.flush().map_err(Stop::Write)?;
            }
        }
        Ok(())
    }

    /// Counts records a reader lost itself (a `/dev/kmsg` overrun; 0: an unknown number).
    fn overrun(&mut self, records: u64) {
        match &mut self.summary {
            Some(summary) => summary.add_overrun(records),
            None => self.lost.add_overrun(records),
        }
    }

    /// Prints the summary, if one was asked for, and flushes.
    fn finish(&mut self) -> io::Result<()> {
        if let Some(summary) = &self.summary {
            self.out.write_all(summary.render().as_bytes())?;
        }
        self.out.flush()
    }
}

impl Stop {
    /// Names the source of a read error.
    fn on(self, what: &str) -> Stop {
        match self {
            Stop::Read(_, e) => Stop::Read(what.to_string(), e),
            other => other,
        }
    }
}

/// Reads every line to the end. Invalid UTF-8 is replaced, never fatal.
fn read_lines(mut reader: impl BufRead, sink: &mut Sink<impl Write>) -> Result<(), Stop> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => sink.line(&lossy(&buf))?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Stop::Read(String::new(), e)),
        }
    }
}

/// A line as text: borrowed when it is UTF-8 (checking is much faster than
/// `from_utf8_lossy`'s chunking), invalid bytes replaced otherwise.
fn lossy(line: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(line) {
        Ok(text) => text.into(),
        Err(_) => String::from_utf8_lossy(line),
    }
}

/// True for a line of white space only (what `str::trim` removes whole), which is not counted
/// as a skipped line.
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| matches!(b, b' ' | b'\t'..=b'\r'))
        || (!line.is_ascii() && lossy(line).trim().is_empty())
}

/// What a worker counted in one chunk.
#[derive(Default)]
struct Counts {
    events: u64,
    skipped: u64,
    filtered: u64,
    lost: LossTally,
    own_output: bool,
}

/// A chunk's output and counts.
type ChunkOutput = (Vec<u8>, Counts);

/// Bytes a worker gets at a time: whole lines, about this many.
const CHUNK: usize = 1 << 20;

/// Reads a file with every core: the file is cut into chunks at line ends, the chunks are
/// rendered by one worker thread per core (round robin), and the outputs are written in the
/// order of the chunks, so the output is what reading line by line gives. At most two chunks
/// per worker are in flight either way, so memory stays bounded whatever the file's size.
fn read_chunks(file: File, sink: &mut Sink<impl Write>) -> Result<(), Stop> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(16));
    let (format, resolve) = (sink.format, sink.resolve);
    let filter = &sink.filter.clone();
    std::thread::scope(|scope| {
        let mut inputs = Vec::with_capacity(workers);
        let mut outputs = Vec::with_capacity(workers);
        let mut spares = Vec::with_capacity(workers);
        // Buffers go round instead of being allocated (and page-faulted in) for every chunk:
        // read chunks back to the reader, written outputs back to their worker.
        let (give_back, returned) = sync_channel::<Vec<u8>>(2 * workers);
        for _ in 0..workers {
            let (to_worker, chunks) = sync_channel::<Vec<u8>>(1);
            let (done, from_worker) = sync_channel::<ChunkOutput>(1);
            let (spare, spared) = sync_channel::<Vec<u8>>(2);
            inputs.push(to_worker);
            outputs.push(from_worker);
            spares.push(spare);
            let give_back = give_back.clone();
            scope.spawn(move || {
                let mut decoder = Decoder::new();
                for chunk in chunks {
                    let mut out = spared.try_recv().unwrap_or_default();
                    out.clear();
                    out.reserve(chunk.len() * 3);
                    let mut c = Counts::default();
                    // Most lines hold nothing to decode: they are counted as bytes, and only
                    // the others are made text.
                    let mut each = |line: &[u8]| {
                        let rendered = if may_hold_record(line) {
                            let text = lossy(line);
                            render(&text, format, resolve, filter, &mut decoder, &mut out)
                        } else if is_blank(line) {
                            Rendered::Blank
                        } else {
                            Rendered::Skipped
                        };
                        match rendered {
                            Rendered::Event => c.events += 1,
                            Rendered::Lost(loss) => c.lost.add(&loss),
                            Rendered::Filtered => c.filtered += 1,
                            Rendered::OwnOutput => c.own_output = true,
                            Rendered::Skipped => c.skipped += 1,
                            Rendered::Blank => {}
                        }
                    };
                    let mut start = 0;
                    for end in memchr::memchr_iter(b'\n', &chunk) {
                        each(&chunk[start..end]);
                        start = end + 1;
                    }
                    each(&chunk[start..]);
                    let _ = give_back.try_send(chunk);
                    if done.send((out, c)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(give_back);
        let reader = scope.spawn(move || split_chunks(file, &inputs, &returned));
        let mut written = Ok(());
        for i in 0.. {
            let Ok((out, c)) = outputs[i % workers].recv() else {
                break;
            };
            if c.own_output {
                written = Err(Stop::Input(OWN_OUTPUT.to_string()));
                break;
            }
            sink.events += c.events;
            sink.skipped += c.skipped;
            sink.filtered += c.filtered;
            sink.lost.merge(&c.lost);
            if let Err(e) = sink.out.write_all(&out) {
                written = Err(Stop::Write(e));
                break;
            }
            let _ = spares[i % workers].try_send(out);
        }
        drop(outputs); // Stops the workers, then the reader, after a write error.
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reader thread panicked")));
        written?;
        read.map_err(|e| Stop::Read(String::new(), e))
    })
}

/// Reads `file` in chunks that end at a line end and hands them to `workers` in turn. Stops
/// quietly when a worker has gone (the output failed).
fn split_chunks(
    mut file: File,
    workers: &[SyncSender<Vec<u8>>],
    returned: &Receiver<Vec<u8>>,
) -> io::Result<()> {
    let mut carry: Vec<u8> = Vec::new();
    for turn in 0.. {
        let mut chunk = returned.try_recv().unwrap_or_default();
        chunk.clear();
        chunk.append(&mut carry);
        let mut eof = false;
        // Fill to CHUNK, and on until a line end when one line is longer than that.
        while !eof && (chunk.len() < CHUNK || !chunk.contains(&b'\n')) {
            let want = CHUNK.max(chunk.len() / 2);
            chunk.reserve(want);
            let got = loop {
                match (&mut file).take(want as u64).read_to_end(&mut chunk) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other,
                }
            };
            eof = got? == 0;
        }
        if !eof {
            let cut = chunk
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(chunk.len(), |p| p + 1);
            carry = chunk.split_off(cut);
        }
        if chunk.is_empty() {
            return Ok(());
        }
        if workers[turn % workers.len()].send(chunk).is_err() || eof {
            return Ok(());
        }
    }
    Ok(())
}

/// Follows a growing file from its current end, like `tail -F`. After each quiet spell the
/// path is looked at again: a file renamed away (log rotation) is read to its end first, so
/// that nothing written to it just before the rename is lost, then the new file at the path is
/// read from its start; a file that shrank (truncated in place, `copytruncate`) is read again
/// from its start. Between the rename and the new file's creation the path may be missing for
/// a while: the old file is kept until a new one appears.
fn follow_file(path: &str, sink: &mut Sink<impl Write>) -> Result<(), Stop> {
    let failed = |e| Stop::Read(path.to_string(), e);
    let mut file = File::open(path).map_err(failed)?;
    let mut pos = file.seek(SeekFrom::End(0)).map_err(failed)?;
    let mut identity = file
        .metadata()
        .map(|m| (m.dev(), m.ino()))
        .map_err(failed)?;
    eprintln!("sysfence audit: following {path} from its end (Ctrl-C stops)");
    let mut reader = BufReader::new(file);
    let mut partial = Vec::new();
    loop {
        pos += drain(&mut reader, &mut partial, sink).map_err(|e| e.on(path))?;
        std::thread::sleep(POLL);
        let Ok(meta) = std::fs::metadata(path) else {
            continue; // Between rotation's rename and the new file's creation.
        };
        if (meta.dev(), meta.ino()) != identity {
            // Rotated: what the old file got since the last read, then the new file.
            drain(&mut reader, &mut partial, sink).map_err(|e| e.on(path))?;
            if !partial.is_empty() {
                sink.line(&lossy(&partial))?;
                partial.clear();
            }
            let Ok(file) = File::open(path) else {
                continue; // Gone again: try at the next poll.
            };
            identity = file
                .metadata()
                .map(|m| (m.dev(), m.ino()))
                .unwrap_or(identity);
            reader = BufReader::new(file);
            pos = 0;
        } else if meta.len() < pos {
            // Truncated in place: read it again from its start.
            reader.seek(SeekFrom::Start(0)).map_err(failed)?;
            partial.clear();
            pos = 0;
        }
    }
}

/// Reads every complete line available; a line still being written stays in `partial`.
/// Returns the bytes read.
fn drain(
    reader: &mut BufReader<File>,
    partial: &mut Vec<u8>,
    sink: &mut Sink<impl Write>,
) -> Result<u64, Stop> {
    let mut read = 0;
    loop {
        match reader.read_until(b'\n', partial) {
            Ok(0) => return Ok(read),
            Ok(n) => {
                read += n as u64;
                if partial.ends_with(b"\n") {
                    sink.line(&lossy(partial))?;
                    partial.clear();
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Stop::Read(String::new(), e)),
        }
    }
}

/// Counts the records lost when the kernel's ring buffer overruns a `/dev/kmsg` reader: the
/// read then fails with EPIPE, and the next one returns the oldest record still there, whose
/// sequence number says how many were overwritten.
#[derive(Debug, Default)]
struct KmsgLoss {
    /// The sequence number of the last record read.
    last: Option<u64>,
    /// An EPIPE was seen since the last record.
    overrun: bool,
    /// Records lost so far.
    total: u64,
}

impl KmsgLoss {
    /// The reader was overrun (EPIPE).
    fn overrun(&mut self) {
        self.overrun = true;
    }

    /// A record was read; returns how many records were lost just before it, if any.
    fn record(&mut self, record: &[u8]) -> Option<u64> {
        let seq = kmsg_sequence(record);
        let lost = match (self.last, seq) {
            (Some(last), Some(seq)) if seq > last + 1 => Some(seq - last - 1),
            // Overrun but no way to count (no sequence before or now): at least one.
            (_, _) if self.overrun => Some(0),
            _ => None,
        };
        self.overrun = false;
        if seq.is_some() {
            self.last = seq;
        }
        if let Some(n) = lost {
            self.total += n;
        }
        lost
    }
}

/// The sequence number of a `/dev/kmsg` record (`PRIORITY,SEQUENCE,MICROSECONDS,FLAGS;...`).
fn kmsg_sequence(record: &[u8]) -> Option<u64> {
    let head = record.split(|&b| b == b';').next()?;
    let seq = head.split(|&b| b == b',').nth(1)?;
    std::str::from_utf8(seq).ok()?.parse().ok()
}

/// Reads `/dev/kmsg`: the whole buffer then stops, or (`follow`) from now on, for ever.
fn read_kmsg(follow: bool, sink: &mut Sink<impl Write>) -> Result<(), Stop> {
    let failed = |e| Stop::Read(KMSG.to_string(), e);
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if !follow {
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut kmsg = options.open(KMSG).map_err(failed)?;
    if let Some(pid) = auditd_pid() {
        eprintln!(
            "sysfence audit: note: auditd is running (pid {pid}); the kernel hands seccomp \
             records to it instead of the kernel log: read /var/log/audit/audit.log"
        );
    }
    if follow {
        kmsg.seek(SeekFrom::End(0)).map_err(failed)?;
        eprintln!("sysfence audit: following {KMSG} from now on (Ctrl-C stops)");
    }
    let mut loss = KmsgLoss::default();
    let result = kmsg_records(&mut kmsg, follow, &mut loss, sink);
    if loss.total > 0 {
        eprintln!(
            "sysfence audit: {} kernel log record{} lost in all: the ring buffer overran the \
             reader",
            loss.total,
            if loss.total == 1 { " was" } else { "s were" }
        );
    }
    result
}

/// Reads records from a `/dev/kmsg`-like source until its end (non-blocking) or for ever:
/// one record per read; EPIPE means records were overwritten before they were read, which is
/// said on stderr with the count, and reading goes on with the oldest record left.
fn kmsg_records(
    kmsg: &mut impl Read,
    follow: bool,
    loss: &mut KmsgLoss,
    sink: &mut Sink<impl Write>,
) -> Result<(), Stop> {
    let failed = |e| Stop::Read(KMSG.to_string(), e);
    // One record per read; a record is at most a few KiB (text plus dictionary lines).
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match kmsg.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                // Continuation lines (" SUBSYSTEM=...") follow the record's first line.
                let record = buf[..n].split(|&b| b == b'\n').next().unwrap_or(&[]);
                let lost = loss.record(record);
                if let Some(n) = lost {
                    sink.overrun(n);
                }
                match lost {
                    Some(0) => eprintln!(
                        "sysfence audit: the kernel's ring buffer overran the reader: records \
                         were lost"
                    ),
                    Some(lost) => eprintln!(
                        "sysfence audit: the kernel's ring buffer overran the reader: {lost} \
                         record{} lost",
                        if lost == 1 { "" } else { "s" }
                    ),
                    None => {}
                }
                sink.line(&lossy(record))?;
            }
            Err(e) if e.raw_os_error() == Some(libc::EPIPE) => loss.overrun(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && !follow => return Ok(()),
            Err(e) => return Err(failed(e)),
        }
    }
}

/// The pid of a running audit daemon, which takes the kernel's records away from the log.
fn auditd_pid() -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let comm = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            (comm.trim_end() == "auditd").then_some(pid)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `/dev/kmsg` stand-in: each read gives the next record or error.
    struct Script(std::collections::VecDeque<io::Result<&'static str>>);

    impl Read for Script {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.pop_front() {
                None => Err(io::ErrorKind::WouldBlock.into()),
                Some(Err(e)) => Err(e),
                Some(Ok(record)) => {
                    buf[..record.len()].copy_from_slice(record.as_bytes());
                    Ok(record.len())
                }
            }
        }
    }

    fn sink() -> Sink<Vec<u8>> {
        Sink {
            out: Vec::new(),
            format: Format::Text,
            resolve: false,
            summary: None,
            flush_each: false,
            follow: false,
            filter: EventFilter::default(),
            filtered: 0,
            events: 0,
            skipped: 0,
            lost: LossTally::default(),
            buf: Vec::new(),
            decoder: Decoder::new(),
        }
    }

    const RECORD: &str = "audit: type=1326 audit(1700000000.000:1): pid=7 comm=\"a\" sig=31 \
                          arch=c000003e syscall=0 compat=0 ip=0x1 code=0x80000000";

    #[test]
    fn an_overrun_kmsg_reader_counts_the_lost_records_and_goes_on() {
        let first = Box::leak(format!("6,10,1,-;{RECORD}").into_boxed_str());
        let second = Box::leak(format!("6,11,2,-;{RECORD}\n SUBSYSTEM=x").into_boxed_str());
        let after = Box::leak(format!("6,42,3,-;{RECORD}").into_boxed_str());
        let next = Box::leak(format!("6,43,4,-;{RECORD}").into_boxed_str());
        let mut script = Script(
            [
                Ok(&*first),
                Ok(&*second),
                Err(io::Error::from_raw_os_error(libc::EPIPE)),
                Ok(&*after),
                Ok(&*next),
            ]
            .into(),
        );
        let (mut loss, mut sink) = (KmsgLoss::default(), sink());
        kmsg_records(&mut script, false, &mut loss, &mut sink)
            .ok()
            .unwrap();
        assert_eq!(loss.total, 30, "records 12 to 41 were overwritten");
        assert_eq!(sink.events, 4, "every record read is still printed");
        assert_eq!(sink.lost.overrun, 30, "the final warning counts them");
        assert_eq!(String::from_utf8(sink.out).unwrap().lines().count(), 4);
    }

    #[test]
    fn kmsg_loss_without_sequence_numbers_still_says_so() {
        let mut loss = KmsgLoss::default();
        assert_eq!(loss.record(b"6,5,1,-;x"), None);
        assert_eq!(loss.record(b"6,6,1,-;x"), None);
        loss.overrun();
        assert_eq!(loss.record(b"garbage"), Some(0));
        assert_eq!(loss.record(b"6,9,1,-;x"), Some(2));
        assert_eq!(loss.total, 2);
        assert_eq!(kmsg_sequence(b"4,77,1000,c;text"), Some(77));
        assert_eq!(kmsg_sequence(b"no header"), None);
    }
}
