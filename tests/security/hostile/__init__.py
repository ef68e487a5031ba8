"""Hostile input: random and nasty values sent to every form and every query parameter never
cause a 5xx, an overlong header or a half-written change.

``harness`` holds the checks (with ``values``, ``recording`` and ``world``); each
``test_<area>`` module builds the world its forms need and lists them as ``TARGETS`` (the
harness also checks every date field of a target's forms against the date window);
``test_query_strings`` sends hostile values to every query parameter each reader of a GET page
makes it read; ``test_query_dates`` checks that a date outside the window is a translated 400;
``test_coverage`` fails when a POST endpoint or a FlaskForm is neither fuzzed nor excluded
with a reason.
"""
