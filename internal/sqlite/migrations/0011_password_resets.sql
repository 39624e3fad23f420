-- Password resets (accounts): a single-use link sent by e-mail, valid for
-- an hour. Only the SHA-256 of its token is kept, as for sessions.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id), -- a coordinator who sent it; NULL: the person asked
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE INDEX password_resets_user ON password_resets (user_id);
