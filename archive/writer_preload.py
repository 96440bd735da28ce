"""Imported in the fork server (archive.forkserver.start): the writer's modules, loaded before it forks
the writer process. An error in one of them must not stop the server, which would then fail every
child with a connection error: the writer imports the module again and reports its own error."""

import importlib

from archive.forkserver import PRELOAD

for _name in PRELOAD:
    try:
        importlib.import_module(_name)
    except Exception:  # noqa: BLE001, S110 -- reported by the writer process (serve_process)
        pass
