"""Icons and small data files the app ships, installed as ``workbench_assets`` and read through
``importlib.resources`` (see ``workbench.core.assets``), never by a path into the source tree."""
