-- API keys. Only the SHA-256 of a key is stored (hex); the key itself is shown once, when it is
-- created. A revoked key keeps its row (revoked_at set) so access logs can still name it.
CREATE TABLE api_keys (
    id         INTEGER NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    admin      INTEGER NOT NULL CHECK (admin IN (0, 1)),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
