-- A coordinator suspends a person: their sessions and API tokens stop
-- working, their claimed jobs go back to the pool, nothing they made is
-- deleted, and their address cannot sign up again (it stays taken).
ALTER TABLE users ADD COLUMN suspended_at TEXT;
ALTER TABLE users ADD COLUMN suspended_by INTEGER REFERENCES users (id);
ALTER TABLE users ADD COLUMN suspended_reason TEXT NOT NULL DEFAULT '';
