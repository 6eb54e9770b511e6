"""``python -m listener`` runs the command line."""

from listener.cli import main

main()
