"""scopekb: helpdesk contract scopes and coverage verdicts, published as a MkDocs site."""
__version__ = "0.2.0"
