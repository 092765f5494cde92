"""Min plan's service worker, one file per concern, put together and served at
/service-worker.js by patient_app/views/pwa.py. A package so that an installed wheel
carries the files (importlib.resources finds them; no path into a source checkout).

The order of PARTS is the order in the served script."""

PARTS = ("shell.js", "device-state.js", "messages.js", "outbox.js", "push.js")
