"""Programme tracking: project plans, process meter, indicator targets, risks and budget.

The public entry points (used by the CLI, the web pages and the reports):

* files: ``parse_document``, ``read_document``, ``ProgrammeFileError`` (every error with its place);
* storage: ``service.save_document``, ``import_text``, ``export_yaml``, ``get_programme``,
  ``list_programmes``, ``record_assessment``, ``save_narrative``, ``record_indicator_value``,
  ``record_budget_actual``, ``update_risk``;
* reading: ``overview.build_overview`` (one programme at a period) and ``compare.compare``
  (several programmes side by side);
* arithmetic: ``meter`` (percent ↔ levels), ``targets`` (met / on track / off track),
  ``progress`` (stalled measures), ``risks``, ``budget``;
* values: ``indicator_values.ResultsServiceValues`` (the engine) or any ``IndicatorValues``.

Submodules are imported on use; this package imports nothing heavy.
"""
