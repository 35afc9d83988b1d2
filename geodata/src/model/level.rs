//! Administrative levels, ordered from the country down to the commune.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An administrative level. The derived order runs from the top (country) to the bottom (commune).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The whole country.
    Country,
    /// A socio-economic region (groups of provinces).
    Region,
    /// Province or centrally-run city (tỉnh / thành phố trực thuộc trung ương).
    Province,
    /// District (huyện / quận / thị xã / thành phố thuộc tỉnh); absent from vn-2025.
    District,
    /// Commune, ward or township (xã / phường / thị trấn / đặc khu).
    Commune,
}

/// The error for a level name that is not one of the five levels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown level '{0}' (expected country, region, province, district or commune)")]
pub struct UnknownLevel(pub String);

impl Level {
    /// All levels, top first.
    pub const ALL: [Level; 5] = [
        Level::Country,
        Level::Region,
        Level::Province,
        Level::District,
        Level::Commune,
    ];

    /// The lowercase English name used in files, URLs and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Region => "region",
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }

    /// Depth from the top, 0 for the country; used as the MVT feature-id prefix.
    pub fn depth(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownLevel(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_order() {
        assert_eq!("Commune".parse::<Level>().unwrap(), Level::Commune);
        assert!(Level::Province < Level::District);
        assert_eq!(
            "ward".parse::<Level>().unwrap_err().to_string(),
            "unknown level 'ward' (expected country, region, province, district or commune)"
        );
        for l in Level::ALL {
            assert_eq!(l.as_str().parse::<Level>().unwrap(), l);
        }
    }
}
