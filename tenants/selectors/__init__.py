"""Who sees which tenant records, by topic. Views, admin screens and later
apps ask here; nothing re-derives centre scoping on its own. Import from the
topic module (tenants.selectors.directory, .requests, …)."""
