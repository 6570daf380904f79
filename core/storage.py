"""Private file storage: never under MEDIA_ROOT (which the web server may serve) and never a
public URL; files are served through permission-checked views. Enquiry uploads (encrypted)
and tax invoices live here. S3 in production (AWS_STORAGE_BUCKET_NAME), private ACL."""

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
        raise ValueError("Private files have no URL; they are served by permission-checked views.")


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
