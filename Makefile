# Two commands for a fresh Debian machine: `make demo` and `make test`.
# Both install what they need first (Debian packages, then the Python environment in .venv/)
# and are quick when everything is already there.

SHELL := /bin/bash
PYTHON ?= python3.11
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
# Python files are compiled once at install, so every `kiosk` start is faster.
export UV_COMPILE_BYTECODE := 1

# Xvfb + Mesa: Kivy windows without a screen; espeak-ng: speech output; fonts-dejavu-core: the UI
# font for all seven languages (Arabic too) and the receipt font; systemd: systemd-analyze for the
# unit tests; socat: the pty pair that stands in for the printer's serial cable (printer emulator
# and its tests); chromium: the clerk's browser in the video-assist tests (driven by Python
# playwright, never a downloaded browser); python3.11-venv: bootstraps uv.
DEB_PACKAGES := python3.11 python3.11-venv xvfb xauth libgl1 libgl1-mesa-dri libegl1 libmtdev1 \
                espeak-ng fonts-dejavu-core systemd socat chromium
UV := .tools/bin/uv
DEPS_STAMP := .venv/.installed

.PHONY: demo test translations system-deps deps clean

demo: deps
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		.venv/bin/kiosk demo; \
	else \
		echo "No display: a scripted citizen walks the service in German and English;"; \
		echo "screenshots and the receipt preview go to out/demo-de and out/demo-en;"; \
		echo "then an ID photo is taken of the demo camera's citizen (out/demo-photo)."; \
		.venv/bin/kiosk demo --autopilot meldebescheinigung --lang de --screenshots out/demo-de && \
		.venv/bin/kiosk demo --autopilot meldebescheinigung --lang en --screenshots out/demo-en && \
		.venv/bin/kiosk demo --autopilot passfoto --lang de --screenshots out/demo-photo; \
	fi

test: deps
	.venv/bin/python -m pytest

# After changing a text in the code or a service: refresh config/locale/*.pot and every .po.
translations: deps
	.venv/bin/kiosk translations update

system-deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==0.13.8"

deps: system-deps $(UV) $(DEPS_STAMP)

$(DEPS_STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

clean:
	rm -rf .venv .tools out var
