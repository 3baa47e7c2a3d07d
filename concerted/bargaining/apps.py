from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BargainingConfig(AppConfig):
    name = "concerted.bargaining"
    label = "bargaining"

    def ready(self) -> None:
        from concerted.campaigns import overview

        from .overview import kit_items

        overview.register(kit_items)
        overview.register_action(_("AI bargaining kit"), "bargaining:start")

        from concerted.core import releases

        from .stats import RELEASES

        for kind in RELEASES:
            releases.register(kind)

        from concerted.core import reveal

        from .models import PROPOSAL_KIND, REPORT_KIND

        reveal.register_export_path("reports", "/o/bargaining/{id}/reports.json")
        reveal.register_export_path("proposals", "/o/bargaining/{id}/proposals.json")
        reveal.register_file_prefix(REPORT_KIND, "reports")
        reveal.register_file_prefix(PROPOSAL_KIND, "proposals")

        from concerted.core import demo

        from . import demo as bargaining_demo

        demo.register(60, "bargaining", bargaining_demo.load)

        # The expired-form page shows what was sent under these forms' labels.
        from concerted.core import refused

        from .forms import PressureReportForm, ProposalForm, SurveillanceReportForm

        refused.register_form("bargaining:report_surveillance", lambda slug: SurveillanceReportForm())
        refused.register_form("bargaining:report_pressure", lambda slug: PressureReportForm())
        refused.register_form("bargaining:propose", lambda slug: ProposalForm())
