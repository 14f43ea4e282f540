"""scripts/audit.py (`make audit`): what is audited, how PyPI's data is read, the exit policy."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from types import ModuleType
from typing import Any

import pytest

from herald.settings import PROJECT_ROOT
from herald.temporal import free_port


def _load() -> ModuleType:
    path = PROJECT_ROOT / "scripts" / "audit.py"
    spec = importlib.util.spec_from_file_location("herald_audit_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


audit = _load()


def test_closure_is_the_projects_installed_dependencies() -> None:
    packages = audit.closure()
    assert "herald" not in packages  # the project itself is not a dependency to audit
    assert packages["temporalio"] == metadata.version("temporalio")
    assert packages["pytest"] == metadata.version("pytest")  # the test extra
    assert packages["pydantic-core"] == metadata.version("pydantic-core")  # transitive


def test_closure_follows_requirements_only() -> None:
    packages = audit.closure("pydantic-settings", ())
    assert {"pydantic", "pydantic-core", "python-dotenv"} <= set(packages)
    assert "pytest" not in packages and "temporalio" not in packages


class _FakePyPI(BaseHTTPRequestHandler):
    documents: dict[str, dict[str, Any]] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        name = self.path.strip("/").removesuffix("/json")
        document = self.documents.get(name)
        body = json.dumps(document).encode()
        self.send_response(200 if document else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body if document else b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def pypi() -> Iterator[str]:
    """A PyPI JSON API on 127.0.0.1 serving `_FakePyPI.documents`."""
    _FakePyPI.documents = {
        "lib": {
            "info": {"version": "2.0"},
            "vulnerabilities": [
                {"id": "GHSA-live", "fixed_in": ["2.1"]},
                {"id": "GHSA-open", "fixed_in": []},
                {"id": "GHSA-gone", "fixed_in": ["2.1"], "withdrawn": "2025-01-01"},
            ],
        },
        "clean": {"info": {"version": "1.0"}, "vulnerabilities": []},
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakePyPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_latest_release_is_audited_from_the_project_document(pypi: str) -> None:
    finding = audit.Finding("lib", "2.0")
    audit.audit_from_project_document(finding, pypi)
    assert finding.audited
    assert finding.vulns == ["GHSA-live (fixed in 2.1)", "GHSA-open (no fix)"]


def test_clean_latest_release(pypi: str) -> None:
    finding = audit.Finding("clean", "1.0")
    audit.audit_from_project_document(finding, pypi)
    assert finding.audited and finding.vulns == []


def test_older_release_stays_unaudited(pypi: str) -> None:
    finding = audit.Finding("lib", "1.9")
    audit.audit_from_project_document(finding, pypi)
    assert not finding.audited and "latest 2.0" in finding.note


def test_unreachable_pypi_leaves_it_unaudited() -> None:
    finding = audit.Finding("lib", "2.0")
    audit.audit_from_project_document(finding, f"http://127.0.0.1:{free_port()}")
    assert not finding.audited and finding.note.startswith("PyPI unreachable")


def _findings(*items: tuple[str, bool, list[str]]) -> dict[str, Any]:
    return {
        name: audit.Finding(name, "1.0", vulns=vulns, audited=audited, note="offline")
        for name, audited, vulns in items
    }


@pytest.mark.parametrize("ci", [False, True])
def test_a_vulnerability_always_fails(ci: bool, capsys: pytest.CaptureFixture[str]) -> None:
    findings = _findings(("lib", True, ["GHSA-live (fixed in 2.1)"]), ("ok", True, []))
    assert audit.verdict(findings, ci=ci) == 1
    assert "VULNERABLE lib==1.0: GHSA-live (fixed in 2.1)" in capsys.readouterr().out


def test_nothing_audited_warns_locally_and_fails_in_ci(capsys: pytest.CaptureFixture[str]) -> None:
    findings = _findings(("a", False, []), ("b", False, []))
    assert audit.verdict(findings, ci=False) == 0
    assert "2 dependencies NOT audited" in capsys.readouterr().err
    assert audit.verdict(findings, ci=True) == 1


def test_some_unaudited_warns_but_passes_in_ci(capsys: pytest.CaptureFixture[str]) -> None:
    findings = _findings(("a", True, []), ("b", False, []))
    assert audit.verdict(findings, ci=True) == 0
    assert "b==1.0: offline" in capsys.readouterr().err
