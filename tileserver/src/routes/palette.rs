//! The cartographic settings kept as data in `styles/`: ColorBrewer palettes
//! (`styles/palettes.json`) and, per indicator, its palette, default classification and fixed
//! breaks, plus the named styles (`styles/indicators.json`), and the quiet colours of the
//! country context and the labels around the data (`styles/basemap.json`). The files are
//! compiled in, so a server binary needs nothing beside it; a bad file fails the build's tests,
//! naming the rule.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use geodata::Method;

/// Palette name → class count (as a string, "3".."9") → colours.
pub type Palettes = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// How one indicator is classified and coloured.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorStyle {
    /// ColorBrewer palette name (a key of `palettes.json`).
    pub palette: String,
    /// Default classification method.
    pub method: Method,
    /// Default number of classes.
    pub k: usize,
    /// Thresholds of the fixed classification.
    #[serde(default)]
    pub fixed: Vec<f64>,
    /// Colours of the fixed classes, overriding the palette (one more than `fixed`).
    #[serde(default)]
    pub colors: Vec<String>,
    /// The normal band `[low, high)` shown in the legend (e.g. 103–107 for the SRB).
    #[serde(default)]
    pub normal: Option<[f64; 2]>,
    /// The diverging palette of change maps (ColorBrewer order: its first colour at the
    /// largest fall), `RdBu` when absent.
    #[serde(default = "default_change_palette")]
    pub change_palette: String,
    /// Whether the change palette runs the other way, so a rise takes its first colour (with
    /// `RdBu`: rises red, falls blue, the default).
    #[serde(default = "default_true")]
    pub change_reverse: bool,
}

fn default_change_palette() -> String {
    "RdBu".into()
}

fn default_true() -> bool {
    true
}

/// Where a named style takes its features from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StyleSource {
    /// Administrative units (admin or boundary tiles).
    Admin,
    /// H3 hexagons (`/tiles/h3/...`).
    H3,
}

/// A named style: which indicator it maps and from which tiles.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedStyle {
    /// The indicator id.
    pub indicator: String,
    /// The tile family.
    pub source: StyleSource,
}

/// The content of `styles/indicators.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleConfig {
    /// Settings of indicators without an entry.
    pub default: IndicatorStyle,
    /// Per-indicator settings.
    pub indicators: BTreeMap<String, IndicatorStyle>,
    /// Named styles served at `/styles/{name}.json`.
    pub styles: BTreeMap<String, NamedStyle>,
    /// Fill of units without a value.
    pub no_data: String,
    /// Colour of unit outlines.
    pub outline: String,
    /// Map background: the sea (a quiet light blue-grey).
    pub background: String,
    /// The palettes, from `palettes.json`.
    #[serde(skip)]
    pub palettes: Palettes,
}

/// The colours of the country context and the labels (`styles/basemap.json`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basemap {
    /// Neighbouring countries' land.
    pub land: String,
    /// Vietnam's land, under the data fills.
    pub land_vn: String,
    /// Vietnam's national outline (coast and land borders).
    pub border: String,
    /// Province borders over commune and district fills.
    pub province_outline: String,
    /// Hoàng Sa and Trường Sa islands.
    pub island: String,
    /// Unit names.
    pub text: String,
    /// The halo around every name.
    pub halo: String,
    /// Neighbouring countries' names.
    pub country_text: String,
    /// The archipelagos' names.
    pub archipelago_text: String,
}

