"""Production entry point: ``gunicorn wsgi:app`` (see README.md, "Production")."""

from bench import create_app

app = create_app()
