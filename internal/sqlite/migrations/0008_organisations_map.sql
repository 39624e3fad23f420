-- The coordinators' map and its table of places list organisations
-- hospitals first, then maker groups, each oldest first. A national network
-- holds tens of thousands: without this index every view sorted them all.
CREATE INDEX organisations_map ON organisations (kind != 'hospital', id);
