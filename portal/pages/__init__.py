"""The published site: centre sites, page privacy, the handbook, search."""
