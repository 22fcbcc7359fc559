"""`python -m newsbot`: what cron lines run (an absolute interpreter, no PATH needed)."""

import sys

from newsbot.cli import main

sys.exit(main())
