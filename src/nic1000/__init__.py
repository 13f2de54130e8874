"""nic1000: running Korea's National Innovation Company 1000 programme end to end."""
