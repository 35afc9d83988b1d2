//! The type of an administrative unit as its name states it ("Thành phố Hà Nội" is a city,
//! "Phường Biên Hòa" a ward): the leading type word of the official name, in Vietnamese and
//! English. The level alone does not say it (a province is a Tỉnh or a Thành phố, a commune
//! a Xã, Phường or Đặc khu), so search answers and the web map read it from the name.

use serde::Serialize;

use super::text::fold;

/// A unit type named by the leading words of official unit names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum UnitType {
    /// Thành phố: a centrally run city (province level) or a provincial city (district level).
    City,
    /// Tỉnh: a province.
    Province,
    /// Thị xã: a town (district level, before 2025).
    Town,
    /// Quận: an urban district (before 2025).
    UrbanDistrict,
    /// Huyện: a rural district (before 2025).
    District,
    /// Phường: a ward.
    Ward,
    /// Xã: a commune.
    Commune,
    /// Thị trấn: a township (commune level, before 2025).
    Township,
    /// Đặc khu: a special zone (an island commune-level unit since 2025).
    SpecialZone,
}

impl UnitType {
    /// Every type, those whose folded word starts another's after it ("thi xa" before "xa").
    pub const ALL: [UnitType; 9] = [
        UnitType::City,
        UnitType::Township,
        UnitType::Town,
        UnitType::SpecialZone,
        UnitType::Province,
        UnitType::UrbanDistrict,
        UnitType::District,
        UnitType::Ward,
        UnitType::Commune,
    ];

    /// The Vietnamese type word as written in names ("Thành phố").
    pub fn vi(self) -> &'static str {
        match self {
            UnitType::City => "Thành phố",
            UnitType::Province => "Tỉnh",
            UnitType::Town => "Thị xã",
            UnitType::UrbanDistrict => "Quận",
            UnitType::District => "Huyện",
            UnitType::Ward => "Phường",
            UnitType::Commune => "Xã",
            UnitType::Township => "Thị trấn",
            UnitType::SpecialZone => "Đặc khu",
        }
    }

    /// The English name of the type ("City").
    pub fn en(self) -> &'static str {
        match self {
            UnitType::City => "City",
            UnitType::Province => "Province",
            UnitType::Town => "Town",
            UnitType::UrbanDistrict => "Urban district",
            UnitType::District => "District",
            UnitType::Ward => "Ward",
            UnitType::Commune => "Commune",
            UnitType::Township => "Township",
            UnitType::SpecialZone => "Special zone",
        }
    }

    /// The folded type word ("thanh pho"), as [`fold`] leaves it.
    pub fn folded(self) -> &'static str {
        match self {
            UnitType::City => "thanh pho",
            UnitType::Province => "tinh",
            UnitType::Town => "thi xa",
            UnitType::UrbanDistrict => "quan",
            UnitType::District => "huyen",
            UnitType::Ward => "phuong",
            UnitType::Commune => "xa",
            UnitType::Township => "thi tran",
            UnitType::SpecialZone => "dac khu",
        }
    }

    /// The type a unit name states by its leading words, if any ("Thị Trấn Ái Tử" too: the
    /// 2019 list writes some in title case).
    pub fn of_name(name: &str) -> Option<UnitType> {
        split_folded(&fold(name)).0
    }
}

/// A folded name split into its leading type word and the rest ("thanh pho ha noi" →
/// (City, "ha noi")); `(None, name)` when it starts with no type word or nothing follows it.
pub fn split_folded(folded: &str) -> (Option<UnitType>, &str) {
    for t in UnitType::ALL {
        if let Some(rest) = folded
            .strip_prefix(t.folded())
            .and_then(|r| r.strip_prefix(' '))
            && !rest.is_empty()
        {
            return (Some(t), rest);
        }
    }
    (None, folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_leading_words() {
        for (name, t) in [
            ("Thành phố Hà Nội", UnitType::City),
            ("Tỉnh Bình Dương", UnitType::Province),
            ("Phường Biên Hòa", UnitType::Ward),
            ("Xã Ia Dom", UnitType::Commune),
            ("Thị Trấn Ái Tử", UnitType::Township),
            ("Thị xã Sơn Tây", UnitType::Town),
            ("Đặc khu Côn Đảo", UnitType::SpecialZone),
            ("Quận 1", UnitType::UrbanDistrict),
            ("Huyện Côn Đảo", UnitType::District),
        ] {
            assert_eq!(UnitType::of_name(name), Some(t), "{name}");
        }
        assert_eq!(UnitType::of_name("Quang Trung"), None);
        assert_eq!(UnitType::of_name("Xã"), None);
        assert_eq!(
            split_folded("thi xa son tay"),
            (Some(UnitType::Town), "son tay")
        );
        assert_eq!(split_folded("xa son"), (Some(UnitType::Commune), "son"));
        assert_eq!(split_folded("quang tri"), (None, "quang tri"));
    }
}
