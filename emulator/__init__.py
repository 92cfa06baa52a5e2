"""exotel-emulator: a local emulator of Exotel's HTTP APIs."""

from emulator.app import create_app

__all__ = ["create_app"]
__version__ = "0.1.0"
