"""The article funnel: beacon intake, daily counters, attribution and the report."""
