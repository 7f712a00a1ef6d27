"""The blog blueprint."""
