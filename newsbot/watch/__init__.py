"""Watches: saved searches whose new matches go to a digest, by e-mail and to webhooks
after each crawl (`newsbot watch`)."""
