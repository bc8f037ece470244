"""Campaign and movement pages: kind, program, sub-campaigns and indicators."""
from django.http import Http404
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin

from . import selectors
from .models import Campaign


class CampaignListView(ScopedViewMixin, TemplateView):
    template_name = "campaigns/campaign_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaigns=selectors.campaign_list(), **kwargs)


class CampaignDetailView(ScopedViewMixin, TemplateView):
    template_name = "campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs):
        try:
            campaign = selectors.campaign_detail(self.kwargs["code"])
        except Campaign.DoesNotExist:
            raise Http404 from None
        return super().get_context_data(campaign=campaign, **kwargs)
