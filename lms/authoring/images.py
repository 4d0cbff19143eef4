"""Images an author uploads: checked, then re-encoded with Pillow so that only pixels reach learners.

Re-encoding drops whatever else a file may carry (EXIF with a location, comments, scripts in a polyglot, chunks
crafted for a decoder bug); a file Pillow cannot decode as the type its name says is refused.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import PurePosixPath

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from lms.catalog.loader import IMAGE_TYPES, MAX_IMAGE_BYTES
from lms.core.i18n import _

MAX_PIXELS = 40_000_000  # about 7700 x 5200: far beyond any lesson picture, far below a decompression bomb
MAX_FRAMES = 500
_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}


class ImageError(ValueError):
    """An image that cannot be stored, in words the author can act on."""


def clean_name(filename: str) -> str:
    """A media file name from an uploaded file's name: lower-case letters, digits, hyphens and its extension.

    Raises ImageError when the extension is not an image type the courses accept.
    """
    path = PurePosixPath(filename.replace("\\", "/")).name
    suffix = PurePosixPath(path).suffix.lower()
    if suffix not in IMAGE_TYPES:
        raise ImageError(_("Upload a PNG, JPEG, GIF or WebP image (its name must end in .png, .jpg, .jpeg, .gif "
                           "or .webp)."))
    stem = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(path).stem.lower()).strip("-")[:80].strip("-") or "image"
    return f"{stem}{suffix}"


def sanitise(filename: str, data: bytes, keep_name: bool = False) -> tuple[str, bytes, str]:
    """The image re-encoded: (its media file name, its bytes, its content type). ``keep_name`` keeps the name as
    it is (an imported course's lessons refer to its images by name).

    Raises ImageError for a wrong type, an empty or over-large file, too many pixels or frames, or content that is
    not the image its name says.
    """
    if keep_name:
        name = filename
        if PurePosixPath(name).suffix.lower() not in IMAGE_TYPES:
            raise ImageError(_("media/%(name)s is not a PNG, JPEG, GIF or WebP image.", name=name))
    else:
        name = clean_name(filename)
    if not data:
        raise ImageError(_("The file is empty."))
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(_("An image may be at most 5 MB. Make it smaller and upload it again."))
    wanted = _FORMATS[PurePosixPath(name).suffix.lower()]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format != wanted:
                    raise ImageError(_("The file's name says %(wanted)s but its content is %(found)s. Save it "
                                       "in the right format and upload it again.", wanted=wanted,
                                       found=image.format or _("not an image")))
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ImageError(_("The image has too many pixels (more than 40 million). Make it smaller "
                                       "and upload it again."))
                content = _reencode(image, wanted)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(_("The image has too many pixels (more than 40 million). Make it smaller and "
                               "upload it again.")) from None
        except UnidentifiedImageError:
            raise ImageError(_("The file is not an image this site can read. Save it again as PNG or JPEG "
                               "and upload it again.")) from None
        except (OSError, SyntaxError, ValueError) as error:
            if isinstance(error, ImageError):
                raise
            raise ImageError(_("The image is damaged and cannot be read. Save it again and upload it again.")
                             ) from None
    if len(content) > MAX_IMAGE_BYTES:
        raise ImageError(_("Once cleaned, the image is larger than 5 MB. Make it smaller and upload it again."))
    return name, content, IMAGE_TYPES[PurePosixPath(name).suffix.lower()]


def _reencode(image: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_FRAMES:
        raise ImageError(_("The animation has more than %(num)d frames.", num=MAX_FRAMES))
    if frames > 1 and image_format in ("GIF", "WEBP"):
        # Each frame is copied as bare pixels; durations and looping are kept, nothing else of the file is.
        durations = []
        copies = []
        for frame in ImageSequence.Iterator(image):
            durations.append(int(frame.info.get("duration", 100)))
            copies.append(_bare(frame.convert("RGBA")))
        copies[0].save(out, format=image_format, save_all=True, append_images=copies[1:], duration=durations,
                       loop=int(image.info.get("loop", 0)), disposal=2 if image_format == "GIF" else 0)
        return out.getvalue()
    image.load()
    if image_format == "JPEG":
        picture = ImageOps.exif_transpose(image)  # turn photos upright before their EXIF is dropped
        picture = _bare(picture.convert("L" if picture.mode in ("L", "1") else "RGB"))
        picture.save(out, format="JPEG", quality=90)
    else:
        keep = {"transparency": image.info["transparency"]} if "transparency" in image.info else {}
        picture = _bare(image if image.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else image.convert("RGBA"))
        picture.save(out, format=image_format, **keep)
    return out.getvalue()


def _bare(image: Image.Image) -> Image.Image:
    # A copy without the source's info (EXIF, ICC, XMP, comments, text chunks): savers read them from there.
    copy = image.copy()
    copy.info = {}
    return copy
