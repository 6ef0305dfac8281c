"""The webhook runtime layer: what main.py's Cloud Functions and cli.py wire together.

- `handlers.runtime`: `create_runtime(config, store, replier)`, the one factory of the
  webhook's runtime (tests, `python main.py chat` and the deployed instance), the HTTP
  answer (`answer_webhook`), and the deployed runtime's parts from the environment.
- `handlers.instance`: `Instance`, the one holder of a process's warm state (settings,
  webhook runtime, the jobs' store), each made on first use in the serving process.
- The clients are the program's one client per service: LINE is `messaging.line`, Sheets is
  `sheets.client` (under `sheets.google.GoogleStore`), both over `core.http`.
"""
