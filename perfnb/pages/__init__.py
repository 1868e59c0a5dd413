"""The report pages: a service's report (``service``), its action plan (``action_plan``),
the pieces both have (``parts``), the period's index page (``index``) and the contents list
added to each (``contents``)."""
