from django.db.models.signals import post_delete, post_save

from tenants.search_index import on_tenant_deleted, on_tenant_saved

post_save.connect(on_tenant_saved, sender="tenants.Tenant", dispatch_uid="tenants.index_tenant_saved")
post_delete.connect(on_tenant_deleted, sender="tenants.Tenant", dispatch_uid="tenants.index_tenant_deleted")
