//! Vietnamese text: NFC normalisation and diacritic folding for search.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The NFC form of `s`: how names are stored and compared.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Whether `s` is already in NFC.
pub fn is_nfc(s: &str) -> bool {
    unicode_normalization::is_nfc(s)
}

/// A search key: lowercase, diacritics removed, đ → d, runs of space collapsed, so that
/// "Ha Noi", "hà nội" and "HÀ NỘI" all fold to "ha noi".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
            continue;
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Hà Nội"), "ha noi");
        assert_eq!(fold("  Thành phố   Hồ Chí Minh "), "thanh pho ho chi minh");
        assert_eq!(fold("Đắk Lắk"), "dak lak");
        assert_eq!(fold("Phường Ngọc Hà"), fold("phuong ngoc ha"));
        // NFD input folds the same as NFC input.
        let nfd: String = "Hà Nội".nfd().collect();
        assert_eq!(fold(&nfd), "ha noi");
    }

    #[test]
    fn nfc_normalises() {
        let nfd: String = "Hà Nội".nfd().collect();
        assert!(!is_nfc(&nfd));
        assert_eq!(nfc(&nfd), "Hà Nội");
        assert!(is_nfc(&nfc(&nfd)));
    }
}
