from django.apps import AppConfig


class OrmConfig(AppConfig):
    name = "adapters.orm"
    label = "reportflow"
    verbose_name = "reportflow"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from adapters import connection_checks  # noqa: F401 - connects its signal receivers
