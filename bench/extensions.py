"""Unbound extensions, initialised by :func:`bench.create_app`."""

__all__ = ["csrf", "db", "limiter", "login_manager", "migrate"]

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from bench.database import Database
from bench.limits import limiter

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
