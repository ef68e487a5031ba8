"""Check-in and check-out on the evening: the sign-in log, "Ute nu" and safety nudges."""
