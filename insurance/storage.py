"""Where enquiry uploads live: never under MEDIA_ROOT (which the web server may serve), and
only ever as encrypted bytes; staff download them through a permission-checked view."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


class PrivateFileSystemStorage(FileSystemStorage):
    """PRIVATE_MEDIA_ROOT, read when used (not when models load), and no URL at all."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Enquiry uploads have no URL; staff download them through the admin.")


def private_storage() -> Storage:
    if settings.AWS_STORAGE_BUCKET_NAME:
        from storages.backends.s3 import S3Storage

        return S3Storage(
            bucket_name=settings.AWS_STORAGE_BUCKET_NAME,
            location="private",
            default_acl="private",
            querystring_auth=True,
            file_overwrite=False,
        )
    return PrivateFileSystemStorage()
