//! `--ndjson`: one document per line in, one envelope per line out, in constant memory.
//!
//! Each line (its `\n` excluded; a `\r` before it is JSON whitespace) is answered with
//! `refund_rules::json::run_line`: the envelope `run_bytes` gives for that line alone, compact,
//! with `details.line` (numbered from 1) on errors. Every line gets exactly one answer, empty
//! lines included (`invalid_input`), so output line N always answers input line N. A line over
//! the engine's `MAX_INPUT_BYTES` is counted, not held, and answered with the engine's size
//! envelope. Memory is bounded by that limit plus the I/O buffers, whatever the input's length.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, ErrorKind, IsTerminal, Read, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use refund_rules::json::{MAX_INPUT_BYTES, Operation, run_line};

/// Bytes read from the input at a time.
const READ_BUFFER: usize = 256 * 1024;
/// Bytes of output collected before a write.
const WRITE_BUFFER: usize = 256 * 1024;
/// Lines between two updates of the progress bar.
const PROGRESS_EVERY: u64 = 1024;

/// The input of a stream: stdin or a file.
pub struct Source {
    input: Box<dyn Read>,
    /// Its length when known (for the progress bar).
    total: Option<u64>,
    /// Its name, for messages.
    name: String,
}

impl Source {
    /// Opens the input (`None` or `-` is stdin). An unopenable file is a usage error, answered
    /// as one before any line is read.
    pub fn open(file: Option<&str>) -> Result<Self, String> {
        match file {
            None | Some("-") => Ok(Self {
                input: Box::new(std::io::stdin().lock()),
                total: None,
                name: "stdin".to_owned(),
            }),
            Some(path) => {
                let f =
                    std::fs::File::open(path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
                let total = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
                Ok(Self {
                    input: Box::new(f),
                    total,
                    name: format!("`{path}`"),
                })
            }
        }
    }
}

/// How a stream ended, for the exit status.
#[derive(Debug)]
pub enum End {
    /// Every line was answered (or the reader of stdout stopped early: `| head`).
    Answered,
    /// Reading or writing failed midway: reported on stderr, exit 2.
    IoError,
}

/// One line as read: its bytes (in the reader's buffer), or the length of one over the limit.
enum Line {
    Held,
    TooLarge(usize),
}

/// Reads lines into `buf`, holding at most `MAX_INPUT_BYTES + 1` bytes of any one line.
struct Lines<R> {
    reader: BufReader<R>,
    buf: Vec<u8>,
    /// Bytes consumed so far (for the progress bar).
    consumed: u64,
}

impl<R: Read> Lines<R> {
    fn new(reader: R) -> Self {
        Self {
            reader: BufReader::with_capacity(READ_BUFFER, reader),
            buf: Vec::new(),
            consumed: 0,
        }
    }

    /// The next line, `None` at the end of the input.
    fn next(&mut self) -> std::io::Result<Option<Line>> {
        self.buf.clear();
        let limit = u64::try_from(MAX_INPUT_BYTES)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf)?;
        self.count(read);
        if read == 0 {
            return Ok(None);
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            return Ok(Some(Line::Held));
        }
        if self.buf.len() <= MAX_INPUT_BYTES {
            // The last line, without a final newline.
            return Ok(Some(Line::Held));
        }
        let rest = self.skip_line()?;
        Ok(Some(Line::TooLarge(self.buf.len().saturating_add(rest))))
    }

    /// Consumes the rest of the current line and its newline; returns the bytes before it.
    fn skip_line(&mut self) -> std::io::Result<usize> {
        let mut skipped = 0_usize;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(skipped);
            }
            let (before, used) = match chunk.iter().position(|&b| b == b'\n') {
                Some(at) => (at, at.saturating_add(1)),
                None => (chunk.len(), chunk.len()),
            };
            let done = used > before;
            self.reader.consume(used);
            self.count(used);
            skipped = skipped.saturating_add(before);
            if done {
                return Ok(skipped);
            }
        }
    }

    fn count(&mut self, bytes: usize) {
        self.consumed = self
            .consumed
            .saturating_add(u64::try_from(bytes).unwrap_or(u64::MAX));
    }

    /// Nothing read ahead: the next read may wait for the producer.
    fn drained(&self) -> bool {
        self.reader.buffer().is_empty()
    }
}

/// Counts of answers by code, for the closing summary.
#[derive(Default)]
struct Tally {
    lines: u64,
    ok: u64,
    errors: BTreeMap<&'static str, u64>,
}

impl Tally {
    fn add(&mut self, code: Option<&'static str>) {
        self.lines = self.lines.saturating_add(1);
        let slot = match code {
            None => &mut self.ok,
            Some(code) => self.errors.entry(code).or_default(),
        };
        *slot = slot.saturating_add(1);
    }

    /// `ndjson: 100000 lines: ok 99000, exceeds_refundable 900, invalid_input 100` (ok first,
    /// then the codes by count, most frequent first).
    fn summary(&self) -> String {
        let mut parts: Vec<(&str, u64)> = self.errors.iter().map(|(c, n)| (*c, *n)).collect();
        parts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        if self.ok > 0 {
            parts.insert(0, ("ok", self.ok));
        }
        let counts: Vec<String> = parts.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let noun = if self.lines == 1 { "line" } else { "lines" };
        if counts.is_empty() {
            format!("ndjson: {} {noun}", self.lines)
        } else {
            format!("ndjson: {} {noun}: {}", self.lines, counts.join(", "))
        }
    }
}

