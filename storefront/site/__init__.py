"""The site blueprint."""
