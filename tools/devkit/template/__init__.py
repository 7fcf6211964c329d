"""What is read or written from template.yaml, the single declaration of tables, routes and
handlers."""
