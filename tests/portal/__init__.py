from portal.audit import audit_record


def committed_evidence(world, capture_on_commit, *, count: int, action: str = "seal.used") -> list:
    """`count` evidence events, each committed on its own (so each was anchored);
    `capture_on_commit` is pytest-django's django_capture_on_commit_callbacks."""
    events = []
    for i in range(count):
        with capture_on_commit(execute=True):
            events.append(audit_record(actor=world.seal_a, action=action, obj=world.tenant_a,
                                       details={"n": i}, evidence=True))
    return events
