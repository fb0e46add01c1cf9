"""Print check of the meeting pack: the seed plan with its demo data, converted to PDF by LibreOffice.

``python -m exports.print_check [--out DIR] [--period NAME] [--pages N] [--dpi 50]``

Builds a throwaway SQLite database (migrate, ``bootstrap``: the units, the 兴平 plan, its periods,
the demo accounts and demo reports), writes the meeting pack of ``--period`` (default 2025年上半年,
the closed period with demo reports) to ``DIR/会议材料.xlsx``, converts it with
``soffice --headless --convert-to pdf`` and renders the first ``--pages`` pages with
``pdftoppm -png -r DPI`` into ``DIR`` (default ``artifacts/print_check``, gitignored), then prints
the page count and the files. Look at the PNGs: title merged over the table, header repeated on
every page, the columns fitted to the page width, wrapped text, Chinese glyphs, the cover's charts.

Needs LibreOffice Calc (Debian: ``libreoffice-calc-nogui``) and ``pdftoppm`` (``poppler-utils``).
Not a test: it needs those programs and takes a minute; run it after changing the layout.
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
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exports.print_check", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "artifacts" / "print_check")
    parser.add_argument("--period", default="2025年上半年")
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
        from exports.meeting_pack import build_meeting_pack
        from progress.models import ReviewPeriod

        period = ReviewPeriod.objects.select_related("plan").get(name=args.period)
        workbook = args.out / "会议材料.xlsx"
        with build_meeting_pack(period) as handle:
            workbook.write_bytes(handle.read())
        close_connections()
        profile = Path(tmp) / "lo-profile"
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(args.out), str(workbook)],
            check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": tmp},
        )
    pdf = args.out / "会议材料.pdf"
    for old in args.out.glob("page-*.png"):
        old.unlink()
    subprocess.run(
        [pdftoppm, "-png", "-r", str(args.dpi), "-l", str(args.pages), str(pdf), str(args.out / "page")], check=True
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout if shutil.which("pdfinfo") else ""
    pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
    print(f"{workbook.name} → {pdf.name}: {pages} pages; first {args.pages} rendered:")
    for png in sorted(args.out.glob("page-*.png")):
        print(f"  {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
