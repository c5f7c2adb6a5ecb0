"""Broadcast alerts (special weather, urgent notices) and holiday greetings (4.11)."""
