"""Everything that talks to Stripe lives here."""
