"""The sample web: realistic government portals served on loopback for tests and the demo.

``sampleweb.model`` (the data) → ``sampleweb.render`` (page bytes per CMS family) →
``sampleweb.server.SampleWeb`` (virtual hosts, HTTP proxy target); ``sampleweb.truth`` derives the
ground truth from the same model. See sampleweb/README.md.
"""
