"""Optional integrations, each imported only by projects that install it."""