/// The progress bar: drawn on stderr only when stderr is a terminal, hidden otherwise.
fn progress(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match total {
        Some(len) => (
            ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()),
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg} (eta {eta})",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            "{spinner} [{elapsed_precise}] {bytes} read, {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// Answers every line of `source` on stdout, then writes the summary on stderr.
pub fn stream(op: Operation, source: Source) -> End {
    let Source { input, total, name } = source;
    let bar = progress(total);
    let out = std::io::BufWriter::with_capacity(WRITE_BUFFER, std::io::stdout().lock());
    let (tally, failure) = answer(op, input, out, &name, &bar);
    bar.finish_and_clear();
    let mut err = std::io::stderr().lock();
    if let Some(message) = &failure {
        let _ = writeln!(err, "refund-rules: {message}");
    }
    let _ = writeln!(err, "{}", tally.summary());
    match failure {
        None => End::Answered,
        Some(_) => End::IoError,
    }
}

/// The stream itself: every line of `input` answered on `out` (flushed whenever the input has
/// nothing read ahead, so a live producer sees its answers), progress on `bar`. Returns the
/// counts and, when reading or writing failed, the message.
fn answer<R: Read, W: Write>(
    op: Operation,
    input: R,
    mut out: W,
    name: &str,
    bar: &ProgressBar,
) -> (Tally, Option<String>) {
    let mut lines = Lines::new(input);
    let mut tally = Tally::default();
    let failure = loop {
        let line_no = tally.lines.saturating_add(1);
        let line = match lines.next() {
            Ok(Some(line)) => line,
            Ok(None) => break None,
            Err(e) => break Some(format!("cannot read line {line_no} of {name}: {e}")),
        };
        let response = match line {
            Line::Held => run_line(op, Ok(&lines.buf), line_no),
            Line::TooLarge(len) => run_line(op, Err(len), line_no),
        };
        tally.add(response.error.map(|c| c.as_str()));
        let written = out
            .write_all(response.json.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| if lines.drained() { out.flush() } else { Ok(()) });
        match written {
            Ok(()) => {}
            // A reader that stopped early (`| head`) is not an error of ours.
            Err(e) if e.kind() == ErrorKind::BrokenPipe => break None,
            Err(e) => break Some(format!("cannot write output: {e}")),
        }
        if tally.lines.is_multiple_of(PROGRESS_EVERY) {
            bar.set_position(lines.consumed);
            bar.set_message(format!("{} lines", tally.lines));
        }
    };
    let failure = failure.or_else(|| match out.flush() {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => Some(format!("cannot write output: {e}")),
        _ => None,
    });
    (tally, failure)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::as_conversions,
    reason = "test code"
)]
mod tests {
    //! Flat memory, deterministically: the live heap bytes, sampled at every read the stream
    //! makes, peak at the same value over 2,000 and 20,000 lines (the CLI's own reader and
    //! writer, the engine's answers, a progress bar hidden as off a terminal).
    use std::alloc::System;
    use std::io::Read;

    use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

    use super::{Operation, ProgressBar, WRITE_BUFFER, answer};

    #[global_allocator]
    static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

    /// `lines` lines generated on the fly (never held): a plan document, with a malformed
    /// line every seventh; records the peak of the live bytes seen at each read.
    struct Generated<'a> {
        doc: Vec<u8>,
        lines: usize,
        at: usize,
        region: &'a Region<'static, System>,
        peak: isize,
    }

    impl Read for Generated<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let s = self.region.change();
            // `realloc` is already in both (growth allocated, shrinking deallocated).
            let live = s.bytes_allocated as isize - s.bytes_deallocated as isize;
            self.peak = self.peak.max(live);
            let mut n = 0;
            while self.lines > 0 {
                let line: &[u8] = if self.lines.is_multiple_of(7) {
                    b"{bad\n"
                } else {
                    &self.doc
                };
                let rest = &line[self.at..];
                let take = rest.len().min(buf.len() - n);
                buf[n..n + take].copy_from_slice(&rest[..take]);
                n += take;
                self.at += take;
                if self.at == line.len() {
                    self.at = 0;
                    self.lines -= 1;
                }
                if n == buf.len() {
                    break;
                }
            }
            Ok(n)
        }
    }

    fn peak_live_bytes(doc: &[u8], lines: usize) -> (isize, u64) {
        let region = Region::new(GLOBAL);
        let mut input = Generated {
            doc: doc.to_vec(),
            lines,
            at: 0,
            region: &region,
            peak: 0,
        };
        let out = std::io::BufWriter::with_capacity(WRITE_BUFFER, std::io::sink());
        let (tally, failure) = answer(
            Operation::Plan,
            &mut input,
            out,
            "generated",
            &ProgressBar::hidden(),
        );
        assert_eq!(failure, None);
        (input.peak, tally.lines)
    }

    #[test]
    fn memory_is_flat_in_the_number_of_lines() -> std::io::Result<()> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/simpleps/partial-refund.json"
        );
        let mut doc = std::fs::read_to_string(path)?.replace('\n', " ");
        doc.push('\n');
        let (small, n) = peak_live_bytes(doc.as_bytes(), 2_000);
        assert_eq!(n, 2_000);
        let (large, n) = peak_live_bytes(doc.as_bytes(), 20_000);
        assert_eq!(n, 20_000);
        eprintln!("peak live bytes: {small} over 2,000 lines, {large} over 20,000");
        // Equal in practice; the slack only absorbs an allocator-independent rounding change.
        assert!(
            large <= small + 4096,
            "peak live bytes grew with the stream: {small} over 2,000 lines, {large} over 20,000"
        );
        Ok(())
    }
}
