"""Sponsor payouts: payment rules as data, their evaluation, and payout exports.

``rules`` and ``exports`` are pure (no database, no Flask) so they can be tested directly.
"""
