"""Members without passwords (added by the leader or imported from CSV) and "Mina pass"."""
