"""Request ids: django-log-request-id, with one guard. An id arriving in
X-Request-ID (from the load balancer) is kept only when it looks like one;
anything else — too long, spaces, control characters — would let a client
write what it likes into the logs, so it gets a fresh id instead."""

import re

from log_request_id.middleware import RequestIDMiddleware as _LibraryMiddleware

_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")


class RequestIDMiddleware(_LibraryMiddleware):
    def _get_request_id(self, request):
        given = request.META.get(self.request_id_header or "", "")
        if _WELL_FORMED.fullmatch(given):
            return given
        return self._generate_id()
