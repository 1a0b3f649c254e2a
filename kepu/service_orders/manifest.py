"""What this domain adds to the shells: navigation, home cards, portal tiles, demo data."""
