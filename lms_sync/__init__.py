"""coursebridge's Moodle synchronisation: desired state -> plan -> journaled apply."""
