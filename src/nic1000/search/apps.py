from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "nic1000.search"
    label = "search"
    verbose_name = "Search"
