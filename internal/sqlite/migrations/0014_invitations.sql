-- Organisations with members: each person has a role inside their
-- organisation (its creator is its owner), and owners invite colleagues
-- by e-mail with a single-use link that expires; only its SHA-256 is kept.
ALTER TABLE users ADD COLUMN org_role TEXT NOT NULL DEFAULT 'owner' CHECK (org_role IN ('owner', 'member'));

CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    email           TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    token_hash      TEXT NOT NULL UNIQUE,
    invited_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    used_by         INTEGER REFERENCES users (id),
    revoked_at      TEXT
);

CREATE INDEX invitations_organisation ON invitations (organisation_id);
