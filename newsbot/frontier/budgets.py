"""The spider's run budgets (newsbot.crawling.spider.Budgets: --limit articles, sitemap
documents and URLs) shared by a site's workers: one Lua script takes what fits under
the cap in keys.counters(run_id, site), atomically, so two workers never both take the
last article of --limit. NEWSBOT_BUDGETS = "newsbot.frontier.budgets.shared_budgets"."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from newsbot.crawling.spider import Budgets
from newsbot.frontier import keys
from newsbot.frontier.coordinator import FRONTIERS, REDIS_DOWN

# KEYS: the counters hash; ARGV: name, wanted, cap.
_TAKE = """
local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local granted = math.min(tonumber(ARGV[2]), tonumber(ARGV[3]) - used)
if granted <= 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], granted)
return granted
"""


class SharedBudgets(Budgets):
    def __init__(self, worker: str, site: str):
        super().__init__()
        self.frontier = FRONTIERS[worker]
        self.key = keys.counters(self.frontier.run_id, site)
        self._take = self.frontier.redis.register_script(_TAKE)

    def take(self, name: str, wanted: int, cap: int) -> int:
        if wanted <= 0:
            return 0
        try:
            return int(self._take(keys=[self.key], args=[name, wanted, cap]))
        except REDIS_DOWN as error:
            # Counted here meanwhile (the limit may be passed by what this worker takes).
            self.frontier.connection_lost(error)
            return super().take(name, wanted, cap)


def shared_budgets(settings: BaseSettings, site: str) -> Budgets:
    return SharedBudgets(settings["NEWSBOT_FRONTIER_WORKER"], site)
