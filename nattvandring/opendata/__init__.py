"""Open data for the public and municipal websites: the read-only JSON API under
``/api/v1`` (with its OpenAPI description) and the embeddable widget. Nothing here knows a
person: only municipalities, areas, nights and association names."""
