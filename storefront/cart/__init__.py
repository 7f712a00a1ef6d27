"""The cart blueprint."""
