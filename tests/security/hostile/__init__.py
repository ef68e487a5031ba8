"""Hostile input: random and nasty values posted to every form never cause a 500.

``harness`` holds the values, the hypothesis settings and the checks; each ``test_<area>``
module builds the world its forms need and lists them as ``TARGETS``; ``test_coverage``
fails when a POST endpoint or a FlaskForm is neither fuzzed nor excluded with a reason.
"""
