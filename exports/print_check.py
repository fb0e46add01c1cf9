"""Print check of the meeting pack: the seed plan with its demo data, converted to PDF by LibreOffice.

``python -m exports.print_check [--out DIR] [--period NAME] [--sheets cover,attention] [--pages N] [--dpi 50]``

Builds a throwaway SQLite database (migrate, ``bootstrap``: the units, the 兴平 plan, its periods,
the demo accounts and demo reports), writes the meeting pack of ``--period`` (default 2025年上半年,
the closed period with demo reports; ``--sheets`` as the download's ``sheets`` parameter, default
the printed pack) to ``DIR/会议材料.xlsx``, converts it with ``soffice --headless --convert-to pdf``
and renders the first ``--pages`` pages with ``pdftoppm -png -r DPI`` into ``DIR`` (default
``artifacts/print_check``, gitignored), then prints the page count, the smallest text size printed
and the sheet each page starts (:func:`pdf_text_sizes`), and the files. Look at the PNGs: title
merged over the table, header repeated on every page, the columns at 100% on the page width,
wrapped text not cut, Chinese glyphs, the cover on one page, the charts.

Needs LibreOffice Calc (Debian: ``libreoffice-calc-nogui``), ``pdftoppm`` (``poppler-utils``) and
pypdf (requirements-dev.txt). The test ``exports/tests/test_print_pdf.py`` uses the same functions
(:func:`convert_to_pdf`, :func:`pdf_text_sizes`) and checks the page count and the text size.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


MAX_PAGES = 40  # the printed pack of the 兴平 plan with the demo data (issue 15)
MIN_BODY_POINTS = 10.0


def convert_to_pdf(workbook: Path, out_dir: Path, *, soffice: str | None = None) -> Path:
    """``workbook`` converted by LibreOffice (a throwaway profile, so it runs beside an open LibreOffice) into ``out_dir``."""
    soffice = soffice or shutil.which("soffice") or "soffice"
    with tempfile.TemporaryDirectory(prefix="print-check-lo-") as tmp:
        profile = Path(tmp) / "lo-profile"
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(workbook),
            ],
            check=True,
            capture_output=True,
            timeout=300,
            env={**os.environ, "HOME": tmp},
        )
    return out_dir / f"{workbook.stem}.pdf"


@dataclass
class PageText:
    number: int
    text: str
    sizes: dict[float, int]  # printed size (points, one decimal) -> characters

    @property
    def first_line(self) -> str:
        lines = [line.strip() for line in self.text.splitlines() if line.strip() and not line.startswith("第 ")]
        return lines[0] if lines else ""

    @property
    def smallest(self) -> float | None:
        return min(self.sizes) if self.sizes else None


def pdf_text_sizes(pdf: Path) -> list[PageText]:
    """Each page's text sizes as printed: the font size times the text and page matrices' scale,
    so a sheet shrunk to fit shows as smaller text (pypdf reads the content streams)."""
    from pypdf import PdfReader

    pages = []
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        sizes: dict[float, int] = {}

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float, sizes: dict = sizes) -> None:
            stripped = text.strip()
            if not stripped:
                return
            # the vertical scale of the text space in page space: tm × cm applied to (0, 1)
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            printed = round(size * (c * c + d * d) ** 0.5, 1)
            sizes[printed] = sizes.get(printed, 0) + len(stripped)

        pages.append(PageText(number, page.extract_text(visitor_text=visit), sizes))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exports.print_check", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "artifacts" / "print_check")
    parser.add_argument("--period", default="2025年上半年")
    parser.add_argument("--sheets", default="", help="as the download's sheets parameter (default: the printed pack)")
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--dpi", type=int, default=50)
    args = parser.parse_args(argv)
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        print("需要 soffice（libreoffice-calc-nogui）和 pdftoppm（poppler-utils）。", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="print-check-") as tmp:
        sys.path.insert(0, str(REPO_ROOT))
        from xingping_tracker.core.standalone import close_connections, configure, migrate

        configure(Path(tmp) / "print_check.sqlite3")
        migrate()
        from django.core.management import call_command

        with redirect_stdout(io.StringIO()):  # bootstrap prints generated passwords: not wanted here
            call_command("bootstrap")
        from exports.meeting_pack import build_meeting_pack, parse_sheet_selection
        from progress.models import ReviewPeriod

        period = ReviewPeriod.objects.select_related("plan").get(name=args.period)
        sheets = parse_sheet_selection({"sheets": args.sheets} if args.sheets else {})
        workbook = args.out / "会议材料.xlsx"
        with build_meeting_pack(period, sheets=sheets) as handle:
            workbook.write_bytes(handle.read())
        close_connections()
    pdf = convert_to_pdf(workbook, args.out, soffice=soffice)
    for old in args.out.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        [pdftoppm, "-png", "-r", str(args.dpi), "-l", str(args.pages), str(pdf), str(args.out / "page")], check=True
    )
    pages = pdf_text_sizes(pdf)
    smallest = min((page.smallest for page in pages if page.smallest is not None), default=None)
    print(
        f"{workbook.name} → {pdf.name}: {len(pages)} pages (at most {MAX_PAGES}); smallest text {smallest} pt (at least {MIN_BODY_POINTS})"
    )
    for page in pages:
        common = max(page.sizes, key=page.sizes.get) if page.sizes else None
        print(f"  p.{page.number:>3}  body {common} pt, smallest {page.smallest} pt  {page.first_line[:60]}")
    print(f"first {args.pages} pages rendered:")
    for png in sorted(args.out.glob("page-*.png")):
        print(f"  {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
