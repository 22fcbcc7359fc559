"""`newsbot check-site`: a verdict per part of a config against a local site, exit 1 when
a part is broken, the sampled pages saved as fixtures in the fixtures' own format, and a
site that refuses every request reported as blocked."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from newsbot.demo.server import LocalSite, Page
from newsbot.sites.config import load_config
from tests.conftest import ROOT, run_chain
from tests.crawlsite import (
    article_html,
    listing,
    news_site_pages,
    query,
    run_crawl,
    write_site_file,
)


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsbot.cli", "check-site", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )


def test_a_working_config_passes_part_by_part_and_saves_its_fixtures(tmp_path: Path):
    with LocalSite(news_site_pages()) as site:
        site_file = write_site_file(tmp_path, site)
        fixtures = tmp_path / "fixtures"
        result = check(
            "--site-file",
            str(site_file),
            "--pages",
            "3",
            "--save-fixture",
            "--fixture-root",
            str(fixtures),
        )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("testsite: works")
    assert "  ok      TLS: certificates are verified" in lines
    assert f"  ok      start URL {site.base_url}/news/: answers; 4 article links" in lines
    assert any(line.startswith("  ok      pagination of") and "page 2" in line for line in lines)

    config = load_config(site_file)
    saved = sorted((fixtures / "testsite").glob("*.html"))
    assert len(saved) == 3
    for page in saved:
        expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        # What tests/test_fixture_pages.py checks of every fixture, field by field.
        got = run_chain(page.read_bytes(), expected["url"], config)
        assert set(expected) == set(got) - {"warnings"}
        for name, value in expected.items():
            if name == "body":
                assert got["body"].startswith(value["first_sentence"])
                assert got["body"].endswith(value["last_sentence"])
                assert len(got["body"].split("\n\n")) == value["paragraphs"]
            else:
                assert got[name] == value, name


def test_a_broken_config_names_each_broken_part(tmp_path: Path):
    pages = news_site_pages()
    pages["/rss.xml"] = Page(b"<html><body>not a feed</body></html>")
    with LocalSite(pages) as site:
        site_file = tmp_path / "broken.toml"
        site_file.write_text(
            'slug = "testsite"\nname = "Test"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
            f'start_urls = ["{site.base_url}/gone/"]\nfeeds = ["{site.base_url}/rss.xml"]\n'
            "article_url = '/news/\\d+-[\\w-]+\\.html$'\naccept_broken_tls = true\n"
        )
        result = check("--site-file", str(site_file), "--pages", "2")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("testsite: BROKEN")
    assert f"  BROKEN  start URL {site.base_url}/gone/: HTTP 404" in lines
    assert any(line.startswith(f"  BROKEN  feed {site.base_url}/rss.xml:") for line in lines)
    assert "  note    TLS: certificate checks are off for this site (accept_broken_tls)" in lines


def test_a_site_that_refuses_every_request_is_blocked_not_idle(tmp_path: Path):
    refused = Page(b"<html><body>Access denied</body></html>", status=403)
    with LocalSite({"/robots.txt": refused, "/news/": refused}) as site:
        site_file = write_site_file(tmp_path, site)
        result = run_crawl(tmp_path / "news.db", site_file)
        checked = check("--site-file", str(site_file), "--pages", "2")
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "blocked: every request was refused (HTTP 403" in output
    assert "no new articles" not in output
    assert checked.returncode == 1
    assert "  BROKEN  start URL" in checked.stdout and "blocked" in checked.stdout


def _self_signed(folder: Path) -> ssl.SSLContext:
    """A server context for 127.0.0.1 whose certificate no client can verify (as with a
    chain missing its intermediate, like akorda.kz's)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime(2026, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def test_a_certificate_that_fails_verification_is_refused_unless_the_site_accepts_it(
    tmp_path: Path,
):
    pages = {
        "/robots.txt": Page(b"User-agent: *\n", "text/plain"),
        "/news/": listing("/news/1-item.html"),
        "/news/1-item.html": Page(article_html(1)),
    }
    site = LocalSite(pages)
    site.server.socket = _self_signed(tmp_path).wrap_socket(site.server.socket, server_side=True)
    with site:
        base = f"https://127.0.0.1:{site.port}"
        outcomes = {}
        for accept in (False, True):
            folder = tmp_path / str(accept)
            folder.mkdir()
            site_file = folder / "tls.toml"
            site_file.write_text(
                'slug = "tls"\nname = "TLS"\ndomains = ["127.0.0.1"]\nlanguage = "ru"\n'
                f'start_urls = ["{base}/news/"]\narticle_url = "/news/\\\\d+-item"\n'
                f"accept_broken_tls = {'true' if accept else 'false'}\n"
            )
            db = folder / "news.db"
            result = run_crawl(db, site_file)
            outcomes[accept] = (result.returncode, query(db, "SELECT count(*) FROM articles")[0][0])
        checked = check("--site-file", str(tmp_path / "False" / "tls.toml"), "--pages", "1")
    assert outcomes[False] == (1, 0)  # verified by default: the crawl fetches nothing
    assert outcomes[True] == (0, 1)
    assert checked.returncode == 1
    assert "certificate verification failed" in checked.stdout
    assert "set accept_broken_tls = true" in checked.stdout
