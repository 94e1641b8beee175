"""Field data from KoboToolbox / ODK Collect: the location-assessment XLSForm (``xlsform``), the
Kobo API v2 JSON submissions (``submissions``), loading them (``load``) and pulling them from a
live Kobo server (``client``)."""
