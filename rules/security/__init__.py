"""Rules about security: the user an image runs as, secrets, downloads run unchecked, exposed services."""
