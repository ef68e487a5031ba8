"""Each role's home page: what needs doing now, each item linked to the page that resolves it.

``services.home_for`` gives a signed-in person one section per role they hold; each role's
module (``coordinator``, ``leader``, ``sponsor``, ``admin``) reads through its areas' own
services and queries, in a number of statements that does not grow with the data.
"""
