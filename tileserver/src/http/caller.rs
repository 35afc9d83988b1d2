//! Who is calling: what the access middleware established about one request's credentials.

/// The caller of one request, as the access middleware established it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// The API key's store id, if a key was sent.
    pub key_id: Option<i64>,
    /// Whether the caller may use `/admin/*` (an admin key or the admin token).
    pub admin: bool,
    /// Whether the caller sent valid credentials of any kind.
    pub authenticated: bool,
}

impl Caller {
    /// Whether restricted indicators are visible to this caller.
    pub fn unlocks_restricted(&self) -> bool {
        self.authenticated
    }
}
