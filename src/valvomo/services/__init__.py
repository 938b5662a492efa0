"""Services between the engines and the interfaces.

- ``results``: indicator rows, materialised once per ingest and disclosure-controlled on the way out
  (``ResultStore``; one output series for programme links: ``services.outputs.output_series``).
- ``catalogue``: the indicator catalogue in fi/sv/en and the generated ``docs/indicators.md``.
- ``targets``: targets from the registry or the county's targets file, and their status.
- ``periods``: the dates behind period labels.
"""
