"""perfnb."""
