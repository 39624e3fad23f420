-- Accounts: organisations (hospitals and maker groups), users, and the tokens
-- that authenticate them (login sessions and API tokens, stored hashed).
-- Timestamps are UTC text in sqlite.TimeLayout.

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('hospital', 'makers')),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address     TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 500),
    lat         REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon         REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    verified_at TEXT,
    verified_by INTEGER REFERENCES users (id),
    created_at  TEXT NOT NULL,
    CHECK (kind = 'hospital' OR verified_at IS NULL)
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role            TEXT NOT NULL CHECK (role IN ('coordinator', 'maker', 'hospital')),
    organisation_id INTEGER REFERENCES organisations (id),
    password_hash   TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    CHECK (role = 'coordinator' OR organisation_id IS NOT NULL)
);

CREATE INDEX users_organisation_id ON users (organisation_id);

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE, -- hex SHA-256 of the secret; the secret itself is never stored
    created_at   TEXT NOT NULL,
    expires_at   TEXT,                 -- NULL: never expires
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE INDEX tokens_user_id ON tokens (user_id);