impl Basemap {
    /// The colours compiled into the server; each must be a `#rrggbb` colour.
    pub fn builtin() -> &'static Basemap {
        static BASEMAP: OnceLock<Basemap> = OnceLock::new();
        BASEMAP.get_or_init(|| {
            Basemap::parse(include_str!("../../../styles/basemap.json"))
                .expect("styles/basemap.json is checked by the palette tests")
        })
    }

    /// Parses the file's text; the error names the file and the colour at fault.
    pub fn parse(json: &str) -> Result<Basemap, String> {
        let b: Basemap =
            serde_json::from_str(json).map_err(|e| format!("styles/basemap.json: {e}"))?;
        let all = [
            ("land", &b.land),
            ("land_vn", &b.land_vn),
            ("border", &b.border),
            ("province_outline", &b.province_outline),
            ("island", &b.island),
            ("text", &b.text),
            ("halo", &b.halo),
            ("country_text", &b.country_text),
            ("archipelago_text", &b.archipelago_text),
        ];
        for (name, c) in all {
            let hex = c.strip_prefix('#').unwrap_or("");
            if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "styles/basemap.json: '{name}' = '{c}' is not a #rrggbb colour"
                ));
            }
        }
        Ok(b)
    }
}

impl StyleConfig {
    /// Parses and checks the two files' texts; the error names the file and the rule broken.
    pub fn parse(indicators_json: &str, palettes_json: &str) -> Result<StyleConfig, String> {
        let palettes: Palettes = serde_json::from_str(palettes_json)
            .map_err(|e| format!("styles/palettes.json: {e}"))?;
        let mut cfg: StyleConfig = serde_json::from_str(indicators_json)
            .map_err(|e| format!("styles/indicators.json: {e}"))?;
        for (name, p) in &palettes {
            for (k, colours) in p {
                if k.parse::<usize>().ok() != Some(colours.len()) {
                    return Err(format!(
                        "styles/palettes.json: palette '{name}' size '{k}' has {} colours",
                        colours.len()
                    ));
                }
            }
        }
        let all = std::iter::once(("default", &cfg.default))
            .chain(cfg.indicators.iter().map(|(k, v)| (k.as_str(), v)));
        for (id, s) in all {
            let bad = |rule: String| format!("styles/indicators.json: indicator '{id}': {rule}");
            if !palettes.contains_key(&s.palette) {
                return Err(bad(format!("unknown palette '{}'", s.palette)));
            }
            if !palettes.contains_key(&s.change_palette) {
                return Err(bad(format!("unknown palette '{}'", s.change_palette)));
            }
            if !(2..=9).contains(&s.k) {
                return Err(bad(format!("k = {} is outside 2..=9", s.k)));
            }
            if s.method == Method::Fixed && s.fixed.is_empty() {
                return Err(bad("method 'fixed' needs 'fixed' thresholds".into()));
            }
            if s.fixed.windows(2).any(|w| w[0] >= w[1]) {
                return Err(bad("'fixed' thresholds must increase strictly".into()));
            }
            if !s.colors.is_empty() && s.colors.len() != s.fixed.len() + 1 {
                return Err(bad("'colors' needs one colour more than 'fixed'".into()));
            }
        }
        cfg.palettes = palettes;
        Ok(cfg)
    }

    /// The configuration compiled into the server.
    pub fn builtin() -> &'static StyleConfig {
        static CONFIG: OnceLock<StyleConfig> = OnceLock::new();
        CONFIG.get_or_init(|| {
            StyleConfig::parse(
                include_str!("../../../styles/indicators.json"),
                include_str!("../../../styles/palettes.json"),
            )
            .expect("styles/*.json are checked by the palette tests")
        })
    }

    /// The settings of `indicator`.
    pub fn indicator(&self, indicator: &str) -> &IndicatorStyle {
        self.indicators.get(indicator).unwrap_or(&self.default)
    }

    /// `n` colours of `style` for `n` classes: the configured fixed colours, else the palette of
    /// that size (the ends of the 3-class palette for fewer than 3, the 9-class one beyond).
    pub fn colours(&self, style: &IndicatorStyle, n: usize, fixed: bool) -> Vec<String> {
        if fixed && style.colors.len() == n {
            return style.colors.clone();
        }
        let p = &self.palettes[&style.palette];
        match n {
            0 => Vec::new(),
            1 => vec![p["3"][1].clone()],
            2 => vec![p["3"][0].clone(), p["3"][2].clone()],
            n if n <= 9 => p
                .get(&n.to_string())
                .cloned()
                .unwrap_or_else(|| p["9"][..n].to_vec()),
            n => (0..n).map(|i| p["9"][i * 9 / n].clone()).collect(),
        }
    }
}

