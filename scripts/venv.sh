# Sourced by scripts/build and scripts/test: make .venv with Python 3.11 or newer.
VENV=${GUTAUDIO_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Error: gutaudio needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
    exit 1
  fi
  "$PYTHON" -m venv "$VENV"
fi
