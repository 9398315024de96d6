from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OperatorConsoleConfig(AppConfig):
    """The console's templates and ModelAdmins (adapters/admin/admin.py, found by autodiscovery)."""

    name = "adapters.admin"
    label = "console"
    verbose_name = "operator console"
    default = True


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with reportflow's site as the default one."""

    default = False
    default_site = "adapters.admin.site.ConsoleSite"
