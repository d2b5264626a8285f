from django.apps import AppConfig


class SocialvalueConfig(AppConfig):
    name = "socialvalue"
    verbose_name = "Social value"
