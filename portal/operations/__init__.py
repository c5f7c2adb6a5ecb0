"""What operators need from a running Atrium: health checks for the load
balancer, Prometheus metrics and request ids (issue 17)."""
