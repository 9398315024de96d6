from django.apps import AppConfig


class OrmConfig(AppConfig):
    name = "adapters.orm"
    label = "reportflow"
    verbose_name = "reportflow"
    default_auto_field = "django.db.models.BigAutoField"
