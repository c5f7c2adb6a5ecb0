"""Bulk import and export of tenants, units and contacts (R4).

django-import-export's resources do the row loop, the dry run, the
transactions and the result bookkeeping; each resource here reads its row
itself, so that every error names the row and says in the user's language
what is wrong (an unknown unit, a duplicate code, a bad email, an unknown
tier), and so that a row can only touch the centres the user keeps.

Column headers are accepted in Chinese or English; templates and exports are
written in the user's language.

The package by topic: cells (reading one cell), widgets (import-export's
widgets taught those cells and the lookups in the user's centres), resources
(the columns of each kind), sheets (reading an uploaded file a row at a time,
within the limits), running (dry and real runs, progress, problems by row)
and downloads (the template and the exports). The admin's upload, the task
that checks the file and the confirmed import are in tenants.services.imports."""
