"""The demo's printer: the emulator at one end of a socat pty pair, the terminal's port at the
other. The kiosk's real serial driver prints through it, so the demo prints for real.
"""

from __future__ import annotations

from pathlib import Path

from hardware.printer.emulator import PrinterEmulator
from hardware.printer.serial_link import SerialLink


class EmulatedLine:
    def __init__(self, folder: Path, out_dir: Path | None, paper_dots: int = 576) -> None:
        """`folder` holds the two links (a temporary folder); receipts go to `out_dir`, drawn
        `paper_dots` wide."""
        folder.mkdir(parents=True, exist_ok=True)
        self._out_dir, self._paper_dots = out_dir, paper_dots
        self.link = SerialLink(folder / "printer", folder / "terminal")
        self.link.start()
        # The emulator opens its end first: bytes written before it listens would be lost.
        self.emulator = PrinterEmulator(self.link.printer_end, out_dir, paper_dots=paper_dots)

    @property
    def terminal_end(self) -> Path:
        return self.link.terminal_end

    def unplug(self) -> None:
        """Pull the cable: socat ends, both ends fail."""
        self.link.close()
        self.emulator.close()

    def plug_in(self) -> None:
        """Plug the cable back in: a fresh line and a fresh emulator, in the mode it had."""
        mode = self.emulator.mode
        self.unplug()
        self.link.start()
        self.emulator = PrinterEmulator(self.link.printer_end, self._out_dir, mode, paper_dots=self._paper_dots)

    def close(self) -> None:
        """Switch off: the emulator stops first, so it does not report a lost line."""
        self.emulator.close()
        self.link.close()
