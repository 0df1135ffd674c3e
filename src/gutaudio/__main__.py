"""Run the command line as `python -m gutaudio`."""

from .cli import main

main()
