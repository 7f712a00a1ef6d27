"""Product and article images: checked with Pillow, re-encoded to WebP at a few widths.

Uploaded files are never served as they came: decoding them proves they are images (a renamed
text file or a truncated file fails here), and re-encoding strips metadata such as GPS
positions and bounds the bytes a phone downloads. Files go under MEDIA_ROOT, outside static/,
as ``<folder>/<key>-<width>.webp``; templates build ``srcset`` from the widths stored on the row.
"""

from __future__ import annotations

import logging
import secrets
from io import BytesIO
from pathlib import Path
from typing import IO

from flask import current_app
from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from storefront.models import Product, ProductImage

log = logging.getLogger(__name__)

WIDTHS = (320, 640, 960)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # far above any product photo; refuses decompression bombs
MAX_SIDE = 16383  # the largest side WebP can encode
WEBP_QUALITY = 80


class ImageRejected(ValueError):
    """The upload is not an image we accept; the message is fit to show beside the field."""


def media_root() -> Path:
    return Path(current_app.config["MEDIA_ROOT"])


def save_renditions(image: Image.Image, folder: str, key: str) -> tuple[int, int, list[int]]:
    """Write ``image`` as WebP at each width not larger than it; return (width, height, widths)."""
    target = media_root() / folder
    target.mkdir(parents=True, exist_ok=True)
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    widths = [w for w in WIDTHS if w <= image.width] or [image.width]
    for width in widths:
        # At least one pixel: a 16000 x 1 strip scaled to 320 wide would round to 0 high.
        height = max(1, round(image.height * width / image.width))
        rendition = image.resize((width, height), Image.Resampling.LANCZOS)
        rendition.save(target / f"{key}-{width}.webp", "WEBP", quality=WEBP_QUALITY, method=6)
    return image.width, image.height, widths


def open_upload(stream: IO[bytes]) -> Image.Image:
    """Decode an uploaded file, refusing anything but a JPEG, PNG or WebP of sane size."""
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRejected("The image is larger than 5 MB. Please upload a smaller file.")
    if not data:
        raise ImageRejected("The file is empty.")
    try:
        with Image.open(BytesIO(data)) as probe:
            fmt = probe.format
            _check_size(probe.width, probe.height)
            probe.verify()
        image = Image.open(BytesIO(data))
        image.load()
        # Inside the try: a malformed EXIF block raises here, as a bad chunk does above.
        return _check_format(fmt, ImageOps.exif_transpose(image))
    except ImageRejected:
        raise
    except Exception as exc:
        # Pillow's decoders answer a hostile file with whatever their parser trips on:
        # ValueError (a text or ICC chunk that inflates past its limit, a truncated gAMA),
        # SyntaxError (a bad EXIF header), OSError, EOFError, DecompressionBombError, even
        # struct.error. All of them mean the same to the person uploading.
        log.info("image upload refused: %s: %s", type(exc).__name__, exc)
        raise ImageRejected("That file is not a JPEG, PNG or WebP image.") from exc


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ImageRejected("The image has too many pixels.")
    if max(width, height) > MAX_SIDE:
        raise ImageRejected(f"The image is {width} × {height} pixels; each side may be at "
                            f"most {MAX_SIDE} pixels.")


def _check_format(fmt: str | None, image: Image.Image) -> Image.Image:
    if fmt not in ACCEPTED_FORMATS:
        raise ImageRejected(f"{fmt} images are not accepted; use JPEG, PNG or WebP.")
    return image


def add_product_image(
    session: Session, product: Product, image: Image.Image, alt: str, key: str | None = None
) -> ProductImage:
    """Store renditions of ``image`` and attach them to ``product`` as its last image."""
    key = key or f"{product.slug}-{secrets.token_hex(4)}"
    width, height, widths = save_renditions(image, "products", key)
    record = ProductImage(
        key=key, alt=alt, width=width, height=height,
        widths=",".join(map(str, widths)), position=len(product.images),
    )
    product.images.append(record)
    session.add(record)
    return record


def store_product_image(session: Session, product: Product, upload, alt: str) -> ProductImage:
    """An admin's upload (a werkzeug FileStorage) checked, converted and attached."""
    return add_product_image(session, product, open_upload(upload.stream), alt)
