"""WSGI entry for production: gunicorn -w 4 -b 0.0.0.0:8050 'dashboard.wsgi:app' (sync workers; config from config.toml / env)."""
from dashboard import create_app
from ledger.config import load_config

app = create_app(load_config())
