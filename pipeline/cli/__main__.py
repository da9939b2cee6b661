"""``python -m pipeline.cli``: the same as the ``presswatch`` command."""

from pipeline.cli import main

main()
