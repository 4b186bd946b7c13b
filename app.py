"""Build the app; `python app.py` serves it with Flask's development server."""

from dashboard.factory import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(debug=False)
