"""WSGI entry point for gunicorn: `gunicorn dashboard.wsgi:server`."""

from dashboard.factory import create_app

app = create_app()
server = app.server
