"""exotel-emulator: a local emulator of Exotel's HTTP APIs."""

from __future__ import annotations

__all__ = ["create_app"]
__version__ = "0.1.0"


def __getattr__(name: str):
    # imported on first use: the pytest plugin loads this package in every pytest run of anyone who
    # installed it, and Flask with every family costs a few hundred milliseconds
    if name == "create_app":
        from emulator.app import create_app

        return create_app
    raise AttributeError(f"module 'emulator' has no attribute {name!r}")
