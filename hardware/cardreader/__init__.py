"""Card reader: interface and simulator (the PC/SC driver comes later)."""

from hardware.cardreader.interface import CardReader, ReaderState

__all__ = ["CardReader", "ReaderState"]
