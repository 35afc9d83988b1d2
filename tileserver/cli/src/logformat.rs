//! The log line's format: tracing-subscriber's default (`Format<Full>`), with the access log's
//! lines (target `popmap::access`, one per request) written by a shorter path that gives the
//! same text. The default paints every field name, the target and its colon through
//! `nu_ansi_term` even when colours are off, and formats the date anew for every line: on a
//! cached tile that was a sixth of the server's instructions (BENCHMARKS.md, "The cached-tile
//! path and the cold cut"). Here the date and time down to the second are formatted once per
//! second and thread. Any other line, any line inside a span (`POPMAP_LOG=debug` enables the
//! request trace's) and any coloured log keep the default formatter.

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::SystemTime;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The target of the access log's lines (`tileserver::state::access::guard`).
const ACCESS: &str = "popmap::access";

/// The event formatter of the server's log (see the module's documentation).
#[derive(Default)]
pub struct LineFormat {
    default: Format<Full, SystemTime>,
}

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        if meta.target() != ACCESS || writer.has_ansi_escapes() || ctx.event_scope().is_some() {
            return self.default.format_event(ctx, writer, event);
        }
        write_timestamp(&mut writer, std::time::SystemTime::now())?;
        // As `Format<Full>`: the timestamp, a space, the level padded to 5, the target.
        write!(writer, " {:>5} {ACCESS}: ", meta.level().as_str())?;
        let mut fields = Fields {
            writer: &mut writer,
            first: true,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writeln!(writer)
    }
}

thread_local! {
    /// The last second formatted on this thread and its text, `2026-11-28T17:01:14.`.
    static SECOND: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// `time` as tracing-subscriber's `SystemTime` writes it: RFC 3339 in UTC with microseconds,
/// `2026-11-28T17:01:14.367235Z`.
fn write_timestamp(w: &mut impl fmt::Write, time: std::time::SystemTime) -> fmt::Result {
    let Ok(since) = time.duration_since(std::time::UNIX_EPOCH) else {
        return w.write_str("<unknown time>");
    };
    let secs = since.as_secs();
    SECOND.with(|cell| {
        let mut second = cell.borrow_mut();
        if second.0 != secs {
            let Some(t) = i64::try_from(secs)
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            else {
                return w.write_str("<unknown time>");
            };
            second.1.clear();
            write!(second.1, "{}", t.format("%Y-%m-%dT%H:%M:%S."))?;
            second.0 = secs;
        }
        w.write_str(&second.1)
    })?;
    let micros = since.subsec_micros();
    let mut digits = [b'0'; 6];
    let mut rest = micros;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    w.write_str(std::str::from_utf8(&digits).map_err(|_| fmt::Error)?)?;
    w.write_char('Z')
}

/// The event's fields as tracing-subscriber's `DefaultFields` writes them without colours: the
/// message, then `name=value` separated by spaces (strings quoted, `%` values as displayed).
struct Fields<'w, 'a> {
    writer: &'w mut Writer<'a>,
    first: bool,
    result: fmt::Result,
}

impl Visit for Fields<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        let name = field.name();
        if name.starts_with("log.") {
            return; // log-crate metadata, as the default skips it
        }
        let w = &mut *self.writer;
        self.result = (|| {
            if !std::mem::take(&mut self.first) {
                w.write_char(' ')?;
            }
            if name != "message" {
                w.write_str(name.strip_prefix("r#").unwrap_or(name))?;
                w.write_char('=')?;
            }
            write!(w, "{value:?}")
        })();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, UNIX_EPOCH};

    /// Lines written by a subscriber, shared with the test.
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    /// The same events as the access guard's and a few others, logged through `format`.
    fn log_through(line_format: bool) -> String {
        let buf = Buf::default();
        let builder = tracing_subscriber::fmt()
            .with_writer(buf.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG);
        let emit = || {
            let ip: std::net::IpAddr = [127, 0, 0, 1].into();
            tracing::info!(target: "popmap::access", method = %"GET",
                path = %"/tiles/admin/2024-01/9/404/242.mvt", status = 200u16, ms = %"0.1",
                key = %"-", ip = %ip, "request");
            tracing::info!(target: "popmap::access", method = %"POST", path = %"/admin/reload",
                status = 401u16, ms = %"12.5", key = %7, ip = %"-", "request");
            tracing::warn!(target: "popmap::access", r#type = "quoted", n = 3, "odd {}", 1);
            tracing::warn!(error = %"disk full", "store unavailable");
            tracing::debug_span!("request", uri = "/x").in_scope(|| {
                tracing::info!(target: "popmap::access", status = 200u16, "request");
            });
        };
        if line_format {
            tracing::subscriber::with_default(
                builder.event_format(LineFormat::default()).finish(),
                emit,
            );
        } else {
            tracing::subscriber::with_default(builder.finish(), emit);
        }
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn access_lines_read_exactly_as_the_default_format_writes_them() {
        let (ours, default) = (log_through(true), log_through(false));
        let (ours, default): (Vec<&str>, Vec<&str>) =
            (ours.lines().collect(), default.lines().collect());
        assert_eq!(ours.len(), 5, "{ours:?}");
        assert_eq!(ours.len(), default.len());
        for (a, b) in ours.iter().zip(&default) {
            // The timestamps were taken at different instants: same shape, rest identical.
            let (ta, ra) = a.split_at(27);
            let (tb, rb) = b.split_at(27);
            assert_eq!(ra, rb);
            assert_eq!(ta.len(), tb.len());
            assert!(ta.ends_with('Z') && tb.ends_with('Z'), "{a} / {b}");
        }
        assert!(ours[0].ends_with(
            " INFO popmap::access: request method=GET path=/tiles/admin/2024-01/9/404/242.mvt \
             status=200 ms=0.1 key=- ip=127.0.0.1"
        ));
    }

    #[test]
    fn timestamps_match_rfc_3339_with_microseconds() {
        for (secs, nanos) in [
            (0, 0),
            (1_795_000_000, 367_235_999),
            (1_795_000_000, 5_000),
            (1_795_000_001, 999_999_999),
            (4_102_444_799, 1_000),
        ] {
            let t = UNIX_EPOCH + Duration::new(secs, nanos);
            let mut ours = String::new();
            write_timestamp(&mut ours, t).unwrap();
            let expected = chrono::DateTime::<chrono::Utc>::from(t)
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            assert_eq!(ours, expected);
        }
    }
}
