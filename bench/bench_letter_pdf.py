"""Benchmark: official letter render + PAdES seal.

Run from the project root:  .venv/bin/python bench/bench_letter_pdf.py
Prints ``name: value unit`` lines; each figure is the median of 5 runs after
one warm-up run. Target: a one-page Chinese letter stamped in <= 0.5 s.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import cpu_ms, report
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator.registry import SimpleCertificateStore
from weasyprint import HTML

from notices.pdf.render import ASSETS_DIR, LetterContext, build_letter_html
from notices.pdf.seal import make_demo_certificate, make_seal_png
from notices.pdf.stamp import stamp_letter
from portal.pdf.fetcher import SafeURLFetcher
from portal.pdf.render import pdf_stylesheet

RUNS = 5
COMPANY = "北京朝阳大悦城商业管理有限公司"
PARAGRAPH = (
    "<p>为进一步加强商场消防安全管理，保障广大顾客和商户的生命财产安全，"
    "根据《中华人民共和国消防法》及相关规定，现将有关事项通知如下。</p>"
)


def letter(paragraphs: int, seal_png: bytes) -> LetterContext:
    return LetterContext(
        centre_name="朝阳大悦城",
        letterhead_name=COMPANY,
        letterhead_address="北京市朝阳区朝阳北路101号",
        letterhead_phone="010-85551234",
        doc_number="BJ商管〔2026〕007号",
        date=dt.date(2026, 11, 23),
        addressee="各位商户",
        title="关于开展冬季消防安全检查的通知",
        body_html="<p>请各商户于十二月一日前完成店铺消防设施自查。</p>" + PARAGRAPH * paragraphs,
        signatory_name=COMPANY,
        attachments=["消防安全自查表.xlsx"],
        footer_text="抄送：朝阳区消防救援支队",
        seal_png=seal_png,
    )


def median_seconds(fn: Callable[[], object]) -> float:
    fn()  # warm-up: fontconfig cache, font file mmap, imports
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bare_render(context: LetterContext) -> Callable[[], bytes]:
    """Plain WeasyPrint on the same HTML: no time limit, no seal box, no signing."""
    html = build_letter_html(context, seal="placeholder")
    stylesheet = pdf_stylesheet(ASSETS_DIR / "letter.css")

    def run() -> bytes:
        return HTML(
            string=html, base_url=ASSETS_DIR.as_uri() + "/", url_fetcher=SafeURLFetcher(ASSETS_DIR)
        ).write_pdf(stylesheets=[stylesheet])

    return run


def bare_sign(pdf: bytes, key_pem: bytes, cert_pem: bytes) -> Callable[[], bytes]:
    """Plain pyHanko on a rendered letter: an invisible PAdES signature, no seal picture."""
    cert = next(iter(load_certs_from_pemder_data(cert_pem)))
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=load_private_key_from_pemder_data(key_pem, None),
                                  cert_registry=SimpleCertificateStore.from_certs([cert]))
    meta = signers.PdfSignatureMetadata(field_name="Seal", subfilter=SigSeedSubFilter.PADES)

    def run() -> bytes:
        return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer).getvalue()

    return run


def main() -> None:
    seal_png = make_seal_png(COMPANY)
    key_pem, cert_pem = make_demo_certificate("朝阳大悦城电子公章", COMPANY)
    # One page and five (the signature mid-page 5) in the GB/T 9704 type area.
    one_page, five_pages = letter(0, seal_png), letter(26, seal_png)

    def stamp(context: LetterContext) -> Callable[[], object]:
        return lambda: stamp_letter(context, key_pem=key_pem, cert_pem=cert_pem)

    assert stamp_letter(one_page, key_pem=key_pem, cert_pem=cert_pem).pages == 1
    assert stamp_letter(five_pages, key_pem=key_pem, cert_pem=cert_pem).pages == 5

    one_sign = median_seconds(stamp(one_page))
    five_sign = median_seconds(stamp(five_pages))
    one_bare = median_seconds(bare_render(one_page))
    five_bare = median_seconds(bare_render(five_pages))

    print(f"letter_1page_render_sign: {one_sign:.3f} s")
    print(f"letter_5page_render_sign: {five_sign:.3f} s")
    print(f"letter_1page_bare_render: {one_bare:.3f} s")
    print(f"letter_5page_bare_render: {five_bare:.3f} s")
    print(f"letter_1page_stamp_ratio: {one_sign / one_bare:.2f} x")
    print(f"letter_5page_stamp_ratio: {five_sign / five_bare:.2f} x")
    # The floor: what bare WeasyPrint and bare pyHanko take for the same
    # one-page letter, in CPU, measured in this run (stamp_letter adds the
    # seal box, the appearance and the checks on top).
    render = bare_render(one_page)
    floor = cpu_ms(render, RUNS) + cpu_ms(bare_sign(render(), key_pem, cert_pem), RUNS)
    report("stamp_over_floor", cpu_ms(stamp(one_page), RUNS) / floor, "x")


if __name__ == "__main__":
    main()
