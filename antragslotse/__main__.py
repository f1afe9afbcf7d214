"""``python -m antragslotse`` is the ``antragslotse`` command."""

from antragslotse.cli import main

raise SystemExit(main())