impl StyleConfig {
    /// The `n` colours of a change map of `style`, from the largest fall to the largest rise
    /// (`n` odd: the middle one is the palette's neutral colour).
    pub fn change_colours(&self, style: &IndicatorStyle, n: usize) -> Vec<String> {
        let p = &self.palettes[&style.change_palette];
        let mut c = match n {
            0 => Vec::new(),
            1 => vec![p["3"][1].clone()],
            n => p
                .get(&n.min(11).to_string())
                .or_else(|| p.get("9"))
                .cloned()
                .unwrap_or_default(),
        };
        if style.change_reverse {
            c.reverse();
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_config_is_consistent() {
        let c = StyleConfig::builtin();
        let srb = c.indicator("srb");
        // Fixed SRB breaks are offered; the default is readable quantiles (issue 15).
        assert_eq!(srb.method, Method::Quantile);
        assert_eq!(srb.fixed, vec![100.0, 103.0, 107.0, 110.0, 115.0]);
        assert_eq!(c.colours(srb, 6, true)[2], "#f7f7f7");
        assert_eq!(c.colours(c.indicator("density"), 5, false).len(), 5);
        assert_eq!(c.colours(c.indicator("density"), 2, false).len(), 2);
        // Sex ratio diverges around 100: its middle class is [99, 101) in the neutral colour.
        let sr = c.indicator("sex_ratio");
        let mid = sr.fixed.len() / 2;
        assert_eq!((sr.fixed[mid - 1], sr.fixed[mid]), (99.0, 101.0));
        assert_eq!(c.colours(sr, sr.fixed.len() + 1, true)[mid], "#f7f7f7");
        let catalog = geodata::Catalog::builtin();
        for (name, s) in &c.styles {
            assert!(catalog.contains(&s.indicator), "style {name}");
        }
    }

    #[test]
    fn basemap_colours_are_checked() {
        let b = Basemap::builtin();
        assert_ne!(b.land, b.land_vn, "Vietnam stands out from its neighbours");
        let e =
            Basemap::parse(&include_str!("../../../styles/basemap.json").replace(&b.halo, "white"))
                .unwrap_err();
        assert!(e.contains("'halo' = 'white'"), "{e}");
        assert!(
            Basemap::parse("{}")
                .unwrap_err()
                .contains("styles/basemap.json")
        );
    }

    #[test]
    fn bad_files_are_refused_with_the_rule() {
        let pal = include_str!("../../../styles/palettes.json");
        let ind = |body: &str| {
            format!(
                r##"{{"default":{{"palette":"Blues","method":"quantile","k":5}},"indicators":{{{body}}},
                "styles":{{}},"no_data":"#ccc","outline":"#555","background":"#fff"}}"##
            )
        };
        let e = StyleConfig::parse(
            &ind(r#""x":{"palette":"Nope","method":"jenks","k":5}"#),
            pal,
        )
        .unwrap_err();
        assert!(e.contains("indicator 'x'") && e.contains("'Nope'"), "{e}");
        let e = StyleConfig::parse(
            &ind(r#""x":{"palette":"Blues","method":"fixed","k":5}"#),
            pal,
        )
        .unwrap_err();
        assert!(e.contains("needs 'fixed'"), "{e}");
        let e = StyleConfig::parse(
            &ind(r#""x":{"palette":"Blues","method":"fixed","k":5,"fixed":[2,1]}"#),
            pal,
        )
        .unwrap_err();
        assert!(e.contains("strictly"), "{e}");
        let e = StyleConfig::parse(&ind(""), r##"{"A":{"3":["#fff"]}}"##).unwrap_err();
        assert!(e.contains("palette 'A' size '3'"), "{e}");
    }
}
