"""create_app: build the Flask server, the Dash app on it, and wire every package."""

from __future__ import annotations

from pathlib import Path

import dash
from flask import Flask

from dashboard import auth, security
from dashboard.cache import make_cache
from dashboard.config import Config, database_url
from dashboard.services import Services
from data.db import make_engine, make_sessionmaker
from data.disclosure import DisclosureRules
from data.warm import Warmer

HERE = Path(__file__).parent

INDEX = """<!DOCTYPE html>
<html lang="en">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
{%app_entry%}
<footer>{%config%}{%scripts%}{%renderer%}</footer>
</body>
</html>"""


def create_app(config: type[Config] | Config | None = None) -> dash.Dash:
    """Build the app. `config` defaults to Config (environment variables)."""
    config = config or Config
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
        cache=make_cache(config.CACHE_URL),
    )
    auth.init_app(server)
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
    )
    app.index_string = INDEX
    _register_pages_and_callbacks(app)
    security.init_app(server, app)
    if config.WARM_EVERY_S > 0 and not config.TESTING:
        services = server.extensions["icsdash"]
        services.warmer = Warmer(services.sessions, services.rules, config.WARM_EVERY_S).start()
    return app


def _register_pages_and_callbacks(app: dash.Dash) -> None:
    import callbacks
    import layouts
    from layouts import shell

    layouts.register_pages()
    demo = app.server.extensions["icsdash"].demo

    def _layout():
        return shell.layout(identity=auth.current_identity(), demo=demo)

    app.layout = _layout
    callbacks.register_all(app)
