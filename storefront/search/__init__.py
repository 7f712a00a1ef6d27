"""Site search: products and articles, ranked by the database's full-text index."""
