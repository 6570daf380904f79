"""The dashboard's front page: Oscar's shop figures for those who run the shop, and each
other role's own figures (health-fund queue, consultations), with 30 days of activity."""

from oscar.apps.dashboard import views

from blog.dashboard.access import can_edit_articles
from blog.selectors import article_funnel
from consultations.dashboard.access import can_use_consultations, is_lead
from consultations.dashboard.selectors import recommendation_figures
from core import clock
from insurance.dashboard.access import can_handle_enquiries
from sitewide.dashboard import figures

# The Oscar figures (orders, revenue, customers, stock alerts) are the shop manager's.
SHOP_PERMISSION = "order.view_order"


class IndexView(views.IndexView):
    def get_template_names(self):
        return ["oscar/dashboard/index.html"]

    def get_context_data(self, **kwargs):
        user, now = self.request.user, clock.now()
        context = {"now": now, "show_shop": user.has_perm(SHOP_PERMISSION)}
        if context["show_shop"]:
            context.update(self.get_stats())
        if can_handle_enquiries(user):
            context["enquiries"] = figures.enquiry_figures(now=now)
        if can_use_consultations(user):
            context["bookings"] = figures.booking_figures(now=now, user=user)
        if can_use_consultations(user) and is_lead(user):
            context["recommendations"] = recommendation_figures()
        if context["show_shop"] or can_edit_articles(user):
            context["funnel"] = article_funnel()
        days, series = figures.activity_series(
            now=now,
            orders=context["show_shop"],
            enquiries="enquiries" in context,
            bookings="bookings" in context,
        )
        if series:
            context.update(
                chart_days=days,
                chart_lines=figures.chart_lines(series),
                chart_rows=[
                    {"day": day, "counts": [s.counts[i] for s in series]}
                    for i, day in enumerate(days)
                ],
                chart_width=figures.CHART_WIDTH,
                chart_height=figures.CHART_HEIGHT,
            )
        return super(views.IndexView, self).get_context_data(**context, **kwargs)
