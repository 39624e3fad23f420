-- Published views: what a package lets other packages read of its tables
-- in their own queries (reports, exports, traces, the inventory's checks),
-- where one statement over several domains is the point. Each view belongs
-- to the package its name starts with, like the tables it reads; the owner
-- may change its tables as long as its views still answer. Other packages
-- only ever read them: every write, and every rule, goes through an
-- exported call of the owner. See docs/architecture.md, "Who owns what".
-- They carry no secret column (no email, no password hash, no token).

CREATE VIEW accounts_organisations AS
    SELECT id, kind, name, region, lat, lon, verified_at FROM organisations;

CREATE VIEW accounts_users AS
    SELECT id, name, role, organisation_id FROM users;

CREATE VIEW designs_designs AS
    SELECT id, title, category, licence FROM designs;

CREATE VIEW designs_versions AS
    SELECT id, design_id, number, status, lifecycle FROM design_versions;

CREATE VIEW production_requests AS
    SELECT id, organisation_id, design_id, version_number, quantity, delivered, cancelled, in_inventory,
        priority, needed_by, delivery_address, notes, state, created_at
    FROM requests;

CREATE VIEW production_jobs AS
    SELECT id, request_id, version_id, quantity, printed, state, claimed_by FROM jobs;
