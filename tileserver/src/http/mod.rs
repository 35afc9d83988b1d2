//! HTTP mechanics with no application state: the error answer, content-coding negotiation,
//! the one conditional-GET (ETag, 304, Cache-Control) implementation, the one query-string
//! extractor, answer bodies (JSON/CSV with ETags, and large ones streamed in pages), the caller of a request, the level a failed
//! answer is logged at, and the connections' accept loop and limits. The bottom floor
//! of the server: imports nothing else of it.

pub mod caller;
pub mod conditional;
pub mod connections;
pub mod encoding;
pub mod error;
pub mod failure;
pub mod query;
pub mod reply;
pub mod stream;
