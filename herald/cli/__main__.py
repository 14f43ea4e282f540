"""`python -m herald.cli` runs the same command line as `herald`."""

from herald.cli import main

main()
