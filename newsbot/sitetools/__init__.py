"""Tools that work on a live site: `add-site` writes configs from a home page,
`check-site` checks a config against the site. They sit above the crawler (check-site
runs a short crawl), apart from the site definitions in newsbot/sites/."""
