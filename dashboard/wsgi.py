"""WSGI entry point for gunicorn: ``gunicorn -c python:dashboard.gunicorn_conf
dashboard.wsgi:server``. The memos are warmed here, before serving (see gunicorn_conf)."""

from dashboard.factory import create_app, warm_now

app = create_app(background_warm=False)
warm_now(app)
server = app.server
