"""Referral or quote uploads: checked by what the bytes are, never by the file's name."""

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from core.encryption import encrypt_bytes

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

# The first bytes of each accepted kind of file.
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    original_name: str


def check_upload(upload) -> CheckedUpload:
    """Accept a PDF, JPEG or PNG of at most 5 MB, whatever it is called; refuse the rest
    (an executable renamed .pdf, a 50 MB scan) with a message the customer can act on."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            "The file is larger than 5 MB. Please send a smaller scan or photo.", code="too_big"
        )
    content = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:  # the size it declared was not the size it is
        raise ValidationError("The file is larger than 5 MB.", code="too_big")
    content_type = next((t for sig, t in SIGNATURES.items() if content.startswith(sig)), None)
    if content_type is None:
        raise ValidationError(
            "Please upload a PDF, JPEG or PNG file (a scan or photo of the referral or quote).",
            code="wrong_type",
        )
    if content_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as error:
            raise ValidationError("This image file is damaged.", code="damaged") from error
    return CheckedUpload(content, content_type, (upload.name or "upload")[:120])


def encrypted_file(checked: CheckedUpload) -> ContentFile:
    """The upload as encrypted bytes under a random name that says nothing about it."""
    return ContentFile(encrypt_bytes(checked.content), name=f"{uuid.uuid4().hex}.bin")
