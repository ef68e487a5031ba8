"""People, roles, login, invitations and password resets."""
