"""Exports of the managers' audit: XLSX (in the request: small), the audit
report PDF and the auditor pack ZIP (in a Celery task)."""
