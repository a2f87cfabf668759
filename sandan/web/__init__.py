"""The resident-facing web: the public board (server-rendered) and GraphiQL served offline."""
