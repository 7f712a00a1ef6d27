"""Demo catalogue and articles loaded by `flask seed-demo`."""
