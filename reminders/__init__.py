"""The alerts: the daily digest job and the month simulation (docs/alerts.md).

- `reminders.job.run_reminders(store, messenger, config, run_date, now, dry_run=False)`:
  the daily run; one read, one push per officer with something new, one append.
- `reminders.simulate.simulate_month(store_or_dataset, config, year, month, naive=False)`:
  a month of runs on a copy, against the LINE quota, with coverage.
- `reminders.digest`: what an officer reads (LINE flex carousel and plain text).
- `reminders.plan`: the rules (window, dedup, failed items, digest days), pure.

Submodules are imported on use: `import reminders` stays light for the webhook.
"""
