"""create_app: build the Flask server, the Dash app on it, and wire every package."""

from __future__ import annotations

import gc
import logging
from pathlib import Path

import dash
from flask import Flask

from dashboard import api, auth, callback_requests, feeds, security
from dashboard.cache import make_cache
from dashboard.config import Config, ConfigError, database_url, secret_key_problem
from dashboard.services import Services
from dashboard.warm import Warmer, warm
from data.privacy.disclosure import DisclosureRules
from data.store.db import make_engine, make_sessionmaker

HERE = Path(__file__).parent
log = logging.getLogger(__name__)

INDEX = """<!DOCTYPE html>
<html lang="en">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
{%app_entry%}
<footer>{%config%}{%scripts%}{%renderer%}</footer>
</body>
</html>"""


def create_app(
    config: type[Config] | Config | None = None, *, background_warm: bool = True
) -> dash.Dash:
    """Build the app. `config` defaults to Config (environment variables).

    ``background_warm``: start the memo warmer thread now (off when a gunicorn master
    builds the app before forking: each worker starts its own, see :func:`after_fork`)."""
    config = config or Config
    if not config.DEMO and not config.TESTING:
        problem = secret_key_problem(config.SECRET_KEY)
        if problem:  # sessions signed with a guessable key can be forged
            raise ConfigError(f"Refusing to start: {problem}")
    server = Flask(__name__, template_folder=str(HERE / "templates"))
    server.config.from_object(config)
    # Base64 in a Dash callback inflates an upload by a third; refuse far bigger bodies early.
    server.config["MAX_CONTENT_LENGTH"] = 3 * config.MAX_UPLOAD_MB * 1024 * 1024
    engine = make_engine(database_url(config))
    server.extensions["icsdash"] = Services(
        engine=engine,
        sessions=make_sessionmaker(engine),
        rules=DisclosureRules(min_las=config.MIN_LAS, min_respondents=config.MIN_RESPONDENTS),
        demo=config.DEMO,
        max_upload_bytes=config.MAX_UPLOAD_MB * 1024 * 1024,
        cache=make_cache(config.CACHE_URL, config.CACHE_RETRY_S),
    )
    auth.init_app(server)
    from callbacks.common import on_callback_error  # imported with the callbacks, as below

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(HERE / "assets"),
        title="ICS collaboration dashboard",
        suppress_callback_exceptions=True,
        compress=True,
        serve_locally=True,
        update_title=None,
        external_stylesheets=[],
        on_error=on_callback_error,  # a failed callback shows a message, never a traceback
    )
    app.index_string = INDEX
    _register_pages_and_callbacks(app)
    security.init_app(server, app)
    callback_requests.init_app(server, app)  # forged shapes: a 400, not Dash's 500
    api.init_app(server)
    feeds.init_app(server)
    if _warming(app):
        from layouts.charts.figures import prime

        prime()
    if background_warm:
        start_warmer(app)
    return app


def _warming(app: dash.Dash) -> bool:
    return app.server.config["WARM_EVERY_S"] > 0 and not app.server.config.get("TESTING")


def start_warmer(app: dash.Dash) -> None:
    """Warm the analysis memos in a background thread, now and after each new data version."""
    if _warming(app):
        services = app.server.extensions["icsdash"]
        every = app.server.config["WARM_EVERY_S"]
        services.warmer = Warmer(services.sessions, services.rules, every).start()


def warm_now(app: dash.Dash) -> None:
    """Warm the memos before serving (a database not migrated yet is only logged); call once,
    before forking workers."""
    if not _warming(app):
        return
    services = app.server.extensions["icsdash"]
    try:
        with services.sessions() as session:
            warm(session, services.rules)
    except Exception:
        log.warning("could not warm the memos before serving", exc_info=True)
    # Everything built so far lives as long as the process: keep it out of the cyclic
    # garbage collector's passes (and, in a gunicorn master, out of copy-on-write in the
    # workers), as the gc module's documentation advises before forking.
    gc.freeze()


def after_fork(app: dash.Dash) -> None:
    """In a new worker process: never reuse the parent's database connections; follow new
    data versions with this worker's own warmer thread."""
    app.server.extensions["icsdash"].engine.dispose(close=False)
    start_warmer(app)


def _register_pages_and_callbacks(app: dash.Dash) -> None:
    import callbacks
    import layouts
    from layouts import shell

    def _role() -> str | None:
        identity = auth.current_identity()
        return identity.role if identity else None

    layouts.register_pages(role=_role)
    demo = app.server.extensions["icsdash"].demo

    def _layout():
        return shell.layout(identity=auth.current_identity(), demo=demo)

    app.layout = _layout
    callbacks.register_all(app)
