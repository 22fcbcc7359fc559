"""Many crawl workers on one shared Redis frontier (scrapy-redis), one SQLite writer.

Workers (`newsbot crawl --frontier URL`) fetch and extract; records of what they fetched
go to Redis (pipelines/records.py) and the one writer (`newsbot ingest --from URL`) puts
them in the database. `keys.py` names every Redis key both sides use.
"""
