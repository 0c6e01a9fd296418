"""The carousel as a PDF: each slide's background as the page image and its text as real, shaped, selectable text."""

import io
import logging
import re

from fpdf import FPDF

from slides.typography import font_location

# fpdf2 subsets each font with fontTools, which logs every table it touches at INFO: hundreds of lines per export.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def carousel_pdf(pages, size, *, title):
    """PDF bytes with one page per (background JPEG, [Line]), each exactly `size` points (1 px of the slide = 1 pt).

    The JPEG goes in as it is (no re-encoding); the lines are set as shaped text in embedded subset fonts.
    """
    width, height = size
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title(title)
    pdf.set_creator("Postframe")
    pdf.set_text_shaping(True)
    added = set()
    for base, lines in pages:
        pdf.add_page()
        pdf.image(io.BytesIO(base), x=0, y=0, w=width, h=height)
        for line in lines:
            # A bundled font by its file name, a brand kit's uploaded font by its content hash: embedded as a subset.
            family = re.sub(r"[^a-z0-9]", "", line.font.rsplit(".", 1)[0].lower())[:40]
            if family not in added:
                pdf.add_font(family, "", str(font_location(line.font)))
                added.add(family)
            pdf.set_font(family, size=line.size)
            pdf.set_text_color(*line.colour)
            pdf.set_xy(line.x, line.y)
            pdf.cell(line.width, line.height, line.text.strip(), align=line.align)
    return bytes(pdf.output())
