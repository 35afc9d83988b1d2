//! Caches of the data API: unit lists per boundary version (read from the store once) and
//! answers over one snapshot; both hold immutable things only.

use std::collections::HashMap;
use std::sync::Arc;

use geodata::{Store, UnitInfo};
use moka::future::Cache;

use crate::http::error::ApiError;
use crate::http::reply;

/// State of the data API shared by every request.
#[derive(Debug, Default)]
pub struct ApiState {
    /// Unit lists per boundary version.
    pub units: UnitsCache,
    /// Answers of snapshot-bound requests (values, rankings, downloads).
    pub responses: reply::ResponseCache,
}

/// The units of one boundary version, by level (top first) then code, with an index by code.
#[derive(Debug)]
pub struct VersionUnits {
    /// Units in stable order.
    pub list: Vec<UnitInfo>,
    /// Position in `list` by code.
    pub by_code: HashMap<String, usize>,
}

impl VersionUnits {
    /// A unit by code.
    pub fn get(&self, code: &str) -> Option<&UnitInfo> {
        self.by_code.get(code).map(|&i| &self.list[i])
    }

    /// The chain of parents of `unit`, nearest first.
    pub fn parents(&self, unit: &UnitInfo) -> Vec<&UnitInfo> {
        let mut out = Vec::new();
        let mut cur = unit.parent_code.as_deref();
        while let Some(code) = cur {
            let Some(p) = self.get(code) else { break };
            if out.len() > 8 {
                break;
            }
            out.push(p);
            cur = p.parent_code.as_deref();
        }
        out
    }
}

/// Unit lists per boundary version, read from the store once.
pub struct UnitsCache {
    cache: Cache<String, Arc<VersionUnits>>,
}

impl std::fmt::Debug for UnitsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitsCache")
            .field("versions", &self.cache.entry_count())
            .finish()
    }
}

impl Default for UnitsCache {
    fn default() -> UnitsCache {
        UnitsCache {
            cache: Cache::builder().max_capacity(8).build(),
        }
    }
}

impl UnitsCache {
    /// The units of `version` (which must exist).
    pub async fn get(&self, store: &Store, version: &str) -> Result<Arc<VersionUnits>, ApiError> {
        let store = store.clone();
        let id = version.to_string();
        self.cache
            .try_get_with(version.to_string(), async move {
                let list = store.units(&id).await?;
                let by_code = list
                    .iter()
                    .enumerate()
                    .map(|(i, u)| (u.code.clone(), i))
                    .collect();
                Ok::<_, geodata::StoreError>(Arc::new(VersionUnits { list, by_code }))
            })
            .await
            .map_err(|e| ApiError::Unavailable(format!("store unavailable: {e}")))
    }
}
