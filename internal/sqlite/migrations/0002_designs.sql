-- The design library: designs, their numbered versions and review history,
-- and the files those versions hold. A file row exists exactly while some
-- version holds it, and its bytes are in object storage under
-- files/sha256/<first two hex digits>/<sha256>.

CREATE TABLE designs (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    category        TEXT NOT NULL CHECK (category IN ('face_shield', 'mask', 'ear_saver', 'ventilator_part', 'test_kit_part', 'other')),
    description     TEXT NOT NULL DEFAULT '',
    licence         TEXT NOT NULL,          -- SPDX identifier
    source_url      TEXT NOT NULL DEFAULT '',
    organisation_id INTEGER REFERENCES organisations (id),
    author_id       INTEGER NOT NULL REFERENCES users (id),
    material        TEXT NOT NULL,
    layer_height_mm REAL NOT NULL,
    infill_percent  REAL NOT NULL,
    perimeters      INTEGER NOT NULL,
    supports        INTEGER NOT NULL CHECK (supports IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE INDEX designs_category ON designs (category);
CREATE INDEX designs_author_id ON designs (author_id);

CREATE TABLE design_tags (
    design_id INTEGER NOT NULL REFERENCES designs (id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (design_id, tag)
);

CREATE TABLE design_versions (
    id               INTEGER PRIMARY KEY,
    design_id        INTEGER NOT NULL REFERENCES designs (id),
    number           INTEGER NOT NULL CHECK (number >= 1),
    notes            TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'community_reviewed', 'clinically_validated', 'rejected')),
    lifecycle        TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle IN ('active', 'superseded', 'withdrawn')),
    lifecycle_reason TEXT NOT NULL DEFAULT '',
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    published_at     TEXT,
    UNIQUE (design_id, number),
    CHECK (status = 'draft' OR published_at IS NOT NULL)
);

-- Every change to a version: who, when, from what to what, and why.
CREATE TABLE version_events (
    id         INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES design_versions (id),
    actor_id   INTEGER NOT NULL REFERENCES users (id),
    at         TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_value TEXT NOT NULL DEFAULT '',
    to_value   TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT ''
);

CREATE INDEX version_events_version_id ON version_events (version_id);

CREATE TABLE files (
    sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL CHECK (size >= 0),
    kind       TEXT NOT NULL CHECK (kind IN ('stl', 'step', 'pdf', 'image')),
    media_type TEXT NOT NULL,
    analysis   TEXT,                        -- JSON of the STL analysis, for STL files
    created_at TEXT NOT NULL
);

CREATE TABLE version_files (
    version_id INTEGER NOT NULL REFERENCES design_versions (id),
    sha256     TEXT NOT NULL REFERENCES files (sha256),
    name       TEXT NOT NULL,
    added_by   INTEGER NOT NULL REFERENCES users (id),
    added_at   TEXT NOT NULL,
    PRIMARY KEY (version_id, sha256),
    UNIQUE (version_id, name)
);

CREATE INDEX version_files_sha256 ON version_files (sha256);
