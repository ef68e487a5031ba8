"""Hostile input: random and nasty values sent to every form never cause a 500.

``harness`` holds the checks (with ``values``, ``recording`` and ``world``); each
``test_<area>`` module builds the world its forms need and lists them as ``TARGETS``;
``test_query_strings`` sends hostile values to every query parameter a GET page reads;
``test_coverage`` fails when a POST endpoint or a FlaskForm is neither fuzzed nor excluded
with a reason.
"""
