//! The rule for a boundary version id: it goes into URLs (`/tiles/boundaries/vn-2025/…`),
//! archive and report file names and log lines, so only a short, safe spelling is accepted.

use super::error::BoundaryError;

/// Longest accepted id, in characters.
pub const MAX_LEN: usize = 40;

/// Checks `id`: 1–40 characters, lowercase ASCII letters, digits, `.`, `_` or `-`, starting
/// with a letter or digit (so no `..`-only path, no slash, no hidden-file name).
pub fn check_version_id(id: &str) -> Result<(), BoundaryError> {
    let first_ok = id
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let rest_ok = id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if first_ok && rest_ok && id.len() <= MAX_LEN {
        return Ok(());
    }
    // A 10,000-character id must not fill the terminal: show its start and its length.
    let shown: String = id.chars().take(MAX_LEN).collect();
    let more = if id.chars().count() > MAX_LEN {
        format!("… ({} characters)", id.chars().count())
    } else {
        String::new()
    };
    Err(BoundaryError::VersionId(format!("{shown}{more}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_real_ids_pass_and_unsafe_ones_are_named() {
        for ok in ["vn-2019", "vn-2025", "v1", "2025.07_draft"] {
            assert!(check_version_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "../../../etc/passwd",
            "VN-2025",
            "-x",
            ".hidden",
            "vn 2025",
            "vn/2025",
            "việt",
        ] {
            let e = check_version_id(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("'{bad}'")), "{e}");
            assert!(e.contains("lowercase letters"), "{e}");
        }
        let long = "a".repeat(10_000);
        let e = check_version_id(&long).unwrap_err().to_string();
        assert!(e.contains("(10000 characters)"), "{e}");
        assert!(e.len() < 300, "{e}");
        assert!(check_version_id(&"a".repeat(MAX_LEN)).is_ok());
        assert!(check_version_id(&"a".repeat(MAX_LEN + 1)).is_err());
    }
}
