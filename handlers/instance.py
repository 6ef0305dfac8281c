"""What one process keeps warm between requests: the one holder the three Cloud Functions share.

It holds the settings, the webhook's runtime, the jobs' store and the claims (the one Cloud Storage
client of the process, when `claims.bucket` is set), each made once.

A Cloud Functions instance answers many requests, so its settings and clients
are made once and reused (as in GoogleCloudPlatform/python-docs-samples
`functions/`: heavy clients created lazily, kept in global scope). They are
made on first use, in the process that serves the request. Nothing may be
started while main.py is imported: functions-framework serves through gunicorn,
which loads main.py in its master process and then forks the worker; a thread
or a connection begun at import is forked half-way (a thread's imports were
left half-initialised in the worker, which then answered 500 or hung).

Each part is built under one lock, so the first requests of a threaded worker
wait for one build instead of making several; a build that fails keeps nothing
and is tried again by the next request.
"""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Mapping

from core.config import Config, ConfigError, load_config

if TYPE_CHECKING:  # the webhook's and the jobs' modules are imported on first use only
    from handlers.runtime import Runtime
    from sheets.archive import ArchiveSink
    from sheets.claims import Claims
    from sheets.store import Store


class Instance:
    """Settings, the webhook runtime and the jobs' store of one process, each made on first use."""

    def __init__(self, env: Mapping[str, str] | None = None):
        self.env = os.environ if env is None else env
        self._lock = threading.Lock()
        self._config: Config | None = None
        self._webhook: Runtime | None = None
        self._job_store: Store | None = None
        self._claims: Claims | None = None

    def _settings(self) -> Config:
        """The settings (ConfigError if they are wrong); call with the lock held."""
        if self._config is None:
            self._config = load_config(env=self.env)
        return self._config

    def webhook(self) -> Runtime:
        """The LINE webhook's runtime (RuntimeConfigError when a secret or setting is missing)."""
        runtime = self._webhook
        if runtime is not None:
            return runtime
        from handlers.runtime import RuntimeConfigError, runtime_from_env

        with self._lock:
            if self._webhook is None:
                try:
                    config = self._settings()
                except ConfigError as exc:
                    raise RuntimeConfigError(str(exc)) from None
                self._webhook = runtime_from_env(self.env, config, self._claims_locked(config))
            return self._webhook

    def claims(self) -> Claims:
        """The configured claims ("once only": a repayment's ref, the day's alert run), made once (ConfigError)."""
        with self._lock:
            return self._claims_locked(self._settings())

    def _claims_locked(self, config: Config) -> Claims:
        if self._claims is None:
            from sheets.open import open_claims

            self._claims = open_claims(config, self.env)
        return self._claims

    def archive(self) -> ArchiveSink:
        """Where the alert run moves the log's older rows: through the claims' Cloud Storage client
        when they have one (one client per service), made on each call (it holds nothing else)."""
        from sheets.open import open_archive

        with self._lock:
            config = self._settings()
            claims = self._claims_locked(config)
            return open_archive(config, self.env, storage=getattr(claims, "client", None))

    def jobs(self) -> tuple[Config, Store]:
        """Settings and store of the scheduled jobs (alerts, the monthly report): the full store client.

        ConfigError or StoreError when they cannot be opened. A job makes its own messenger per run,
        so that LINE stopping one run (a 429) does not stop the next.
        """
        from sheets.open import open_store

        with self._lock:
            config = self._settings()
            if self._job_store is None:
                self._job_store = open_store(None, config)
            return config, self._job_store

    def forget_jobs(self) -> None:
        """After a failed job: the next run reads the settings and opens the store again."""
        with self._lock:
            self._config = None
            self._job_store = None
