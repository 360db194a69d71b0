"""Render a .docx to PDF (LibreOffice) and PNG pages (pdftoppm) so a person can look at it.

Usage: ``python tests/render_pages.py DOCX [--outdir DIR] [--dpi 80]``; prints one PNG path a
line. Tests import :func:`docx_to_pdf` to check that a rendered decision converts at all.

LibreOffice runs with a private, throw-away profile (``-env:UserInstallation``) so that it
neither touches the user's profile nor clashes with an office instance that is already open.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

EXIT_MISSING_TOOL = 2
EXIT_FAILED = 1


class RenderError(RuntimeError):
    """The conversion ran but produced nothing usable (message in Vietnamese)."""


def find_soffice() -> str | None:
    """Path of the LibreOffice binary, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: Path, outdir: Path, timeout: float = 120) -> Path:
    """Convert ``docx`` to ``outdir/<stem>.pdf`` with headless LibreOffice and return its path.

    Raises FileNotFoundError when LibreOffice is missing, RenderError when the conversion
    fails or times out.
    """
    soffice = find_soffice()
    if soffice is None:
        raise FileNotFoundError("Không tìm thấy LibreOffice (lệnh soffice) trên PATH.")
    docx = Path(docx).resolve()
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    pdf = outdir / f"{docx.stem}.pdf"
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(docx),
        ]
        returncode, output = _run_killing_group(command, timeout)
        if returncode is None:
            raise RenderError(
                f"LibreOffice không chuyển xong {docx.name} sang PDF sau {timeout:g} giây."
            )
    if returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        raise RenderError(
            f"LibreOffice không tạo được {pdf.name} (mã thoát {returncode}). {output}"
        )
    return pdf


def _run_killing_group(command: list[str], timeout: float) -> tuple[int | None, str]:
    """Run ``command``; on timeout kill its whole process group and return (None, output).

    ``soffice`` is a wrapper that starts ``soffice.bin``: killing only the direct child would
    leave the real office process running, so it gets a session (process group) of its own.
    """
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)
            else:  # pragma: no cover - Windows has no process groups of this kind
                process.kill()
            output, _ = process.communicate()
            return None, (output or "").strip()
    return process.returncode, (output or "").strip()


def pdf_to_pngs(pdf: Path, outdir: Path, dpi: int = 80, timeout: float = 120) -> list[Path]:
    """Turn every page of ``pdf`` into ``outdir/<stem>-N.png`` with pdftoppm; return the paths."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise FileNotFoundError("Không tìm thấy pdftoppm (gói poppler-utils) trên PATH.")
    prefix = outdir / pdf.stem
    for old in outdir.glob(f"{pdf.stem}-*.png"):  # pages left over from a longer document
        old.unlink()
    try:
        subprocess.run(
            [pdftoppm, "-r", str(dpi), "-png", str(pdf), str(prefix)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"pdftoppm không xử lý xong {pdf.name} sau {timeout:g} giây.") from exc
    except subprocess.CalledProcessError as exc:
        raise RenderError(
            f"pdftoppm lỗi khi xử lý {pdf.name} (mã thoát {exc.returncode}). {exc.stderr.strip()}"
        ) from exc

    def page_number(path: Path) -> int:
        return int(path.stem.rsplit("-", 1)[1])

    pages = sorted(outdir.glob(f"{pdf.stem}-*.png"), key=page_number)
    if not pages:
        raise RenderError(f"pdftoppm không tạo ra trang PNG nào từ {pdf.name}.")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Chuyển tệp .docx sang PDF (LibreOffice) rồi sang ảnh PNG từng trang."
    )
    parser.add_argument("docx", type=Path, help="tệp .docx cần xem")
    parser.add_argument(
        "--outdir",
        type=Path,
        default=None,
        help="thư mục ghi PDF và PNG (mặc định: <tên tệp>-trang bên cạnh tệp .docx)",
    )
    parser.add_argument("--dpi", type=int, default=80, help="độ phân giải ảnh PNG (mặc định 80)")
    parser.add_argument(
        "--timeout", type=float, default=120, help="thời gian chờ tối đa mỗi bước, giây"
    )
    args = parser.parse_args(argv)

    missing: list[str] = []
    if find_soffice() is None:
        missing.append("soffice (cài gói libreoffice-writer-nogui)")
    if shutil.which("pdftoppm") is None:
        missing.append("pdftoppm (cài gói poppler-utils)")
    if missing:
        print("Lỗi: thiếu công cụ: " + "; ".join(missing) + ".", file=sys.stderr)
        return EXIT_MISSING_TOOL
    if not args.docx.is_file():
        print(f"Lỗi: không tìm thấy tệp {args.docx}.", file=sys.stderr)
        return EXIT_MISSING_TOOL

    outdir = (args.outdir or args.docx.with_name(f"{args.docx.stem}-trang")).resolve()
    try:
        pdf = docx_to_pdf(args.docx, outdir, timeout=args.timeout)
        pages = pdf_to_pngs(pdf, outdir, dpi=args.dpi, timeout=args.timeout)
    except (RenderError, FileNotFoundError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Đã tạo {pdf} ({len(pages)} trang):", file=sys.stderr)
    for page in pages:
        print(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
