//! Refused means nothing stored: one check for every refused input of the suites (tables,
//! boundaries), comparing every table of the store before and after.

use std::future::Future;

use geodata::Store;

/// Runs `op`, which must be refused, and asserts that it failed and that every table of
/// `store` ([`Store::dump_all`]) is byte-identical afterwards; returns the error. `what` names
/// the case in a failure.
pub async fn assert_refused_unchanged<T, E>(
    store: &Store,
    what: &str,
    op: impl Future<Output = Result<T, E>>,
) -> E {
    let before = store.dump_all().await.expect("dump before");
    let result = op.await;
    let after = store.dump_all().await.expect("dump after");
    if let Some((b, a)) = before.lines().zip(after.lines()).find(|(b, a)| b != a) {
        panic!("{what}: the store changed: '{b}' became '{a}'");
    }
    assert_eq!(
        before.len(),
        after.len(),
        "{what}: the store changed (rows added)"
    );
    match result {
        Ok(_) => panic!("{what}: accepted, but it must be refused"),
        Err(e) => e,
    }
}
