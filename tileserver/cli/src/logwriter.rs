//! The log's writer: the threads that log append whole lines to one shared batch, and one
//! background thread writes the batch to stderr, so a request never waits on stderr and the
//! access log (one line per request) costs one `write` per batch instead of one per line.
//!
//! Written here rather than taken from `tracing_appender::non_blocking`, which the server used
//! before: that one sends each line as its own `Vec` through a channel and wakes its thread for
//! it, and its thread writes each line with its own `write`. On the national warm benchmark
//! (BENCHMARKS.md, "The cached-tile path and the cold cut") that thread, the wake-ups and the
//! writes took a fifth of the server's CPU per cached tile. Here a line is woken for only when
//! the writer is idle, the writer lingers [`LINGER`] to gather a burst, and nothing is dropped:
//! a logger waits while [`LIMIT`] bytes are queued (what the non-blocking writer's
//! `lossy(false)` did).

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the writer gathers lines after the first of a batch before writing them.
pub const LINGER: Duration = Duration::from_millis(20);
/// Bytes at which a batch is written without waiting out [`LINGER`].
const BATCH: usize = 64 << 10;
/// Bytes queued at which loggers wait for the writer (the log is never lossy).
const LIMIT: usize = 1 << 20;

/// The queue between the loggers and the writer thread.
#[derive(Default)]
struct Queue {
    /// Whole lines not yet written, in the order they were logged.
    lines: Vec<u8>,
    /// The writer is waiting for a first line (a logger wakes it).
    idle: bool,
    /// The writer is lingering; a logger that fills a batch wakes it.
    lingering: bool,
    /// The guard was dropped: write what is queued and stop.
    closed: bool,
}

/// What the loggers and the writer share.
#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    /// The writer waits on it for lines (or a full batch, or the end).
    ready: Condvar,
    /// Loggers wait on it while the queue is at [`LIMIT`].
    room: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A logger that panicked mid-append leaves at worst a partial line: keep logging.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends one formatted line (tracing's fmt layer writes each event with one `write_all`).
    fn append(&self, line: &[u8]) {
        let mut q = self.lock();
        while q.lines.len() >= LIMIT && !q.closed {
            q = self.room.wait(q).unwrap_or_else(|e| e.into_inner());
        }
        q.lines.extend_from_slice(line);
        // Wake the writer only when it sleeps for want of lines, or lingers over a full batch:
        // notifying a condition variable is a system call even when nobody waits.
        let wake = if q.idle {
            q.idle = false;
            true
        } else if q.lingering && q.lines.len() >= BATCH {
            q.lingering = false;
            true
        } else {
            false
        };
        drop(q);
        if wake {
            self.ready.notify_one();
        }
    }

    /// The writer thread's loop: waits for lines, lingers, writes the batch, until closed and
    /// drained.
    fn run(&self, out: &mut dyn Write) {
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let mut q = self.lock();
            while q.lines.is_empty() && !q.closed {
                q.idle = true;
                q = self.ready.wait(q).unwrap_or_else(|e| e.into_inner());
            }
            q.idle = false;
            if q.lines.is_empty() {
                return; // closed and drained
            }
            if q.lines.len() < BATCH && !q.closed {
                q.lingering = true;
                q = self
                    .ready
                    .wait_timeout(q, LINGER)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
                q.lingering = false;
            }
            std::mem::swap(&mut q.lines, &mut batch);
            drop(q);
            self.room.notify_all();
            // Nowhere to report a failed write of the log itself; the next batch tries again.
            let _ = out.write_all(&batch).and_then(|()| out.flush());
            batch.clear();
            if batch.capacity() > LIMIT {
                batch.shrink_to(BATCH); // after a burst, do not keep its memory
            }
        }
    }

    fn close(&self) {
        let mut q = self.lock();
        q.closed = true;
        drop(q);
        self.ready.notify_one();
        self.room.notify_all();
    }
}

/// Makes the handles tracing's fmt layer writes each line through (`MakeWriter`).
#[derive(Clone)]
pub struct LogWriter(Arc<Shared>);

