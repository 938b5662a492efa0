"""Customer segmentation engine: questionnaire segments, utilisation segments, care gaps (spec: segmentation.md).

Builds Ibis expressions over the warehouse tables only, like ``valvomo.indicators``.
"""
