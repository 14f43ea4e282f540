"""`make audit`: known vulnerabilities in what `pip install -e .[test]` installed.

Audits the installed closure of `herald[test]` (not stray tools in the venv, not Herald
itself) with pip-audit against PyPI's vulnerability data. Exit status:

* 1 when any audited package has a known vulnerability (always: that is the point);
* 1 when no package could be audited at all (PyPI unreachable) and CI=true: CI reaches
  PyPI to install the project in the first place, so an audit service it cannot reach is a
  broken run, not a clean one;
* 0 otherwise, with a loud warning naming every package that could not be audited, so a
  developer offline still runs `make test` and sees that the audit did not happen.

pip-audit asks PyPI per release (`/pypi/<name>/<version>/json`). Where that answers nothing
(some registry mirrors only serve the project document), a package whose installed version is
the latest is audited from the project document (`/pypi/<name>/json`), whose
`vulnerabilities` are the latest release's; older installed versions are reported unaudited.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "herald"
EXTRAS = ("test",)
PYPI = "https://pypi.org/pypi"
TIMEOUT_S = 20


@dataclass
class Finding:
    """What the audit learned about one installed package."""

    name: str
    version: str
    vulns: list[str] = field(default_factory=list)
    audited: bool = False
    note: str = ""


def closure(project: str = PROJECT, extras: tuple[str, ...] = EXTRAS) -> dict[str, str]:
    """Installed name → version of every distribution `project[extras]` needs, transitively."""
    found: dict[str, str] = {}
    pending: list[tuple[str, tuple[str, ...]]] = [(project, extras)]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while pending:
        name, wanted = pending.pop()
        if (name, wanted) in seen:
            continue
        seen.add((name, wanted))
        dist = metadata.distribution(name)
        found[canonicalize_name(dist.metadata["Name"])] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            envs = [{"extra": extra} for extra in wanted] or [{"extra": ""}]
            if req.marker is not None and not any(req.marker.evaluate(env) for env in envs):
                continue
            try:
                metadata.distribution(req.name)
            except metadata.PackageNotFoundError:
                continue  # an optional dependency this platform did not install
            pending.append((canonicalize_name(req.name), tuple(sorted(req.extras))))
    found.pop(canonicalize_name(project), None)
    return found


def run_pip_audit(packages: dict[str, str], workdir: Path) -> dict[str, Finding]:
    """pip-audit's verdict per package (pinned, no resolution, PyPI service)."""
    requirements = workdir / "requirements.txt"
    requirements.write_text("".join(f"{n}=={v}\n" for n, v in sorted(packages.items())))
    report = workdir / "report.json"
    command = [
        sys.executable, "-m", "pip_audit", "--requirement", str(requirements),
        "--no-deps", "--disable-pip", "--vulnerability-service", "pypi",
        "--format", "json", "--output", str(report), "--progress-spinner", "off",
        "--timeout", str(TIMEOUT_S),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    findings = {n: Finding(n, v, note="pip-audit did not run") for n, v in packages.items()}
    if not report.exists():
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        for finding in findings.values():
            finding.note = f"pip-audit failed: {tail}"
        return findings
    for dep in json.loads(report.read_text())["dependencies"]:
        audited = findings.get(canonicalize_name(dep["name"]))
        if audited is None:
            continue
        if "skip_reason" in dep:
            audited.note = dep["skip_reason"]
        else:
            audited.audited = True
            audited.vulns = [_describe(v["id"], v.get("fix_versions", [])) for v in dep["vulns"]]
    return findings


def _describe(vuln_id: str, fixed_in: list[str]) -> str:
    return f"{vuln_id} (fixed in {', '.join(fixed_in)})" if fixed_in else f"{vuln_id} (no fix)"


def audit_from_project_document(finding: Finding, pypi: str = PYPI) -> None:
    """Fill in `finding` from PyPI's project document when it describes the installed version."""
    url = f"{pypi}/{finding.name}/json"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            document = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError) as err:
        finding.note = f"PyPI unreachable ({getattr(err, 'reason', err)})"
        return
    latest = document.get("info", {}).get("version")
    if latest != finding.version:
        finding.note = f"installed {finding.version}, latest {latest}: not in PyPI's data here"
        return
    finding.audited = True
    finding.vulns = [
        _describe(v["id"], v.get("fixed_in", []))
        for v in document.get("vulnerabilities", [])
        if not v.get("withdrawn")
    ]


def verdict(findings: dict[str, Finding], *, ci: bool) -> int:
    """Print what the audit found and return the exit status (see the module docstring)."""
    vulnerable = [f for f in findings.values() if f.vulns]
    unaudited = [f for f in findings.values() if not f.audited]
    audited = len(findings) - len(unaudited)
    say(f"audit: {audited} of {len(findings)} dependencies of {PROJECT}[test] audited")
    for finding in sorted(vulnerable, key=lambda f: f.name):
        for vuln in finding.vulns:
            say(f"VULNERABLE {finding.name}=={finding.version}: {vuln}")
    if unaudited:
        say(f"WARNING: {len(unaudited)} dependencies NOT audited:", err=True)
        for finding in sorted(unaudited, key=lambda f: f.name):
            say(f"  {finding.name}=={finding.version}: {finding.note}", err=True)
    if vulnerable:
        return 1
    if audited == 0 and ci:
        say("audit: nothing could be audited; failing because CI=true", err=True)
        return 1
    return 0


def say(line: str, *, err: bool = False) -> None:
    """One line of the report (this is a command-line tool: printing is its output)."""
    print(line, file=sys.stderr if err else sys.stdout)  # noqa: T201


def main() -> int:
    """Audit the closure and return the exit status."""
    packages = closure()
    with tempfile.TemporaryDirectory(prefix="herald-audit-") as tmp:
        findings = run_pip_audit(packages, Path(tmp))
    for finding in findings.values():
        if not finding.audited:
            audit_from_project_document(finding)
    return verdict(findings, ci=os.environ.get("CI") == "true")


if __name__ == "__main__":
    sys.exit(main())