/// Writes what is queued and stops the writer thread when dropped (at the end of `main`).
pub struct FlushGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for FlushGuard {
    fn drop(&mut self) {
        self.shared.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A writer of lines to `out` on a background thread named `popmap-log`, and its guard.
pub fn spawn(mut out: impl Write + Send + 'static) -> std::io::Result<(LogWriter, FlushGuard)> {
    let shared = Arc::new(Shared::default());
    let writer = shared.clone();
    let thread = std::thread::Builder::new()
        .name("popmap-log".into())
        .spawn(move || writer.run(&mut out))?;
    Ok((
        LogWriter(shared.clone()),
        FlushGuard {
            shared,
            thread: Some(thread),
        },
    ))
}

/// One logger's handle: appends what it is given to the shared batch.
pub struct LineHandle<'a>(&'a Shared);

impl Write for LineHandle<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.append(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = LineHandle<'a>;

    fn make_writer(&'a self) -> LineHandle<'a> {
        LineHandle(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    /// An output that records each `write` it is given (one system call in real life).
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_arrives_whole_and_in_order_per_thread_in_few_writes() {
        let out = Recorder::default();
        let (writer, guard) = spawn(out.clone()).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let w = writer.clone();
                std::thread::spawn(move || {
                    for i in 0..5_000 {
                        let line = format!("thread={t} line={i} {}\n", "x".repeat(i % 90));
                        w.make_writer().write_all(line.as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(guard); // writes what is still queued
        let writes = out.0.lock().unwrap();
        let text = String::from_utf8(writes.concat()).unwrap();
        let mut next = [0usize; 4];
        for line in text.lines() {
            let (t, rest) = line
                .strip_prefix("thread=")
                .and_then(|l| l.split_once(" line="))
                .unwrap_or_else(|| panic!("a broken line: {line:?}"));
            let t: usize = t.parse().unwrap();
            let (i, pad) = rest.split_once(' ').unwrap();
            let i: usize = i.parse().unwrap();
            assert_eq!(i, next[t], "thread {t}'s lines out of order");
            assert_eq!(pad, "x".repeat(i % 90));
            next[t] += 1;
        }
        assert_eq!(next, [5_000; 4], "every line written once");
        // 20,000 lines: one write per batch, not per line.
        assert!(writes.len() < 2_000, "{} writes", writes.len());
    }

    #[test]
    fn a_lone_line_is_written_within_the_linger_and_the_guard_flushes() {
        let out = Recorder::default();
        let (writer, guard) = spawn(out.clone()).unwrap();
        writer.make_writer().write_all(b"first\n").unwrap();
        let start = std::time::Instant::now();
        while out.0.lock().unwrap().is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "a lone line was never written"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(out.0.lock().unwrap().concat(), b"first\n");
        writer.make_writer().write_all(b"last\n").unwrap();
        drop(guard);
        assert_eq!(out.0.lock().unwrap().concat(), b"first\nlast\n");
    }

    #[test]
    fn loggers_wait_rather_than_drop_when_the_output_is_slow() {
        /// An output that takes its time over every write.
        #[derive(Clone, Default)]
        struct Slow(Recorder);
        impl Write for Slow {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                std::thread::sleep(Duration::from_millis(5));
                self.0.write(buf)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let out = Slow::default();
        let (writer, guard) = spawn(out.clone()).unwrap();
        let line = [b'y'; 1023]
            .iter()
            .chain(b"\n")
            .copied()
            .collect::<Vec<u8>>();
        // 4 MiB through a queue of at most LIMIT (1 MiB) plus one line.
        for _ in 0..4096 {
            writer.make_writer().write_all(&line).unwrap();
            assert!(writer.0.lock().lines.len() <= LIMIT + line.len());
        }
        drop(guard);
        let written = out.0.0.lock().unwrap().concat();
        assert_eq!(written.len(), 4096 * 1024);
        assert!(written.chunks(1024).all(|c| c == line.as_slice()));
    }
}
