"""The Celery application: Redis carries wake-up calls, the database holds the truth.

All settings live in config/settings.py under the ``CELERY_`` prefix (JSON only, acks_late,
reject on worker lost, time limits, the visibility timeout and the beat schedule).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("backcare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
