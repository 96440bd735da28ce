"""The one error type every command turns into a single line and exit code 2.

It lives in its own module so that ``python -m lawgov.cli`` (where cli is ``__main__``) and the
subcommand modules raise and catch the same class.
"""


class BadInput(Exception):
    """Raised for input the user can fix; printed as one line, exit code 2."""
