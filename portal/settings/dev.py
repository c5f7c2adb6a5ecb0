"""The embedded default: `make run` on one machine, no servers needed."""

from .base import *

DEBUG = env_bool("DEBUG", True)
