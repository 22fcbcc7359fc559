"""Scrapy commands of the newsbot project (COMMANDS_MODULE): `scrapy crawl <slug>` runs
through newsbot's runner, so a run has one owner whichever way it is started."""
