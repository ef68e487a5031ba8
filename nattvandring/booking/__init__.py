"""Association bookings of shifts, the reserve list and walking groups (rosters)."""
