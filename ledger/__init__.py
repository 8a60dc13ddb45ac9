"""The data: configuration, models, sessions, migrations, import and the demo city."""
