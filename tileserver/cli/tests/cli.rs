//! The `popmap` binary as a user runs it: exit codes and messages on stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(rel)
}

fn popmap(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_popmap"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn import_validate_publish_status() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/popmap.db", dir.path().display());

    // A cycle in parent codes: refused with the file, the feature and the rule; exit code 2.
    let cycle = corpus("boundaries/cycle.geojson");
    let o = popmap(
        &db,
        &[
            "import",
            "boundaries",
            "--version",
            "vn-2025",
            "--valid-from",
            "2025-07-01",
        ],
    );
    assert!(!o.status.success(), "no files given must fail");
    let o = Command::new(env!("CARGO_BIN_EXE_popmap"))
        .args(["--db", &db, "import", "boundaries", "--version", "vn-2025"])
        .args(["--valid-from", "2025-07-01"])
        .arg(&cycle)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cycle.geojson"), "{}", stderr(&o));
    assert!(stderr(&o).contains("cycle"), "{}", stderr(&o));

    // A good version (names in NFD are normalised and reported).
    let nfd = corpus("boundaries/nfd_names.geojson");
    let o = Command::new(env!("CARGO_BIN_EXE_popmap"))
        .args(["--db", &db, "import", "boundaries", "--version", "vn-2025"])
        .args(["--valid-from", "2025-07-01"])
        .arg(&nfd)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("imported vn-2025 from 2025-07-01: 1 province, 2 commune"),
        "{}",
        stderr(&o)
    );

    // A table whose sexes do not add up: validate and publish both refuse with exit code 1.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "code,population,males,females\n00001,100,50,49\n00002,80,40,40\n",
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    for verb in ["validate", "publish"] {
        let o = popmap(&db, &[verb, "--period", "2025-10", bad]);
        assert_eq!(o.status.code(), Some(1), "{verb}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("males 50 + females 49 = 99 but population is 100"),
            "{verb}: {}",
            stderr(&o)
        );
    }

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "code,population,males,females\n00001,100,50,50\n00002,80,40,40\n",
    )
    .unwrap();
    let report = dir.path().join("report.json");
    let o = popmap(
        &db,
        &[
            "publish",
            "--period",
            "2025-10",
            "--report",
            report.to_str().unwrap(),
            good.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("published 2025-10 revision 1 on vn-2025"),
        "{}",
        stderr(&o)
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["errors"], serde_json::json!([]));

    let o = popmap(&db, &["status"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("vn-2025") && out.contains("1 province, 2 commune"),
        "{out}"
    );
    assert!(out.contains("2025-10  rev 1 on vn-2025"), "{out}");

    // A period before any boundary version: a clear error, exit code 2.
    let o = popmap(
        &db,
        &["publish", "--period", "2024-10", good.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no boundary version covers 2024-10-31"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn keys_are_created_listed_and_revoked_and_only_hashes_are_stored() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("popmap.db");
    let db = format!("sqlite://{}", file.display());
    let o = popmap(&db, &["keys", "create", "--name", "ministry", "--admin"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let key = String::from_utf8(o.stdout.clone())
        .unwrap()
        .trim()
        .to_string();
    assert!(key.starts_with("pm_") && key.len() == 67, "{key}");
    assert!(
        stderr(&o).contains("admin key 1 'ministry'"),
        "{}",
        stderr(&o)
    );
    let o = popmap(&db, &["keys", "create"]);
    let second = String::from_utf8(o.stdout).unwrap().trim().to_string();
    assert_ne!(key, second);

    let list = |db: &str| String::from_utf8(popmap(db, &["keys", "list"]).stdout).unwrap();
    let l = list(&db);
    assert!(
        l.contains("1\ttrue\t") && l.contains("\tministry") && l.contains("2\tfalse\t"),
        "{l}"
    );
    assert!(!l.contains(&key[3..]), "list shows a key");

    let o = popmap(&db, &["keys", "revoke", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("key 1 revoked"), "{}", stderr(&o));
    let l = list(&db);
    let line = l.lines().find(|x| x.starts_with("1\t")).unwrap();
    assert!(!line.contains("\t-\t"), "revocation date missing: {line}");
    let o = popmap(&db, &["keys", "revoke", "9"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no API key with id 9"),
        "{}",
        stderr(&o)
    );

    // The database holds the SHA-256 of the key, never the key.
    let _ = popmap(&db, &["status"]);
    let bytes = std::fs::read(&file).unwrap();
    let wal = std::fs::read(dir.path().join("popmap.db-wal")).unwrap_or_default();
    let hay = [bytes, wal].concat();
    let find = |needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    assert!(!find(key.as_bytes()) && !find(&key.as_bytes()[3..]));
    use sha2::Digest;
    let hash = hex::encode(sha2::Sha256::digest(key.as_bytes()));
    assert!(find(hash.as_bytes()), "the hash is not stored");
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    // `popmap status | head -0`: the reader is gone before the first line is written.
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/popmap.db", dir.path().display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_popmap"))
        .args(["--db", &db, "status"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.status.success(), "{:?}: {err}", o.status);
}

#[test]
fn database_failures_are_told_in_our_words_not_the_drivers() {
    let dir = tempfile::tempdir().unwrap();
    // A file that is not a database.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    // A PostgreSQL port where nothing listens.
    let refused = "postgres://popmap@127.0.0.1:1/popmap";
    for (db, words) in [
        (format!("sqlite://{}", junk.display()), "damaged"),
        (refused.to_string(), "could not be reached"),
    ] {
        let o = popmap(&db, &["status"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{db}: {err}");
        assert!(err.contains(words), "{db}: {err}");
        for raw in [
            "error returned from database",
            "error communicating with database",
            "os error",
            "file is not a database",
            "(code:",
        ] {
            assert!(
                !err.contains(raw),
                "{db}: driver text '{raw}' reached the user: {err}"
            );
        }
    }
}
