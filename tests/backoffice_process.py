"""The real back office as a subprocess: lives in backoffice/process.py (`kiosk demo` uses it too)."""

from backoffice.process import DEFAULT_PASSWORD, BackofficeError, BackofficeProcess, free_port

__all__ = ["DEFAULT_PASSWORD", "BackofficeError", "BackofficeProcess", "free_port"]
