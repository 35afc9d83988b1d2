//! Errors of the boundary import: each names the file, the feature and the rule broken.

use std::fmt;

use crate::geometry::GeometryError;
use geodata::StoreError;
use geodata::{Level, UnknownLevel};

/// Where a feature came from: file name, index in the file, and its code once known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureRef {
    /// File name as given (its last path component).
    pub file: String,
    /// 0-based index of the feature in the file.
    pub index: usize,
    /// The feature's code, if it could be read.
    pub code: Option<String>,
}

impl fmt::Display for FeatureRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: feature {}", self.file, self.index)?;
        if let Some(code) = &self.code {
            write!(f, " (code \"{code}\")")?;
        }
        Ok(())
    }
}

/// A rule one feature breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FeatureRule {
    /// An element of `features` that is not a GeoJSON Feature object.
    #[error("not a GeoJSON Feature object")]
    NotAFeature,
    /// A code (or parent_code) given as a JSON number.
    #[error(
        "property \"{0}\" is a number; codes must be strings so leading zeros are kept (write \"{0}\": \"00004\")"
    )]
    NumericCode(&'static str),
    /// A required property is absent or null.
    #[error("missing property \"{0}\"")]
    MissingProperty(&'static str),
    /// A property has the wrong type.
    #[error("property \"{0}\" must be a string")]
    NotAString(&'static str),
    /// The `level` property is not one of the five levels.
    #[error(transparent)]
    UnknownLevel(#[from] UnknownLevel),
    /// The name is empty or only white space.
    #[error("empty name")]
    EmptyName,
    /// The code is empty or only white space.
    #[error("empty code")]
    EmptyCode,
    /// The feature has no geometry.
    #[error("missing geometry (null)")]
    MissingGeometry,
    /// The geometry is not a Polygon or MultiPolygon, or its coordinates are malformed.
    #[error("unsupported geometry: {0}")]
    UnsupportedGeometry(String),
    /// The geometry was refused by the geometry rules.
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    /// The code was already used by an earlier feature.
    #[error("duplicate code \"{code}\" (first used by {first})")]
    DuplicateCode {
        /// The repeated code.
        code: String,
        /// The feature that used it first.
        first: Box<FeatureRef>,
    },
    /// The outline is the same, point for point, as an earlier feature's of the same level: one
    /// feature duplicated under two codes.
    #[error(
        "geometry identical to that of {first}: the same outline under two codes is a duplicated feature"
    )]
    DuplicateGeometry {
        /// The feature that has the outline first.
        first: Box<FeatureRef>,
    },
    /// `parent_code` names no unit of the version.
    #[error("parent_code \"{parent}\" does not exist in version {version}")]
    ParentMissing {
        /// The parent code given.
        parent: String,
        /// The version being imported.
        version: String,
    },
    /// The parent is not at the level directly above.
    #[error(
        "parent_code \"{parent}\" is a {parent_level}, but the parent of a {level} must be a {expected} (the level directly above it in version {version})"
    )]
    ParentWrongLevel {
        /// The parent code given.
        parent: String,
        /// The parent's level.
        parent_level: Level,
        /// This feature's level.
        level: Level,
        /// The level directly above `level` among the levels present.
        expected: Level,
        /// The version being imported.
        version: String,
    },
    /// A unit of the top level has a parent_code.
    #[error(
        "a {level} is the top level of version {version} and must have no parent_code (found \"{parent}\")"
    )]
    TopLevelHasParent {
        /// This feature's level (the top level).
        level: Level,
        /// The parent code given.
        parent: String,
        /// The version being imported.
        version: String,
    },
    /// A unit below the top level has no parent_code.
    #[error(
        "a {level} must have a parent_code (only the top level of version {version}, {top}, has none)"
    )]
    MissingParent {
        /// This feature's level.
        level: Level,
        /// The top level of the version.
        top: Level,
        /// The version being imported.
        version: String,
    },
    /// Following parent codes from this feature comes back to it.
    #[error("parent codes form a cycle: {}", .0.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(" → "))]
    Cycle(Vec<String>),
}

/// Errors of the boundary import.
#[derive(Debug, thiserror::Error)]
pub enum BoundaryError {
    /// The file could not be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file extension is not one we read.
    #[error("{file}: unsupported file type (expected .geojson, .json or .fgb)")]
    UnsupportedFormat {
        /// The file.
        file: String,
    },
    /// The GeoJSON text is not valid JSON; the message carries the parser's line and column.
    #[error("{file}: malformed JSON: {message}")]
    Json {
        /// The file.
        file: String,
        /// serde_json's message, with line and column.
        message: String,
    },
    /// The file is valid JSON/FlatGeobuf but not what we expect (e.g. not a FeatureCollection).
    #[error("{file}: {message}")]
    Format {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// One feature breaks a rule.
    #[error("{at}: {rule}")]
    Feature {
        /// Which feature.
        at: FeatureRef,
        /// Which rule.
        rule: FeatureRule,
    },
    /// The version id is not a safe id (it goes into URLs and file names).
    #[error(
        "version id '{0}' is not allowed: use 1-40 lowercase letters, digits, '.', '_' or '-', \
         starting with a letter or digit (e.g. vn-2025)"
    )]
    VersionId(String),
    /// No file was given or the files hold no feature.
    #[error("no features to import{0}")]
    NoFeatures(String),
    /// The store refused the version (already exists, in use, database error).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Generalising the units for the tiles stopped (a panic in the geometry code); nothing
    /// was written.
    #[error("generalising the boundaries failed: {0}")]
    Generalise(String),
}

impl BoundaryError {
    /// A feature error.
    pub(crate) fn feature(at: &FeatureRef, rule: impl Into<FeatureRule>) -> Self {
        BoundaryError::Feature {
            at: at.clone(),
            rule: rule.into(),
        }
    }
}
