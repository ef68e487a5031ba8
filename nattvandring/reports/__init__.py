"""Patrol reports, approval, the hours ledger, the lägesbild and personal data."""
