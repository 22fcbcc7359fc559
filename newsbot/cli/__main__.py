"""`python -m newsbot.cli`, as the tests and older cron lines run it."""

import sys

from newsbot.cli import main

sys.exit(main())
