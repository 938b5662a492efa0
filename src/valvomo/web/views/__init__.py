"""Page data for the dashboard: ResultStore rows turned into localised tables and charts.

One module per page (overview, comparison, station, indicators, quality, ingest, patients),
``common`` for what they share (``ViewContext``, the table model, the cache, the row readers)
and ``tables`` for the download registry.

Every number on a page comes from ``ResultStore.query`` rows, which are already
disclosure-controlled with the viewer's profile; these modules only select,
order, label and format them (``disclosure.format_cell`` shows a redacted
cell as "<8"). The one thing they add to disclosure control is *complementary
suppression across stations*: a station breakdown sits under a county figure
that is shown elsewhere, so when exactly one station of a period is redacted
the next smallest is hidden too (see ``suppress_complements``).

Each table is a ``TableModel`` built by one function registered in ``tables.TABLES``
under its download key; the pages and the CSV/XLSX downloads call the same
builder with the same parameters, so a download always equals the screen.
Built tables are cached per (warehouse snapshot, language, profile, key,
parameters): the results change only when a new ingest is materialised.
"""
