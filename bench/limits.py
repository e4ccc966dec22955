"""Rate limits (Flask-Limiter): memory storage in development, Redis in production."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])
